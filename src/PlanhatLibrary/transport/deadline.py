"""HTTP mechanics under the session: an overall deadline per attempt and a bound on answer size.

requests' ``timeout`` applies to each socket read, so a server that sends one byte every few seconds
holds a call forever. Here every attempt gets a deadline (connect + headers + body): one watchdog
thread per process shuts down the sockets of an attempt that overruns it, which ends the blocked
read at once. Answers are read in pieces and refused past ``max_bytes`` after decompression, so a
small gzip answer cannot inflate into gigabytes (urllib3 >= 2.6 bounds each decompression step).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection

#: Answers larger than this (after decompression) are refused: a 5,000-object page is a few MB.
MAX_ANSWER_BYTES = 256 * 1024 * 1024
_READ_SIZE = 1 << 16


class AnswerTooLargeError(Exception):
    """The answer grew past the size bound while it was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is larger than {limit // (1024 * 1024)} MB")
        self.limit = limit


class Watch:
    """The connections of one attempt, shut down together if the deadline passes first."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._done = False
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()

    def add(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            if self.fired:
                _shut(connection)

    def fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            for connection in self._connections:
                _shut(connection)

    def finish(self) -> None:
        with self._lock:
            self._done = True
            self._connections.clear()


def _shut(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class Watchdog:
    """One daemon thread that fires the watches whose deadline has passed (cheap to arm per request)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float) -> Watch:
        watch = Watch(time.monotonic() + seconds)
        with self._condition:
            heapq.heappush(self._heap, (watch.deadline, next(self._order), watch))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="planhat-deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][2] is watch:
                self._condition.notify()
        return watch

    def _run(self) -> None:
        with self._condition:
            while True:
                if not self._heap:
                    self._condition.wait()
                    continue
                deadline, _, watch = self._heap[0]
                remaining = deadline - time.monotonic()
                if remaining > 0:
                    self._condition.wait(remaining)
                    continue
                heapq.heappop(self._heap)
                watch.fire()


WATCHDOG = Watchdog()
_CURRENT: ContextVar[Watch | None] = ContextVar("planhat_watch", default=None)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[Watch]:
    """Every connection used inside the block is shut down when ``seconds`` have passed."""
    watch = WATCHDOG.arm(seconds)
    token = _CURRENT.set(watch)
    try:
        yield watch
    finally:
        _CURRENT.reset(token)
        watch.finish()


class _WatchedMixin:
    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = _CURRENT.get()
        if watch is not None:
            watch.add(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_WatchedMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedMixin, HTTPSConnection):
    pass


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedPool, "https": _WatchedHTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections take part in :func:`deadline`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


def read_body(response: requests.Response, max_bytes: int = MAX_ANSWER_BYTES) -> bytes:
    """The whole (decompressed) body of a streamed response, refused past ``max_bytes``."""
    buffer = bytearray()
    for piece in response.iter_content(_READ_SIZE):
        buffer += piece
        if len(buffer) > max_bytes:
            response.close()
            raise AnswerTooLargeError(max_bytes)
    return bytes(buffer)
