"""Writing a stream of objects to JSON Lines or CSV, one at a time (memory stays flat)."""

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

EXPORT_FORMATS = ("jsonl", "csv")


def export_format(path: Path, wanted: str | None) -> str:
    kind = (wanted or path.suffix.lstrip(".")).lower()
    kind = "jsonl" if kind in ("ndjson", "json") else kind
    if kind not in EXPORT_FORMATS:
        raise PlanhatInputError(f"Export format must be jsonl or csv (from the file name or format=), got '{kind}'.")
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
        return _write_csv(iter(items), handle, columns)


#: Without ``select``, CSV columns are the fields of the first objects, up to this many of them.
HEADER_SAMPLE = 1000


def _write_csv(items: Iterator[dict[str, Any]], handle: Any, columns: Sequence[str]) -> int:
    sample = list(islice(items, HEADER_SAMPLE)) if not columns else []
    header = list(columns) or list(dict.fromkeys(key for item in sample for key in item))
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    count = 0
    unseen: set[str] = set()
    for item in chain(sample, items):
        writer.writerow([_cell(lookup(item, name)) for name in header])
        count += 1
        if not columns:
            unseen.update(key for key in item if key not in header)
    if unseen:
        logger.warn(
            f"CSV export: field(s) {', '.join(sorted(unseen))} appear only after the first {HEADER_SAMPLE} objects "
            "and were not written; name the columns with 'select ... from' to include them."
        )
    return count


def _cell(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, default=json_default)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
