"""Comparing Planhat values the way a person means them: 1 == 1.0, ISO dates as instants, nested paths.

Shared by query evaluation and ensure's change detection, so both agree on what "equal" means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$")
MISSING = object()
_SCALARS = (str, int, float, bool)


def as_instant(value: Any) -> datetime | None:
    """A timezone-aware datetime for ISO text, ``date`` and ``datetime`` values; None otherwise.

    Date-only values mean midnight UTC; naive date-times are taken as UTC.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and _ISO.match(value):
        text = value.replace("Z", "+00:00").replace(" ", "T")
        fraction = re.search(r"\.(\d+)", text)
        if fraction and len(fraction.group(1)) > 6:  # Python takes at most microseconds
            text = text.replace(fraction.group(0), "." + fraction.group(1)[:6])
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def reference_id(value: Any) -> Any:
    """An expanded reference (``{"_id": ..., "nickName": ...}``, as list rows show ``owner``) as its ``_id``."""
    return value["_id"] if isinstance(value, Mapping) and isinstance(value.get("_id"), str) else value


def same(left: Any, right: Any) -> bool:
    """Equality with numbers by value, dates by instant, dicts and lists element by element.

    An id equals the reference object that names it: Planhat's list rows expand ``owner`` to
    ``{_id, nickName}`` where a single get gives the id (darrenparkinson/planhat models.go).
    """
    quick = _same_scalars(left, right)
    if quick is not None:
        return quick
    left, right = _comparable(left), _comparable(right)
    if isinstance(left, str) and isinstance(right, Mapping):
        right = reference_id(right)
    elif isinstance(right, str) and isinstance(left, Mapping):
        left = reference_id(left)
    if is_number(left) and is_number(right):
        return bool(left == right)  # exact between int and float, and no float() that overflows past 1e308
    left_instant, right_instant = as_instant(left), as_instant(right)
    if left_instant is not None and right_instant is not None:
        return left_instant == right_instant
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if left is None or right is None:
        return left is None and right is None
    return type(left) is type(right) and bool(left == right)


def _comparable(value: Any) -> Any:
    return None if value is MISSING else value


def _same_scalars(left: Any, right: Any) -> bool | None:
    """The common case, two scalars of one type, decided without parsing dates; None when undecided."""
    kind = type(left)
    if kind is not type(right) or kind not in _SCALARS:
        return None
    if left == right:
        return True
    if kind is not str:
        return False  # two unequal numbers or booleans of one type
    if not (left[:1].isdigit() and right[:1].isdigit()):
        return False  # unequal text that cannot both be ISO dates
    return None


def ordering_key(value: Any) -> tuple[int, Any] | None:
    """A key that orders numbers, instants and text within their own kind; None for the rest."""
    if is_number(value):
        return (0, value)  # ints and floats order exactly among themselves, however large
    instant = as_instant(value)
    if instant is not None:
        return (1, instant)
    if isinstance(value, str):
        return (2, value)
    return None


def sort_by(items: list[Any], name: str, descending: bool) -> list[Any]:
    """Sort objects on a field (numbers, instants, text); objects without it go last either way."""
    present = [(ordering_key(lookup(item, name)), item) for item in items]
    keyed = [(key, item) for key, item in present if key is not None]
    rest = [item for key, item in present if key is None]
    keyed.sort(key=lambda pair: (pair[0][0], pair[0][1]), reverse=descending)
    return [item for _, item in keyed] + rest


def lookup(item: Mapping[str, Any], path: str) -> Any:
    """``custom.Segment`` -> ``item["custom"]["Segment"]``; :data:`MISSING` when any step is absent."""
    if type(item) is dict and "." not in path:  # the usual case, without splitting the path
        return item.get(path, MISSING)
    current: Any = item
    rest = path
    while rest:
        if not isinstance(current, Mapping):
            return MISSING
        if rest in current:  # a name that holds dots itself (a custom field ``Plan v2.0``)
            return current[rest]
        part, _, rest = rest.partition(".")
        if part not in current:
            return MISSING
        current = current[part]
    return current


def kind_of(value: Any) -> str:
    if value is None or value is MISSING:
        return "none"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if as_instant(value) is not None:
        return "date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__
