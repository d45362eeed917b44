"""The field check of writes and queries: refuse only what is proven wrong, warn about what is unknown.

Proof comes from two places only: the tenant (its ``/customfields``, and every object the session read
from it) and the user's own input (a name that is a slip of a known name). So, before anything is sent:

- a custom field name the tenant's ``/customfields`` does not define for the model (read again once
  before refusing, in case it was just created), a value of the wrong type, a value outside a list's
  values, or a formula field, is refused;
- a top-level name that is not itself known but differs from a known field only by case, by one slip
  of a key (a letter left out, added, changed or swapped, keeping the first letter and the capitals) or
  by a missing ``custom.`` prefix is refused, naming the field meant;
- any other unknown name is sent as it is, with one warning per model and field per session naming the
  closest known fields: Planhat's pages are not complete, and a false refusal breaks a working robot.

A check is compiled once per model and keyword call; per item it costs a set comparison, plus a look at
``custom`` when the item has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PlanhatLibrary.api.models import Model
from PlanhatLibrary.api.payloads import key_problem, nested_custom
from PlanhatLibrary.api.seen import CUSTOM
from PlanhatLibrary.api.slips import Names, closest
from PlanhatLibrary.errors import shown_value
from PlanhatLibrary.log import logger
from PlanhatLibrary.services.fieldvalues import always_fine, converted, value_problem
from PlanhatLibrary.services.schema import CUSTOM_FIELDS_CACHE, CustomField, ModelDescription, SchemaService

#: Unknown fields warned about one by one in a keyword call; past this, one warning says how many more.
MAX_WARNINGS = 10
_UNSET: Any = object()


@dataclass(frozen=True)
class Refusal:
    """Why a field name is refused, and the field the user most likely meant."""

    text: str
    meant: str | None = None

    def __str__(self) -> str:
        return f"{self.text} (did you mean {self.meant}?)" if self.meant else self.text


class FieldCatalog:
    """What one model's fields are, for one keyword call: the verdict on each name, worked out once."""

    def __init__(self, schema: SchemaService, model: Model, *, querying: bool = False) -> None:
        self.schema, self.model = schema, model
        self.description: ModelDescription = schema.describe(model, with_custom=False)
        self.known = self.description.known
        self.names = Names(self.known)
        self.querying = querying
        self._custom: Any = _UNSET
        self._custom_names = Names(())
        self._refreshed = False
        self._verdicts: dict[str, Refusal | None] = {}
        self._warnings = 0

    # ------------------------------------------------------------------ custom fields
    @property
    def custom(self) -> dict[str, CustomField] | None:
        """The tenant's custom fields of the model (read on first need); None when they cannot be read."""
        if self._custom is _UNSET:
            self._refreshed = CUSTOM_FIELDS_CACHE not in self.schema.session.cache  # read now: fresh already
            self._set_custom(self.schema.describe(self.model).custom)
        result: dict[str, CustomField] | None = self._custom
        return result

    def _set_custom(self, fields: dict[str, CustomField] | None) -> None:
        self._custom = fields
        self._custom_names = Names(fields or ())

    def read_again(self) -> bool:
        """Read the tenant's custom fields once more in this call (one may have been made or changed since the
        session read them); False when they were read fresh in this call already."""
        if self._refreshed:
            return False
        self._refreshed = True
        self._set_custom(self.schema.describe(self.model, refresh=True).custom)
        return True

    # ------------------------------------------------------------------ verdicts
    def top_level(self, name: str) -> Refusal | None:
        """Why the top-level field ``name`` is wrong, or None (known; or unknown and warned about once)."""
        if name not in self._verdicts:
            self._verdicts[name] = None if name in self.known else self._judge_top(name)
        return self._verdicts[name]

    def custom_name(self, name: str) -> Refusal | None:
        """Why ``custom.<name>`` is wrong, or None."""
        key = f"{CUSTOM}.{name}"
        if key not in self._verdicts:
            self._verdicts[key] = self._judge_custom(name)
        return self._verdicts[key]

    def field_type(self, name: str) -> CustomField | None:
        """The definition of custom field ``name`` when the tenant defines it."""
        fields = self.custom
        return fields.get(name) if fields else None

    def _judge_top(self, name: str) -> Refusal | None:
        meant = self.names.slip_of(name)
        if meant is None and self.custom:
            as_custom = self._custom_names.slip_of(name)
            meant = f"{CUSTOM}.{as_custom}" if as_custom is not None else None
        if meant is not None:
            return Refusal(f"{_shown(name)} is not a field of {self.model.name}", meant)
        self._warn(name)
        return None

    def _judge_custom(self, name: str) -> Refusal | None:
        if self.custom is None or name in self.description.seen_custom:
            return None  # cannot be judged (warned once), or the tenant returned it
        if name not in (self.custom or {}):
            self.read_again()
        defined = self.custom or {}
        if name in defined:
            return None
        if not defined:
            self._warn(f"{CUSTOM}.{name}", "the tenant defines no custom field for it")
            return None
        meant = self._custom_names.slip_of(name) or next(iter(closest(name, defined)), None)
        return Refusal(
            f"{CUSTOM}.{_shown(name)} is not a custom field of {self.model.name} in this tenant",
            f"{CUSTOM}.{meant}" if meant else None,
        )

    def _warn(self, name: str, why: str = "") -> None:
        warned: set[tuple[str, str]] = self.schema.session.cache.setdefault("warned_fields", set())
        if (self.model.path, name) in warned:
            return
        warned.add((self.model.path, name))
        self._warnings += 1
        if self._warnings > MAX_WARNINGS:
            if self._warnings == MAX_WARNINGS + 1:
                logger.warn(f"More fields of {self.model.name} unknown to the library are sent as given: not listed.")
            return
        close = closest(name, self.known) if not why else []
        hint = f"; closest known: {', '.join(close)}" if close else ""
        reason = why or "the library's field tables and the objects read from this tenant do not list it"
        effect = "the query may match nothing" if self.querying else "if it is a typo, Planhat may store it as a field"
        logger.warn(f"{self.model.name} field {shown_value(name)} is sent as given: {reason}{hint}; {effect}.")

    # ------------------------------------------------------------------ queries
    def knows(self, name: str) -> bool | None:
        """For queries: True (known), False (a proven mistake: see ``suggestions``), None (unknown, warned)."""
        top, _, rest = name.partition(".")
        if top == CUSTOM and rest:
            return self.custom_name(self._custom_part(rest)) is None
        return self.top_level(top) is None

    def kind_of(self, name: str) -> str | None:
        """For queries: the type of a field (``number``, ``date``...), or None when unknown."""
        top, _, rest = name.partition(".")
        if top == CUSTOM and rest:
            field = self.field_type(self._custom_part(rest))
            return field.type if field is not None else None
        return self.description.kind_of(name)

    def _custom_part(self, rest: str) -> str:
        """The custom field a dotted path names: the whole rest when a field has that name (``Plan v2.0``), else its
        first part (``Address.city``)."""
        defined = self.custom or {}
        if rest in defined or rest in self.description.seen_custom:
            return rest
        return rest.partition(".")[0]

    def suggestions(self, name: str) -> list[str]:
        top, _, rest = name.partition(".")
        refusal = self._verdicts.get(f"{CUSTOM}.{self._custom_part(rest)}" if top == CUSTOM else top)
        return [refusal.meant] if refusal is not None and refusal.meant else []


