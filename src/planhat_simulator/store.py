"""In-memory Planhat data: objects per API path, looked up by ``_id``, ``externalId``, ``sourceId``.

The store knows Planhat's data rules (required fields, keyables, uniqueness scopes, company
references, partial updates, bulk upsert matching) from ``facts.py``, and plays the unsettled ones
as ``behaviour.py`` says; it knows nothing about HTTP. One lock guards it, so concurrent clients see
every write whole.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar, cast

from .behaviour import Behaviour
from .facts import BULK_LIMIT, GENERATED_FIELDS, MODELS, UNMAPPED, VERSION_KEY, ModelFacts, model_named
from .profile import TenantProfile

Entity = dict[str, Any]
_T = TypeVar("_T")
INDEXED_FIELDS = ("externalId", "sourceId", "email", "extId")
EXTID, SRCID = "extid-", "srcid-"
FILTERS = ("companyId", "email")  # the list filters ``_matches`` applies


class StoreError(Exception):
    """A request the store refuses; carries the HTTP status the simulator answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class IgnoredError(Exception):
    """Planhat drops the object without an error (an end user it cannot map to a company)."""


_LAST_STAMP: list[Any] = [0, ""]


def now_iso() -> str:
    """The current UTC time as Planhat writes it, to the millisecond (formatted once per millisecond)."""
    millis = time.time_ns() // 1_000_000
    if millis != _LAST_STAMP[0]:
        moment = datetime.fromtimestamp(millis / 1000, timezone.utc)
        _LAST_STAMP[:] = [millis, moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")]
    return str(_LAST_STAMP[1])


_ID_COUNTER = itertools.count(int.from_bytes(os.urandom(7), "big"))


def new_object_id() -> str:
    """A 24-hex-digit id shaped like a MongoDB ObjectId, as Planhat's ``_id``: seconds, then a counter
    that starts at a random value (as an ObjectId's), so ids never repeat within a process."""
    return f"{int(time.time()):08x}{next(_ID_COUNTER) & 0xFFFFFFFFFFFFFFFF:016x}"


def clone(value: _T) -> _T:
    """A deep copy of JSON data (dicts, lists and scalars), several times faster than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return cast(_T, {key: clone(item) if isinstance(item, dict | list) else item for key, item in value.items()})
    if isinstance(value, list):
        return cast(_T, [clone(item) if isinstance(item, dict | list) else item for item in value])
    return value


@dataclass
class Collection:
    """The objects of one API path with an index per identifying field (a value may name several
    objects where the uniqueness scope is the company: end users' ``externalId``)."""

    external_field: str = "externalId"  # what ``extid-`` looks up (invoices: ``extId``, a guess)
    by_id: dict[str, Entity] = field(default_factory=dict)
    index: dict[str, dict[str, list[str]]] = field(default_factory=lambda: {name: {} for name in INDEXED_FIELDS})
    _order: list[str] | None = field(default=None, repr=False)  # ids in storage order, rebuilt after an add/remove

    def ordered(self) -> list[str]:
        """Every ``_id`` in storage order; built once per change of the set of ids, so a page is O(page)."""
        if self._order is None:
            self._order = list(self.by_id)
        return self._order

    def find(self, ident: str) -> Entity | None:
        """Look an object up by ``_id``, ``extid-<externalId>`` or ``srcid-<sourceId>``.

        Where an ``externalId`` names several objects, the first stored one answers (a guess).
        """
        if ident.startswith(EXTID):
            return self.find_by(self.external_field, ident[len(EXTID) :])
        if ident.startswith(SRCID):
            return self.find_by("sourceId", ident[len(SRCID) :])
        return self.by_id.get(ident)

    def find_by(self, key: str, value: object) -> Entity | None:
        found = self.find_all(key, value)
        return found[0] if found else None

    def find_all(self, key: str, value: object) -> list[Entity]:
        if key == "_id":
            entity = self.by_id.get(str(value))
            return [entity] if entity is not None else []
        ids = self.index[key].get(str(value), []) if key in self.index else []
        return [self.by_id[object_id] for object_id in ids]

    def put(self, entity: Entity) -> None:
        old = self.by_id.get(entity["_id"])
        if old is not None:
            self._unindex(old)
        else:
            self._order = None
        self.by_id[entity["_id"]] = entity
        for name in INDEXED_FIELDS:
            value = entity.get(name)
            if value not in (None, ""):
                self.index[name].setdefault(str(value), []).append(entity["_id"])

    def remove(self, entity: Entity) -> None:
        self._unindex(entity)
        del self.by_id[entity["_id"]]
        self._order = None

    def _unindex(self, entity: Entity) -> None:
        for name in INDEXED_FIELDS:
            value = entity.get(name)
            ids = self.index[name].get(str(value)) if value not in (None, "") else None
            if ids and entity["_id"] in ids:
                ids.remove(entity["_id"])
                if not ids:
                    del self.index[name][str(value)]


def _bulk_result() -> dict[str, Any]:
    return {
        "created": 0,
        "createdErrors": [],
        "insertsKeys": [],
        "updated": 0,
        "updatedErrors": [],
        "updatesKeys": [],
        "nonupdates": 0,
        "modified": [],
        "upsertedIds": [],
        "permissionErrors": [],
        "validationErrors": [],  # in the bulk example of planhat.com/developers/api/timesheet
    }


@dataclass
class BulkRun:
    """One bulk upsert in progress."""

    model: ModelFacts
    duplicates: dict[int, str]
    fail_keys: frozenset[str]
    result: dict[str, Any] = field(default_factory=_bulk_result)


def merge_changes(entity: Entity, changes: Mapping[str, Any], custom_update: str = "merge") -> list[str]:
    """Apply a partial update in place and return the changed fields.

    ``custom`` merges per field (``custom_update="merge"``) or replaces the stored object
    (``"replace"``): Planhat documents neither, so the simulator plays both.
    """
    changed: list[str] = []
    for key, value in changes.items():
        if key == VERSION_KEY:  # Planhat keeps its own version key (what it does with a given one: a guess)
            continue
        stored = entity.get("custom")
        if key == "custom" and isinstance(value, Mapping) and isinstance(stored, dict) and custom_update == "merge":
            diff = [name for name, item in value.items() if stored.get(name, _MISSING) != item]
            stored.update({name: clone(value[name]) for name in diff})
            changed.extend(f"custom.{name}" for name in diff)
        elif entity.get(key, _MISSING) != value:
            entity[key] = clone(value)
            changed.append(key)
    return changed


_MISSING = object()


class EntityStore:
    """Every model's objects plus the analytics data the simulator received.

    With a tenant ``profile`` it answers as that tenant did (see ``profile.py``): its custom field
    definitions are stored on every reset, its field names are in every row read, its page caps apply.
    """

    def __init__(self, behaviour: Behaviour | None = None, profile: TenantProfile | None = None) -> None:
        self.lock = threading.RLock()
        self.behaviour = behaviour or Behaviour()
        self.profile = profile
        self.collections: dict[str, Collection] = {}
        self.activities: list[Entity] = []
        self.metrics: list[Entity] = []
        self.reset()

    # ----------------------------------------------------------------- state
    def reset(self) -> None:
        with self.lock:
            self.collections = {}
            for model in MODELS:
                external = "extId" if "extId" in model.keyables else "externalId"
                self.collections.setdefault(model.path, Collection(external))
            self.activities = []
            self.metrics = []
            if self.profile is not None:  # configuration, not data: a reset keeps the tenant's definitions
                self.seed("customfields", self.profile.customfield_entities())

    def collection(self, model: ModelFacts) -> Collection:
        return self.collections[model.path]

    def dump(self) -> dict[str, Any]:
        with self.lock:
            state: dict[str, Any] = {path: list(col.by_id.values()) for path, col in self.collections.items()}
            state["_activities"] = list(self.activities)
            state["_metrics"] = list(self.metrics)
            return clone(state)

    def counts(self) -> dict[str, int]:
        """Objects per API path, plus stored activities and metrics."""
        with self.lock:
            counts = {path: len(collection.by_id) for path, collection in self.collections.items()}
            return {**counts, "activities": len(self.activities), "metrics": len(self.metrics)}

    def load(self, state: Mapping[str, Any]) -> None:
        with self.lock:
            self.reset()
            self.activities = list(state.get("_activities", []))
            self.metrics = list(state.get("_metrics", []))
            for path, items in state.items():
                if not path.startswith("_"):
                    self.seed(path, items)

    def save_file(self, path: Path) -> None:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.dump()), encoding="utf-8")
        tmp.replace(path)

    def seed(self, model_name: str, items: Iterable[Any]) -> int:
        """Insert objects as they are (an ``_id`` is generated when absent); no required-field check."""
        model = model_named(model_name)
        count = 0
        with self.lock:
            for index, item in enumerate(items):
                if not isinstance(item, Mapping):
                    raise StoreError(400, f"Seed item {index} for '{model.name}' is not a JSON object.")
                entity = {**model.defaults, **clone(dict(item))}
                entity.setdefault("_id", new_object_id())
                self._link_company(model, entity, strict=False)
                self.collection(model).put(entity)
                count += 1
        return count

    # ----------------------------------------------------------------- reads
    def get(self, model: ModelFacts, ident: str) -> Entity:
        with self.lock:
            entity = self.collection(model).find(ident)
            if entity is None:
                raise StoreError(404, f"{model.name} '{ident}' not found")
            return self._with_tenant_fields(model, [clone(entity)])[0]

    def select(self, model: ModelFacts, query: Mapping[str, str], *, capped: bool = True) -> list[Entity]:
        """A list page as the API answers it; ``capped=False`` (control API) ignores the page cap."""
        limit = _int_param(query, "limit", model.default_limit if capped else 10**12)
        offset = _int_param(query, "offset", 0)
        if capped:
            limit = min(limit, self._page_cap(model), self.behaviour.page_cap or limit)
        with self.lock:
            collection = self.collection(model)
            if not query.get("sort") and not any(query.get(name) for name in FILTERS) and not model.unlisted:
                page = [clone(collection.by_id[ident]) for ident in collection.ordered()[offset : offset + limit]]
            else:
                items = [item for item in collection.by_id.values() if _matches(model, item, query)]
                if query.get("sort"):
                    items = _sorted(items, query["sort"])
                page = clone(items[offset : offset + limit])
            if capped and self.behaviour.list_owner == "object":
                self._expand_owners(page)
        if capped:
            page = self._with_tenant_fields(model, page)
        select = [name.strip() for name in query.get("select", "").split(",") if name.strip()]
        if select:
            return [{key: item[key] for key in ("_id", *select) if key in item} for item in page]
        return page

    def _page_cap(self, model: ModelFacts) -> int:
        """Rows per list page at most: the tenant's measured cap when the profile has one, else the model's."""
        twin = self.profile.at(model.path) if self.profile is not None else None
        return twin.page_cap if twin is not None and twin.page_cap is not None else model.served_cap

    def _with_tenant_fields(self, model: ModelFacts, items: list[Entity]) -> list[Entity]:
        """``items`` carrying every top-level field the tenant's rows had (null when unset; a value is kept)."""
        twin = self.profile.at(model.path) if self.profile is not None else None
        if twin is not None and twin.fields:
            names = [name for name in twin.fields if name not in ("_id", "custom")]  # every stored object has an _id
            for item in items:
                for name in names:
                    item.setdefault(name, None)
                if "custom" in twin.fields and not isinstance(item.get("custom"), dict):
                    item["custom"] = {}  # the tenant's rows hold a custom object: an empty one, not null
        return items

    def _expand_owners(self, page: list[Entity]) -> None:
        """``owner``/``coOwner`` as ``{_id, nickName}``, as the Go client saw in list rows."""
        users = self.collections["users"]
        for item in page:
            for key in ("owner", "coOwner"):
                if isinstance(item.get(key), str):
                    user = users.by_id.get(item[key], {})
                    item[key] = {"_id": item[key], "nickName": user.get("nickName")}

    # ---------------------------------------------------------------- writes
    def create(self, model: ModelFacts, data: Mapping[str, Any]) -> Entity:
        """``POST /{model}``; an end user Planhat cannot map to a company answers ``{}`` (a guess)."""
        with self.lock:
            try:
                entity = self._new_entity(model, data, posted=True)
            except IgnoredError:
                return {}
            self.collection(model).put(entity)
            return clone(entity)

    def update(self, model: ModelFacts, ident: str, data: Mapping[str, Any]) -> Entity:
        """``PUT /{model}/{id}``; an end user Planhat cannot map to a company answers ``{}`` and is left as it was,
        as a create is (help article 9586991)."""
        generated = [name for name in GENERATED_FIELDS if name in data]
        if generated and self.behaviour.update_id == "refuse":
            raise StoreError(400, f"{', '.join(generated)} cannot be updated; leave it out of the body")
        data = {key: value for key, value in data.items() if key not in GENERATED_FIELDS}
        with self.lock:
            entity = self.collection(model).find(ident)
            if entity is None:
                raise StoreError(404, f"{model.name} '{ident}' not found")
            updated = clone(entity)
            merge_changes(updated, data, self.behaviour.custom_update)
            self._check_values(model, updated)
            try:
                self._link_company(model, updated, strict=True)
            except IgnoredError:
                return {}
            self._check_unique(model, updated)
            updated["updatedAt"] = now_iso()  # Planhat bumps it on every PUT
            self.collection(model).put(updated)
            return clone(updated)

    def delete(self, model: ModelFacts, ident: str) -> dict[str, int]:
        with self.lock:
            entity = self.collection(model).find(ident)
            if entity is None:
                raise StoreError(404, f"{model.name} '{ident}' not found")
            self.collection(model).remove(entity)
            return {"n": 1, "ok": 1, "deletedCount": 1}

    def bulk_upsert(
        self, model: ModelFacts, items: list[Any], fail_keys: frozenset[str] = frozenset()
    ) -> tuple[int, dict[str, Any]]:
        """Planhat's ``PUT /{model}``: returns the HTTP status (200/206/400) and the result object."""
        if len(items) > BULK_LIMIT:
            raise StoreError(400, f"Bulk upsert accepts at most {BULK_LIMIT} items, got {len(items)}.")
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise StoreError(400, f"Item {index} is not a JSON object.")
        with self.lock:
            run = BulkRun(model, _duplicated_keys(model, items), fail_keys)
            for index, item in enumerate(items):
                self._bulk_item(run, index, item)
        result = run.result
        errors = len(result["createdErrors"]) + len(result["updatedErrors"])
        succeeded = result["created"] + result["updated"] + result["nonupdates"]
        status = 200 if not errors else (206 if succeeded else 400)
        return status, result

    def _bulk_item(self, run: BulkRun, index: int, item: Entity) -> None:
        model, result, duplicates, fail_keys = run.model, run.result, run.duplicates, run.fail_keys
        existing = self._match(model, item)
        bucket = "updatedErrors" if existing is not None else "createdErrors"
        if index in duplicates:
            if existing is not None and existing["_id"] in result["upsertedIds"]:
                bucket = "createdErrors"  # it matched an item created earlier in this payload
            result[bucket].append(_item_error(model, index, item, f"{duplicates[index]} duplicated"))
            return
        if fail_keys and any(str(item.get(key)) in fail_keys for key in model.keyables if key in item):
            result[bucket].append(_item_error(model, index, item, "Injected failure for this item"))
            return
        if any(item.get(name) in (None, "") for name in model.dropped_without):
            return  # dropped without a word (tickets without email: planhat.com/developers/api/ticket)
        try:
            if existing is None:
                self._bulk_create(model, item, result)
            else:
                self._bulk_update(model, existing, item, result)
        except IgnoredError:
            return  # not created, not an error: Planhat says nothing (help article 9586991)
        except StoreError as error:
            result[bucket].append(_item_error(model, index, item, error.message))

    def _bulk_create(self, model: ModelFacts, item: Entity, result: dict[str, Any]) -> None:
        entity = self._new_entity(model, item)
        self.collection(model).put(entity)
        result["created"] += 1
        result["insertsKeys"].append(_keys_of(model, entity, item))
        result["upsertedIds"].append(entity["_id"])

    def _bulk_update(self, model: ModelFacts, existing: Entity, item: Entity, result: dict[str, Any]) -> None:
        updated = clone(existing)
        changed = merge_changes(updated, item, self.behaviour.custom_update)
        if not changed:
            result["nonupdates"] += 1
            return
        self._check_values(model, updated)
        self._link_company(model, updated, strict=True)
        self._check_unique(model, updated)
        updated["updatedAt"] = now_iso()
        self.collection(model).put(updated)
        result["updated"] += 1
        result["updatesKeys"].append(_keys_of(model, updated, item))
        result["modified"].append(updated["_id"])

    def _match(self, model: ModelFacts, item: Mapping[str, Any]) -> Entity | None:
        """The stored object a bulk item updates: the first keyable present that matches, in order."""
        collection = self.collection(model)
        for key in model.keyables:
            if item.get(key) in (None, ""):
                continue
            found = collection.find_all(key, item[key])
            if model.unique.get(key) == "company" and self.behaviour.enduser_match == "company":
                company = self._company_of(model, item)
                if company is not None:
                    found = [entity for entity in found if entity.get(model.company_ref or "") == company]
            if found or key == "_id":
                return found[0] if found else None
        return None

    def _company_of(self, model: ModelFacts, item: Mapping[str, Any]) -> str | None:
        ref = item.get(model.company_ref or "")
        if ref in (None, ""):
            return None
        company = self.collections["companies"].find(str(ref))
        return company["_id"] if company is not None else str(ref)

    # ---------------------------------------------------------------- rules
    def _new_entity(self, model: ModelFacts, data: Mapping[str, Any], *, posted: bool = False) -> Entity:
        """A new object; ``posted`` (``POST``) does not match keys, so an existing externalId makes a second object
        (``post_existing=duplicate``, support article 1778351) or a 400 (``refuse``)."""
        if data.get("_id") not in (None, ""):
            raise StoreError(400, f"{model.name} with _id '{data['_id']}' does not exist; omit _id to create one")
        entity: Entity = {**model.defaults, **model.create_defaults, **clone(dict(data))}
        missing = [name for name in model.required if entity.get(name) in (None, "")]
        if missing:
            raise StoreError(400, f"Missing required field(s) for {model.name}: {', '.join(missing)}")
        self._check_values(model, entity)
        self._link_company(model, entity, strict=True)
        duplicate = posted and self.behaviour.post_existing == "duplicate"
        self._check_unique(model, entity, skip=("externalId",) if duplicate else ())
        stamp = now_iso()
        entity["_id"] = new_object_id()
        entity.setdefault("createDate", stamp)
        entity["updatedAt"] = stamp
        entity[VERSION_KEY] = 0
        return entity

    def _check_values(self, model: ModelFacts, entity: Mapping[str, Any]) -> None:
        """Day fields hold whole days since 1970-01-01 (invoices); an ISO string is refused (a guess)."""
        for name in model.day_fields:
            value = entity.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise StoreError(400, f"{name} must be a whole number of days since 1970-01-01, got {value!r}")

    def _check_unique(self, model: ModelFacts, entity: Mapping[str, Any], skip: tuple[str, ...] = ()) -> None:
        collection = self.collection(model)
        for key, scope in model.unique.items():
            value = entity.get(key)
            if value in (None, "") or key in skip:
                continue
            for other in collection.find_all(key, value):
                same_scope = scope == "tenant" or other.get(model.company_ref or "") == entity.get(
                    model.company_ref or ""
                )
                if other["_id"] != entity.get("_id") and same_scope:
                    where = "" if scope == "tenant" else " in this company"
                    raise StoreError(400, f"{model.name} with {key} '{value}' already exists{where} ({other['_id']})")

    def _link_company(self, model: ModelFacts, entity: Entity, *, strict: bool) -> None:
        """Resolve ``extid-``/``srcid-`` company references and add ``companyName`` as Planhat does.

        An end user without a company, or with one that does not exist, is matched by its email's
        domain; one that still has no company is ignored without an error (help article 9586991).
        """
        name = model.company_ref
        if name not in ("companyId", "cId"):
            return
        company = None
        companies = self.collections["companies"]
        if entity.get(name) not in (None, ""):
            company = companies.find(str(entity[name]))
        elif model.path == "endusers" and entity.get("companyExternalId") not in (None, ""):
            company = companies.find_by("externalId", entity["companyExternalId"])  # help article 9586991
        if company is None and model.path == "endusers" and strict:
            company = self._company_by_domain(entity.get("email"))
            if company is None:
                raise IgnoredError(UNMAPPED)
        if company is None:
            if strict and entity.get(name) not in (None, ""):
                raise StoreError(400, f"{name} '{entity[name]}' does not match any company")
            return
        entity[name] = company["_id"]
        entity["companyName" if name == "companyId" else "cName"] = company.get("name")

    def _company_by_domain(self, email: object) -> Entity | None:
        domain = str(email).rpartition("@")[2].lower() if isinstance(email, str) and "@" in email else ""
        if not domain:
            return None
        for company in self.collections["companies"].by_id.values():
            domains = company.get("domains")
            if isinstance(domains, list) and domain in (str(item).lower() for item in domains):
                return company
        return None


