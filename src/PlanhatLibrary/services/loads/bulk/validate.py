"""Checking bulk items before anything is sent: JSON objects, keys, required fields, the field check."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from PlanhatLibrary.api.models import BULK_LIMIT, Model
from PlanhatLibrary.api.payloads import check_items, encoded
from PlanhatLibrary.api.writes import GENERATED_NOT_KEYS, problem, without_generated
from PlanhatLibrary.files.sources import ItemSource
from PlanhatLibrary.files.spool import Spool
from PlanhatLibrary.services.fields import FieldCheck


def validate_items(
    model: Model,
    source: Iterable[Any],
    chunk_size: int = BULK_LIMIT,
    check: FieldCheck | None = None,
    whole_input: bool = False,
    spool: Spool | None = None,
) -> int:
    """Check every item before anything is sent; returns the count or raises listing the bad ones.

    Repeated identifying keys are looked for within each chunk (one request), as Planhat rejects them
    there; keeping only one chunk's keys keeps memory flat for any input size. ``whole_input`` (chunks
    sent in parallel, where two chunks naming one object would race) looks across the whole input,
    keeping an 8-byte digest per key. Each good item's JSON (custom values read by type) goes to
    ``spool``, so sending needs neither the input nor encoding again.
    """
    seen: dict[Any, int] = {}
    pairs = source.with_lines() if isinstance(source, ItemSource) else ((item, None) for item in source)
    verbatim: list[bytes | None] = [None]  # the current item's input line, when it can be sent as it is

    def items() -> Iterator[Any]:
        for item, line in pairs:
            verbatim[0] = line
            yield item

    def item_problem(index: int, item: Any) -> str | None:
        if index % chunk_size == 0 and not whole_input:
            seen.clear()
        if type(item) is not dict and not isinstance(item, Mapping):
            return f"not a dictionary ({type(item).__name__})"
        given = item
        try:
            item = _as_sent(item, check)
        except ValueError as error:
            return str(error)
        line = verbatim[0] if item is given and verbatim[0] is not None else encoded(item)
        if isinstance(line, str):
            return line
        keys = [key for key in model.keyables if item.get(key) not in (None, "")]
        found = _item_problem(model, item, index, seen, keys, whole_input)
        found = found or (check.problem(item) if check is not None else None)
        if found is None and spool is not None:
            spool.add(line, bool(keys), index // chunk_size + 1)
        return found

    return check_items(items(), item_problem, f"{model.name} item(s)")


def _as_sent(item: Any, check: FieldCheck | None) -> Any:
    """An item with its custom values read by type, without what Planhat generates (an exported object
    loaded again carries ``__v``, ``updatedAt``...); bad custom text raises ValueError."""
    if check is not None:
        item = check.convert(item)
    return item if GENERATED_NOT_KEYS.isdisjoint(item) else without_generated(item)


def _item_problem(
    model: Model, item: Mapping[str, Any], index: int, seen: dict[Any, int], keys: list[str], digest: bool = False
) -> str | None:
    """What is wrong with one item (``keys``: the identifying keys it holds), or None."""
    unfit = problem(model, item)
    if unfit:
        return unfit
    for key in keys:
        scope = f"\x00{item.get(model.company_field or '')}" if key in model.per_company else ""
        value = item[key]
        entry: Any = (key, f"{value}{scope}" if scope or type(value) is not str else value)
        if digest:
            entry = hashlib.blake2b(f"{key}\x00{item[key]}{scope}".encode(), digest_size=8).digest()
        earlier = seen.setdefault(entry, index)
        if earlier != index:
            why = "chunks sent in parallel must not share one" if digest else "Planhat rejects duplicated keys"
            return f"{key} '{item[key]}' duplicates item {earlier} ({why})"
    if not keys:
        missing = [name for name in model.required if item.get(name) in (None, "")]
        if missing:
            return f"no identifying key ({', '.join(model.keyables)}) and missing required {', '.join(missing)}"
    lacking = [name for name in model.needed if item.get(name) in (None, "")]
    if lacking:
        return f"missing required {', '.join(lacking)} (Planhat drops a {model.name} without it silently)"
    return None