def _shown(name: str) -> str:
    """A field name for a message: as it is, or cut (a 1 MB name stays a short message)."""
    return name if len(name) <= SHOWN_NAME else f"{name[: SHOWN_NAME - 3]}... ({len(name)} characters)"


SHOWN_NAME = 80


class FieldCheck:
    """The field check of one write keyword call (``check_fields``)."""

    def __init__(self, schema: SchemaService, model: Model, enabled: bool = True) -> None:
        self.schema, self.model, self.enabled = schema, model, enabled
        self.catalog = FieldCatalog(schema, model)  # no request: custom fields are read on first need
        #: Names proven fields; with the check off, none (so every item is looked at for ``custom.X`` keys).
        self.known = self.catalog.known if enabled else frozenset()
        self._custom_plan: dict[str, tuple[Refusal | None, CustomField | None, tuple[type, ...]]] = {}

    def convert(self, item: Any) -> Any:
        """``item`` with ``custom.X`` keys nested under ``custom`` and, when checking, the text values of its
        custom fields read by their type; bad text raises ValueError. An item needing neither is returned as is;
        a mapping that is not a plain dict (Robot's dictionaries) is read as one."""
        if type(item) is not dict:
            if not isinstance(item, Mapping):
                return item
            item = _plain(item)
        if not item.keys() <= self.known and any(isinstance(key, str) and key.startswith("custom.") for key in item):
            item = nested_custom(item, f"{self.model.name} item")
        custom = item.get(CUSTOM)
        if not self.enabled or not isinstance(custom, dict) or not custom:
            return item
        values: dict[str, Any] | None = None
        for name, value in custom.items():
            if type(value) is not str:
                continue
            field = self.catalog.field_type(name)
            if field is None:
                continue
            try:
                typed = converted(field, value)
            except ValueError as error:
                raise ValueError(f"custom.{_shown(str(name))}: {error}") from None
            if typed is not value:
                values = values if values is not None else dict(custom)
                values[name] = typed
        return item if values is None else {**item, CUSTOM: values}

    def problem(self, item: Any, creating: bool = False) -> str | None:
        """Why the item's fields cannot be written, or None (see the module's rules)."""
        if type(item) is not dict and not isinstance(item, Mapping):
            return None
        if not self.enabled:
            return key_problem(item)
        catalog = self.catalog
        if not item.keys() <= self.known:
            wrong = key_problem(item)
            if wrong:
                return wrong
            for name in item:
                refusal = catalog.top_level(str(name))
                if refusal is not None:
                    return f"{refusal}; check_fields=${{False}} sends it anyway"
        custom = item.get(CUSTOM)
        if custom is not None and not isinstance(custom, dict):
            return f"custom must be an object of custom fields, got {type(custom).__name__}"
        return self._custom_problem(custom or {}) or (self._mandatory(custom or {}) if creating else None)

    def _custom_problem(self, custom: dict[str, Any]) -> str | None:
        plan = self._custom_plan
        for name, value in custom.items():
            entry = plan.get(name)
            if entry is None:  # worked out once per name and call
                if not isinstance(name, str):
                    return f"custom field names must be text, got {type(name).__name__} {name!r}"
                field = self.catalog.field_type(name)
                entry = plan[name] = (self.catalog.custom_name(name), field, always_fine(field))
            refusal, field, fine = entry
            if refusal is not None:
                return str(refusal)
            if field is None or type(value) in fine:
                continue  # the usual value: a number for a number field, text for a text field
            reason = value_problem(field, value)
            if reason and self.catalog.read_again():  # a list value or a type may have changed since the read
                self._custom_plan.clear()
                return self._custom_problem(custom)
            if reason:
                return f"custom.{_shown(str(name))} {reason}"
        return None

    def _mandatory(self, custom: dict[str, Any]) -> str | None:
        """A create owes the mandatory custom fields (reading them costs one request per session)."""
        fields = self.catalog.custom or {}
        missing = [name for name, field in fields.items() if field.mandatory and custom.get(name) in (None, "")]
        return f"custom field(s) {', '.join(missing)} are mandatory for a new {self.model.name}" if missing else None


def _plain(item: Mapping[Any, Any]) -> dict[Any, Any]:
    """A mapping (Robot's DotDict, an OrderedDict) as a plain dict, its ``custom`` too."""
    plain = dict(item)
    custom = plain.get(CUSTOM)
    if isinstance(custom, Mapping) and type(custom) is not dict:
        plain[CUSTOM] = dict(custom)
    return plain
