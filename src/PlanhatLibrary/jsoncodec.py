"""Reading JSON fast when ``orjson`` is installed, with exactly the standard library's results.

``pip install robotframework-planhat[fast]`` adds orjson, which reads JSON several times faster
(JSON Lines input, 2,000-row pages of listings). It is only a fast path: text orjson refuses
(``NaN``, lone surrogates, other encodings) is read again by the standard library, and so is text
holding a number of 19 digits or more, which orjson would read as a float where the standard
library keeps an exact integer. What is accepted, what it becomes and every error message stay the
same with or without it. Writing stays with the standard library, whose refusals (``NaN``) the library relies on.
"""

from __future__ import annotations

import json
import re
from typing import Any

try:
    import orjson as _orjson
except ImportError:  # the stdlib alone: slower, same results
    _orjson = None  # type: ignore[assignment]

FAST = _orjson is not None
# A number of 19 digits or more where a JSON value starts (a string such as an id seldom matches; when
# one does, the text is only read more slowly).
_LONG_NUMBER = re.compile(r"(?:^|[:\[,])\s*-?\d{19}")
_LONG_NUMBER_BYTES = re.compile(rb"(?:^|[:\[,])\s*-?\d{19}")
# Measured (bench/perf_bench.py, docs/benchmarks.md): worth it for JSON Lines input, one short item per
# line; not for 5,000-row answer pages, where this check costs more than orjson saves over json.loads.


def loads(data: str | bytes) -> Any:
    """``json.loads``, through orjson when it is installed and accepts the text."""
    long_number = _LONG_NUMBER_BYTES if isinstance(data, bytes) else _LONG_NUMBER
    if _orjson is not None and not long_number.search(data):  # type: ignore[arg-type]
        try:
            return _orjson.loads(data)
        except _orjson.JSONDecodeError:
            pass  # read again below, so the result or the error is the standard library's
    return json.loads(data)
