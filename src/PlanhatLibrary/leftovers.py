"""Files of items that still have to be sent, so that one rerun with the file finishes a load.

A leftover file is written to a temporary file beside its target and renamed only when it is closed,
so a crash never leaves half a file under the final name, and it can never be the input being read:
the same path (after resolving links) is refused before anything is sent. The file is opened before
the first request, so an unwritable path fails before anything lands.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from .errors import PlanhatInputError
from .payloads import json_default


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
        self._handle: IO[bytes] | None = None
        self._temporary: Path | None = None
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
            raise PlanhatInputError(
                f"Could not write the {self.what} '{self.path}' ({error.strerror or error}); the {self.count} "
                f"item(s) written so far are in '{self._temporary}'."
            ) from None
        self.count += 1

    def close(self) -> str | None:
        """Rename the temporary file to its name; None (and no file) when nothing was written."""
        if self._handle is None or self._temporary is None or self.path is None:
            return None
        handle, self._handle = self._handle, None
        try:
            handle.close()
            if not self.count:
                with contextlib.suppress(OSError):
                    self._temporary.unlink()
                return None
            os.replace(self._temporary, self.path)
        except OSError as error:  # the last buffered write failed (disk full), or the rename did
            raise PlanhatInputError(
                f"Could not write the {self.what} '{self.path}' ({error.strerror or error}); the {self.count} "
                f"item(s) it should hold are in '{self._temporary}' as far as they could be written."
            ) from None
        return str(self.path)


def unconfirmed_path(path: str | Path | None) -> Path | None:
    """Beside the leftover file: items that may or may not have landed, to check before sending again."""
    if path is None:
        return None
    path = Path(path)
    return path.with_name(f"{path.stem}-unconfirmed{path.suffix or '.jsonl'}")


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
