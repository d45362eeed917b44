"""The field names of the objects a session read from the tenant: proof that those fields exist.

Planhat's API pages do not list every field a model has (planhat.com/developers/api/churn is a
placeholder; example answers carry ``__v``, which no table lists). A field the tenant itself returned
is known for the rest of the session, so that whatever was read (Get Entity, Get/Query/Export
Entities, Ensure) can be written back without a warning or a refusal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CUSTOM = "custom"


class SeenFields:
    """Top-level and ``custom`` field names per API path (notes and conversations share ``conversations``)."""

    def __init__(self) -> None:
        self.top: dict[str, set[str]] = {}
        self.custom: dict[str, set[str]] = {}

    def add(self, path: str, rows: Iterable[Any]) -> None:
        top = self.top.setdefault(path, set())
        custom = self.custom.setdefault(path, set())
        for row in rows:
            if type(row) is dict or isinstance(row, Mapping):
                top.update(row)
                values = row.get(CUSTOM)
                if values and (type(values) is dict or isinstance(values, Mapping)):
                    custom.update(values)

    def add_names(self, path: str, top: Iterable[str], custom: Iterable[str] = ()) -> None:
        """Names known to exist in the tenant without reading a row (a tenant profile's)."""
        self.top.setdefault(path, set()).update(top)
        self.custom.setdefault(path, set()).update(custom)

    def top_level(self, path: str) -> frozenset[str]:
        return frozenset(self.top.get(path, ()))

    def custom_names(self, path: str) -> frozenset[str]:
        return frozenset(self.custom.get(path, ()))


def seen_fields(cache: dict[str, Any]) -> SeenFields:
    """The session's record (``PlanhatSession.cache``), made on first use."""
    seen = cache.get("seen_fields")
    if not isinstance(seen, SeenFields):
        seen = cache["seen_fields"] = SeenFields()
    return seen
