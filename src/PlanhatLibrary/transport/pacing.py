"""Client-side pacing shared by every thread of a session: keep under a requests-per-minute quota by
spacing request starts, and pause every thread's next call while one waits out a 429."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    """Spaces calls at least ``60 / requests_per_minute`` seconds apart; thread safe.

    ``None`` turns pacing off. Planhat's soft quota is 200 calls per minute.
    """

    def __init__(
        self,
        requests_per_minute: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests_per_minute is not None and requests_per_minute <= 0:
            raise ValueError(f"requests_per_minute must be positive, got {requests_per_minute}")
        self.configured = 60.0 / requests_per_minute if requests_per_minute else 0.0
        self.interval = self.configured
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._held_until, self._held_by = 0.0, 0
        self._lock = threading.Lock()

    def observe(self, limit: int | None, remaining: int | None) -> None:
        """Follow the server's ``X-Rate-Limit-Limit``/``-Remaining`` (per minute): when the quota is
        nearly used up, space requests evenly over the minute instead of running into 429s."""
        if not limit or remaining is None or limit <= 0:
            return
        nearly_used = remaining <= max(1, limit // 20)
        self.interval = max(self.configured, 60.0 / limit) if nearly_used else self.configured

    def hold(self, seconds: float) -> None:
        """Let no other thread start a call for ``seconds``: a 429 one thread waits out pauses them all.

        The calling thread waits out the 429 itself (its retry sleeps), so the hold does not apply to it.
        """
        with self._lock:
            until = self._clock() + seconds
            if until > self._held_until:
                self._held_until, self._held_by = until, threading.get_ident()

    def wait(self) -> float:
        """Block until the next call may start; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            held = self._held_until if self._held_by != threading.get_ident() else 0.0
            if not self.interval and held <= now:
                return 0.0
            start = max(now, self._next, held)
            self._next = start + self.interval
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return delay
