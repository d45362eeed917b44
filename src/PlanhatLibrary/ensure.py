"""Ensure: create or update on identifying keys, and write nothing when nothing changed.

Improves on ftrack's ``ensure`` (see shared/ftrack-ensure-notes.md): the lookup reads the whole
stored object (not just its keys), only the given fields are compared (dates as instants, 1 == 1.0,
``custom`` per field), only changed fields are sent, and a create goes through a bulk upsert keyed on
an identifying field, so a retried or concurrent ensure cannot make a duplicate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .bulk import BulkSummary, BulkUpserter
from .entities import EntityService, require
from .errors import PlanhatBulkError, PlanhatEnsureError, PlanhatInputError, PlanhatNotFoundError, listing
from .identifiers import EXTERNAL_PREFIX, SOURCE_PREFIX
from .models import BULK_LIMIT, Model, Operation
from .values import MISSING, same

KEYABLE_PREFIX = {"_id": "", "externalId": EXTERNAL_PREFIX, "sourceId": SOURCE_PREFIX}


def changes(given: Mapping[str, Any], stored: Mapping[str, Any], prefix: str = "") -> tuple[dict[str, Any], list[str]]:
    """The part of ``given`` that differs from ``stored``, and the dotted names of what changed.

    Dictionaries (``custom``) are compared per given key; a given ``None`` equals a missing field.
    """
    payload: dict[str, Any] = {}
    names: list[str] = []
    for key, value in given.items():
        current = stored.get(key, MISSING) if isinstance(stored, Mapping) else MISSING
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            nested, nested_names = changes(value, current, f"{prefix}{key}.")
            if nested:
                payload[key] = nested
                names.extend(nested_names)
        elif not same(value, current):
            payload[key] = value
            names.append(f"{prefix}{key}")
    return payload, names


@dataclass
class Outcome:
    """What one ensure did (or, with ``dry_run``, would do)."""

    action: str  # created, updated, unchanged
    entity: dict[str, Any]
    changed: list[str] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
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


class Ensurer:
    def __init__(self, entities: EntityService) -> None:
        self.entities = entities
        self.session = entities.session

    # ------------------------------------------------------------------ one
    def ensure(self, model: Model, data: Mapping[str, Any], keys: Sequence[str] = (), dry_run: bool = False) -> Outcome:
        keys = identifying_keys(model, data, keys)
        existing = self._find(model, data, keys)
        if existing is None:
            return self._create(model, data, dry_run)
        payload, names = changes(data, existing)
        if not payload:
            return Outcome("unchanged", existing, dry_run=dry_run)
        if dry_run:
            return Outcome("updated", existing, names, payload, dry_run=True)
        if model.supports(Operation.UPDATE):
            updated = self.entities.update(model, existing["_id"], payload)
        else:  # tickets: no PUT /{id}; a bulk upsert keyed on _id updates just as well
            BulkUpserter(self.session).upsert(model, [{"_id": existing["_id"], **payload}])
            updated = {**existing, **payload}
        return Outcome("updated", updated, names, payload)

    def _find(self, model: Model, data: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any] | None:
        keyable = next((key for key in keys if key in KEYABLE_PREFIX), None)
        if keyable is not None and model.supports(Operation.GET):
            try:
                found = self.entities.get(model, KEYABLE_PREFIX[keyable] + str(data[keyable]))
            except PlanhatNotFoundError:
                return None
            others = [key for key in keys if key != keyable and not same(found.get(key, MISSING), data[key])]
            if others:
                raise PlanhatEnsureError(
                    f"{model.name} with {keyable} '{data[keyable]}' exists ({found['_id']}) but its "
                    f"{', '.join(others)} differ from the identifying values given."
                )
            return found
        candidates = self._scan(model, {key: data[key] for key in keys})
        if len(candidates) > 1:
            ids = ", ".join(str(item.get("_id")) for item in candidates[:20])
            criteria = " and ".join(f"{key} = {data[key]!r}" for key in keys)
            raise PlanhatEnsureError(
                f"{len(candidates)} {model.name} objects match {criteria}: {ids}. Cannot tell which to update."
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
        if not concurrency_safe(model, data):
            return Outcome("created", self.entities.create(model, payload), sorted(payload), payload)
        # A keyed bulk upsert: if another run created it meanwhile, this matches it instead of duplicating.
        summary = BulkUpserter(self.session).upsert(model, [payload], on_error="continue")
        if summary.errors:
            raise PlanhatEnsureError(f"Ensure could not create the {model.name}: {summary.errors[0]['message']}")
        entity_id = summary.upserted_ids[0] if summary.upserted_ids else _first_id(summary)
        if entity_id:
            entity = {**payload, "_id": entity_id}
        else:  # matched and unchanged: an earlier attempt (whose answer was lost) or another run created it
            entity = self._find(model, payload, [_key_for(model, payload)]) or payload
        action = "updated" if summary.updated else "created"
        return Outcome(action, entity, sorted(payload), payload)

    # ----------------------------------------------------------------- many
    def ensure_many(
        self, model: Model, items: Sequence[Mapping[str, Any]], key: str, dry_run: bool = False, on_error: str = "fail"
    ) -> dict[str, Any]:
        require(model, Operation.LIST)
        require(model, Operation.BULK)
        _check_many(model, items, key)
        fields = sorted({name for item in items for name in item} | {key, "_id"})
        existing = self._index(model, key, fields)
        writes: list[dict[str, Any]] = []
        positions: list[int] = []
        report: dict[str, Any] = {"created": 0, "updated": 0, "unchanged": 0, "changed_fields": {}}
        for index, item in enumerate(items):
            stored = existing.get(str(item[key]))
            if stored is None:
                writes.append(dict(item))
                positions.append(index)
                report["created"] += 1
                continue
            payload, names = changes(item, stored)
            if not payload:
                report["unchanged"] += 1
                continue
            writes.append({"_id": stored["_id"], **payload})
            positions.append(index)
            report["updated"] += 1
            for name in names:
                report["changed_fields"][name] = report["changed_fields"].get(name, 0) + 1
        report["writes"] = len(writes)
        if dry_run or not writes:
            return {**report, "dry_run": dry_run, "errors": [], "requests": 0}
        return {**report, "dry_run": False, **self._write(model, writes, positions, on_error)}

    def _index(self, model: Model, key: str, fields: Sequence[str]) -> dict[str, dict[str, Any]]:
        select = ",".join(sorted({name.split(".")[0] for name in fields}))
        index: dict[str, dict[str, Any]] = {}
        duplicates: dict[str, list[str]] = {}
        for page in self.entities.pages(model, {"select": select}):
            for item in page:
                value = item.get(key)
                if value in (None, ""):
                    continue
                text = str(value)
                if text in index:
                    duplicates.setdefault(text, [index[text]["_id"]]).append(item["_id"])
                index[text] = item
        if duplicates:
            listed = "; ".join(f"{key} {value!r}: {', '.join(ids)}" for value, ids in list(duplicates.items())[:10])
            raise PlanhatEnsureError(
                f"{model.name} objects share an identifying {key}, cannot tell which to update: {listed}"
            )
        return index

    def _write(self, model: Model, writes: list[dict[str, Any]], positions: list[int], on_error: str) -> dict[str, Any]:
        try:
            summary = BulkUpserter(self.session, resumable=False).upsert(
                model, writes, chunk_size=BULK_LIMIT, on_error="continue"
            )
        except PlanhatBulkError as error:
            advice = "Ensure is safe to repeat: run Ensure Entities again to finish."
            raise PlanhatBulkError(f"Ensure Entities: {error} {advice}", result=error.result) from None
        errors = [
            {**error, "index": positions[error["index"]] if error["index"] is not None else None}
            for error in summary.errors
        ]
        if errors and on_error == "fail":
            listed = "; ".join(f"item {error['index']}: {error['message']}" for error in errors[:10])
            raise PlanhatBulkError(
                f"Ensure Entities of {model.name}: {len(errors)} of {len(positions)} write(s) failed: {listed}",
                result={"errors": errors, "requests": summary.requests},
            )
        return {"errors": errors, "requests": summary.requests, "failed": len(errors)}


def _check_many(model: Model, items: Sequence[Mapping[str, Any]], key: str) -> None:
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems.append(f"item {index}: not a dictionary ({type(item).__name__})")
            continue
        if item.get(key) in (None, ""):
            problems.append(f"item {index}: no {key}")
            continue
        earlier = seen.setdefault(str(item[key]), index)
        if earlier != index:
            problems.append(f"item {index}: {key} {item[key]!r} repeats item {earlier}")
    if problems:
        raise PlanhatInputError(
            f"{len(problems)} of {len(items)} {model.name} item(s) cannot be ensured, nothing was sent: "
            f"{listing(problems)}"
        )


def _key_for(model: Model, data: Mapping[str, Any]) -> str:
    return next(key for key in ("sourceId", "externalId", *model.keyables) if data.get(key) not in (None, ""))


def _first_id(summary: BulkSummary) -> str | None:
    for keys in (*summary.inserts_keys, *summary.updates_keys):
        if isinstance(keys, Mapping) and keys.get("_id"):
            return str(keys["_id"])
    return None
