"""How long the simulator takes to answer: a fixed time per request plus a time per item.

Real Planhat answers over the internet and spends server time per item of a bulk call, so a big
sync is bound by latency, not by the client's CPU. A latency model lets benchmarks and users' own
suites see that: ``--latency 300ms --latency-per-item 0.2ms``. The figures are the caller's choice
(Planhat publishes none); the default is no delay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")
MAX_DELAY = 60.0  # seconds: a per-request ceiling, so a typo cannot stall a suite for hours


def parse_duration(value: str | float | int | None) -> float:
    """Seconds from ``"300ms"``, ``"0.2ms"``, ``"1.5s"`` or a number of seconds."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        raise ValueError(f"Latency must be a duration such as 300ms or 0.5s, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"Latency must be a duration such as 300ms or 0.5s, got {value!r}")
        seconds = float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
    if not 0 <= seconds <= MAX_DELAY:
        raise ValueError(f"Latency must be between 0 and {MAX_DELAY:g} s, got {value!r}")
    return seconds


@dataclass
class Latency:
    """``per_request`` seconds for every API call, plus ``per_item`` seconds per object it carries."""

    per_request: float = 0.0
    per_item: float = 0.0

    @classmethod
    def of(cls, per_request: str | float | None = None, per_item: str | float | None = None) -> Latency:
        return cls(parse_duration(per_request), parse_duration(per_item))

    def delay(self, body: Any, payload: Any) -> float:
        """Seconds to wait before answering: items sent in the body and rows in the answer both count."""
        if not self.per_request and not self.per_item:
            return 0.0
        items = (len(body) if isinstance(body, list) else 0) + (len(payload) if isinstance(payload, list) else 0)
        return min(MAX_DELAY, self.per_request + self.per_item * items)

    def to_json(self) -> dict[str, float]:
        return {"per_request": self.per_request, "per_item": self.per_item}
