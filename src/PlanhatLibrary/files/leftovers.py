"""Files of items that still have to be sent, so that one rerun with the file finishes a load.

A leftover file is written to a temporary file beside its target and given its name only when it is
complete, so a crash never leaves half a file under the final name; a write that fails (a full disk)
leaves the temporary file, which the error names with what it holds. It never replaces a file: when
the name is taken (an earlier run's file, another pabot worker's), it gets the next free one (``-2``,
``-3``...), and the result says which. It can never be the input being read: the same path (after
resolving links) is refused before anything is sent. Its format follows its extension (``.jsonl`` or
``.ndjson``: JSON Lines; ``.json``: a JSON array), so a rerun reads it as it was written; any other
extension is refused before anything is sent. The file is opened before the first request, so an
unwritable path fails before anything lands.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from PlanhatLibrary.api.payloads import json_default
from PlanhatLibrary.errors import PlanhatInputError

#: Extensions a leftover file may have, and the format each is written in (what ``sources.py`` reads back).
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}
#: Free names tried after a taken one (``failed-2.jsonl``...).
MAX_SUFFIX = 1000


def same_file(one: str | Path, other: str | Path) -> bool:
    first, second = Path(one), Path(other)
    if first.resolve() == second.resolve():
        return True
    try:
        return first.exists() and second.exists() and os.path.samefile(first, second)
    except OSError:
        return False


class LeftoverFile:
    """A JSON Lines file of items, named ``path`` once closed with at least one item in it."""

    def __init__(self, path: str | Path | None, *, what: str, input_path: Path | None = None, eager: bool = True):
        """``eager``: open (and so check) the file now, before anything is sent."""
        self.path = Path(path) if path else None
        self.what = what
        self.count = 0
        self.broken = False  # a write failed: the temporary file is kept, never renamed
        self._handle: IO[bytes] | None = None
        self._temporary: Path | None = None
        if self.path is not None:
            _check_name(self.path, what)
        if self.path is not None and input_path is not None and same_file(self.path, input_path):
            raise PlanhatInputError(
                f"{what} '{self.path}' is the input file itself: writing it would destroy the items still being "
                "read. Give another path (the failed items of this run are then in it)."
            )
        if self.path is not None and eager:
            self._open()

    def _open(self) -> IO[bytes]:
        if self._handle is not None:
            return self._handle
        assert self.path is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.is_dir():
                raise IsADirectoryError(f"'{self.path}' is a directory")
            handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial", dir=self.path.parent)
        except OSError as error:
            raise PlanhatInputError(
                f"Cannot write the {self.what} to '{self.path}' ({error.strerror or error}); nothing was sent. "
                "Give a writable path."
            ) from None
        self._temporary = Path(name)
        self._handle = os.fdopen(handle, "wb")
        return self._handle

    def write(self, item: Mapping[str, Any]) -> None:
        self.write_line(json.dumps(item, default=json_default).encode("utf-8"))

    def write_items(self, items: Iterable[Mapping[str, Any]]) -> None:
        for item in items:
            self.write(item)

    def write_line(self, line: bytes) -> None:
        if self.path is None:
            return
        handle = self._open()
        try:
            handle.write(line + b"\n")
        except OSError as error:  # disk full, quota: say where the items written so far are
            self.broken = True
            raise PlanhatInputError(
                f"Could not write the {self.what} '{self.path}' ({error.strerror or error}); the {self.count} "
                f"item(s) written so far are in '{self._temporary}'."
            ) from None
        self.count += 1

    def close(self) -> str | None:
        """Give the complete file its name (the next free one when taken) and return it; None (and no file) when
        nothing was written. After a failed write the temporary file is kept and named instead."""
        if self._handle is None or self._temporary is None or self.path is None:
            return None
        handle, self._handle = self._handle, None
        if self.broken:  # a write failed (a full disk): keep what was written, under its temporary name
            with contextlib.suppress(OSError):
                handle.close()
            return str(self._temporary)
        try:
            handle.close()
            if not self.count:
                with contextlib.suppress(OSError):
                    self._temporary.unlink()
                return None
            if FORMATS.get(self.path.suffix.lower()) == "json":
                _as_json_array(self._temporary)
            return str(_claim(self._temporary, self.path))
        except OSError as error:  # the last buffered write failed (disk full), or the rename did
            self.broken = True
            raise PlanhatInputError(
                f"Could not write the {self.what} '{self.path}' ({error.strerror or error}); the {self.count} "
                f"item(s) it should hold are in '{self._temporary}' as far as they could be written."
            ) from None


def _check_name(path: Path, what: str) -> None:
    if "\x00" in str(path) or not path.name:
        raise PlanhatInputError(f"The {what} path {str(path)!r} is not a usable file name; nothing was sent.")
    if path.suffix.lower() not in FORMATS:
        raise PlanhatInputError(
            f"The {what} '{path}' must end in .jsonl (JSON Lines) or .json (a JSON array), so that a rerun reads it "
            f"as it was written; '{path.suffix or 'no extension'}' is not one. Nothing was sent."
        )


def _claim(temporary: Path, path: Path) -> Path:
    """Give ``temporary`` the name ``path``, or the next free one, never replacing a file (atomic: a hard link
    fails when the name is taken, so two processes cannot both take it)."""
    for number in range(1, MAX_SUFFIX + 1):
        candidate = path if number == 1 else path.with_name(f"{path.stem}-{number}{path.suffix}")
        try:
            os.link(temporary, candidate)
        except FileExistsError:
            continue
        except OSError:  # no hard links on this file system: exclusive create, then replace
            try:
                os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            except FileExistsError:
                continue
            os.replace(temporary, candidate)
            return candidate
        temporary.unlink()
        return candidate
    raise OSError(f"no free name like '{path.name}' among {MAX_SUFFIX}")


def _as_json_array(temporary: Path) -> None:
    """Turn the JSON Lines written so far into one JSON array, in place (streamed, line by line)."""
    array = temporary.with_name(temporary.name + ".array")
    descriptor = os.open(array, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # as private as the lines were
    with temporary.open("rb") as lines, os.fdopen(descriptor, "wb") as out:
        out.write(b"[")
        for number, line in enumerate(lines):
            out.write((b",\n" if number else b"\n") + line.rstrip(b"\n"))
        out.write(b"\n]\n")
    os.replace(array, temporary)


def unconfirmed_path(path: str | Path | None) -> Path | None:
    """Beside the leftover file: items that may or may not have landed, to check before sending again."""
    if path is None:
        return None
    path = Path(path)
    return path.with_name(f"{path.stem}-unconfirmed{path.suffix}")


def open_leftovers(
    path: str | Path | None, kind: str, what: str, input_path: Path | None
) -> tuple[LeftoverFile, LeftoverFile]:
    """The ``kind`` (failed, unsent) file of ``what`` and, beside it, the file of those that may have landed.

    Both are opened (so checked) now, before anything is sent, and neither may be the input.
    """
    leftovers = LeftoverFile(path, what=f"{kind} {what} file", input_path=input_path)
    try:
        unconfirmed = LeftoverFile(unconfirmed_path(path), what=f"unconfirmed {what} file", input_path=input_path)
    except PlanhatInputError:
        leftovers.close()
        raise
    return leftovers, unconfirmed
