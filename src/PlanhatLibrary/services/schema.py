"""What fields a model has: its documented fields, its custom fields (``/customfields``) and the fields
the tenant returned.

Documented fields come from planhat.com/developers/api/<model> (``data/standard_fields.json``, with the
page of each model) and, field by field, from other public sources (Airbyte's source-planhat schemas,
Planhat's example answers, other clients), each with its source. No page says its table is complete,
and one (churn) says it is a placeholder: a field missing from a table is unknown, not wrong. Custom
fields are read from the tenant: one listing of ``/customfields`` per session, kept until refreshed
(or until a custom field is written through the library), each with its ``parent`` model, ``name``,
``type``, ``isMandatory``, ``isFormula`` and ``listValues`` (planhat.com/developers/api/custom-field).
A token that may not read ``/customfields`` (403, 404) gets one warning, and custom values are sent
unchecked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from PlanhatLibrary.api.models import GENERATED_FIELDS, Model, Operation, resolve_model
from PlanhatLibrary.api.results import ModelInfo
from PlanhatLibrary.api.seen import CUSTOM, SeenFields, seen_fields
from PlanhatLibrary.errors import PlanhatError
from PlanhatLibrary.log import logger

#: Fields Planhat fills in on every object (their values may come back in an export and be loaded again).
GENERATED = (*GENERATED_FIELDS, "createDate")
#: The session cache entry holding the tenant's custom fields; a write to ``customfields`` drops it.
CUSTOM_FIELDS_CACHE = "custom_fields"
#: Cached in place of the custom fields when the token may not read them.
UNREADABLE = "unreadable"
#: The session cache entry holding a tenant profile's custom field definitions (by parent model name): used when
#: the token may not read ``/customfields``.
PROFILE_CUSTOM_FIELDS = "profile_custom_fields"


@cache
def _tables() -> dict[str, Any]:
    text = resources.files("PlanhatLibrary").joinpath("data/standard_fields.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def table_of(model: Model) -> dict[str, Any]:
    """The documented field table of a model; a model documented as another one's kind (a note is a
    conversation) reads that model's table."""
    entry: dict[str, Any] = _tables().get(model.name, {})
    same_as = entry.get("same_as")
    if same_as:
        kind = _tables().get(str(same_as), {})
        return {**entry, "fields": {**kind.get("fields", {}), **entry.get("fields", {})}}
    return entry


@dataclass(frozen=True)
class CustomField:
    name: str
    type: str
    mandatory: bool = False
    formula: bool = False
    values: tuple[str, ...] = ()  # listValues of list and multipicklist fields

    @classmethod
    def from_api(cls, row: dict[str, Any]) -> CustomField:
        given = row.get("listValues")
        values: list[Any] = given if isinstance(given, list) else []
        return cls(
            name=str(row.get("name")),
            type=str(row.get("type") or "text"),
            mandatory=bool(row.get("isMandatory")),
            formula=bool(row.get("isFormula")),
            values=tuple(str(value) for value in values),
        )


@dataclass(frozen=True)
class ModelDescription:
    """A model as a robot sees it: its fields, keys, required fields, operations and page size.

    ``custom`` is None when the tenant's custom fields could not be read (or were not asked for).
    """

    model: Model
    standard: dict[str, dict[str, Any]]
    custom: dict[str, CustomField] | None = None
    source: str | None = None
    seen: frozenset[str] = frozenset()  # top-level fields of objects this session read
    seen_custom: frozenset[str] = frozenset()
    placeholder: bool = False  # the source page says it is a placeholder

    @property
    def always(self) -> set[str]:
        """Fields every object of the model has or takes, listed on its page or not: keys, company
        reference, defaults and what Planhat generates."""
        model = self.model
        return {*model.keyables, model.company_field or "", *model.required, *model.defaults, *GENERATED, CUSTOM} - {""}

    @property
    def known(self) -> frozenset[str]:
        """Every top-level name that is proven a field of the model: documented, always there, or seen."""
        return frozenset({*self.standard, *self.always, *self.seen})

    def kind_of(self, name: str) -> str | None:
        """The type of a field (``number``, ``date``...), or None when unknown."""
        top, _, rest = name.partition(".")
        if top == CUSTOM and self.custom and rest in self.custom:
            return self.custom[rest].type
        spec = self.standard.get(name)
        return str(spec.get("type")) if spec else None

    def to_dict(self) -> ModelInfo:
        model = self.model
        return {
            "model": model.name,
            "path": model.path,
            "operations": [operation.value for operation in Operation if model.supports(operation)],
            "identifying_keys": list(model.keyables),
            "required": list(model.required),
            "page_size": model.page_cap,
            "standard_fields": {name: spec.get("type", "unknown") for name, spec in self.standard.items()},
            "standard_fields_complete": False,  # no source page says its table is complete
            "seen_fields": sorted(self.seen - set(self.standard)),
            "custom_fields": {
                name: {
                    "type": custom.type,
                    "mandatory": custom.mandatory,
                    "formula": custom.formula,
                    "values": list(custom.values),
                }
                for name, custom in (self.custom or {}).items()
            },
            "custom_fields_readable": self.custom is not None,
            "source": self.source,
        }


