"""Reading items from files: JSON (an array), JSON Lines and CSV, streamed where the format allows.

CSV values stay strings (an ``externalId`` of ``007`` must not become ``7``) unless the header says
otherwise: ``mrr:number``, ``seats:int``, ``active:bool`` or ``tags:json``. Empty cells are left out;
a header ``custom.Segment`` becomes ``{"custom": {"Segment": ...}}``. A text cell that starts with ``'``
and then ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read without the ``'``: CSV exports put
it there so spreadsheets do not run the cell as a formula (``'=1+2`` is read as ``=1+2``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from PlanhatLibrary.api.jsoncodec import loads_exact_text
from PlanhatLibrary.api.payloads import parse_json
from PlanhatLibrary.errors import PlanhatInputError, shown_value
from PlanhatLibrary.files.jsonarray import JsonArray

_T = TypeVar("_T")
FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise PlanhatInputError(f"Cannot read items from '{path}': unknown file type (use {known}).") from None


class ItemSource:
    """Items to send, readable more than once (validated in one pass, sent in another).

    A list of dictionaries, JSON text of one, a JSON / JSON Lines / CSV file path, or an ``RPA.Tables``
    table.
    Files are streamed on each pass, so memory stays flat however long they are.
    """

    def __init__(self, items: Any, what: str = "items") -> None:
        self.what = what
        self.path: Path | None = None
        self._items: list[Any] | None = None
        self._table: Any = None
        if isinstance(items, str) and items.lstrip().startswith(("[", "{")):
            items = parse_json(items, f"{what} given as text")
        if isinstance(items, str | Path):
            self.path = Path(items)
            file_format(self.path)
            if not _is_file(self.path):
                raise PlanhatInputError(f"Cannot read {what}: no such file {shown_value(str(self.path))}.")
        elif hasattr(items, "iter_dicts"):
            self._table = items
        elif isinstance(items, list | tuple):
            self._items = list(items)
        elif isinstance(items, dict):
            self._items = [items]
        else:
            raise PlanhatInputError(
                f"{what} must be a list of dictionaries, a .json/.jsonl/.csv file path or a table, "
                f"got {type(items).__name__}."
            )

    def with_lines(self) -> Iterator[tuple[Any, bytes | None]]:
        """Each item with its JSON text when the input holds it verbatim (JSON Lines, strict JSON), else None:
        such a line can be sent as it is, without encoding the item again."""
        if self.path is not None and file_format(self.path) == "jsonl":
            return _guarded(self.path, _jsonl_items(self.path, keep_lines=True))
        return ((item, None) for item in self)

    def __iter__(self) -> Iterator[Any]:
        if self.path is not None:
            return iter_items(self.path)
        if self._table is not None:
            return _table_items(self._table)
        return iter(self._items or [])

    def __str__(self) -> str:
        return f"'{self.path}'" if self.path else self.what


def _is_file(path: Path) -> bool:
    """Whether ``path`` names a readable file; a name no file can have (NUL, too long) names none."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def iter_items(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield each item of a JSON, JSON Lines or CSV file as a dictionary."""
    path = Path(path)
    kind = file_format(path)
    if not _is_file(path):
        raise PlanhatInputError(f"Cannot read items: no such file {shown_value(str(path))}.")
    if kind == "jsonl":
        yield from (item for item, _ in _guarded(path, _jsonl_items(path)))
        return
    readers = {"json": _json_items, "csv": _csv_items}
    yield from _guarded(path, readers[kind](path))


def _guarded(path: Path, items: Iterator[_T]) -> Iterator[_T]:
    """``items`` with a file's decoding and CSV errors as input errors naming the file."""
    try:
        yield from items
    except UnicodeDecodeError as error:
        raise PlanhatInputError(f"'{path}' is not valid UTF-8 (byte {error.start}).") from None
    except csv.Error as error:  # e.g. a cell over the field size limit
        raise PlanhatInputError(f"'{path}' is not a readable CSV file: {error}.") from None


#: Characters read from a ``.json`` file at a time.
JSON_BLOCK = 64 * 1024


def _json_items(path: Path, block_size: int = JSON_BLOCK) -> Iterator[dict[str, Any]]:
    """The objects of a JSON array file, decoded one at a time: memory holds a block and one object."""
    with JsonArray(path, block_size) as array:
        if not array.opened():
            _not_an_array(path)
        for index, item in enumerate(array):
            yield _object(item, f"'{path}' item {index}")


