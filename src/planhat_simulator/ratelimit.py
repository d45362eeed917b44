"""Planhat's rate limits: a per-minute quota and a per-second cap, answered with 429."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int = 0


def parse_rate(text: str) -> int:
    """``"200/min"``, ``"200/minute"`` or ``"200"`` -> 200 requests per minute."""
    number, _, unit = text.strip().partition("/")
    if unit and unit.strip().lower() not in ("m", "min", "minute"):
        raise ValueError(f"Rate limit must be given per minute, like '200/min', got '{text}'")
    value = int(number)
    if value < 1:
        raise ValueError(f"Rate limit must be at least 1 request per minute, got {value}")
    return value


class RateLimiter:
    """Sliding one-minute window plus a one-second window; thread safe."""

    def __init__(self, per_minute: int | None = None, per_second: int | None = None) -> None:
        self.per_minute = per_minute
        self.per_second = per_second
        self._minute: deque[float] = deque()
        self._second: deque[float] = deque()
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return bool(self.per_minute or self.per_second)

    def reset(self) -> None:
        with self._lock:
            self._minute.clear()
            self._second.clear()

    def check(self, now: float | None = None) -> Decision:
        now = time.monotonic() if now is None else now
        with self._lock:
            _expire(self._minute, now - 60.0)
            _expire(self._second, now - 1.0)
            limit = self.per_minute or self.per_second or 0
            if self.per_second and len(self._second) >= self.per_second:
                wait = self._second[0] + 1.0 - now
                return Decision(False, limit, self._remaining(), max(1, math.ceil(wait)))
            if self.per_minute and len(self._minute) >= self.per_minute:
                wait = self._minute[0] + 60.0 - now
                return Decision(False, limit, 0, max(1, math.ceil(wait)))
            self._minute.append(now)
            self._second.append(now)
            return Decision(True, limit, self._remaining())

    def _remaining(self) -> int:
        if self.per_minute:
            return max(0, self.per_minute - len(self._minute))
        if self.per_second:
            return max(0, self.per_second - len(self._second))
        return 0


def _expire(window: deque[float], horizon: float) -> None:
    while window and window[0] <= horizon:
        window.popleft()
