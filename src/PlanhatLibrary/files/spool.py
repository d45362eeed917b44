"""Validated bulk items kept as encoded JSON lines in a temporary file.

A bulk load checks every item before it sends anything, so the input is read twice. Keeping each
item's JSON, as the check encoded it, on disk lets the send pass join lines into request bodies
without reading the input (a CSV file, a table) or encoding anything again, and memory stays flat
however many items there are. Items are decoded again only where they are needed: to write a failed
one to a file, or to transform a chunk before sending (defaults, day numbers, pinned ids).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO

from PlanhatLibrary.errors import PlanhatInputError


class Spool:
    """Encoded items, one JSON text per line, in a temporary file removed when closed."""

    def __init__(self) -> None:
        self.count = 0
        self.unkeyed_chunks: set[int] = set()  # chunks holding an item without an identifying key
        try:
            self._file: IO[bytes] = tempfile.TemporaryFile(prefix="planhat-bulk-")  # noqa: SIM115 - closed by close()
        except OSError as error:
            raise PlanhatInputError(
                f"Cannot create a temporary file for the bulk load ({error}); nothing was sent."
            ) from None

    def add(self, line: bytes, keyed: bool, chunk: int) -> None:
        """One item's JSON (no newline in it: ``json.dumps`` escapes them); ``chunk`` counts from 1."""
        try:
            self._file.write(line + b"\n")
        except OSError as error:  # the temporary directory is full: nothing has been sent yet
            raise PlanhatInputError(
                f"Cannot write the temporary copy of the bulk items ({error.strerror or error}); nothing was sent. "
                "Free space in the temporary directory (TMPDIR)."
            ) from None
        self.count += 1
        if not keyed:
            self.unkeyed_chunks.add(chunk)

    def lines(self) -> Iterator[bytes]:
        """Every line, in input order, without its newline."""
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield line[:-1]

    def close(self) -> None:
        self._file.close()
