"""Loading a tenant profile (written by `Check Planhat Tenant`) so the field check knows that tenant's fields.

A profile holds the names a real tenant returned per API path, and its custom field definitions.
Loaded into a session, those names count as seen in the tenant: writes and queries that use them are
neither refused nor warned about, and a slip of one of them is refused naming it. When the session's
token may not read ``/customfields``, the profile's definitions (types, list values) stand in for
them. The file is checked before anything is used: a profile that is not one fails with a clear
message, under the same rules as the simulator's loader.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PlanhatLibrary.api.models import Model, resolve_model
from PlanhatLibrary.api.seen import SeenFields, seen_fields
from PlanhatLibrary.errors import PlanhatInputError
from PlanhatLibrary.services.schema import PROFILE_CUSTOM_FIELDS, CustomField

FORMAT = "planhat-tenant-profile/1"
MAX_BYTES = 10 * 1024 * 1024
MAX_NAMES = 5000
MAX_NAME = 200

Bad = Callable[[str], PlanhatInputError]


@dataclass(frozen=True)
class TenantProfile:
    """The field names of one tenant, per API path (top level and ``custom``), and its custom field definitions."""

    source: str
    top: Mapping[str, frozenset[str]]
    custom: Mapping[str, frozenset[str]]
    definitions: Mapping[str, Mapping[str, CustomField]] = field(default_factory=dict)

    def apply(self, cache: dict[str, Any]) -> None:
        """Make a session (its ``cache``) know the profile's fields."""
        seen: SeenFields = seen_fields(cache)
        for path in {*self.top, *self.custom}:
            seen.add_names(path, self.top.get(path, frozenset()), self.custom.get(path, frozenset()))
        if self.definitions:
            cache[PROFILE_CUSTOM_FIELDS] = {parent: dict(fields) for parent, fields in self.definitions.items()}


def load_profile(path: str | Path) -> TenantProfile:
    """Read and check a profile file; any problem is a PlanhatInputError naming the file."""
    where = Path(path)
    try:
        with open(where, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise PlanhatInputError(f"Tenant profile '{where}' is not a regular file.")
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise PlanhatInputError(f"Cannot read tenant profile '{where}': {error.strerror or error}.") from None
    if len(raw) > MAX_BYTES:
        raise PlanhatInputError(f"Tenant profile '{where}' is over {MAX_BYTES} bytes; a profile is smaller.")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise PlanhatInputError(f"Tenant profile '{where}' is not JSON: {reason}.") from None
    return profile_from(data, str(where))


def profile_from(data: Any, source: str) -> TenantProfile:
    """A profile from parsed JSON; ``source`` names it in messages."""

    def bad(why: str) -> PlanhatInputError:
        return PlanhatInputError(f"Tenant profile '{source}' {why}. Make one with Check Planhat Tenant.")

    if not isinstance(data, dict):
        raise bad("is not a JSON object")
    if data.get("format") != FORMAT:
        raise bad(f"has format {str(data.get('format'))[:60]!r}, expected {FORMAT!r}")
    models = data.get("models", {})
    if not isinstance(models, dict):
        raise bad("has a 'models' entry that is not an object")
    top: dict[str, frozenset[str]] = {}
    custom: dict[str, set[str]] = {}
    for path, entry in models.items():
        where = f"models.{str(path)[:60]}"
        if not isinstance(entry, dict):
            raise bad(f"has a '{where}' entry that is not an object")
        if entry.get("status") is not None and not isinstance(entry.get("status"), int):
            raise bad(f"has a '{where}.status' that is not a whole number")
        names = _names(entry.get("fields", {}), f"{where}.fields", bad)
        custom_names = _names(entry.get("custom", {}), f"{where}.custom", bad)
        model = _model(path)
        if model is not None:  # a model this version does not know: nothing to calibrate
            top[model.path] = names
            custom.setdefault(model.path, set()).update(custom_names)
    definitions: dict[str, dict[str, CustomField]] = {}
    for parent, definition in _definitions(data.get("customfields", []), bad):
        definitions.setdefault(parent.name, {})[definition.name] = definition
        custom.setdefault(parent.path, set()).add(definition.name)
    frozen = {path: frozenset(names) for path, names in custom.items()}
    return TenantProfile(source, top, frozen, definitions)


def _model(name: Any) -> Model | None:
    try:
        return resolve_model(str(name))
    except ValueError:
        return None


def _definitions(definitions: Any, bad: Bad) -> list[tuple[Model, CustomField]]:
    """(parent model, definition) of each custom field definition the registry can place."""
    if not isinstance(definitions, list):
        raise bad("has a 'customfields' entry that is not a list")
    if len(definitions) > MAX_NAMES:
        raise bad(f"has {len(definitions)} custom field definitions; at most {MAX_NAMES}")
    found = []
    for definition in definitions:
        if not isinstance(definition, dict) or not isinstance(definition.get("name"), str):
            raise bad("has a custom field definition without a name")
        if len(definition["name"]) > MAX_NAME:
            raise bad(f"has a custom field name of {len(definition['name'])} characters; at most {MAX_NAME}")
        values = definition.get("values", [])
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise bad(f"has custom field {definition['name'][:60]!r} whose values are not a list of text")
        parent = _model(definition.get("parent"))
        if parent is not None and definition["name"]:
            row = {"name": definition["name"], "type": definition.get("type"), "listValues": values}
            found.append((resolve_model(parent.path), CustomField.from_api(row)))
    return found


def _names(fields: Any, where: str, bad: Bad) -> frozenset[str]:
    if not isinstance(fields, dict):
        raise bad(f"has '{where}' that is not an object of field names")
    if len(fields) > MAX_NAMES:
        raise bad(f"has {len(fields)} names in '{where}'; at most {MAX_NAMES}")
    longest = max((len(name) for name in fields), default=0)
    if longest > MAX_NAME:
        raise bad(f"has a name of {longest} characters in '{where}'; at most {MAX_NAME}")
    return frozenset(name for name in fields if name)