def _not_an_array(path: Path) -> None:
    """Fail for a file whose value is not an array, as reading it whole says: invalid JSON, or its type."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanhatInputError(f"'{path}' is not valid UTF-8 (byte {error.start}).") from None
    data = parse_json(text, f"'{path}'")
    raise PlanhatInputError(f"'{path}' must hold a JSON array of objects, got {type(data).__name__}.")


def _jsonl_items(path: Path, keep_lines: bool = False) -> Iterator[tuple[dict[str, Any], bytes | None]]:
    """Each object of a JSON Lines file, and (``keep_lines``) its line when it can be sent as it is.

    Only ``\\n`` ends a line (``\\r\\n`` too, its ``\\r`` being JSON whitespace): a lone ``\\r`` is whitespace
    inside a line, as JSON Lines says, not a line break."""
    with path.open(encoding="utf-8-sig", newline="\n") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                item, exact = loads_exact_text(line)
            except (ValueError, RecursionError):  # read again for the message naming the line and column
                if not line.strip():
                    continue
                item, exact = parse_json(line, f"'{path}' line {number}"), False
            if not isinstance(item, dict):
                raise PlanhatInputError(f"'{path}' line {number} is not a JSON object (got {type(item).__name__}).")
            yield item, (line.strip().encode("utf-8") if keep_lines and exact else None)


def _csv_items(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header or not any(name.strip() for name in header):
            raise PlanhatInputError(f"'{path}' has no header row.")
        columns = _columns(f"'{path}'", header)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise PlanhatInputError(
                    f"'{path}' line {reader.line_num} has {len(row)} values but the header has {len(columns)}."
                )
            yield _row_item(columns, row, f"'{path}' line {reader.line_num}")


def _table_items(table: Any) -> Iterator[dict[str, Any]]:
    """The rows of an ``RPA.Tables`` table, read like the CSV file it came from (``Read Table From CSV``):
    typed headers (``mrr:number``) convert their column, empty cells are left out, ``custom.X`` nests."""
    headers: dict[tuple[Any, ...], list[tuple[str, str]]] = {}
    for number, row in enumerate(table.iter_dicts(with_index=False)):
        names = tuple(row)
        if names not in headers:  # a table has one header; rows of other table-likes may differ
            headers[names] = _columns("the table", [str(name) for name in names])
        yield _row_item(headers[names], list(row.values()), f"table row {number}")


def _row_item(columns: list[tuple[str, str]], cells: list[Any], where: str) -> dict[str, Any]:
    """One row as an item: each non-empty cell under its column's name, text read by the column's type."""
    values = {}
    for (name, kind), cell in zip(columns, cells, strict=True):
        if name and cell not in ("", None):
            values[name] = _typed(cell, kind, f"{where} column {name}") if isinstance(cell, str) else cell
    return _nested(values)


CSV_TYPES = ("text", "number", "int", "float", "bool", "json")


def _columns(where: str, header: list[str]) -> list[tuple[str, str]]:
    """The (name, type) of each column; a repeated name, or a name that is also a parent, is refused."""
    columns = [_column(where, name.strip()) for name in header]
    names = [name for name, _ in columns if name]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise PlanhatInputError(f"{where} header repeats column(s) {', '.join(repeated)}: which one holds the value?")
    parents = sorted({name for name in names for other in names if other.startswith(name + ".")})
    if parents:
        raise PlanhatInputError(
            f"{where} header has both {parents[0]} and {parents[0]}.<field> columns: a value cannot be both text "
            "and an object; keep one form."
        )
    return columns


def _column(where: str, header: str) -> tuple[str, str]:
    name, _, kind = header.partition(":")
    kind = kind.strip().lower() or "text"
    if kind not in CSV_TYPES:
        raise PlanhatInputError(f"{where} header '{header}': unknown type '{kind}' (use {', '.join(CSV_TYPES)}).")
    return name.strip(), kind


def _typed(cell: str, kind: str, where: str) -> Any:
    text = cell.strip()
    try:
        if kind in ("number", "float"):
            number = float(text)
            return int(number) if kind == "number" and number.is_integer() and "." not in text else number
        if kind == "int":
            return int(text)
        if kind == "json":
            return json.loads(text)
    except (ValueError, RecursionError):
        raise PlanhatInputError(f"{where}: {shown_value(cell)} is not a valid {kind}.") from None
    if kind == "bool":
        if text.lower() in ("true", "yes", "1"):
            return True
        if text.lower() in ("false", "no", "0"):
            return False
        raise PlanhatInputError(f"{where}: '{cell}' is not a valid bool (true/false, yes/no, 1/0).")
    return cell[1:] if cell.startswith("'") and cell[1:2] in _FORMULA_START else cell


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what export.py escapes with a ' (export.FORMULA_START)


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for name, value in flat.items():
        head, dot, rest = name.partition(".")
        if dot and rest:
            item.setdefault(head, {})[rest] = value
        else:
            item[name] = value
    return item


def _object(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise PlanhatInputError(f"{where} is not a JSON object (got {type(item).__name__}).")
    return item
