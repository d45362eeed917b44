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
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from .models import Model, Operation, resolve_model

CUSTOM = "custom"


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

    def knows(self, name: str) -> bool | None:
        """Whether ``name`` (``mrr``, ``custom.Health``) is a field of the model; None when it cannot tell."""
        top, _, rest = name.partition(".")
        if top == CUSTOM and rest:
            return rest.partition(".")[0] in self.custom if self.custom else None
        if top in self.standard or top == CUSTOM:
            return True
        return False if self.standard else None

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
        custom = self._custom_fields(refresh).get(model.name, {}) if with_custom else {}
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
