"""A tenant profile: what the simulator needs to answer as one real Planhat tenant did (a twin).

Everything else in the simulator is its own reading of Planhat's documentation and of other clients,
each fact with a source (``facts.py``), or one of several readings of what is unsettled
(``behaviour.py``). A twin behaviour comes from neither: each one is what the user's own tenant
answered, recorded in a profile file that the library's ``Check Planhat Tenant`` keyword (or the
``planhat-check`` command) wrote during a read-only preflight of that tenant. The profile is the
source; where it says nothing, the simulator answers as it does without one.

The file (format ``planhat-tenant-profile/1``) holds names, types and limits only, never values of
objects, keys or tokens. What the simulator takes from it:

- ``models.<path>.status``: 401, 403 or 404 there is answered to every main-API request on that path;
- ``models.<path>.fields``: each list row and fetched object carries every one of these top-level
  names (null where the stored object has none);
- ``models.<path>.page_cap.cap``: at most this many rows per list page, instead of the documented cap;
- ``customfields``: the tenant's custom field definitions, served at ``/customfields`` (after a reset too).

Paths the simulator does not serve are skipped. Input that is not such a profile fails with one
:class:`ProfileError` naming the file and what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeGuard

from .facts import model_at

FORMAT = "planhat-tenant-profile/1"
#: A profile holds names and limits only: anything larger is not one.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: At most this many field names per model (and custom field definitions per parent model).
MAX_FIELDS = 5000
#: At most this many characters in a name (of a field, a type, a parent model).
MAX_NAME = 200
#: At most this many characters in one value of a list custom field.
MAX_LIST_VALUE = 1000
#: Custom field types whose definitions carry ``listValues`` (planhat.com/developers/api/custom-field).
LIST_TYPES = frozenset({"list", "multipicklist"})


class ProfileError(ValueError):
    """A tenant profile the simulator cannot use: the message names the file and what is wrong."""


@dataclass(frozen=True)
class PathProfile:
    """What the tenant answered on one API path (``companies``)."""

    path: str
    status: int | None  # None: the tenant gave no HTTP answer (the check could not reach it)
    fields: tuple[str, ...] = ()
    page_cap: int | None = None  # None: not measured, the model's documented cap applies

    @property
    def refusal(self) -> tuple[int, str] | None:
        """The status and error every request on this path gets, or None when the tenant did not refuse it."""
        if self.status == 401:
            return 401, "Unauthorized"
        if self.status == 403:
            return 403, f"Forbidden: the tenant profile says this token may not read /{self.path}"
        if self.status == 404:
            return 404, "Not found"
        return None


@dataclass(frozen=True)
class CustomFieldDefinition:
    """One of the tenant's ``/customfields`` definitions."""

    name: str
    parent: str
    type: str
    values: tuple[str, ...] = ()

    def to_entity(self, index: int) -> dict[str, Any]:
        """The ``/customfields`` object; its ``_id`` is the same on every start and reset."""
        digest = hashlib.sha256(f"{index}\0{self.parent}\0{self.name}".encode()).hexdigest()
        entity: dict[str, Any] = {"_id": digest[:24], "name": self.name, "parent": self.parent, "type": self.type}
        if self.values or self.type.lower() in LIST_TYPES:
            entity["listValues"] = list(self.values)
        return entity


@dataclass(frozen=True)
class TenantProfile:
    """A validated tenant profile: per served path what the tenant answered, and its custom fields."""

    source: str
    paths: Mapping[str, PathProfile] = field(default_factory=lambda: MappingProxyType({}))
    customfields: tuple[CustomFieldDefinition, ...] = ()

    def at(self, path: str) -> PathProfile | None:
        """What the tenant answered on ``path``, or None when the profile does not name it."""
        return self.paths.get(path)

    def customfield_entities(self) -> list[dict[str, Any]]:
        return [definition.to_entity(index) for index, definition in enumerate(self.customfields)]


def load_profile(source: str | os.PathLike[str] | Mapping[str, Any]) -> TenantProfile:
    """Read and check a profile file (or a dictionary of one); raises :class:`ProfileError`."""
    if isinstance(source, Mapping):
        return _profile(source, "Tenant profile (a dictionary)", "<dictionary>")
    where = f"Tenant profile '{os.fspath(source)}'"
    return _profile(_read(Path(source), where), where, os.fspath(source))


