"""Ensure: create or update on identifying keys, and write nothing when nothing changed.

The lookup reads the whole stored object (not just its keys), only the given fields are compared
(dates as instants, 1 == 1.0, ``custom`` per field), only changed fields are sent, and a create goes
through a bulk upsert keyed on an identifying field (``sourceId``, ``externalId``), so a retried ensure
finds what the first attempt created instead of creating it again. It cannot stop two robots that
create the same new key at the same moment: Planhat has no unique constraint to refuse the second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PlanhatLibrary.api.identifiers import KEYABLE_PREFIX
from PlanhatLibrary.api.models import BULK_LIMIT, Model, Operation
from PlanhatLibrary.api.payloads import check_items
from PlanhatLibrary.api.results import EnsureOutcome, no_files
from PlanhatLibrary.api.values import MISSING, same
from PlanhatLibrary.api.writes import GENERATED_NOT_KEYS, merged, prepared, problem, without_generated
from PlanhatLibrary.errors import (
    PlanhatBulkError,
    PlanhatEnsureError,
    PlanhatError,
    PlanhatNotFoundError,
    PlanhatResponseError,
)
from PlanhatLibrary.log import logger
from PlanhatLibrary.services.companyrefs import CompanyReferences, references_in
from PlanhatLibrary.services.endusers import Identity, company_reference
from PlanhatLibrary.services.entities import EntityService, require
from PlanhatLibrary.services.fields import FieldCheck
from PlanhatLibrary.services.loads.bulk import BulkService, BulkSummary
from PlanhatLibrary.services.loads.concurrency import check_parallel
from PlanhatLibrary.services.loads.gcpause import paused_gc
from PlanhatLibrary.services.loads.interrupts import one_interrupt

#: Ensure Entities looks up at most this many items one by one (one GET each) rather than reading every page
#: of a tenant bigger than one page: 20 GETs cost about what 4 pages of 5,000 objects do.
KEYED_LOOKUPS = 20


def changes(given: Mapping[str, Any], stored: Mapping[str, Any], prefix: str = "") -> tuple[dict[str, Any], list[str]]:
    """The part of ``given`` that differs from ``stored``, and the dotted names of what changed.

    Dictionaries (``custom``) are compared per given key; a given ``None`` equals a missing field.
    """
    if type(given) is dict and type(stored) is dict and given.items() <= stored.items() and _plainly_equal(given):
        return {}, []  # every given field equals the stored one, and no True/1 or nested value hides a difference
    payload: dict[str, Any] = {}
    names: list[str] = []
    read = stored.get if isinstance(stored, Mapping) else None
    for key, value in given.items():
        current = read(key, MISSING) if read is not None else MISSING
        if type(value) is type(current) and type(value) in _SCALARS and value == current:
            continue  # the usual unchanged field, without the full comparison
        if _is_mapping(value) and _is_mapping(current):
            nested, nested_names = changes(value, current, f"{prefix}{key}.")
            if nested:
                payload[key] = nested
                names.extend(nested_names)
        elif not same(value, current):
            payload[key] = value
            names.append(f"{prefix}{key}")
    return payload, names


def _plainly_equal(given: dict[str, Any]) -> bool:
    """Whether ``==`` on these values means what ``same`` means (it says ``True == 1``; lists may hide that, and
    so may dictionaries, such as ``custom``, unless their own values are plain)."""
    for value in given.values():
        kind = type(value)
        if kind is dict:
            if not _NOT_PLAIN.isdisjoint(map(type, value.values())):
                return False
        elif kind is bool or kind is list:
            return False
    return True


_NOT_PLAIN = frozenset({bool, dict, list})


def _is_mapping(value: Any) -> bool:
    """``isinstance(value, Mapping)``, without the slow ABC check for the usual plain values."""
    kind = type(value)
    return kind is dict or (kind not in _PLAIN and isinstance(value, Mapping))


_PLAIN = frozenset({str, int, float, bool, type(None), list})
_SCALARS = frozenset({str, int, float, bool})


def write_of(given: Mapping[str, Any], stored: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """What to send to bring ``stored`` to ``given``: the changed fields, a changed object (``custom``, an
    address) sent whole: the stored object with the given fields changed, right whether Planhat merges
    a partial object or replaces the stored one with it."""
    payload, names = changes(given, stored)
    for key, value in payload.items():
        if isinstance(value, Mapping) and isinstance(stored.get(key), Mapping):
            payload[key] = merged(stored[key], given[key])
    return payload, names


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


def identifying_keys(model: Model, data: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    """The given keys (all present in ``data``) or the first keyable ``data`` holds."""
    if keys:
        missing = [key for key in keys if data.get(key) in (None, "")]
        if missing:
            raise PlanhatEnsureError(
                f"Identifying key(s) {', '.join(missing)} not in the {model.name} data (keys given: "
                f"{', '.join(data) or 'none'})."
            )
        return list(keys)
    for key in model.keyables:
        if data.get(key) not in (None, ""):
            return [key]
    raise PlanhatEnsureError(
        f"Cannot ensure a {model.name} without an identifying key: give identifying_keys, or include one of "
        f"{', '.join(model.keyables)} in the data."
    )


def concurrency_safe(model: Model, data: Mapping[str, Any]) -> bool:
    """Whether a create cannot duplicate: it goes through a bulk upsert keyed on sourceId or externalId
    (or email where the model is keyed on it), which a concurrent or repeated run matches instead.

    Other identifying keys (``name``...) are looked up by a scan; two runs at once can both find nothing
    and both create.
    """
    keyed = any(data.get(key) not in (None, "") for key in model.keyables if key != "_id")
    return keyed and model.supports(Operation.BULK)


class EnsureService:
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
        items = [_company_as_reference(model, item) for item in items]
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
            BulkService(self.session).upsert(model, [_bulk_update(model, existing, payload)])
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
        entity_id = summary.upserted_ids[0] if summary.upserted_ids else _first_id(summary)
        if entity_id:
            entity = {**payload, "_id": entity_id}
        else:  # matched and unchanged: an earlier attempt (whose answer was lost) or another run created it
            entity = self._find(model, payload, [_key_for(model, payload)]) or payload
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

    # ----------------------------------------------------------------- many
    @paused_gc()
    @one_interrupt()
    def ensure_many(
        self,
        model: Model,
        items: Sequence[Mapping[str, Any]],
        key: str,
        dry_run: bool = False,
        on_error: str = "fail",
        parallel: int = 1,
    ) -> dict[str, Any]:
        require(model, Operation.LIST)
        require(model, Operation.BULK)
        check_parallel(parallel)
        _check_many(model, items, key)
        items = self.resolved(model, items)
        identity = Identity(self.entities, model, self.references) if model.per_company else None
        index = self._stored(model, items, key, identity)
        plan = _Plan(model)
        for position, item in enumerate(items):
            stored = index.find(model, item, position)
            if stored is not None:
                other_kind(model, stored)
            single = stored is None and identity is not None and identity.conflict(item, position) is not None
            if stored is None and identity is not None and not single:
                identity.claim(item, position)
            plan.add(position, item, stored, single)
        if dry_run or not plan.writes_count:
            return _result(plan, {"errors": [], "requests": 0}, len(items), dry_run)
        result = self._write(model, plan.writes, plan.positions, parallel) if plan.writes else _no_writes()
        for position, item in plan.singles:  # POST never matches an existing object
            try:
                self.entities.create(model, item, check_existing=False)
            except PlanhatError as error:
                result["errors"].append({"index": position, "kind": "create", "message": str(error), "item": {}})
            result["requests"] += 1
        errors = result["errors"]
        if errors and on_error == "fail":
            listed = "; ".join(f"item {error['index']}: {error['message']}" for error in errors[:10])
            raise PlanhatBulkError(
                f"Ensure Entities of {model.name}: {len(errors)} of {plan.writes_count} write(s) failed: {listed}",
                result=_result(plan, result, len(items)),
            )
        return _result(plan, result, len(items))

    def _stored(self, model: Model, items: Sequence[Mapping[str, Any]], key: str, identity: Identity | None) -> _Index:
        """The stored objects the items name, read in one listing of the fields they give (and the keys)."""
        scope = model.company_field if identity is not None and key in (*model.per_company, "email") else None
        fields = {name for item in items for name in item} | {
            key,
            "_id",
            *model.defaults,
            *(identity.fields if identity else ()),
        }
        index = _Index(key, scope, {str(item[key]) for item in items})
        if identity is not None:
            identity.want(items)
        select = ",".join(sorted({name.split(".")[0] for name in fields if name}))
        pages = self.entities.pages(model, {"select": select}, every_type=True)
        for number, page in enumerate(pages, start=1):
            index.add_all(page)
            if identity is not None:
                identity.add(page)
            if number == 1 and self._look_up_instead(model, key, identity, index, len(page)):
                break  # the rest of the listing is never asked for
        index.check(model)
        return index

    def _look_up_instead(
        self, model: Model, key: str, identity: Identity | None, index: _Index, first_page: int
    ) -> bool:
        """After a full first page (so the tenant holds more objects than one page), fetch the few items
        not found yet one by one (``GET /{model}/extid-...``) instead of reading every page; logs the choice.

        Only for keys a GET can name and that are unique in the tenant (not end users' per-company keys).
        """
        if identity is not None or key not in KEYABLE_PREFIX or not model.supports(Operation.GET):
            return False
        if first_page < model.page_cap:
            return False  # that was the whole listing (or its last page is confirmed next): nothing to choose
        if len(index.wanted) - len(index.found) > KEYED_LOOKUPS:  # more missing than lookups would pay for
            logger.info(
                f"Ensure Entities: more than {KEYED_LOOKUPS} {model.name} item(s) not on the first page; reading "
                f"every page (one GET per {model.page_cap} objects) rather than one GET per item."
            )
            return False
        missing = sorted(index.wanted - {value for value, _ in index.found})
        if not missing:
            logger.info(f"Ensure Entities: every item is on the first page of {model.name}; the rest is not read.")
            return True
        if len(missing) > KEYED_LOOKUPS:
            logger.info(
                f"Ensure Entities: {len(missing)} {model.name} item(s) not on the first page; reading every page "
                f"(one GET per {model.page_cap} objects) rather than one GET per item."
            )
            return False
        logger.info(
            f"Ensure Entities: {model.name} has more than {model.page_cap} objects and {len(missing)} item(s) are "
            f"not on the first page: looking each up by {key} ({len(missing)} GETs) instead of reading every page."
        )
        for value in missing:
            try:
                found = self.entities.get(model, KEYABLE_PREFIX[key] + value)
            except PlanhatNotFoundError:
                continue
            index.add_all([found])
        return True

    def _write(
        self, model: Model, writes: list[dict[str, Any]], positions: list[int], parallel: int = 1
    ) -> dict[str, Any]:
        try:
            summary = BulkService(self.session, resumable=False, parallel=parallel).upsert(
                model, writes, chunk_size=BULK_LIMIT, on_error="continue", pin_per_company=False
            )
        except PlanhatBulkError as error:
            advice = "Fix the cause; Ensure is safe to repeat: run Ensure Entities again to finish."
            result = {**error.result, "errors": _at_input(error.result.get("errors") or [], positions)}
            raise PlanhatBulkError(f"Ensure Entities: {error} {advice}", result=result) from None
        return {"errors": _at_input(summary.errors, positions), "requests": summary.requests}


def _result(plan: _Plan, written: dict[str, Any], total: int, dry_run: bool = False) -> dict[str, Any]:
    """Ensure Entities' result (``results.EnsureResult``): the plan's counts and what the writes did."""
    errors = written["errors"]
    counts = plan.report(errors)
    landed = 0 if dry_run else counts["created"] + counts["updated"] + counts["unchanged"] + len(errors)
    return {
        **counts,
        "dry_run": dry_run,
        "failed": len(errors),
        **written,
        "total": total,
        "landed": landed,
        **no_files(),
    }


def _bulk_update(model: Model, stored: Mapping[str, Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """A bulk item updating ``stored``: its ``_id``, the changed fields, and the fields every item of the model
    must carry (a ticket's ``email``: without it Planhat drops the item silently)."""
    needed = {name: stored[name] for name in model.needed if name not in payload and stored.get(name) not in (None, "")}
    return {"_id": stored["_id"], **needed, **payload}


def _at_input(errors: Sequence[Mapping[str, Any]], positions: list[int]) -> list[dict[str, Any]]:
    """Bulk errors, whose indexes are positions among the writes, with the input index of each item instead."""
    return [
        {**error, "index": positions[error["index"]] if isinstance(error.get("index"), int) else None}
        for error in errors
    ]


def _company_as_reference(model: Model, item: Mapping[str, Any]) -> Mapping[str, Any]:
    """An end user's ``companyExternalId`` as ``companyId: "extid-..."``: the company Planhat stores it under."""
    if not model.per_company or "companyExternalId" not in item or item.get(model.company_field or ""):
        return item
    rest = {key: value for key, value in item.items() if key != "companyExternalId"}
    reference = company_reference(model, item)
    return {**rest, model.company_field or "companyId": reference} if reference else rest


def other_kind(model: Model, stored: Mapping[str, Any]) -> None:
    """Refuse an object of another kind behind a note's key: ensuring the note would change its type."""
    for name, value in model.defaults.items():
        if stored.get(name) != value:
            raise PlanhatEnsureError(
                f"The object with this key ({stored.get('_id')}) is a {name} {stored.get(name)!r} conversation, not a "
                f"{model.name}: Ensure will not turn it into one. Nothing was sent."
            )


def _no_writes() -> dict[str, Any]:
    return {"errors": [], "requests": 0}


class _Plan:
    """What Ensure Entities will write: bulk writes (updates by ``_id``, keyed creates) and single creates."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.writes: list[dict[str, Any]] = []
        self.positions: list[int] = []
        self.singles: list[tuple[int, dict[str, Any]]] = []  # creates a keyed bulk upsert might match elsewhere
        self.actions: dict[int, str] = {}  # input position -> created, updated, unchanged
        self.changed_fields: dict[str, int] = {}

    @property
    def writes_count(self) -> int:
        return len(self.writes) + len(self.singles)

    def add(self, position: int, item: dict[str, Any], stored: dict[str, Any] | None, elsewhere: bool) -> None:
        if stored is None:
            self.actions[position] = "created"
            if elsewhere:
                self.singles.append((position, item))
            else:
                self.writes.append(item)
                self.positions.append(position)
            return
        payload, names = write_of(item, stored)
        if not payload:
            self.actions[position] = "unchanged"
            return
        self.actions[position] = "updated"
        self.writes.append(_bulk_update(self.model, stored, payload))
        self.positions.append(position)
        for name in names:
            self.changed_fields[name] = self.changed_fields.get(name, 0) + 1

    def report(self, errors: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Counts of what was done: a write that failed counts in ``failed``, not as created or updated."""
        failed = {error.get("index") for error in errors}
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for position, action in self.actions.items():
            if action == "unchanged" or position not in failed:
                counts[action] += 1
        return {**counts, "changed_fields": self.changed_fields, "writes": self.writes_count}


class _Index:
    """Stored objects by identifying key, or by (key, company) where the key is unique per company only.

    Only objects whose key an input item names are kept, with the fields the listing selected, so memory
    follows the input, not the size of the tenant.
    """

    def __init__(self, key: str, scope: str | None, wanted: set[str]) -> None:
        self.key, self.scope, self.wanted = key, scope, wanted
        self.found: dict[tuple[str, str], dict[str, Any]] = {}
        self.companies: dict[str, list[str]] = {}  # key value -> companies holding it (per-company keys)
        self.duplicates: dict[tuple[str, str], list[str]] = {}

    def add_all(self, page: Sequence[dict[str, Any]]) -> None:
        key, scope, wanted, found = self.key, self.scope, self.wanted, self.found
        for item in page:
            value = item.get(key)
            if value is None or value == "":
                continue
            text = value if type(value) is str else str(value)
            if text not in wanted:
                continue
            if item.get("_id") in (None, ""):
                raise PlanhatResponseError(
                    f"Planhat listed an object with {key} {text!r} but without an _id: it cannot be updated, and "
                    "Ensure cannot tell whether it is the one meant. Nothing was written.",
                    method="GET",
                    url="(list)",
                )
            company = str(item.get(scope)) if scope else ""
            entry = (text, company)
            if entry in found:
                self.duplicates.setdefault(entry, [found[entry]["_id"]]).append(item["_id"])
            found[entry] = item  # a page is decoded afresh: nothing else holds it
            if scope:
                self.companies.setdefault(text, []).append(company)

    def check(self, model: Model) -> None:
        if self.duplicates:
            listed = "; ".join(
                f"{self.key} {value!r}: {', '.join(ids)}" for (value, _), ids in list(self.duplicates.items())[:10]
            )
            raise PlanhatEnsureError(
                f"{model.name} objects share an identifying {self.key}, cannot tell which to update: {listed}"
            )

    def find(self, model: Model, item: Mapping[str, Any], position: int) -> dict[str, Any] | None:
        value = str(item[self.key])
        if not self.scope:
            return self.found.get((value, ""))
        if item.get(self.scope) not in (None, ""):
            return self.found.get((value, str(item[self.scope])))
        holders = self.companies.get(value, [])
        if len(holders) > 1:
            raise PlanhatEnsureError(
                f"Item {position}: {len(holders)} {model.name} objects of different companies have {self.key} "
                f"{value!r}; give its {self.scope} to tell which. Nothing was sent."
            )
        return self.found.get((value, holders[0])) if holders else None


def _check_many(model: Model, items: Sequence[Mapping[str, Any]], key: str) -> None:
    seen: dict[str, int] = {}

    per_company = key in model.per_company

    def problem(index: int, item: Any) -> str | None:
        if type(item) is not dict and not isinstance(item, Mapping):
            return f"not a dictionary ({type(item).__name__})"
        value = item.get(key)
        if value is None or value == "":
            return f"no {key}"
        text = value if type(value) is str else str(value)
        entry = f"{text}\x00{item.get(model.company_field or '')}" if per_company else text
        earlier = seen.setdefault(entry, index)
        return f"{key} {value!r} repeats item {earlier}" if earlier != index else None

    check_items(items, problem, f"{model.name} item(s)", "cannot be ensured")


def _key_for(model: Model, data: Mapping[str, Any]) -> str:
    return next(key for key in ("sourceId", "externalId", *model.keyables) if data.get(key) not in (None, ""))


def _first_id(summary: BulkSummary) -> str | None:
    for keys in (*summary.inserts_keys, *summary.updates_keys):
        if isinstance(keys, Mapping) and keys.get("_id"):
            return str(keys["_id"])
    return None
