"""Turning keyword arguments into API payloads: dictionaries, or JSON text, checked before sending."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from PlanhatLibrary.api.jsoncodec import loads as read_json
from PlanhatLibrary.errors import PlanhatInputError, listing, shorten


def json_default(value: Any) -> Any:
    """Dates go out as ISO 8601 with a zone: naive datetimes are taken as local time."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.astimezone()).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"Value of type {type(value).__name__} cannot be sent as JSON: {str(value)[:80]}")


def as_object(value: Any, what: str) -> dict[str, Any]:
    """A dictionary, or a JSON object given as text."""
    if isinstance(value, str):
        value = parse_json(value, what)
    if not isinstance(value, Mapping):
        raise PlanhatInputError(f"{what} must be a dictionary, got {type(value).__name__}: {shorten(str(value), 80)}")
    if not value:
        raise PlanhatInputError(f"{what} must not be empty.")
    return dict(value)


def with_properties(data: Any, properties: dict[str, Any], what: str) -> dict[str, Any]:
    """``data`` (a dictionary or JSON text; may be None) with the fields given as named arguments.

    Robot reads any argument holding ``=`` as a named one when a keyword takes them, so JSON text with
    an ``=`` inside (``{"url": "https://x.test/?a=b"}``) arrives split: it is put back together here.
    """
    properties = dict(properties)
    split = [name for name in properties if name.lstrip().startswith(("{", "["))]
    if split:
        if data is not None or len(split) > 1:
            raise PlanhatInputError(f"{what}: give the JSON text as data=... when it holds '='.")
        data = f"{split[0]}={properties.pop(split[0])}"
    merged = {**(as_object(data, what) if data is not None else {}), **properties}
    if not merged:
        raise PlanhatInputError(f"{what} must not be empty: give a dictionary, JSON text or field=value arguments.")
    return nested_custom(merged, what)


def nested_custom(data: Mapping[str, Any], what: str) -> dict[str, Any]:
    """``custom.Tier=Gold`` as ``{"custom": {"Tier": "Gold"}}`` (the notation of queries and CSV headers);
    ``custom`` given as JSON text is read; any other ``custom`` that is not a dictionary is refused."""
    result = {key: value for key, value in data.items() if not _dotted_custom(key)}
    custom = result.get("custom")
    if isinstance(custom, str):
        custom = parse_json(custom, f"{what}: custom")
    if custom is not None and not isinstance(custom, Mapping):
        raise PlanhatInputError(f"{what}: custom must be a dictionary of custom fields, got {type(custom).__name__}.")
    dotted = {key.removeprefix("custom."): value for key, value in data.items() if _dotted_custom(key)}
    if custom is not None or dotted:
        result["custom"] = {**(custom or {}), **dotted}
    return result


def _dotted_custom(key: Any) -> bool:
    return isinstance(key, str) and key.startswith("custom.")


def key_problem(item: Mapping[Any, Any]) -> str | None:
    """Why an item's field names cannot be sent (JSON names are text: ``{1: ...}`` would arrive as ``"1"``)."""
    for key in item:
        if not isinstance(key, str):
            return f"field names must be text, got {type(key).__name__} {key!r}"
    custom = item.get("custom")
    if isinstance(custom, Mapping):
        for key in custom:
            if not isinstance(key, str):
                return f"custom field names must be text, got {type(key).__name__} {key!r}"
    return None


def as_json_body(value: Any, what: str) -> Any:
    """A dictionary, a list, or JSON text of either; None stays None."""
    if value is None or isinstance(value, Mapping | list):
        return value
    if isinstance(value, str):
        return parse_json(value, what)
    raise PlanhatInputError(f"{what} must be a dictionary, a list or JSON text, got {type(value).__name__}.")


def as_names(value: str | Sequence[str] | None, what: str) -> list[str]:
    """``"name, mrr"``, ``["name", "mrr"]`` or the text ``["name", "mrr"]`` -> ``["name", "mrr"]``."""
    if value is None:
        return []
    if isinstance(value, str) and value.strip().startswith("["):  # a list written as JSON text
        value = parse_json(value, what)
        if not isinstance(value, list):
            raise PlanhatInputError(f"{what} must be a list of names.")
    items = value.split(",") if isinstance(value, str) else list(value)
    names = []
    for item in items:
        if not isinstance(item, str):
            raise PlanhatInputError(f"{what} must hold strings, got {type(item).__name__} {item!r}.")
        if item.strip():
            names.append(item.strip())
    return names


def parse_json(text: str, what: str) -> Any:
    """JSON text -> Python; invalid JSON fails naming ``what`` and the position."""
    try:
        return read_json(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as error:
        raise PlanhatInputError(
            f"{what} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}."
        ) from None
    except RecursionError:
        raise PlanhatInputError(f"{what} is nested too deeply to read as JSON.") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise PlanhatInputError(f"{what} cannot be read as JSON: {shorten(str(error), 200)}.") from None


_ENCODER = json.JSONEncoder(default=json_default, allow_nan=False)  # one encoder, not one per item


def encoded(item: Any) -> bytes | str:
    """``item`` as JSON bytes (as ``json.dumps`` writes it), or (as text) why it cannot be sent as JSON."""
    try:
        return _ENCODER.encode(item).encode("utf-8")
    except RecursionError:
        return "cannot be sent as JSON: nested too deeply"
    except (TypeError, ValueError) as error:
        return f"cannot be sent as JSON: {error}"


def encoded_within(item: Any, max_bytes: int | None = None) -> bytes | str:
    """``item`` as JSON bytes, or (as text) why it cannot be sent: not JSON (NaN, infinity, an object, too deep),
    or over ``max_bytes`` in a request body of its own."""
    line = encoded(item)
    if isinstance(line, bytes) and max_bytes is not None and len(line) + 2 > max_bytes:
        return f"{len(line)} bytes as JSON, over the {max_bytes} byte body limit"
    return line


def encoding_problem(item: Any, max_bytes: int | None = None) -> str | None:
    """Why ``item`` cannot be sent as JSON (NaN, infinity, an object, too deep, over ``max_bytes``), or None."""
    line = encoded_within(item, max_bytes)
    return line if isinstance(line, str) else None


def check_items(
    items: Iterable[Any], problem: Callable[[int, Any], str | None], what: str, verdict: str = "are invalid"
) -> int:
    """Check every item before anything is sent; return how many, or raise listing the first problems.

    ``problem(index, item)`` says what is wrong with one item, or None. The one place where "check
    every item, report the first ten" is done, for bulk loads, ensure and analytics.
    """
    problems: list[str] = []
    count = 0
    for index, item in enumerate(items):
        count += 1
        reason = problem(index, item)
        if reason:
            problems.append(f"item {index}: {reason}")
    if problems:
        raise PlanhatInputError(f"{len(problems)} of {count} {what} {verdict}, nothing was sent: {listing(problems)}")
    return count
