"""What fields a model has: its standard fields (from Planhat's API pages) and its custom fields (``/customfields``).

Standard fields come from planhat.com/developers/api/<model> (``data/standard_fields.json``, with the
page of each model; a few models' tables were read only in part, and fields other Planhat clients
show were added with their source). Custom fields are read from the tenant: one listing of
``/customfields`` per session, kept until refreshed, each with its ``parent`` model, ``name``,
``type``, ``isMandatory``, ``isFormula`` and ``listValues`` (planhat.com/developers/api/custom-field).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from .models import GENERATED_FIELDS, Model, Operation, resolve_model
from .payloads import nested_custom

CUSTOM = "custom"
#: Fields Planhat fills in on every object (their values may come back in an export and be loaded again).
GENERATED = (*GENERATED_FIELDS, "createDate", "createdAt", "updatedAt")


@cache
def _standard() -> dict[str, Any]:
    text = resources.files("PlanhatLibrary").joinpath("data/standard_fields.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


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
    """A model as a robot sees it: its fields, keys, required fields, operations and page size."""

    model: Model
    standard: dict[str, dict[str, Any]]
    custom: dict[str, CustomField] = field(default_factory=dict)
    complete: bool = False  # whether the model's documented field table was read whole
    source: str | None = None

    @property
    def always(self) -> set[str]:
        """Fields every object of the model has or takes, listed on its page or not: keys, company
        reference, defaults and what Planhat generates."""
        model = self.model
        return {*model.keyables, model.company_field or "", *model.defaults, *GENERATED, CUSTOM}

    def knows(self, name: str) -> bool | None:
        """Whether ``name`` (``mrr``, ``custom.Health``) is a field of the model; None when it cannot tell."""
        top, _, rest = name.partition(".")
        if top == CUSTOM and rest:
            return rest.partition(".")[0] in self.custom if self.custom else None
        if top in self.standard or top in self.always:
            return True
        if not self.standard:
            return None
        # A page read in part cannot rule a field out, but a near miss of a known field is a typo.
        near = difflib.get_close_matches(top, [*self.standard, *self.always], n=1, cutoff=0.8)
        return False if self.complete or near else None

    def kind_of(self, name: str) -> str | None:
        """The type of a field (``number``, ``date``...), or None when unknown."""
        top, _, rest = name.partition(".")
        if top == CUSTOM and rest in self.custom:
            return self.custom[rest].type
        spec = self.standard.get(name)
        return str(spec.get("type")) if spec else None

    def suggestions(self, name: str) -> list[str]:
        names = [*self.standard, *(f"{CUSTOM}.{custom}" for custom in self.custom)]
        return difflib.get_close_matches(name, names, n=3, cutoff=0.6)

    def to_dict(self) -> dict[str, Any]:
        model = self.model
        return {
            "model": model.name,
            "path": model.path,
            "operations": [operation.value for operation in Operation if model.supports(operation)],
            "identifying_keys": list(model.keyables),
            "required": list(model.required),
            "page_size": model.page_cap,
            "standard_fields": {name: spec.get("type", "unknown") for name, spec in self.standard.items()},
            "standard_fields_complete": self.complete,
            "custom_fields": {
                name: {
                    "type": custom.type,
                    "mandatory": custom.mandatory,
                    "formula": custom.formula,
                    "values": list(custom.values),
                }
                for name, custom in self.custom.items()
            },
            "source": self.source,
        }


class SchemaService:
    """Describes models; the tenant's custom fields are read once per session (``refresh`` reads them again)."""

    def __init__(self, entities: Any) -> None:
        self.entities = entities  # an EntityService
        self.session = entities.session

    def describe(self, model: Model | str, refresh: bool = False, with_custom: bool = True) -> ModelDescription:
        model = resolve_model(model)
        entry = _standard().get(model.name, {})
        parent = "Conversation" if model.path == "conversations" else model.name  # notes are conversations
        custom = self._custom_fields(refresh).get(parent, {}) if with_custom else {}
        return ModelDescription(
            model, dict(entry.get("fields", {})), custom, bool(entry.get("complete")), entry.get("source")
        )

    def _custom_fields(self, refresh: bool) -> dict[str, dict[str, CustomField]]:
        cached: dict[str, dict[str, CustomField]] | None = self.session.cache.get("custom_fields")
        if cached is not None and not refresh:
            return cached
        by_parent: dict[str, dict[str, CustomField]] = {}
        for page in self.entities.pages(resolve_model("customfields"), {}):
            for row in page:
                parent = _parent_name(row.get("parent"))
                if parent and row.get("name"):
                    by_parent.setdefault(parent, {})[str(row["name"])] = CustomField.from_api(row)
        self.session.cache["custom_fields"] = by_parent
        return by_parent


def _parent_name(parent: Any) -> str | None:
    """``Company``, ``company`` or ``companies`` -> ``Company`` (the registry's name); None when unknown."""
    try:
        return resolve_model(str(parent)).name
    except ValueError:
        return None


# ------------------------------------------------------------------ custom field values
TRUE_WORDS, FALSE_WORDS = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})
NUMBER_TYPES = ("number", "integer", "rating")


def _number(text: str) -> int | float:
    """``4`` -> 4 (whole numbers stay exact), ``4.5`` and ``1e3`` -> floats; anything else is refused."""
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        raise ValueError(f"{text!r} is not a number")
    return float(text)


