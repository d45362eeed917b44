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

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from robot.api import logger

from .models import Model
from .payloads import key_problem, nested_custom
from .schema import CUSTOM_FIELDS_CACHE, CustomField, ModelDescription, SchemaService
from .seen import CUSTOM

#: Shorter names are only matched by case: ``arr`` and ``mrr`` are both real fields.
MIN_TYPO_LENGTH = 4
_UNSET: Any = object()


def edit_distance(first: str, second: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap of neighbours) from one name to the other; ``limit + 1`` when more."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, other in enumerate(second, start=1):
            cost = 0 if char == other else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char == second[j - 2] and first[i - 2] == other:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def skeleton(name: str) -> str:
    """The first letter, the capitals and the digits of a camelCase name (``lastTouch30`` -> ``lT30``): slips keep
    them, while names of different fields differ in them (``renewalArr`` and ``renewalMrr``, ``name`` and
    ``cName``, ``lastTouch30`` and ``lastTouch90``)."""
    return name[:1].lower() + "".join(char for char in name[1:] if char.isupper() or char.isdigit())


def slip_of(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` is a slip of: the same but for case, or one edit away (a letter left out, added,
    changed or swapped with its neighbour) with the same first letter, capitals and digits; never for names under
    four letters."""
    lowered = name.lower()
    shape = skeleton(name)
    found: str | None = None
    for candidate in sorted(known):
        if candidate.lower() == lowered:
            return candidate
        if (
            found is None
            and len(name) >= MIN_TYPO_LENGTH
            and len(candidate) >= MIN_TYPO_LENGTH
            and skeleton(candidate) == shape
            and edit_distance(name, candidate, 1) <= 1
        ):
            found = candidate
    return found


def closest(name: str, known: Iterable[str]) -> list[str]:
    return difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)


@dataclass(frozen=True)
class Refusal:
    """Why a field name is refused, and the field the user most likely meant."""

    text: str
    meant: str | None = None

    def __str__(self) -> str:
        return f"{self.text} (did you mean {self.meant}?)" if self.meant else self.text


class FieldCatalog:
    """What one model's fields are, for one keyword call: the verdict on each name, worked out once."""

    def __init__(self, schema: SchemaService, model: Model) -> None:
        self.schema, self.model = schema, model
        self.description: ModelDescription = schema.describe(model, with_custom=False)
        self.known = self.description.known
        self._custom: Any = _UNSET
        self._refreshed = False
        self._verdicts: dict[str, Refusal | None] = {}

    # ------------------------------------------------------------------ custom fields
    @property
    def custom(self) -> dict[str, CustomField] | None:
        """The tenant's custom fields of the model (read on first need); None when they cannot be read."""
        if self._custom is _UNSET:
            self._refreshed = CUSTOM_FIELDS_CACHE not in self.schema.session.cache  # read now: fresh already
            self._custom = self.schema.describe(self.model).custom
        result: dict[str, CustomField] | None = self._custom
        return result

    def _custom_defined(self, name: str) -> CustomField | None:
        fields = self.custom or {}
        if name not in fields and not self._refreshed:  # it may have been created since the read
            self._refreshed = True
            self._custom = self.schema.describe(self.model, refresh=True).custom
            fields = self.custom or {}
        return fields.get(name)

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
        meant = slip_of(name, self.known)
        defined = (self.custom or {}) if meant is None else {}
        as_custom = slip_of(name, defined) if defined else None
        if meant is None and as_custom is not None:
            meant = f"{CUSTOM}.{as_custom}"
        if meant is not None:
            return Refusal(f"{name} is not a field of {self.model.name}", meant)
        self._warn(name, closest(name, self.known))
        return None

    def _judge_custom(self, name: str) -> Refusal | None:
        if self.custom is None or name in self.description.seen_custom:
            return None  # cannot be judged (warned once), or the tenant returned it
        if self._custom_defined(name) is not None:
            return None
        defined = self.custom or {}
        if not defined:
            self._warn(f"{CUSTOM}.{name}", [], "the tenant defines no custom field for it")
            return None
        meant = slip_of(name, defined) or next(iter(closest(name, defined)), None)
        return Refusal(
            f"{CUSTOM}.{name} is not a custom field of {self.model.name} in this tenant",
            f"{CUSTOM}.{meant}" if meant else None,
        )

    def _warn(self, name: str, close: list[str], why: str = "") -> None:
        warned: set[tuple[str, str]] = self.schema.session.cache.setdefault("warned_fields", set())
        if (self.model.path, name) in warned:
            return
        warned.add((self.model.path, name))
        hint = f"; closest known: {', '.join(close)}" if close else ""
        reason = why or "the library's field tables and the objects read from this tenant do not list it"
        logger.warn(
            f"{self.model.name} field '{name}' is sent as given: {reason}{hint}. "
            "If it is a typo, Planhat may store it as a new field."
        )

    # ------------------------------------------------------------------ queries
    def knows(self, name: str) -> bool | None:
        """For queries: True (known), False (a proven mistake: see ``suggestions``), None (unknown, warned)."""
        top, _, rest = name.partition(".")
        if top == CUSTOM and rest:
            return self.custom_name(rest.partition(".")[0]) is None
        return self.top_level(top) is None

    def suggestions(self, name: str) -> list[str]:
        top, _, rest = name.partition(".")
        refusal = self._verdicts.get(f"{CUSTOM}.{rest.partition('.')[0]}" if top == CUSTOM else top)
        return [refusal.meant] if refusal is not None and refusal.meant else []


class FieldCheck:
    """The field check of one write keyword call (``check_fields``)."""

    def __init__(self, schema: SchemaService, model: Model, enabled: bool = True) -> None:
        self.schema, self.model, self.enabled = schema, model, enabled
        self.catalog = FieldCatalog(schema, model)  # no request: custom fields are read on first need
        #: Names proven fields; with the check off, none (so every item is looked at for ``custom.X`` keys).
        self.known = self.catalog.known if enabled else frozenset()
        self._custom_plan: dict[str, tuple[Refusal | None, CustomField | None]] = {}

    def convert(self, item: Any) -> Any:
        """``item`` with ``custom.X`` keys nested under ``custom`` and, when checking, the text values of its
        custom fields read by their type; bad text raises ValueError. An item needing neither is returned as is."""
        if type(item) is not dict:
            return item
        if not item.keys() <= self.known and any(str(key).startswith(CUSTOM + ".") for key in item):
            item = nested_custom(item, f"{self.model.name} item")
        custom = item.get(CUSTOM)
        if not self.enabled or type(custom) is not dict or not custom:
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
                raise ValueError(f"column custom.{name}: {error}") from None
            if typed is not value:
                values = values if values is not None else dict(custom)
                values[name] = typed
        return item if values is None else {**item, CUSTOM: values}

    def problem(self, item: Any, creating: bool = False) -> str | None:
        """Why the item's fields cannot be written, or None (see the module's rules)."""
        if type(item) is not dict:
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
        if custom and not all(type(name) is str for name in custom):
            return key_problem(item)
        return self._custom_problem(custom or {}) or (self._mandatory(custom or {}) if creating else None)

    def _custom_problem(self, custom: dict[str, Any]) -> str | None:
        plan = self._custom_plan
        for name, value in custom.items():
            entry = plan.get(name)
            if entry is None:  # worked out once per name and call
                entry = plan[name] = (self.catalog.custom_name(str(name)), self.catalog.field_type(str(name)))
            refusal, field = entry
            if refusal is not None:
                return str(refusal)
            reason = value_problem(field, value) if field is not None else None
            if reason:
                return f"custom.{name} {reason}"
        return None

    def _mandatory(self, custom: dict[str, Any]) -> str | None:
        """A create owes the mandatory custom fields (reading them costs one request per session)."""
        fields = self.catalog.custom or {}
        missing = [name for name, field in fields.items() if field.mandatory and custom.get(name) in (None, "")]
        return f"custom field(s) {', '.join(missing)} are mandatory for a new {self.model.name}" if missing else None


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
    if field.type in NUMBER_TYPES:
        kind = type(value)
        if kind is int or kind is float or (kind is not bool and isinstance(value, int | float)):
            return None
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
