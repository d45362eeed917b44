"""Loading a tenant profile (written by `Check Planhat Tenant`) so the field check knows that tenant's fields.

A profile holds the names a real tenant returned per API path, and its custom field definitions.
Loaded into a session, those names count as seen in the tenant: writes and queries that use them are
neither refused nor warned about, and a slip of one of them is refused naming it. The file is
checked before anything is used: a profile that is not one fails with a clear message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import PlanhatInputError
from .models import Model, resolve_model
from .seen import SeenFields

FORMAT = "planhat-tenant-profile/1"
MAX_BYTES = 10 * 1024 * 1024
MAX_NAMES = 5000
MAX_NAME = 200


@dataclass(frozen=True)
class TenantProfile:
    """The field names of one tenant, per API path: top level and ``custom``."""

    source: str
    top: Mapping[str, frozenset[str]]
    custom: Mapping[str, frozenset[str]]

    def apply(self, seen: SeenFields) -> None:
        for path, names in self.top.items():
            seen.add_names(path, names, self.custom.get(path, frozenset()))
        for path, names in self.custom.items():
            seen.add_names(path, (), names)


def load_profile(path: str | Path) -> TenantProfile:
    """Read and check a profile file; any problem is a PlanhatInputError naming the file."""
    where = Path(path)
    try:
        size = where.stat().st_size
        if size > MAX_BYTES:
            raise PlanhatInputError(f"Tenant profile '{where}' is {size} bytes; a profile is at most {MAX_BYTES}.")
        data = json.loads(where.read_text(encoding="utf-8"))
    except OSError as error:
        raise PlanhatInputError(f"Cannot read tenant profile '{where}': {error.strerror or error}.") from None
    except ValueError as error:
        if isinstance(error, PlanhatInputError):
            raise
        raise PlanhatInputError(f"Tenant profile '{where}' is not JSON: {error}.") from None
    return profile_from(data, str(where))


def profile_from(data: Any, source: str) -> TenantProfile:
    """A profile from parsed JSON; ``source`` names it in messages."""

    def bad(why: str) -> PlanhatInputError:
        return PlanhatInputError(f"Tenant profile '{source}' {why}. Make one with Check Planhat Tenant.")

    if not isinstance(data, dict):
        raise bad("is not a JSON object")
    if data.get("format") != FORMAT:
        raise bad(f"has format {str(data.get('format'))[:60]!r}, expected {FORMAT!r}")
    models = data.get("models")
    if not isinstance(models, dict):
        raise bad("has no 'models' object")
    top: dict[str, frozenset[str]] = {}
    custom: dict[str, set[str]] = {}
    for path, entry in models.items():
        model = _model(path)
        if model is None:
            continue  # a model this version does not know: nothing to calibrate
        if not isinstance(entry, dict):
            raise bad(f"has a 'models.{str(path)[:60]}' entry that is not an object")
        top[model.path] = _names(entry.get("fields", {}), f"models.{path}.fields", bad)
        custom.setdefault(model.path, set()).update(_names(entry.get("custom", {}), f"models.{path}.custom", bad))
    for parent, name in _definitions(data.get("customfields", []), bad):
        custom.setdefault(parent, set()).add(name)
    return TenantProfile(source, top, {path: frozenset(names) for path, names in custom.items()})


def _model(name: Any) -> Model | None:
    try:
        return resolve_model(str(name))
    except ValueError:
        return None


def _definitions(definitions: Any, bad: Callable[[str], PlanhatInputError]) -> list[tuple[str, str]]:
    """(path of the parent model, name) of each custom field definition the registry can place."""
    if not isinstance(definitions, list):
        raise bad("has a 'customfields' entry that is not a list")
    found = []
    for definition in definitions[:MAX_NAMES]:
        if not isinstance(definition, dict) or not isinstance(definition.get("name"), str):
            raise bad("has a custom field definition without a name")
        parent = _model(definition.get("parent"))
        if parent is not None and 0 < len(definition["name"]) <= MAX_NAME:
            found.append((parent.path, definition["name"]))
    return found


def _names(fields: Any, where: str, bad: Callable[[str], PlanhatInputError]) -> frozenset[str]:
    if not isinstance(fields, dict):
        raise bad(f"has '{where}' that is not an object of field names")
    if len(fields) > MAX_NAMES:
        raise bad(f"has {len(fields)} names in '{where}'; at most {MAX_NAMES}")
    return frozenset(name for name in fields if isinstance(name, str) and 0 < len(name) <= MAX_NAME)
