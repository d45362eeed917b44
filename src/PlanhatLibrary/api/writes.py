"""What a write body must look like for Planhat, checked or put right before it is sent.

- Update bodies leave out the fields Planhat generates (``_id``, ``__v``, ``createdAt``, ``updatedAt``,
  ``companyName``, ``cName``; bulk items keep ``_id``, which identifies them): the Go client warns of
  a 400 for ``_id`` in a body, robocorp-planhat that some
  properties cannot be updated. A full object from Get Entity can so be sent back as it is.
- Invoice dates (``invoiceDate``, ``dueDate``, ``paidDate``) are whole days since 1970-01-01
  (planhat.com/developers/api/invoice, cruds): ISO dates are converted, other text is refused.
- A partial ``custom`` object is sent merged with the stored one: whether Planhat merges or
  replaces it is undocumented, and the merged object is right under both readings.
- Multipicklist add/replace/remove operations are documented without a syntax we could check, so
  a ``custom`` value that looks like one is refused: send the whole list instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from PlanhatLibrary.api.models import GENERATED_FIELDS, Model
from PlanhatLibrary.api.values import as_instant, is_number
from PlanhatLibrary.errors import PlanhatInputError, shown_value

EPOCH = date(1970, 1, 1)
ARRAY_OPERATIONS = frozenset({"add", "replace", "remove", "$add", "$replace", "$remove"})


#: Values that cannot be a multipicklist operation (skipped without the slower Mapping check).
_PLAIN = frozenset({str, int, float, bool, list, type(None)})
#: Day numbers beyond this are not dates (year 4707): a typo, not an invoice.
MAX_DAYS = 1_000_000


def day_number(value: Any) -> int | None:
    """Whole days since 1970-01-01 for a date, an ISO date or date-time (its calendar date as written),
    or a day count (also as text, as CSV cells are); else None."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if is_number(value):
        return int(value) if float(value).is_integer() and abs(value) <= MAX_DAYS else None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return (value - EPOCH).days
    instant = as_instant(value)
    return None if instant is None else (instant.date() - EPOCH).days


def problem(model: Model, item: Mapping[str, Any]) -> str | None:
    """Why ``item`` cannot be written to ``model`` as Planhat expects it, or None."""
    if not model.day_fields and "custom" not in item:
        return None  # the usual item: nothing below applies
    for name in model.day_fields:
        if item.get(name) is not None and day_number(item[name]) is None:
            return f"{name} must be a date or a whole number of days since 1970-01-01, got {shown_value(item[name])}"
    custom = item.get("custom")
    if type(custom) is dict or isinstance(custom, Mapping):
        for name, value in custom.items():
            if type(value) in _PLAIN:
                continue
            if isinstance(value, Mapping) and value and set(map(str, value)) <= ARRAY_OPERATIONS:
                return (
                    f"custom.{name} looks like a multipicklist add/replace/remove operation, which this library "
                    "does not send (its syntax is not documented): give the whole list of values"
                )
    return None


def checked(model: Model, item: Mapping[str, Any], what: str) -> None:
    reason = problem(model, item)
    if reason:
        raise PlanhatInputError(f"{what}: {reason}. Nothing was sent.")


def prepared(model: Model, item: Mapping[str, Any]) -> dict[str, Any]:
    """``item`` as Planhat stores it: the model's defaults (notes: ``type``) and day numbers."""
    body = {**model.defaults, **item} if model.defaults else dict(item)
    for name in model.day_fields:
        if body.get(name) is not None:
            days = day_number(body[name])
            body[name] = days if days is not None else body[name]
    return body


def update_body(model: Model, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The body of ``PUT /{model}/{id}`` and the generated fields left out of it."""
    dropped = [name for name in GENERATED_FIELDS if name in data]
    body = prepared(model, {key: value for key, value in data.items() if key not in GENERATED_FIELDS})
    return body, dropped


def missing_required(model: Model, item: Mapping[str, Any]) -> list[str]:
    return [name for name in model.required if item.get(name) in (None, "")]


def merged(stored: Any, given: Mapping[str, Any]) -> dict[str, Any]:
    """The stored object (``custom``, an address...) with the given fields changed, nested objects alike.

    Right whether Planhat merges a partial object into the stored one or replaces it with it.
    """
    result = dict(stored) if isinstance(stored, Mapping) else {}
    for key, value in given.items():
        current = result.get(key)
        result[key] = merged(current, value) if isinstance(value, Mapping) and isinstance(current, Mapping) else value
    return result


#: What ``without_generated`` leaves out.
GENERATED_NOT_KEYS = frozenset(GENERATED_FIELDS) - {"_id"}


def without_generated(item: Mapping[str, Any]) -> dict[str, Any]:
    """``item`` without the fields Planhat generates, except ``_id`` (which may identify it)."""
    return {key: value for key, value in item.items() if key not in GENERATED_NOT_KEYS}
