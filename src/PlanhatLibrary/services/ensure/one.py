"""Ensure Entity: make one object exist as given, writing only what differs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PlanhatLibrary.api.identifiers import KEYABLE_PREFIX
from PlanhatLibrary.api.models import Model, Operation
from PlanhatLibrary.api.payloads import check_items
from PlanhatLibrary.api.results import EnsureOutcome
from PlanhatLibrary.api.values import MISSING, same
from PlanhatLibrary.api.writes import GENERATED_NOT_KEYS, prepared, problem, without_generated
from PlanhatLibrary.errors import PlanhatEnsureError, PlanhatNotFoundError
from PlanhatLibrary.services.companyrefs import CompanyReferences, company_as_reference, references_in
from PlanhatLibrary.services.ensure.diff import (
    bulk_update,
    concurrency_safe,
    identifying_keys,
    key_for,
    other_kind,
    write_of,
)
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.services.fields import FieldCheck
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.services.loads.bulk.summary import BulkSummary


@dataclass
class Outcome:
    """What one ensure did (or, with ``dry_run``, would do)."""

    action: str  # created, updated, unchanged
    entity: dict[str, Any]
    changed: list[str] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False

    def to_dict(self) -> EnsureOutcome:
        return {
            "action": self.action,
            "changed": self.changed,
            "entity": self.entity,
            "payload": self.payload,
            "dry_run": self.dry_run,
        }


class EnsureOne:
    """Ensure Entity: one object, found by its identifying keys, created or updated, or left alone."""

    def __init__(self, entities: EntityService, check: FieldCheck | None = None) -> None:
        self.entities = entities
        self.session = entities.session
        self.references = CompanyReferences(entities)
        self.check = check  # the tenant's custom fields: values read by type, and checked
        self.absent: set[str] = set()  # references a GET of this run found nothing behind

    def resolved(self, model: Model, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """``items`` as Planhat would store them: day numbers, and company references as ``_id``.

        ``companyId: "extid-ACME"`` is stored as ACME's ``_id``; comparing it as given would rewrite every
        object on every run. A reference naming no company is refused: Planhat would refuse the object,
        or (end users) ignore it without a word.
        """
        items = [company_as_reference(model, item) for item in items]
        self.references.resolve(references_in(model, items))
        typed: list[Mapping[str, Any]] = []

        def unusable(_: int, item: Mapping[str, Any]) -> str | None:
            try:
                item = self.check.convert(item) if self.check is not None else item
            except ValueError as error:
                return str(error)
            typed.append(item)
            unknown = self.references.unknown(model, item)
            named = f"{model.company_field} {unknown!r} names no company in Planhat" if unknown else None
            return problem(model, item) or named or (self.check.problem(item) if self.check is not None else None)

        check_items(items, unusable, f"{model.name} item(s)", "cannot be ensured")
        return [self._as_stored(model, item) for item in typed]

    def _as_stored(self, model: Model, item: Mapping[str, Any]) -> dict[str, Any]:
        """One item as Planhat stores it, in one copy for the usual item (no generated fields, no defaults,
        no day fields, no company reference to resolve)."""
        body = dict(item) if GENERATED_NOT_KEYS.isdisjoint(item) else without_generated(item)
        if model.defaults or model.day_fields:
            body = prepared(model, body)
        return self.references.apply(model, body) if model.company_field in body else body

    # ------------------------------------------------------------------ one
    def ensure(self, model: Model, data: Mapping[str, Any], keys: Sequence[str] = (), dry_run: bool = False) -> Outcome:
        keys = identifying_keys(model, data, keys)
        (data,) = self.resolved(model, [data])
        existing = self._find(model, data, keys)
        if existing is None:
            return self._create(model, data, dry_run)
        payload, names = write_of(data, existing)
        if not payload:
            return Outcome("unchanged", existing, dry_run=dry_run)
        if dry_run:
            return Outcome("updated", existing, names, payload, dry_run=True)
        if model.supports(Operation.UPDATE):
            updated = self.entities.update(model, existing["_id"], payload, stored=existing)
        else:  # tickets: no PUT /{id}; a bulk upsert keyed on _id updates just as well
            BulkService(self.session).upsert(model, [bulk_update(model, existing, payload)])
            updated = {**existing, **payload}
        return Outcome("updated", updated, names, payload)

    def _find(self, model: Model, data: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any] | None:
        keyable = next((key for key in keys if key in KEYABLE_PREFIX), None)
        if keyable in model.per_company and model.supports(Operation.GET):
            return self._find_in_company(model, data, keys, keyable)
        if keyable in model.per_company:  # no GET (tickets): list, within the item's company when it names one
            field = model.company_field or ""
            company = data.get(field)
            criteria = {key: data[key] for key in keys}
            return self._one(model, {**criteria, field: company} if company not in (None, "") else criteria)
        if keyable is not None and model.supports(Operation.GET):
            try:
                found = self.entities.get(model, KEYABLE_PREFIX[keyable] + str(data[keyable]))
            except PlanhatNotFoundError:
                return None
            other_kind(model, found)
            others = [key for key in keys if key != keyable and not same(found.get(key, MISSING), data[key])]
            if others:
                raise PlanhatEnsureError(
                    f"{model.name} with {keyable} '{data[keyable]}' exists ({found['_id']}) but its "
                    f"{', '.join(others)} differ from the identifying values given."
                )
            return found
        return self._one(model, {key: data[key] for key in keys})

    def _find_in_company(
        self, model: Model, data: Mapping[str, Any], keys: Sequence[str], keyable: str
    ) -> dict[str, Any] | None:
        """externalId is unique per company only (support article 8146372): ``extid-`` may name another
        company's object. One GET settles the usual cases (nobody holds it; its company does);
        otherwise the company's end users (or, without a company, everyone's) are scanned, refusing doubt."""
        field = model.company_field or ""
        company = data.get(field)
        ref = KEYABLE_PREFIX[keyable] + str(data[keyable])
        try:
            found = self.entities.get(model, ref)
        except PlanhatNotFoundError:
            self.absent.add(ref)  # a create then needs no second look for it elsewhere
            return None
        if company and found.get(field) == company:
            other_kind(model, found)
            return found
        criteria = {key: data[key] for key in keys}
        match = self._one(model, {**criteria, field: company} if company else criteria)
        if match is not None:
            other_kind(model, match)
        return match

    def _one(self, model: Model, criteria: Mapping[str, Any]) -> dict[str, Any] | None:
        candidates = self._scan(model, criteria)
        if len(candidates) > 1:
            ids = ", ".join(str(item.get("_id")) for item in candidates[:20])
            matching = " and ".join(f"{key} = {value!r}" for key, value in criteria.items())
            hint = f" Give its {model.company_field} too." if model.company_field not in (None, *criteria) else ""
            raise PlanhatEnsureError(
                f"{len(candidates)} {model.name} objects match {matching}: {ids}. Cannot tell which to update.{hint}"
            )
        return candidates[0] if candidates else None

    def _scan(self, model: Model, criteria: Mapping[str, Any]) -> list[dict[str, Any]]:
        params: dict[str, Any] = {}
        if isinstance(criteria.get("email"), str) and "email" in model.keyables:
            params["email"] = criteria["email"]
        company = criteria.get(model.company_field or "")
        if isinstance(company, str):
            params["companyId"] = company
        found: list[dict[str, Any]] = []
        for page in self.entities.pages(model, params):
            found.extend(item for item in page if all(same(item.get(k, MISSING), v) for k, v in criteria.items()))
        return found

    def _create(self, model: Model, data: Mapping[str, Any], dry_run: bool) -> Outcome:
        payload = {**model.defaults, **data}
        if dry_run:
            return Outcome("created", payload, sorted(payload), payload, dry_run=True)
        if not concurrency_safe(model, data) or self._held_elsewhere(model, data):
            return Outcome(
                "created", self.entities.create(model, payload, check_existing=False), sorted(payload), payload
            )
        # A keyed bulk upsert: if another run created it meanwhile, this matches it instead of duplicating.
        summary = BulkService(self.session).upsert(model, [payload], on_error="continue", pin_per_company=False)
        if summary.errors:  # a refusal, or an end user Planhat ignored
            raise PlanhatEnsureError(f"Ensure could not create the {model.name}: {summary.errors[0]['message']}")
        entity_id = summary.upserted_ids[0] if summary.upserted_ids else first_id(summary)
        if entity_id:
            entity = {**payload, "_id": entity_id}
        else:  # matched and unchanged: an earlier attempt (whose answer was lost) or another run created it
            entity = self._find(model, payload, [key_for(model, payload)]) or payload
        action = "updated" if summary.updated else "created"
        return Outcome(action, entity, sorted(payload), payload)

    def _held_elsewhere(self, model: Model, data: Mapping[str, Any]) -> bool:
        """Whether another company's object holds one of this new one's keys: a keyed bulk create might update it
        (so it is created by POST). Models that cannot be created one by one, or looked up, are created in bulk."""
        if not model.per_company or not model.supports(Operation.CREATE) or not model.supports(Operation.GET):
            return False
        for key in ("sourceId", "externalId"):
            if data.get(key) not in (None, "") and self._exists(model, KEYABLE_PREFIX[key] + str(data[key])):
                return True
        email = data.get("email") if "email" in model.keyables else None
        return bool(email) and any(page for page in self.entities.pages(model, {"email": email, "select": "email"}))

    def _exists(self, model: Model, ref: str) -> bool:
        if ref in self.absent:
            return False
        try:
            self.entities.get(model, ref)
        except PlanhatNotFoundError:
            return False
        return True


def first_id(summary: BulkSummary) -> str | None:
    for keys in (*summary.inserts_keys, *summary.updates_keys):
        if isinstance(keys, Mapping) and keys.get("_id"):
            return str(keys["_id"])
    return None
