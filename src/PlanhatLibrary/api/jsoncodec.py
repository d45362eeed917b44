"""Reading JSON fast when ``orjson`` is installed, with exactly the standard library's results.

``pip install robotframework-planhat[fast]`` adds orjson, which reads JSON several times faster. It
is only a fast path: text orjson refuses (``NaN``, lone surrogates, other encodings) is read again
by the standard library, and so is text where orjson's result holds an integral float of 2**53 or
more (orjson reads an integer of 19 digits or more as a float, where the standard library keeps it
exact) or a float out of range. What is accepted, what it becomes and every error message stay the
same with or without it. Writing stays with the standard library, whose refusals (``NaN``) the
library relies on.

Measured (bench/perf_bench.py, docs/benchmarks.md): it pays for JSON Lines input, one short item per
line, whose strict lines are then sent as they are; answer pages are read by ``json.loads``.
"""

from __future__ import annotations

import json
import math
from typing import Any

try:
    import orjson as _orjson
except ImportError:  # the stdlib alone: slower, same results
    _orjson = None  # type: ignore[assignment]

_EXACT_FLOAT = 2.0**53  # an integral float from at least this is where orjson may have rounded a long integer


def _rounded(value: Any) -> bool:
    """Whether orjson's result may hold a long integer it read as a float (the standard library keeps it exact),
    or a float out of range (``1e400``), which the standard library reads too but will not write."""
    kind = type(value)
    if kind is float:
        return not math.isfinite(value) or (abs(value) >= _EXACT_FLOAT and value.is_integer())
    if kind is dict or kind is list:
        for item in value.values() if kind is dict else value:
            inner = type(item)
            if (inner is float or inner is dict or inner is list) and _rounded(item):
                return True
    return False


def loads(data: str | bytes) -> Any:
    """``json.loads``, through orjson when it is installed and accepts the text."""
    return loads_exact_text(data)[0]


def loads_exact_text(data: str | bytes) -> tuple[Any, bool]:
    """The value (as ``json.loads`` reads it), and whether the text is strict JSON that can be sent as it is."""
    if _orjson is not None:
        try:
            value = _orjson.loads(data)
        except _orjson.JSONDecodeError:
            pass
        else:
            if not _rounded(value):
                return value, True  # orjson accepts only strict JSON: no NaN, no lone surrogates
    return json.loads(data), False