def _read(path: Path, where: str) -> Any:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ProfileError(f"{where}: is not a file")
        if info.st_size > MAX_FILE_BYTES:
            raise ProfileError(f"{where}: is {info.st_size:,} bytes; a tenant profile is at most 10 MB")
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ProfileError(f"{where}: cannot be read: {error.strerror or error}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ProfileError(f"{where}: is over 10 MB; a tenant profile is at most 10 MB")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ProfileError(f"{where}: is not UTF-8 text") from None
    except RecursionError:
        raise ProfileError(f"{where}: is not JSON a profile can be: nested too deeply") from None
    except ValueError as error:
        raise ProfileError(f"{where}: is not JSON: {error}") from None


def _profile(data: object, where: str, source: str) -> TenantProfile:
    if not isinstance(data, Mapping):
        raise ProfileError(f"{where}: must hold a JSON object, got {_kind(data)}")
    if data.get("format") != FORMAT:
        raise ProfileError(f"{where}: format must be '{FORMAT}', got {_shown(data.get('format'))}")
    paths: dict[str, PathProfile] = {}
    for path, entry in _mapping(data.get("models", {}), where, "models").items():
        if isinstance(path, str) and model_at(path) is not None:  # a path the simulator does not serve: skipped
            paths[path] = _path_profile(path, entry, where)
    definitions = _customfields(data.get("customfields", []), where)
    return TenantProfile(source, MappingProxyType(paths), definitions)


def _path_profile(path: str, entry: object, where: str) -> PathProfile:
    here = f"models.{path}"
    values = _mapping(entry, where, here)
    status = values.get("status")
    if status is not None and (not _whole(status) or not 100 <= status <= 599):
        raise ProfileError(f"{where}: {here}.status must be an HTTP status (100-599) or null, got {_shown(status)}")
    fields = _names(values.get("fields", {}), where, f"{here}.fields")
    _names(values.get("custom", {}), where, f"{here}.custom")
    return PathProfile(path, status, fields, _cap(values.get("page_cap"), where, f"{here}.page_cap"))


def _names(value: object, where: str, here: str) -> tuple[str, ...]:
    """The names of a ``{name: JSON type}`` object."""
    names = _mapping(value, where, here)
    if len(names) > MAX_FIELDS:
        raise ProfileError(f"{where}: {here} has {len(names):,} names, more than {MAX_FIELDS:,}")
    for name, kind in names.items():
        _text(name, where, f"a name in {here}")
        if not isinstance(kind, str) or len(kind) > MAX_NAME:
            raise ProfileError(f'{where}: {here}.{name} must be a JSON type name like "string", got {_shown(kind)}')
    return tuple(names)


def _cap(value: object, where: str, here: str) -> int | None:
    if value is None:
        return None
    cap = _mapping(value, where, here).get("cap")
    if cap is None:
        return None
    if not _whole(cap) or cap < 1:
        raise ProfileError(f"{where}: {here}.cap must be a whole number of at least 1 or null, got {_shown(cap)}")
    return int(cap)


def _customfields(value: object, where: str) -> tuple[CustomFieldDefinition, ...]:
    if not isinstance(value, list):
        raise ProfileError(f"{where}: customfields must be a JSON array, got {_kind(value)}")
    per_parent: Counter[str] = Counter()
    definitions = []
    for index, item in enumerate(value):
        here = f"customfields[{index}]"
        entry = _mapping(item, where, here)
        name, parent, kind = (_text(entry.get(key), where, f"{here}.{key}") for key in ("name", "parent", "type"))
        per_parent[parent] += 1
        if per_parent[parent] > MAX_FIELDS:
            raise ProfileError(f"{where}: customfields has more than {MAX_FIELDS:,} definitions for {parent}")
        definitions.append(CustomFieldDefinition(name, parent, kind, _list_values(entry.get("values"), where, here)))
    return tuple(definitions)


def _list_values(value: object, where: str, here: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_FIELDS:
        raise ProfileError(f"{where}: {here}.values must be an array of at most {MAX_FIELDS:,} texts")
    for item in value:
        if not isinstance(item, str) or len(item) > MAX_LIST_VALUE:
            raise ProfileError(
                f"{where}: {here}.values must hold texts of at most {MAX_LIST_VALUE} characters, got {_shown(item)}"
            )
    return tuple(value)


def _mapping(value: object, where: str, here: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise ProfileError(f"{where}: {here} must be a JSON object, got {_kind(value)}")
    return value


def _text(value: object, where: str, here: str) -> str:
    if not isinstance(value, str):
        raise ProfileError(f"{where}: {here} must be a text, got {_shown(value)}")
    if len(value) > MAX_NAME:
        raise ProfileError(f"{where}: {here} is {len(value):,} characters long, more than {MAX_NAME}")
    return value


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: object) -> str:
    """The JSON kind of a value, as an error names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    return "an array" if isinstance(value, list | tuple) else "an object" if isinstance(value, Mapping) else "a value"


def _shown(value: object) -> str:
    """A short rendering of a bad value: hostile input never makes a long message."""
    if isinstance(value, str):
        return repr(value[:60] + "..." if len(value) > 60 else value)
    if _whole(value) and abs(value) < 10**15:
        return str(value)
    if isinstance(value, bool | float) or value is None:
        return json.dumps(value)
    return _kind(value)
