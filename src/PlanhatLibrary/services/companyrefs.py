"""Company references as Planhat stores them: ``companyId: "extid-ACME"`` becomes the company's ``_id``.

Planhat resolves ``extid-``/``srcid-`` references on a write and stores the ``_id`` (the reference
form: planhat.com/developers/api and johnbrandborg/cruds). Comparing the reference as given with the
stored ``_id`` would see a change on every run, so Ensure resolves references first: one GET per
reference for a few, one lean listing of companies (``_id``, ``externalId``, ``sourceId``) for many.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PlanhatLibrary.api.identifiers import EXTERNAL_PREFIX, SOURCE_PREFIX
from PlanhatLibrary.api.models import Model, resolve_model
from PlanhatLibrary.errors import PlanhatNotFoundError

COMPANIES = resolve_model("companies")
#: Up to this many distinct references are looked up one by one; more are resolved by one listing.
FEW = 3


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and value.startswith((EXTERNAL_PREFIX, SOURCE_PREFIX))


def references_in(model: Model, items: Iterable[Mapping[str, Any]]) -> set[str]:
    field = model.company_field
    if field not in ("companyId", "cId"):
        return set()
    return {item[field] for item in items if isinstance(item, Mapping) and is_reference(item.get(field))}


class CompanyReferences:
    """``extid-``/``srcid-`` company references resolved to ``_id`` (None: no such company), cached per run."""

    def __init__(self, entities: Any) -> None:
        self.entities = entities  # an EntityService (not imported: entities imports nothing from here)
        self.known: dict[str, str | None] = {}

    def resolve(self, references: Iterable[str]) -> dict[str, str | None]:
        wanted = {ref for ref in references if is_reference(ref)} - set(self.known)
        if len(wanted) > FEW:
            self._list_all(wanted)
        for ref in wanted - set(self.known):
            self.known[ref] = self._get(ref)
        return self.known

    def _get(self, ref: str) -> str | None:
        try:
            return str(self.entities.get(COMPANIES, ref)["_id"])
        except PlanhatNotFoundError:
            return None

    def _list_all(self, wanted: set[str]) -> None:
        for page in self.entities.pages(COMPANIES, {"select": "externalId,sourceId"}):
            for company in page:
                for prefix, key in ((EXTERNAL_PREFIX, "externalId"), (SOURCE_PREFIX, "sourceId")):
                    if company.get(key) not in (None, "") and f"{prefix}{company[key]}" in wanted:
                        self.known[f"{prefix}{company[key]}"] = str(company["_id"])
        for ref in wanted:
            self.known.setdefault(ref, None)

    def apply(self, model: Model, item: Mapping[str, Any]) -> dict[str, Any]:
        """``item`` with its company reference replaced by the ``_id`` (unchanged when unknown)."""
        field = model.company_field or ""
        resolved = self.known.get(str(item.get(field)))
        return dict(item) if resolved is None else {**item, field: resolved}

    def unknown(self, model: Model, item: Mapping[str, Any]) -> str | None:
        """The reference of ``item`` that names no company, or None."""
        if not self.known or model.company_field not in item:
            return None
        value = str(item.get(model.company_field or ""))
        return value if value in self.known and self.known[value] is None else None


def company_reference(model: Model, item: Mapping[str, Any]) -> str | None:
    """The company an item names: ``companyId``, or ``extid-<companyExternalId>``."""
    field = model.company_field or ""
    if item.get(field) not in (None, ""):
        return str(item[field])
    if item.get("companyExternalId") not in (None, ""):
        return f"{EXTERNAL_PREFIX}{item['companyExternalId']}"
    return None


def company_as_reference(model: Model, item: Mapping[str, Any]) -> Mapping[str, Any]:
    """An end user's ``companyExternalId`` as ``companyId: "extid-..."``: the company Planhat stores it under."""
    if not model.per_company or "companyExternalId" not in item or item.get(model.company_field or ""):
        return item
    rest = {key: value for key, value in item.items() if key != "companyExternalId"}
    reference = company_reference(model, item)
    return {**rest, model.company_field or "companyId": reference} if reference else rest
