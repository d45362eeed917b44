"""What the simulator was asked: every request with its answer, and counts per method and path."""

from __future__ import annotations

import fnmatch
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int  # 0 when the connection was dropped without an answer
    items: int  # array length of a JSON array body, 1 for an object, 0 otherwise
    body: Any
    at: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    """Thread-safe list of :class:`LoggedRequest`. Bodies are kept only when ``keep_bodies`` is on."""

    def __init__(self, keep_bodies: bool = True) -> None:
        self.keep_bodies = keep_bodies
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def add(self, method: str, path: str, query: str, status: int, body: Any) -> None:
        items = len(body) if isinstance(body, list) else (1 if isinstance(body, dict) else 0)
        kept = body if self.keep_bodies else None
        entry = LoggedRequest(method, path, query, status, items, kept, time.time())
        with self._lock:
            self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def select(self, method: str = "*", path: str = "*") -> list[LoggedRequest]:
        method = method.upper()
        with self._lock:
            return [
                entry
                for entry in self._entries
                if method in ("*", entry.method) and fnmatch.fnmatchcase(entry.path, path)
            ]

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(Counter(f"{entry.method} {entry.path}" for entry in self._entries))
