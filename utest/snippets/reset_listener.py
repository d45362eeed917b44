"""Robot listener for the snippet runner: every snippet suite starts with a fresh harness simulator.

Each snippet is its own suite. Before it starts, the harness simulator is reset and the Vault
environment points at it again (a snippet may start a simulator of its own and repoint it). After it
ends, the simulators it started are stopped: ``PlanhatLibrary.Simulator`` is a global library, and a
printed suite need not stop its simulator (the run's end does), but the next snippet starts its own.
"""

from __future__ import annotations

import os
from typing import Any

import requests
from robot.libraries.BuiltIn import BuiltIn, RobotNotRunningError

ROBOT_LISTENER_API_VERSION = 3
_SAVED = {name: os.environ[name] for name in ("RPA_SECRET_MANAGER", "RPA_SECRET_FILE") if name in os.environ}


def start_suite(data: Any, result: Any) -> None:
    if data.source is None or not str(data.source).endswith(".robot"):
        return
    os.environ.update(_SAVED)
    url = os.environ["SNIPPET_SIMULATOR_URL"]
    requests.post(f"{url}/_simulator/reset", timeout=10).raise_for_status()


def end_suite(data: Any, result: Any) -> None:
    if data.source is None or not str(data.source).endswith(".robot"):
        return
    try:
        simulators = BuiltIn().get_library_instance("PlanhatLibrary.Simulator")
    except (RuntimeError, RobotNotRunningError):  # the snippet does not import the simulator library
        return
    simulators.stop_all_planhat_simulators()
