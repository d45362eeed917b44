"""Writing a stream of objects to JSON Lines, a JSON array or CSV, one at a time (memory stays flat).

Every format reads back with the library's own loaders unchanged: CSV headers carry the column's type
(``mrr:number``, ``active:bool``, ``custom:json``) when its values are not text, so a round trip
through a file keeps numbers numbers.

A file is written under a temporary name beside it (``.<name>.<random>.partial``) and renamed onto the
path only once every object is in: an export that fails or is interrupted leaves the file that was
there untouched. CSV text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading ``'``, which the library's CSV reader removes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import stat
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from numbers import Number
from pathlib import Path
from typing import IO, Any

from PlanhatLibrary.api.payloads import json_default
from PlanhatLibrary.api.values import MISSING, lookup
from PlanhatLibrary.errors import PlanhatInputError, shown_value
from PlanhatLibrary.log import logger

EXPORT_FORMATS = ("jsonl", "json", "csv")


def export_format(path: Path, wanted: str | None) -> str:
    kind = (wanted or path.suffix.lstrip(".")).lower()
    kind = "jsonl" if kind == "ndjson" else kind
    if kind not in EXPORT_FORMATS:
        raise PlanhatInputError(
            f"Export format must be jsonl, json or csv (from the file name or format=), got '{kind}'."
        )
    return kind


def export_path(path: str | Path) -> Path:
    """The file an export writes to, checked before anything is fetched: not empty, no NUL, names the file
    system can hold, not a folder, inside a folder (or where one can be made)."""
    text = os.fspath(path)
    if not text.strip():
        raise PlanhatInputError(
            "Export path is empty: name the file to write, like path=${OUTPUT_DIR}/companies.jsonl."
        )
    if "\x00" in text:
        raise PlanhatInputError(
            f"Export path {shown_value(text)} contains a NUL character, which no file name can hold."
        )
    target = Path(text)
    _check_lengths(target)
    if text.endswith(("/", os.sep)) or os.path.isdir(target):
        raise PlanhatInputError(
            f"Export path '{target}' is a directory: name a file in it, like {target / 'companies.jsonl'}."
        )
    folder = _existing_folder(target.parent)
    if not os.path.isdir(folder):
        raise PlanhatInputError(f"Cannot export to '{target}': '{folder}' is not a directory.")
    return target


def _check_lengths(target: Path) -> None:
    limit = _name_max(target)
    for part in target.parts:
        size = len(os.fsencode(part))
        if size > limit:
            raise PlanhatInputError(
                f"Export path '{target}' has a name too long for the file system: {shown_value(part, 40)} is "
                f"{size} bytes, at most {limit} are allowed."
            )
    if len(os.fsencode(target)) >= _PATH_MAX:
        raise PlanhatInputError(f"Export path {shown_value(str(target), 60)} is too long for the file system.")


_PATH_MAX = 4096


def _name_max(target: Path) -> int:
    """The longest file name the folder's file system allows (255 bytes where it cannot tell)."""
    try:
        return int(os.pathconf(_existing_folder(target.parent), "PC_NAME_MAX"))
    except (AttributeError, ValueError, OSError):  # no pathconf (Windows), or no answer
        return 255


def _existing_folder(folder: Path) -> Path:
    """``folder``, or its nearest ancestor that exists (the folders in between are made when writing)."""
    while not os.path.exists(folder) and folder.parent != folder:  # False, not an error, for an impossible path
        folder = folder.parent
    return folder


def write_items(items: Iterable[dict[str, Any]], path: Path, kind: str, columns: Sequence[str] = ()) -> int:
    """Write ``items`` and return how many; CSV columns are ``columns`` or the first item's keys.

    The file appears (or replaces the one at ``path``) only when every item is written; on any failure,
    an interruption too, the temporary file is removed and what was at ``path`` is left as it was."""
    path = Path(os.path.realpath(path)) if path.is_symlink() else path  # replace the file a link points to
    temporary, handle = _temporary_file(path)
    try:
        with handle:
            count = _write(items, handle, kind, columns)
        _file_operation(path, os.replace, temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count


def _write(items: Iterable[dict[str, Any]], handle: IO[str], kind: str, columns: Sequence[str]) -> int:
    if kind == "jsonl":
        count = 0
        for item in items:
            handle.write(json.dumps(item, default=json_default) + "\n")
            count += 1
        return count
    if kind == "json":
        return _write_array(items, handle)
    return _write_csv(iter(items), handle, columns)


def _temporary_file(path: Path) -> tuple[Path, IO[str]]:
    """A new file beside ``path``, named ``.<name>.<random>.partial``, with the mode ``path`` has (or would get)."""
    _file_operation(path, path.parent.mkdir, parents=True, exist_ok=True)
    while True:
        temporary = path.with_name(f".{path.name[:100]}.{secrets.token_hex(4)}.partial")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - a clash of 32 random bits
            continue
        except OSError as error:
            raise _write_error(path, error) from None
        break
    try:
        if path.exists():
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        return temporary, open(descriptor, "w", encoding="utf-8", newline="")  # closed by the caller
    except BaseException:
        os.close(descriptor)
        temporary.unlink(missing_ok=True)
        raise


def _file_operation(path: Path, operation: Any, *args: Any, **kwargs: Any) -> None:
    try:
        operation(*args, **kwargs)
    except OSError as error:
        raise _write_error(path, error) from None


def _write_error(path: Path, error: OSError) -> PlanhatInputError:
    return PlanhatInputError(f"Cannot write the export to '{path}': {error.strerror or error}.")


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
    writer = _RowWriter(handle)
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


class _RowWriter:
    """CSV rows ending in ``\n``; a cell holding a carriage return is quoted too, or it would end the row."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.plain = csv.writer(handle, lineterminator="\n")  # quotes a "\n" but not a lone "\r"
        self.buffer = io.StringIO()
        self.quoting = csv.writer(self.buffer, lineterminator="\r\n")

    def writerow(self, row: list[str]) -> None:
        if not any("\r" in cell for cell in row):
            self.plain.writerow(row)
            return
        self.buffer.seek(0)
        self.buffer.truncate()
        self.quoting.writerow(row)
        self.handle.write(self.buffer.getvalue()[:-2] + "\n")


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


#: How a cell starts that a spreadsheet runs as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """Text for a CSV cell: a ``'`` before text a spreadsheet would run as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _cell(value: Any, kind: str = "") -> str:
    if type(value) is str and kind != ":json":  # the usual cell, first
        return _text(value)
    if value is MISSING or value is None:
        return ""
    if kind == ":json" or isinstance(value, dict | list):
        return json.dumps(value, default=json_default)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, Number) else _text(str(value))  # -5 is a number, not a formula
