"""Fault injection rules: make matching requests fail, slow down or lose their connection."""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "*"})


class FaultSpecError(ValueError):
    """A fault rule that cannot be understood."""


@dataclass
class Fault:
    """One rule. ``times`` None means every matching request; ``probability`` < 1 picks at random;
    the first ``skip`` matching requests pass untouched. ``drop`` resets the connection before the
    request is handled; ``drop_after`` handles it, then resets the connection instead of answering."""

    method: str = "*"
    path: str = "*"
    status: int | None = None
    times: int | None = 1
    latency: float = 0.0
    drop: bool = False
    drop_after: bool = False
    retry_after: str | None = None
    body: str | None = None
    fail_items: list[str] = field(default_factory=list)
    probability: float = 1.0
    skip: int = 0
    hits: int = 0
    skipped: int = 0

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and fnmatch.fnmatchcase(path, self.path)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_fault(spec: Mapping[str, Any]) -> Fault:
    """Build a :class:`Fault` from JSON, rejecting unknown fields and impossible values."""
    known = set(Fault.__dataclass_fields__) - {"hits", "skipped"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise FaultSpecError(f"Unknown fault field(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
    method = str(spec.get("method", "*")).upper()
    if method not in METHODS:
        raise FaultSpecError(f"Unknown method '{method}' for a fault. Use one of {', '.join(sorted(METHODS))}.")
    try:
        fault = Fault(
            method=method,
            path=str(spec.get("path", "*")),
            status=None if spec.get("status") is None else int(spec["status"]),
            times=None if spec.get("times", 1) is None else int(spec.get("times", 1)),
            latency=float(spec.get("latency", 0.0)),
            drop=bool(spec.get("drop", False)),
            drop_after=bool(spec.get("drop_after", False)),
            retry_after=None if spec.get("retry_after") is None else str(spec["retry_after"]),
            body=None if spec.get("body") is None else str(spec["body"]),
            fail_items=[str(key) for key in spec.get("fail_items", [])],
            probability=float(spec.get("probability", 1.0)),
            skip=int(spec.get("skip", 0)),
        )
    except (TypeError, ValueError) as error:
        raise FaultSpecError(f"Invalid fault value: {error}") from None
    if fault.status is not None and not 100 <= fault.status <= 599:
        raise FaultSpecError(f"Fault status must be an HTTP status 100-599, got {fault.status}.")
    if fault.times is not None and fault.times < 1:
        raise FaultSpecError(f"Fault times must be at least 1 (or null for always), got {fault.times}.")
    if not 0.0 < fault.probability <= 1.0:
        raise FaultSpecError(f"Fault probability must be in (0, 1], got {fault.probability}.")
    if fault.skip < 0:
        raise FaultSpecError(f"Fault skip must not be negative, got {fault.skip}.")
    if fault.latency < 0:
        raise FaultSpecError(f"Fault latency must not be negative, got {fault.latency}.")
    if fault.status is None and not (fault.drop or fault.drop_after or fault.latency or fault.fail_items):
        raise FaultSpecError("A fault needs at least one of: status, drop, drop_after, latency, fail_items.")
    return fault


class FaultBook:
    """The active rules; each matching request consumes one hit of the first rule that fires."""

    def __init__(self, seed: int | None = None) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.to_json() for fault in self._faults]

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or not fault.matches(method, path):
                    continue
                if fault.skipped < fault.skip:
                    fault.skipped += 1
                    continue
                if fault.probability < 1.0 and self._random.random() >= fault.probability:
                    continue
                fault.hits += 1
                return fault
            return None
