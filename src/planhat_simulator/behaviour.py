"""Where Planhat's behaviour is not settled, the readings the simulator can play.

Each setting is one reading of an undocumented or disputed behaviour (sources in
``facts.UNSETTLED``). A client that is right must pass its tests under every value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

CHOICES: Mapping[str, tuple[object, ...]] = {
    "answer_bodies": ("json", "text", "empty"),
    "retry_after": (True, False),
    "custom_update": ("merge", "replace"),
    "list_owner": ("id", "object"),
    "enduser_match": ("company", "tenant"),
    "post_existing": ("duplicate", "refuse"),
    "update_id": ("accept", "refuse"),
}


class BehaviourError(ValueError):
    """A behaviour setting the simulator does not know."""


@dataclass
class Behaviour:
    """How the simulator answers where Planhat's documentation is silent.

    - ``answer_bodies``: what analytics, metrics pushes and DELETEs answer on success: Planhat's
      JSON (``json``), plain ``OK`` (``text``) or nothing (``empty``).
    - ``retry_after``: whether a 429 carries ``Retry-After``. No source says Planhat sends it;
      ``False`` answers with ``X-Rate-Limit-*`` only.
    - ``custom_update``: a partial ``custom`` object in an update ``merge``s into the stored one or
      ``replace``s it.
    - ``page_cap``: answer at most this many rows per list page, whatever ``limit`` asked (Planhat
      caps silently, below what some clients assume).
    - ``list_owner``: ``owner``/``coOwner`` in list rows as the stored id (``id``) or as
      ``{"_id", "nickName"}`` (``object``), as the Go client saw.
    - ``enduser_match``: a bulk end user keyed by ``externalId`` matches within its own company
      (``company``) or the first end user with that id in the tenant (``tenant``).
    - ``post_existing``: ``POST /{model}`` with an ``externalId`` an object already has creates a second
      object (``duplicate``, support article 1778351) or is refused with 400 (``refuse``, robocorp-planhat).
    - ``update_id``: ``_id`` in a ``PUT /{model}/{id}`` body is ignored (``accept``; robocorp-planhat sends
      it) or answered 400 (``refuse``; the Go client: "may get a Bad Request").
    """

    answer_bodies: str = "json"
    retry_after: bool = True
    custom_update: str = "merge"
    page_cap: int | None = None
    list_owner: str = "id"
    enduser_match: str = "company"
    post_existing: str = "duplicate"
    update_id: str = "accept"

    def update(self, changes: Mapping[str, Any]) -> None:
        """Apply ``changes`` after checking every name and value; nothing changes on an error."""
        known = {item.name for item in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise BehaviourError(
                f"Unknown behaviour setting(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
            )
        for name, value in changes.items():
            _check(name, value)
        for name, value in changes.items():
            setattr(self, name, value)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _check(name: str, value: object) -> None:
    if name == "page_cap":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise BehaviourError(f"page_cap must be a whole number of at least 1 or null, got {value!r}")
        return
    choices = CHOICES[name]
    if value not in choices or (isinstance(value, bool) != isinstance(choices[0], bool)):
        shown = ", ".join(repr(choice) for choice in choices)
        raise BehaviourError(f"{name} must be one of {shown}, got {value!r}")
