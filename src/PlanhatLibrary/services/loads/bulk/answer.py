"""Reading Planhat's bulk answer: which items it created, updated or refused, and which it dropped silently."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from PlanhatLibrary.api.models import Model
from PlanhatLibrary.services.loads.bulk.summary import ERROR_KINDS


def is_bulk_result(body: Any) -> bool:
    return isinstance(body, dict) and any(key in body for key in ("created", *ERROR_KINDS))


def item_errors(model: Model, result: Mapping[str, Any], chunk: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every item error of one chunk, with its position in the chunk when it can be found."""
    lookup: dict[tuple[str, str], int] | None = None
    for key, kind in ERROR_KINDS.items():
        for raw in result.get(key) or []:
            index = raw.get("index") if isinstance(raw, dict) else None
            if not isinstance(index, int) or not 0 <= index < len(chunk):
                lookup = lookup if lookup is not None else _key_lookup(model, chunk)
                index = _find(raw, lookup)
            keys = raw.get("item") if isinstance(raw, dict) and isinstance(raw.get("item"), dict) else {}
            yield {"chunk_index": index, "kind": kind, "message": _error_text(raw), "item": keys}


def ignored_errors(
    model: Model, result: Mapping[str, Any], chunk: list[dict[str, Any]], errors: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Items Planhat's result accounts for nowhere (not created, updated, unchanged or failed), as errors.

    Planhat ignores an end user it cannot map to a company without a word (help article 9586991);
    silence is not success. The items are named when the result tells them apart, else only counted.
    """
    accounted = sum(int(result.get(key) or 0) for key in ("created", "updated", "nonupdates")) + len(errors)
    missing = len(chunk) - accounted
    if missing <= 0:
        return []
    why = f" ({model.dropped_when})" if model.dropped_when else ""
    named = _named(model, result, chunk, errors)
    unnamed = [index for index in range(len(chunk)) if index not in named]
    if int(result.get("nonupdates") or 0) == 0 and len(unnamed) == missing:
        message = f"Planhat ignored this item without an error{why}"
        return [{"chunk_index": index, "kind": "ignored", "message": message, "item": {}} for index in unnamed]
    # Which ones cannot be told. Items with an identifying key are listed (resending one that landed
    # unchanged is harmless); one without a key would be created twice, so it is only counted.
    keyed = [index for index in unnamed if any(chunk[index].get(key) not in (None, "") for key in model.keyables)]
    message = (
        f"Planhat ignored {missing} of {len(chunk)} items of this request without an error{why}; its answer does "
        f"not tell which: this item may be one (sending it again is harmless)"
    )
    found = [{"chunk_index": index, "kind": "ignored", "message": message, "item": {}} for index in keyed]
    if len(keyed) < len(unnamed) or not found:
        rest = f"{len(unnamed) - len(keyed)} item(s) without an identifying key may be among them, not resent"
        text = f"Planhat ignored {missing} of {len(chunk)} items of this request without an error{why}; {rest}"
        found.append({"chunk_index": None, "kind": "ignored", "message": text, "item": {}})
    return found


def unplaced_errors(
    model: Model, result: Mapping[str, Any], chunk: list[dict[str, Any]], errors: list[dict[str, Any]]
) -> list[int]:
    """Positions of the items an error may be about when some error names no item: every item neither named
    by an error nor shown landed by the answer's keys or ids (none when every error names its item)."""
    if all(error["chunk_index"] is not None for error in errors):
        return []
    named = _named(model, result, chunk, errors)
    return [index for index in range(len(chunk)) if index not in named]


def _named(
    model: Model, result: Mapping[str, Any], chunk: list[dict[str, Any]], errors: list[dict[str, Any]]
) -> set[int]:
    """Positions of the items the result names: by an error, or by the keys or ids of what it wrote."""
    named = {error["chunk_index"] for error in errors if error["chunk_index"] is not None}
    lookup = _key_lookup(model, chunk)
    for keys in [*(result.get("insertsKeys") or []), *(result.get("updatesKeys") or [])]:
        found = _find(keys, lookup)
        if found is not None:
            named.add(found)
    for object_id in [*(result.get("upsertedIds") or []), *(result.get("modified") or [])]:
        if ("_id", str(object_id)) in lookup:
            named.add(lookup[("_id", str(object_id))])
    return named


def _key_lookup(model: Model, chunk: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Where each of the chunk's keyable values sits, to place Planhat's errors and keys on items."""
    lookup: dict[tuple[str, str], int] = {}
    for index, item in enumerate(chunk):
        for key in model.keyables:
            if item.get(key) not in (None, ""):
                lookup.setdefault((key, str(item[key])), index)
    return lookup


def _find(raw: Any, lookup: dict[tuple[str, str], int]) -> int | None:
    if not isinstance(raw, dict):
        return None
    nested = raw.get("item")
    candidates: dict[str, Any] = nested if isinstance(nested, dict) else raw
    for key, value in candidates.items():
        if value not in (None, "") and (key, str(value)) in lookup:
            return lookup[(key, str(value))]
    return None


def _error_text(raw: Any) -> str:
    if isinstance(raw, dict):
        for key in ("message", "error", "msg", "reason"):
            if isinstance(raw.get(key), str):
                return str(raw[key])
    return json.dumps(raw, default=str)[:300]


def one_reason(errors: list[dict[str, Any]], size: int) -> str | None:
    """The message, when Planhat refused every item of a chunk with the same one (a setup problem, not bad data)."""
    indexes = {error["index"] for error in errors if error["index"] is not None}
    messages = {str(error["message"]) for error in errors}
    return messages.pop().rstrip(".") if len(indexes) >= size > 1 and len(messages) == 1 else None


def needs_items(result: Mapping[str, Any], size: int) -> bool:
    """Whether an answer names failed items or accounts for fewer items than were sent."""
    if any(result.get(key) for key in ERROR_KINDS):
        return True
    return sum(int(result.get(key) or 0) for key in ("created", "updated", "nonupdates")) < size
