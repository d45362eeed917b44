"""Writing a stream of objects to JSON Lines, a JSON array or CSV, one at a time (memory stays flat).

Every format reads back with the library's own loaders unchanged: CSV headers carry the column's type
(``mrr:number``, ``active:bool``, ``custom:json``) when its values are not text, so a round trip
through a file keeps numbers numbers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import Any

from robot.api import logger

from .errors import PlanhatInputError
from .payloads import json_default
from .values import MISSING, lookup

EXPORT_FORMATS = ("jsonl", "json", "csv")


def export_format(path: Path, wanted: str | None) -> str:
    kind = (wanted or path.suffix.lstrip(".")).lower()
    kind = "jsonl" if kind == "ndjson" else kind
    if kind not in EXPORT_FORMATS:
        raise PlanhatInputError(
            f"Export format must be jsonl, json or csv (from the file name or format=), got '{kind}'."
        )
    return kind


def write_items(items: Iterable[dict[str, Any]], path: Path, kind: str, columns: Sequence[str] = ()) -> int:
    """Write ``items`` and return how many; CSV columns are ``columns`` or the first item's keys."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        if kind == "jsonl":
            count = 0
            for item in items:
                handle.write(json.dumps(item, default=json_default) + "\n")
                count += 1
            return count
        if kind == "json":
            return _write_array(items, handle)
        return _write_csv(iter(items), handle, columns)


def _write_array(items: Iterable[dict[str, Any]], handle: Any) -> int:
    """A JSON array, one object per line, written as the objects arrive."""
    count = 0
    handle.write("[")
    for item in items:
        handle.write(("\n" if not count else ",\n") + json.dumps(item, default=json_default))
        count += 1
    handle.write("\n]\n")
    return count


#: Without ``select``, CSV columns are the fields of the first objects, up to this many of them; their values
#: also give each column its type.
HEADER_SAMPLE = 1000


def _write_csv(items: Iterator[dict[str, Any]], handle: Any, columns: Sequence[str]) -> int:
    sample = list(islice(items, HEADER_SAMPLE))
    header = list(columns) or list(dict.fromkeys(key for item in sample for key in item))
    writer = csv.writer(handle, lineterminator="\n")
    kinds = [_column_type([lookup(item, name) for item in sample]) for name in header]
    writer.writerow([name + kind for name, kind in zip(header, kinds, strict=True)])
    count = 0
    unseen: set[str] = set()
    cells = list(zip(header, kinds, strict=True))
    for item in chain(sample, items):
        writer.writerow([_cell(lookup(item, name), kind) for name, kind in cells])
        count += 1
        if not columns:
            unseen.update(key for key in item if key not in header)
    if unseen:
        logger.warn(
            f"CSV export: field(s) {', '.join(sorted(unseen))} appear only after the first {HEADER_SAMPLE} objects "
            "and were not written; name the columns with 'select ... from' to include them."
        )
    return count


def _column_type(values: list[Any]) -> str:
    """The header suffix the CSV reader needs to give the column back its type: ``:number``, ``:bool``, ``:json``."""
    present = [value for value in values if value is not MISSING and value is not None]
    if not present or all(isinstance(value, str) for value in present):
        return ""
    if any(isinstance(value, dict | list) for value in present):
        return ":json"
    if all(isinstance(value, bool) for value in present):
        return ":bool"
    if all(isinstance(value, int | float) and not isinstance(value, bool) for value in present):
        return ":number"
    return ":json"  # mixed kinds: JSON keeps each value's own type


def _cell(value: Any, kind: str = "") -> str:
    if type(value) is str and kind != ":json":  # the usual cell, first
        return value
    if value is MISSING or value is None:
        return ""
    if kind == ":json" or isinstance(value, dict | list):
        return json.dumps(value, default=json_default)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
