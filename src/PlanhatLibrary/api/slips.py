"""Telling a slip of a field name from a new name: case, separators, one key, the same capitals.

A name is a slip of a known one when it differs only by case, by spaces, ``_`` or ``-``, or by one key
(a letter left out, added, changed or swapped) while keeping the first letter, the capitals and the digits.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

#: Shorter names are only matched by case: ``arr`` and ``mrr`` are both real fields.
MIN_TYPO_LENGTH = 4


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


def squashed(name: str) -> str:
    """A name without case, spaces, ``_`` and ``-``: ``external_id``, ``External ID`` and ``externalId`` are one."""
    return _SEPARATORS.sub("", name).lower()


_SEPARATORS = re.compile(r"[\s_\-]+")


class Names:
    """Known names indexed for slip look-ups (by lower case, by squashed form, by skeleton), built once per call,
    so judging a name costs a few dictionary look-ups however many names are known."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(name for name in names if isinstance(name, str))
        self._lower: dict[str, str] = {}
        self._squashed: dict[str, str] = {}
        self._shapes: dict[str, list[str]] = {}
        for name in sorted(self.names):
            self._lower.setdefault(name.lower(), name)
            self._squashed.setdefault(squashed(name), name)
            if len(name) >= MIN_TYPO_LENGTH:
                self._shapes.setdefault(skeleton(name), []).append(name)

    def __bool__(self) -> bool:
        return bool(self.names)

    def slip_of(self, name: str) -> str | None:
        """The known name ``name`` is a slip of: the same but for case, spaces, ``_`` or ``-``, or one edit away (a
        letter left out, added, changed or swapped with its neighbour) with the same first letter, capitals and
        digits; edits are never counted in names under four letters."""
        found = self._lower.get(name.lower()) or self._squashed.get(squashed(name))
        if found is not None or len(name) < MIN_TYPO_LENGTH:
            return found
        for candidate in self._shapes.get(skeleton(name), ()):
            if edit_distance(name, candidate, 1) <= 1:
                return candidate
        return None


def slip_of(name: str, known: Iterable[str]) -> str | None:
    """``Names(known).slip_of(name)``, for one look-up."""
    return Names(known).slip_of(name)


def closest(name: str, known: Iterable[str]) -> list[str]:
    return difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
