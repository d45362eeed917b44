"""Argument types that Robot converts and libdoc explains, instead of ``Any``.

Each converter passes the value on as given: the keyword checks it and fails with the library's
own message (Robot's conversion errors would print the value, and a file path, a table and a list
are all fine here). libdoc shows each type with the documentation below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from enum import Enum
from typing import Any

from PlanhatLibrary.errors import PlanhatInputError


class EntityData:
    """One object's fields: a dictionary, or JSON text of an object.

    Examples: ``${data}`` (a dictionary), ``{"name": "Acme", "externalId": "ACME-1"}``.
    Custom fields go under ``custom``: ``{"custom": {"Tier": "Gold"}}``.
    """


class Items:
    """Many objects: a list of dictionaries, JSON text of a list, the path of a ``.json`` (array),
    ``.jsonl`` or ``.csv`` file (streamed), or an ``RPA.Tables`` table.

    CSV headers may give their column's type: ``mrr:number``, ``seats:int``, ``active:bool``,
    ``tags:json``; other cells stay text.
    """


class JsonBody:
    """A request body: a dictionary, a list, or JSON text."""


class FieldValue:
    """A field value given as a named argument: text as written, or any Robot value (``${100}``,
    ``${True}``, ``${list}``, ``${dict}``)."""


def _as_given(value: object) -> object:
    return value


CONVERTERS: dict[type, Callable[[Any], Any] | Callable[[Any, Any], Any]] = {
    kind: _as_given for kind in (EntityData, Items, JsonBody, FieldValue)
}


class FailOrContinue(Enum):
    """What a keyword does when Planhat refuses some items: every item is sent either way."""

    FAIL = "fail"  #: fail after sending, listing the refused items
    CONTINUE = "continue"  #: return the result; the refused items are in its errors


def seconds(value: timedelta | float, name: str) -> float:
    """A positive duration in seconds, from a ``timedelta`` (Robot converts ``30s``) or a number (Python)."""
    number = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if not number > 0:
        raise PlanhatInputError(f"{name} must be a positive duration, got {value}.")
    return number
