"""Robot listener for the snippet runner: every snippet suite starts with a fresh harness simulator.

Each snippet is its own suite. Before it starts, the harness simulator is reset and the Vault
environment points at it again (a snippet may start a simulator of its own and repoint it).
"""

from __future__ import annotations

import os
from typing import Any

import requests

ROBOT_LISTENER_API_VERSION = 3
_SAVED = {name: os.environ[name] for name in ("RPA_SECRET_MANAGER", "RPA_SECRET_FILE") if name in os.environ}


def start_suite(data: Any, result: Any) -> None:
    if data.source is None or not str(data.source).endswith(".robot"):
        return
    os.environ.update(_SAVED)
    url = os.environ["SNIPPET_SIMULATOR_URL"]
    requests.post(f"{url}/_simulator/reset", timeout=10).raise_for_status()
