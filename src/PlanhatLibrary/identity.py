"""Bulk items keyed by a key that is unique per company only, pinned to the right object before sending.

An end user's ``externalId`` is unique within its company, not in the tenant (support article
8146372), and how a bulk upsert matches one that several companies hold is undocumented. So
before a bulk upsert of end users keyed by ``externalId``, one lean listing of the stored end users
tells, for each item:

- its company holds that ``externalId``: the item is sent with that end user's ``_id``, which
  every reading of Planhat matches;
- only other companies hold it: refused before sending (Planhat might update their end user);
  Ensure Entities creates such an end user safely;
- no company given and several hold it: refused as ambiguous;
- nobody holds it: sent as it is (a create).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .entities import EntityService
from .models import Model
from .references import CompanyReferences, is_reference


def per_company_key(model: Model, item: Mapping[str, Any]) -> str | None:
    """The per-company key a bulk upsert would match ``item`` on, or None (``_id``/``sourceId`` come first)."""
    for key in model.keyables:
        if item.get(key) not in (None, ""):
            return key if key in model.per_company else None
    return None


class Pins:
    """``_id`` of the stored object each per-company-keyed item means, and the items that cannot be sent."""

    def __init__(self, entities: EntityService, model: Model) -> None:
        self.entities, self.model = entities, model
        self.field = model.company_field or ""
        self.references = CompanyReferences(entities)
        self.holders: dict[tuple[str, str], dict[str, str]] = {}  # (key, value) -> company -> _id

    def load(self, items: Iterable[Any]) -> list[str]:
        """Read the input and the stored objects; returns the problems found (empty: every item can be sent)."""
        keyed = [(index, item) for index, item in enumerate(items) if self._keyed(item)]
        if not keyed:
            return []
        self.references.resolve({item[self.field] for _, item in keyed if is_reference(item.get(self.field))})
        select = ",".join(sorted({*self.model.per_company, self.field}))
        for page in self.entities.pages(self.model, {"select": select}):
            for stored in page:
                for key in self.model.per_company:
                    if stored.get(key) not in (None, ""):
                        by_company = self.holders.setdefault((key, str(stored[key])), {})
                        by_company[str(stored.get(self.field))] = str(stored["_id"])
        return [problem for index, item in keyed if (problem := self._problem(index, item))]

    def pin(self, item: dict[str, Any]) -> dict[str, Any]:
        """``item`` with the ``_id`` of the object its company holds under its key, when there is one."""
        if not self._keyed(item):
            return item
        found = self._found(item)
        return {**item, "_id": found} if found else item

    def _keyed(self, item: Any) -> bool:
        return isinstance(item, Mapping) and per_company_key(self.model, item) is not None

    def _company(self, item: Mapping[str, Any]) -> str | None:
        value = item.get(self.field)
        if value in (None, ""):
            return None
        return (self.references.known.get(value) or str(value)) if is_reference(value) else str(value)

    def _holders(self, item: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
        key = per_company_key(self.model, item) or ""
        return key, self.holders.get((key, str(item[key])), {})

    def _found(self, item: Mapping[str, Any]) -> str | None:
        _, holders = self._holders(item)
        company = self._company(item)
        if company is None:
            return next(iter(holders.values())) if len(holders) == 1 else None
        return holders.get(company)

    def _problem(self, index: int, item: Mapping[str, Any]) -> str | None:
        key, holders = self._holders(item)
        company = self._company(item)
        if company is None and len(holders) > 1:
            return (
                f"item {index}: {len(holders)} {self.model.name} objects of different companies have {key} "
                f"{item[key]!r}; give its {self.field} to tell which"
            )
        if company is not None and holders and company not in holders:
            return (
                f"item {index}: {key} {item[key]!r} belongs to another company's {self.model.name}, and Planhat "
                f"might update that one; Ensure Entities creates this one safely"
            )
        return None
