"""A session that can only read, within a request budget: what `Check Planhat Tenant` sends through.

The guard sits in the HTTP adapter, below every code path of the session: a request whose method is
not GET is refused there, before a connection is opened, whatever asked for it (a keyword, a retry,
``session.http.request`` called directly). The same adapter counts every attempt, retries included,
and refuses the one past the budget, so a check can never send more than it promised.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from PlanhatLibrary.errors import PlanhatError
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.transport.deadline import DeadlineAdapter
from PlanhatLibrary.transport.retry import Attempt, RetryPolicy
from PlanhatLibrary.transport.session import PlanhatSession

#: Answer headers worth reporting: the rate limit as Planhat states it, and when to come back.
RATE_HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset", "retry-after")


#: Headers that ask a server to treat a GET as another method: the guard refuses requests that carry one.
METHOD_OVERRIDES = ("x-http-method-override", "x-http-method", "x-method-override")


class FewRetries(RetryPolicy):
    """At most ``max_retries`` retries of any kind: a 429 without ``Retry-After`` is no exception here (the check
    has a request budget to keep, and would rather report the 429)."""

    def delay(self, attempt: Attempt, retry_number: int, elapsed: float) -> float | None:
        return None if retry_number >= self.max_retries else super().delay(attempt, retry_number, elapsed)


class ReadOnlyViolationError(PlanhatError):
    """A request other than GET reached the read-only session: refused, nothing was sent."""


class BudgetSpentError(PlanhatError):
    """The read-only session sent as many requests as it may: the next one is refused, not sent."""


@dataclass(frozen=True)
class Exchange:
    """One attempt as the check saw it: path (no query), status, rate headers, time taken."""

    path: str
    status: int
    headers: dict[str, str]
    elapsed: float


class GetOnlyAdapter(DeadlineAdapter):
    """Sends GET requests only, at most ``budget`` of them, and records each answer."""

    def __init__(self, budget: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget = budget
        self.used = 0
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        method = (request.method or "").upper()
        if any(name.lower() in METHOD_OVERRIDES for name in request.headers):
            method = "a method override"
        if method != "GET":
            refused = method or "a request"
            raise ReadOnlyViolationError(f"The tenant check is read-only: {refused} refused, nothing was sent.")
        with self._lock:
            if self.used >= self.budget:
                spent = f"The tenant check's budget of {self.budget} requests is spent"
                raise BudgetSpentError(f"{spent}: nothing more is sent.")
            self.used += 1
        began = time.monotonic()
        response: requests.Response = super().send(request, *args, **kwargs)
        headers = {name: value for name, value in response.headers.items() if name.lower() in RATE_HEADERS}
        path = urlsplit(request.url or "").path
        with self._lock:
            self.exchanges.append(Exchange(path, response.status_code, headers, time.monotonic() - began))
        return response


class ReadOnlySession(PlanhatSession):
    """A PlanhatSession that sends GET requests only, at most ``budget`` attempts in all."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        budget: int,
        timeout: float = 30.0,
        requests_per_minute: float | None = None,
        max_answer_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        retry = FewRetries(max_retries=2, budget=60.0, window_budget=60.0)
        super().__init__(
            credentials,
            timeout=timeout,
            retry=retry,
            requests_per_minute=requests_per_minute,
            max_answer_bytes=max_answer_bytes,
        )
        self.adapter = GetOnlyAdapter(budget, pool_connections=1, pool_maxsize=4, max_retries=0)
        self.http.mount("http://", self.adapter)
        self.http.mount("https://", self.adapter)

    def send(self, method: str, path: str, **kwargs: Any) -> Any:
        if method.strip().upper() != "GET":  # refused before anything else too; the adapter is the guard
            raise ReadOnlyViolationError(f"The tenant check is read-only: {method.upper()} refused, nothing was sent.")
        return super().send(method, path, **kwargs)

    @property
    def used(self) -> int:
        return self.adapter.used