def permission_denied(model: ModelFacts, items: list[Any]) -> dict[str, Any]:
    """The bulk result a read-only token gets: every item in ``permissionErrors``."""
    result = _bulk_result()
    result["permissionErrors"] = [
        _item_error(model, index, item if isinstance(item, Mapping) else {}, "Permission denied: read-only token")
        for index, item in enumerate(items)
    ]
    return result


def _item_error(model: ModelFacts, index: int, item: Mapping[str, Any], message: str) -> dict[str, Any]:
    keys = {key: item[key] for key in model.keyables if key in item}
    return {"index": index, "item": keys, "message": message}


def _keys_of(model: ModelFacts, entity: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    keys = {"_id": entity["_id"]}
    keys.update({key: entity[key] for key in ("externalId", "sourceId") if key in item and key in entity})
    return keys


def _duplicated_keys(model: ModelFacts, items: list[Entity]) -> dict[int, str]:
    """Items whose keyable value repeats an earlier item of the same payload, as Planhat rejects them.

    A key unique per company repeats only within one company (support article 8146372).
    """
    seen: dict[tuple[str, str, str], int] = {}
    duplicates: dict[int, str] = {}
    for index, item in enumerate(items):
        for key in model.keyables:
            value = item.get(key)
            if value in (None, ""):
                continue
            scope = str(item.get(model.company_ref or "")) if model.unique.get(key) == "company" else ""
            if (key, str(value), scope) in seen:
                duplicates[index] = key
            else:
                seen[(key, str(value), scope)] = index
    return duplicates


def _int_param(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise StoreError(400, f"Query parameter '{name}' must be a whole number, got '{raw}'") from None
    if value < 0:
        raise StoreError(400, f"Query parameter '{name}' must not be negative, got {value}")
    return value


def _matches(model: ModelFacts, item: Mapping[str, Any], query: Mapping[str, str]) -> bool:
    if any(item.get(name) for name in model.unlisted):
        return False  # an archived end user is not listed (planhat.com/developers/api/enduser)
    company_ids = query.get("companyId")
    if company_ids:
        wanted = {value.strip() for value in company_ids.split(",")}
        ref = item.get(model.company_ref or "companyId")
        refs = ref if isinstance(ref, list) else [ref]
        if not wanted.intersection(str(value) for value in refs):
            return False
    email = query.get("email")
    return not (email and str(item.get("email", "")).lower() != email.lower())


def _sorted(items: list[Entity], sort: str) -> list[Entity]:
    descending = sort.startswith("-")
    key = sort.lstrip("-+")

    def sort_key(item: Entity) -> tuple[int, str, int | float, str]:
        value = item.get(key)
        if value is None:
            return (1, "", 0, "")
        if isinstance(value, bool | int | float):
            return (0, "n", value, "")  # int and float compare exactly: no float() that overflows past 1e308
        return (0, "s", 0, str(value))

    present = [item for item in items if item.get(key) is not None]
    absent = [item for item in items if item.get(key) is None]
    return sorted(present, key=sort_key, reverse=descending) + absent