#: Fields a search looks in, where the model has them.
SEARCH_FIELDS = ("name", "externalId", "email", "domains", "firstName", "lastName", "nickName", "title")


class SchemaService:
    """Describes models; the tenant's custom fields are read once per session (``refresh`` reads them again)."""

    def __init__(self, entities: Any) -> None:
        self.entities = entities  # an EntityService
        self.session = entities.session

    @property
    def seen(self) -> SeenFields:
        return seen_fields(self.session.cache)

    def describe(self, model: Model | str, refresh: bool = False, with_custom: bool = True) -> ModelDescription:
        model = resolve_model(model)
        entry = table_of(model)
        custom = None
        if with_custom:
            by_parent = self.custom_fields(refresh)
            custom = None if by_parent is None else by_parent.get(_parent_name(model.name) or model.name, {})
        return ModelDescription(
            model,
            dict(entry.get("fields", {})),
            custom,
            entry.get("source"),
            self.seen.top_level(model.path),
            self.seen.custom_names(model.path),
            bool(entry.get("placeholder")),
        )

    def search_fields(self, model: Model) -> list[str]:
        """The text identity fields Search Entities looks in: those of ``SEARCH_FIELDS`` the model documents."""
        standard = self.describe(model, with_custom=False).standard
        return [name for name in SEARCH_FIELDS if name in standard] or ["name"]

    def custom_fields(self, refresh: bool = False) -> dict[str, dict[str, CustomField]] | None:
        """The tenant's custom fields by parent model; None (after one warning) when the token may not read them."""
        cached = self.session.cache.get(CUSTOM_FIELDS_CACHE)
        if cached is not None and not refresh:
            return None if cached == UNREADABLE else dict(cached)
        by_parent: dict[str, dict[str, CustomField]] = {}
        try:
            for page in self.entities.pages(resolve_model("customfields"), {}):
                for row in page:
                    parent = _parent_name(row.get("parent"))
                    if parent and row.get("name"):
                        by_parent.setdefault(parent, {})[str(row["name"])] = CustomField.from_api(row)
        except PlanhatError as error:  # 403/404 (the token may not read them), or a failure that outlasted retries
            from_profile = self.session.cache.get(PROFILE_CUSTOM_FIELDS)
            if from_profile:
                if cached is None:
                    why = getattr(error, "status", None) or type(error).__name__
                    logger.info(f"Cannot read the tenant's custom fields ({why}): the tenant profile's are used.")
                self.session.cache[CUSTOM_FIELDS_CACHE] = from_profile
                return dict(from_profile)
            if cached != UNREADABLE:
                status = getattr(error, "status", None)
                logger.warn(
                    f"Cannot read the tenant's custom fields ({status or type(error).__name__}): custom field names, "
                    "types and list values are not checked in this session, and values are sent as given. "
                    "Describe Model with refresh=${True} reads them again."
                )
            self.session.cache[CUSTOM_FIELDS_CACHE] = UNREADABLE
            return None
        self.session.cache[CUSTOM_FIELDS_CACHE] = by_parent
        return by_parent


def forget_definitions(cache: dict[str, Any], path: str) -> None:
    """After a write to ``path`` (``customfields``, ``customfields/...`` through Send Planhat Request), the
    session reads the tenant's custom fields again when next needed."""
    try:
        model = resolve_model(path.strip("/ ").split("/")[0].split("?")[0])
    except ValueError:
        return
    if model.defines_fields:
        cache.pop(CUSTOM_FIELDS_CACHE, None)


def _parent_name(parent: Any) -> str | None:
    """``Company``, ``company`` or ``companies`` -> ``Company`` (the registry's name); None when unknown.

    Notes are conversations: their custom fields are the Conversation ones."""
    try:
        model = resolve_model(str(parent))
    except ValueError:
        return None
    return resolve_model(model.path).name
