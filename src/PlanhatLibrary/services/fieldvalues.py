"""Custom field values: converted to the type the tenant defines, or refused with the reason."""

from __future__ import annotations

import json
import re
from typing import Any

from PlanhatLibrary.errors import shown_value
from PlanhatLibrary.services.schema import CustomField

#: Values of a list field named in a refusal.
MAX_LISTED_VALUES = 20
TRUE_WORDS, FALSE_WORDS = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})
NUMBER_TYPES = ("number", "integer", "rating")


def _number(text: str) -> int | float:
    """``4`` -> 4 (whole numbers stay exact), ``4.5`` and ``1e3`` -> floats; anything else is refused."""
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        raise ValueError(f"{text!r} is not a number")
    return float(text)


def converted(field: CustomField, value: Any) -> Any:
    """A custom field's value read from text (a CSV cell without a typed header), by the field's type."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text and field.type in (*NUMBER_TYPES, "checkbox"):
        return None  # an empty cell clears nothing: it is left as no value
    if field.type in NUMBER_TYPES:
        return _number(text)
    if field.type == "checkbox":
        if text.lower() not in TRUE_WORDS | FALSE_WORDS:
            raise ValueError(f"{text!r} is not a checkbox value (true or false)")
        return text.lower() in TRUE_WORDS
    if field.type in ("multipicklist", "team members", "endusers"):
        return json.loads(text) if text.startswith("[") else [part.strip() for part in text.split(";") if part.strip()]
    return value


def value_problem(field: CustomField, value: Any) -> str | None:
    """Why ``value`` cannot be stored in the custom field, or None."""
    if value is None:
        return None
    if field.formula:
        return "is a formula field: Planhat computes it, it cannot be written"
    if field.type in NUMBER_TYPES:
        kind = type(value)
        if kind is int or kind is float or (kind is not bool and isinstance(value, int | float)):
            return None
        return f"is a number field, got {type(value).__name__} {shown_value(value)}"
    if field.type == "checkbox" and not isinstance(value, bool):
        return f"is a checkbox field, got {type(value).__name__} {shown_value(value)}"
    if field.type == "list" and field.values and str(value) not in field.values:
        return f"must be one of {_listed(field.values)}, got {shown_value(value)}"
    if field.type == "multipicklist" and field.values:
        chosen = value if isinstance(value, list) else [value]
        wrong = [str(item) for item in chosen if str(item) not in field.values]
        if wrong:
            return f"values must be among {_listed(field.values)}, got {_listed(tuple(wrong))}"
    return None


def always_fine(field: CustomField | None) -> tuple[type, ...]:
    """Value types ``value_problem`` never refuses for the field (its fast path), or none."""
    if field is None or field.formula:
        return ()
    if field.type in NUMBER_TYPES:
        return (int, float, type(None))
    if field.type in ("text", "rich text", "phone", "email", "url", "day", "date"):
        return (str, type(None))
    return (type(None),)


def _listed(values: tuple[str, ...]) -> str:
    shown = ", ".join(shown_value(value, 40)[1:-1] for value in values[:MAX_LISTED_VALUES])
    return shown + (f" and {len(values) - MAX_LISTED_VALUES} more" if len(values) > MAX_LISTED_VALUES else "")
