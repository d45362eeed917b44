"""What Ensure compares and decides without I/O: the changed fields, the identifying keys, whether a create is safe."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PlanhatLibrary.api.models import Model, Operation
from PlanhatLibrary.api.values import MISSING, same
from PlanhatLibrary.api.writes import merged
from PlanhatLibrary.errors import PlanhatEnsureError


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


def other_kind(model: Model, stored: Mapping[str, Any]) -> None:
    """Refuse an object of another kind behind a note's key: ensuring the note would change its type."""
    for name, value in model.defaults.items():
        if stored.get(name) != value:
            raise PlanhatEnsureError(
                f"The object with this key ({stored.get('_id')}) is a {name} {stored.get(name)!r} conversation, not a "
                f"{model.name}: Ensure will not turn it into one. Nothing was sent."
            )


def key_for(model: Model, data: Mapping[str, Any]) -> str:
    return next(key for key in ("sourceId", "externalId", *model.keyables) if data.get(key) not in (None, ""))


def bulk_update(model: Model, stored: Mapping[str, Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """A bulk item updating ``stored``: its ``_id``, the changed fields, and the fields every item of the model
    must carry (a ticket's ``email``: without it Planhat drops the item silently)."""
    needed = {name: stored[name] for name in model.needed if name not in payload and stored.get(name) not in (None, "")}
    return {"_id": stored["_id"], **needed, **payload}