def converted(field: CustomField, value: Any) -> Any:
    """A custom field's value read from text (a CSV cell without a typed header), by the field's type."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text and field.type in (*NUMBER_TYPES, "checkbox"):
        return None  # an empty cell clears nothing: it is left as no value
    if field.type in NUMBER_TYPES:
        return _number(text)
    if field.type == "checkbox":
        if text.lower() not in TRUE_WORDS | FALSE_WORDS:
            raise ValueError(f"{text!r} is not a checkbox value (true or false)")
        return text.lower() in TRUE_WORDS
    if field.type in ("multipicklist", "team members", "endusers"):
        return json.loads(text) if text.startswith("[") else [part.strip() for part in text.split(";") if part.strip()]
    return value


def value_problem(field: CustomField, value: Any) -> str | None:
    """Why ``value`` cannot be stored in the custom field, or None."""
    if value is None:
        return None
    if field.formula:
        return "is a formula field: Planhat computes it, it cannot be written"
    if field.type in NUMBER_TYPES and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"is a number field, got {type(value).__name__} {value!r}"
    if field.type == "checkbox" and not isinstance(value, bool):
        return f"is a checkbox field, got {type(value).__name__} {value!r}"
    if field.type == "list" and field.values and str(value) not in field.values:
        return f"must be one of {', '.join(field.values)}, got {value!r}"
    if field.type == "multipicklist" and field.values:
        chosen = value if isinstance(value, list) else [value]
        wrong = [str(item) for item in chosen if str(item) not in field.values]
        if wrong:
            return f"values must be among {', '.join(field.values)}, got {', '.join(wrong)}"
    return None


class CustomFieldCheck:
    """The tenant's custom fields of one model, read when the first item with ``custom`` needs them."""

    def __init__(self, schema: SchemaService, model: Model, enabled: bool = True) -> None:
        self.schema, self.model, self.enabled = schema, model, enabled
        self._fields: dict[str, CustomField] | None = None
        self._standard: ModelDescription | None = None
        self.unsure: set[str] = set()  # top-level fields a partly documented model may or may not have

    @property
    def fields(self) -> dict[str, CustomField]:
        if self._fields is None:
            self._fields = self.schema.describe(self.model).custom
        return self._fields

    def convert(self, item: Any) -> Any:
        """``item`` with ``custom.X`` keys nested under ``custom`` and, when checking, the text values of its
        custom fields read by their type; bad text raises ValueError."""
        if isinstance(item, dict) and any(str(key).startswith(CUSTOM + ".") for key in item):
            item = nested_custom(item, f"{self.model.name} item")
        if not self.enabled:
            return item
        custom = item.get(CUSTOM) if isinstance(item, dict) else None
        if not isinstance(custom, dict) or not custom or not self.fields:
            return item
        values = {}
        for name, value in custom.items():
            field = self.fields.get(name)
            try:
                values[name] = converted(field, value) if field is not None else value
            except ValueError as error:
                raise ValueError(f"column custom.{name}: {error}") from None
        return {**item, CUSTOM: values}

    def problem(self, item: Any, creating: bool = False) -> str | None:
        """Why the item's fields cannot be written, or None.

        A top-level field the model's documented table does not list fails where the table was read
        whole, and is only noted in ``unsure`` where it was not; custom fields are checked against
        the tenant's definitions (none defined: nothing to check against).
        """
        if not self.enabled or not isinstance(item, dict):
            return None
        top_level = self._top_level(item)
        if top_level:
            return top_level
        custom = item.get(CUSTOM)
        if custom is not None and not isinstance(custom, dict):
            return f"custom must be an object of custom fields, got {type(custom).__name__}"
        if not isinstance(custom, dict):  # a create without custom values still owes the mandatory ones
            mandatory = [name for name, field in self.fields.items() if field.mandatory] if creating else []
            return self._mandatory(mandatory, creating)
        if not self.fields:
            return None
        for name, value in custom.items():
            field = self.fields.get(name)
            if field is None:
                close = difflib.get_close_matches(name, list(self.fields), n=2)
                hint = f" (did you mean {' or '.join(f'custom.{option}' for option in close)}?)" if close else ""
                return f"custom.{name} is not a custom field of {self.model.name}{hint}"
            reason = value_problem(field, value)
            if reason:
                return f"custom.{name} {reason}"
        missing = [name for name, field in self.fields.items() if field.mandatory and custom.get(name) in (None, "")]
        return self._mandatory(missing, creating)

    def _mandatory(self, missing: list[str], creating: bool) -> str | None:
        """Only a create owes the mandatory custom fields (reading them costs one request per session)."""
        return (
            f"custom field(s) {', '.join(missing)} are mandatory for a new {self.model.name}"
            if creating and missing
            else None
        )

    def _top_level(self, item: dict[str, Any]) -> str | None:
        if self._standard is None:
            self._standard = self.schema.describe(self.model, with_custom=False)
        description = self._standard
        if not description.standard:
            return None
        allowed = {*description.standard, *description.always}
        unknown = [name for name in item if name not in allowed]
        if not unknown:
            return None
        if not description.complete:
            self.unsure.update(unknown)
            return None
        close = description.suggestions(unknown[0])
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        return (
            f"{', '.join(unknown)} is not a field of {self.model.name}{hint}; check_fields=${{False}} sends it anyway"
        )
