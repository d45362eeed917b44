"""When to retry a request and how long to wait: the library's retry policy (the tenant check narrows it).

Rules:

* 429: every method is retried; the server refused before doing anything. ``Retry-After`` (seconds
  or an HTTP date, parsed by urllib3) is honoured. No source says Planhat sends it: Planhat documents
  a quota window that resets every 60-120 s and ``X-Rate-Limit-*`` headers. Without ``Retry-After``
  the wait follows ``X-Rate-Limit-Reset`` when present, else grows (equal jitter) up to
  ``window_step`` seconds per wait, and the call keeps waiting for the window within ``window_budget``
  seconds, whatever ``max_retries`` says (a burst with ``X-Rate-Limit-Remaining`` above 0 waits briefly).
* 408/500/502/503/504/522/524 and answers lost after the request was sent (read timeout, reset, dropped
  connection): retried only when the call is idempotent. A ``POST`` create is never retried blindly.
* Failures before anything was sent (connection refused, connect timeout): always retried.
* Bounded by ``max_retries`` and by a total time budget per call.

The decisions are pure functions of their inputs, so they are unit-tested without any I/O; the
session runs the loop. urllib3's own ``Retry`` loop is not mounted because it cannot tell a bulk
``PUT`` that creates (not idempotent) from one keyed on existing objects, and because each wait
must be logged to Robot.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

#: 408 Request Timeout and the gateway timeouts 522/524 (Cloudflare) are transient too.
RETRY_STATUSES = frozenset({408, 500, 502, 503, 504, 522, 524})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class Failure(str, Enum):
    """What went wrong with one attempt."""

    STATUS = "status"  # an HTTP answer with an error status
    NOT_SENT = "not sent"  # connection refused / connect timeout: the server saw nothing
    NO_ANSWER = "no answer"  # sent, then timed out / reset / dropped: it may have landed


@dataclass(frozen=True)
class Attempt:
    """The outcome of one try, as the policy needs to see it."""

    method: str
    idempotent: bool
    failure: Failure
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    deadline_passed: bool = False  # the whole attempt took longer than the timeout (a slow, dribbling answer)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    budget: float = 300.0
    #: Seconds one call may wait for Planhat's rate-limit window (60-120 s) when a 429 has no Retry-After.
    window_budget: float = 150.0
    window_step: float = 30.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {self.max_retries}")
        if min(self.backoff_base, self.backoff_max, self.budget, self.window_budget, self.window_step) <= 0:
            raise ValueError("backoff_base, backoff_max, budget, window_budget and window_step must be positive")

    def is_retryable(self, attempt: Attempt) -> bool:
        if attempt.failure is Failure.NOT_SENT:
            return True
        if attempt.failure is Failure.NO_ANSWER:
            return attempt.idempotent
        if attempt.status == 429:
            return True
        return attempt.status in RETRY_STATUSES and attempt.idempotent

    def backoff(self, retry_number: int) -> float:
        """Full jitter: uniform in [0, min(backoff_max, backoff_base * 2**retry_number)]."""
        ceiling = min(self.backoff_max, self.backoff_base * (2**retry_number))
        return self.rng.uniform(0.0, ceiling)

    def window_wait(self, headers: Mapping[str, str], retry_number: int) -> float:
        """The wait after a 429 without ``Retry-After``: until ``X-Rate-Limit-Reset``, or a growing step."""
        reset = _reset_seconds(_number(_header(headers, "X-Rate-Limit-Reset")))
        if reset is not None:
            return reset
        remaining = _number(_header(headers, "X-Rate-Limit-Remaining"))
        if remaining is not None and remaining > 0:  # a per-second burst, not the per-minute quota
            return self.backoff(retry_number)
        ceiling = min(self.window_step, 2.0 ** min(retry_number, 32))
        return ceiling / 2 + self.rng.uniform(0.0, ceiling / 2)

    def delay(self, attempt: Attempt, retry_number: int, elapsed: float) -> float | None:
        """Seconds to wait before retry ``retry_number`` (0-based), or None to give up."""
        if not self.is_retryable(attempt):
            return None
        if attempt.status == 429 and retry_after(attempt.headers) is None:
            wait = self.window_wait(attempt.headers, retry_number)
            return wait if elapsed + wait <= self.window_budget else None
        if retry_number >= self.max_retries:
            return None
        asked = retry_after(attempt.headers)
        wait = self.backoff(retry_number) if asked is None else asked
        return None if elapsed + wait > self.budget else wait


def retry_after(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or HTTP date), or None when absent or unreadable."""
    value = _header(headers, "Retry-After")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value.strip())  # urllib3 caps large values; the caller must see what the server asked
    try:
        return max(0.0, float(Retry().parse_retry_after(value)))
    except InvalidHeader:
        return None


def _reset_seconds(reset: float | None) -> float | None:
    """Seconds until ``X-Rate-Limit-Reset`` (seconds, or an epoch time in s or ms); None when unusable.

    Zero, negative, past or absurd values are unusable: waiting 0 s would hammer a rate-limited API.
    """
    if reset is None or not math.isfinite(reset):
        return None
    if reset > 1e12:  # epoch milliseconds
        reset = reset / 1000.0
    if reset > 1e9:  # epoch seconds
        reset -= time.time()
    return reset if 0.5 <= reset <= 3600 else None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
