"""Which stored end user a bulk item means, told before sending, so no other company's end user is written.

A bulk upsert matches an item on the first of ``_id``, ``sourceId``, ``externalId``, ``email`` that
finds something. But an end user's ``externalId`` is unique within its company only (support article
8146372), an email may repeat across companies, and how Planhat picks among several is
undocumented. So one lean listing of the stored end users (their keys and company) tells, per item:

- the end user its own company holds under its keys: the item is sent with that ``_id``, which
  every reading of Planhat matches;
- no match in its company, but another end user holds one of its keys: a keyed bulk create might
  update that one, so the item is not sent in bulk (Bulk Upsert refuses it; Ensure creates it with
  its own ``POST``, which never matches);
- no company given while several companies hold its key: ambiguous, refused;
- two new items of one run sharing a key value: the second could match the first, so it is not sent
  in the same bulk upsert either.

The company of an item is its ``companyId`` (an ``_id`` or ``extid-``/``srcid-`` reference) or its
``companyExternalId`` (help article 9586991).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PlanhatLibrary.api.models import Model
from PlanhatLibrary.services.companyrefs import CompanyReferences, company_reference, is_reference
from PlanhatLibrary.services.entities import EntityService

#: Keys a bulk upsert of end users matches on after ``_id``, in Planhat's order.
MATCH_KEYS = ("sourceId", "externalId", "email")


def _value(key: str, item: Mapping[str, Any]) -> str | None:
    value = item.get(key)
    if value in (None, ""):
        return None
    return str(value).lower() if key == "email" else str(value)


class Identity:
    """The stored end users' keys and companies, read once, and the keys new items of this run claim."""

    def __init__(self, entities: EntityService, model: Model, references: CompanyReferences | None = None) -> None:
        self.entities, self.model = entities, model
        self.references = references or CompanyReferences(entities)
        self.holders: dict[tuple[str, str], dict[str, str]] = {}  # (key, value) -> company -> _id
        self.claimed: dict[tuple[str, str], int] = {}  # (key, value) of a new item of this run -> its position
        self.wanted: set[tuple[str, str]] | None = None  # the input's (key, value) pairs: only these are kept

    @property
    def fields(self) -> set[str]:
        """What a listing must select for :meth:`add`."""
        return {*MATCH_KEYS, self.model.company_field or ""}

    def want(self, items: Iterable[Mapping[str, Any]]) -> None:
        """Keep only stored end users holding a key one of ``items`` has: memory follows the input."""
        self.wanted = {(key, value) for item in items for key in MATCH_KEYS if (value := _value(key, item)) is not None}

    def load(self, items: Iterable[Mapping[str, Any]]) -> None:
        """Resolve the items' company references and read the stored end users' keys (one lean listing).

        ``items`` is read once (it may be a generator over a file); only its keys and references are kept.
        """
        self.wanted, refs = set(), set()
        for item in items:
            self.wanted.update((key, value) for key in MATCH_KEYS if (value := _value(key, item)) is not None)
            ref = company_reference(self.model, item)
            if ref is not None and is_reference(ref):
                refs.add(ref)
        self.references.resolve(refs)
        for page in self.entities.pages(self.model, {"select": ",".join(sorted(self.fields))}):
            self.add(page)

    def resolve(self, items: Iterable[Mapping[str, Any]]) -> None:
        refs = (company_reference(self.model, item) for item in items)
        self.references.resolve(ref for ref in refs if ref is not None and is_reference(ref))

    def add(self, page: Iterable[Mapping[str, Any]]) -> None:
        """Take in stored end users (a page of a listing that selected :attr:`fields`)."""
        field = self.model.company_field or ""
        for stored in page:
            for key in MATCH_KEYS:
                value = _value(key, stored)
                if value is not None and (self.wanted is None or (key, value) in self.wanted):
                    self.holders.setdefault((key, value), {})[str(stored.get(field))] = str(stored["_id"])

    def company(self, item: Mapping[str, Any]) -> str | None:
        ref = company_reference(self.model, item)
        if ref is None:
            return None
        return (self.references.known.get(ref) or ref) if is_reference(ref) else ref

    def match(self, item: Mapping[str, Any]) -> str | None:
        """The ``_id`` of the stored end user a bulk upsert of ``item`` should update, or None (a create)."""
        if item.get("_id") not in (None, ""):
            return str(item["_id"])
        company = self.company(item)
        for key in MATCH_KEYS:
            value = _value(key, item)
            holders = self.holders.get((key, value), {}) if value is not None else {}
            if key == "sourceId" and holders:
                return next(iter(holders.values()))  # unique in the tenant
            if company is not None and company in holders:
                return holders[company]
            if company is None and len(holders) == 1:
                return next(iter(holders.values()))
        return None

    def conflict(self, item: Mapping[str, Any], position: int) -> str | None:
        """Why a bulk create of ``item`` might update or merge into another end user; None when it is safe."""
        company = self.company(item)
        for key in MATCH_KEYS:
            value = _value(key, item)
            if value is None:
                continue
            holders = self.holders.get((key, value), {})
            if company is None and len(holders) > 1:
                return (
                    f"{len(holders)} {self.model.name} objects of different companies have {key} {item[key]!r}; "
                    f"give its {self.model.company_field} to tell which"
                )
            if holders:
                return f"{key} {item[key]!r} belongs to another company's {self.model.name}, which Planhat might update"
            earlier = self.claimed.get((key, value))
            if earlier is not None and earlier != position:
                return f"{key} {item[key]!r} is also new in item {earlier}, which Planhat might update instead"
        return None

    def claim(self, item: Mapping[str, Any], position: int) -> None:
        """Remember the keys of a new item sent in bulk, so a later one sharing them is not."""
        for key in MATCH_KEYS:
            value = _value(key, item)
            if value is not None:
                self.claimed.setdefault((key, value), position)


class Pins:
    """Bulk Upsert's use of :class:`Identity`: each item pinned by ``_id`` or refused before sending."""

    def __init__(self, entities: EntityService, model: Model) -> None:
        self.identity = Identity(entities, model)
        self.pinned: dict[int, str] = {}  # input position -> _id

    def load(self, items: Iterable[Any]) -> list[str]:
        """Read the input (twice: it may be a file) and the stored end users; returns the problems."""
        self.identity.load(item for item in items if isinstance(item, Mapping))
        problems: list[str] = []
        owners: dict[str, int] = {}  # stored end user's _id -> the first item pinned to it
        for position, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            found = self.identity.match(item)
            if found is not None:
                earlier = owners.setdefault(found, position)
                if earlier != position:  # two keys (externalId and email, say) naming one stored end user
                    problems.append(
                        f"item {position}: names the same stored {self.identity.model.name} ({found}) as item "
                        f"{earlier}, by another key; give it once"
                    )
                self.pinned[position] = found
                continue
            problem = self.identity.conflict(item, position)
            if problem:
                problems.append(f"item {position}: {problem}; Ensure Entities creates it safely")
            self.identity.claim(item, position)
        return problems

    def pin(self, item: dict[str, Any], position: int) -> dict[str, Any]:
        """``item`` with the ``_id`` of the stored end user it means, when there is one."""
        found = self.pinned.get(position)
        return {**item, "_id": found} if found and item.get("_id") in (None, "") else item
