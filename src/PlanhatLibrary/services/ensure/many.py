"""Ensure Entities: many objects at once, read with as few requests as the input allows, written in bulk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PlanhatLibrary.api.identifiers import KEYABLE_PREFIX
from PlanhatLibrary.api.models import BULK_LIMIT, Model, Operation
from PlanhatLibrary.api.payloads import check_items
from PlanhatLibrary.api.results import no_files
from PlanhatLibrary.errors import (
    PlanhatBulkError,
    PlanhatEnsureError,
    PlanhatError,
    PlanhatNotFoundError,
    PlanhatResponseError,
)
from PlanhatLibrary.log import logger
from PlanhatLibrary.services.endusers import Identity
from PlanhatLibrary.services.ensure.diff import bulk_update, other_kind, write_of
from PlanhatLibrary.services.ensure.one import EnsureOne
from PlanhatLibrary.services.entities import require
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.services.loads.concurrency import check_parallel
from PlanhatLibrary.services.loads.gcpause import paused_gc
from PlanhatLibrary.services.loads.interrupts import one_interrupt

#: Ensure Entities looks up at most this many items one by one (one GET each) rather than reading every page
#: of a tenant bigger than one page: 20 GETs cost about what 4 pages of 5,000 objects do.
KEYED_LOOKUPS = 20


class EnsureService(EnsureOne):
    """Ensure Entity (``ensure``, from ``EnsureOne``) and Ensure Entities (``ensure_many``): the whole service."""

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


def _at_input(errors: Sequence[Mapping[str, Any]], positions: list[int]) -> list[dict[str, Any]]:
    """Bulk errors, whose indexes are positions among the writes, with the input index of each item instead."""
    return [
        {**error, "index": positions[error["index"]] if isinstance(error.get("index"), int) else None}
        for error in errors
    ]


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
        self.writes.append(bulk_update(self.model, stored, payload))
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
