"""What the tests share: the simulator's keys, an HTTP client for it, and the one way to make a session.

``utest`` is on pytest's ``pythonpath`` (pyproject.toml), so any test imports these as ``from support import ...``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.transport.retry import RetryPolicy
from PlanhatLibrary.transport.session import PlanhatSession

API_KEY = "utest-key-7f3a9c"
READ_ONLY_KEY = "utest-readonly-1b2c"
TENANT = "5c1e8f3a-utest-tenant"
#: The utest folder (its fixture files: data/, robot/, snippets/, keyword_examples/) and the repository.
UTEST = Path(__file__).resolve().parent.parent
ROOT = UTEST.parent
RETRY_OPTIONS = ("backoff_max", "budget", "window_budget", "window_step")


class Client:
    """A thin requests wrapper bound to one simulator, authenticated with Bearer by default."""

    def __init__(self, sim: PlanhatSimulator, key: str | None = API_KEY) -> None:
        self.sim = sim
        self.url = sim.url
        self.http = requests.Session()
        if key:
            self.http.headers["Authorization"] = f"Bearer {key}"

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, self.url + path, timeout=10, **kwargs)

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.url}/_simulator/{path}", timeout=10, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()


def session_for(
    target: PlanhatSimulator | str,
    *,
    key: str = API_KEY,
    tenant: str = TENANT,
    max_retries: int = 2,
    backoff_base: float = 0.01,
    sleep: Callable[[float], None] | None = None,
    **options: Any,
) -> PlanhatSession:
    """A session on a simulator (or any base URL) with the test keys, quick retries and no real sleeping.

    ``options`` are ``RetryPolicy`` fields (``budget``...) or ``PlanhatSession`` arguments (``timeout``...)."""
    url = target if isinstance(target, str) else target.url
    retry = {name: options.pop(name) for name in RETRY_OPTIONS if name in options}
    credentials = Credentials(api_key=key, tenant_uuid=tenant, api_url=url, analytics_url=url)
    policy = RetryPolicy(max_retries=max_retries, backoff_base=backoff_base, **retry)
    return PlanhatSession(credentials, retry=policy, sleep=sleep if sleep is not None else (lambda _: None), **options)
