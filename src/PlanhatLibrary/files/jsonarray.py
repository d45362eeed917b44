"""A JSON array in a file, read one element at a time: memory holds a block of text and one element.

The results are exactly those of reading the whole file with the standard library (``utest/files/test_sources.py``
reads every tricky file both ways).
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from PlanhatLibrary.errors import PlanhatInputError, shorten

_DECODER = json.JSONDecoder()  # json.loads' own: NaN, long integers and messages as reading the file whole
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER_TAIL = re.compile(r"[0-9.eE+-]*\Z")  # text a number at the end of the window may go on with


def _trailing_comma_message() -> str | None:
    """Python 3.13+ names a comma before ``]`` at the comma; older versions expect a value at the ``]``."""
    try:
        json.loads("[0,]")
    except json.JSONDecodeError as error:
        return error.msg if error.pos == 2 else None
    return None  # pragma: no cover - every version refuses it


_TRAILING_COMMA = _trailing_comma_message()


class JsonArray:
    """The elements of the JSON array in a file, decoded one at a time from a window of its text.

    The window is the text from the element being read to the end of the last block read; an element
    split over blocks is read again once more of the file is in (the window doubling each time). Text is
    decoded as ``read_text(encoding="utf-8-sig")`` does (universal newlines), so positions in messages
    are those of reading the file whole."""

    def __init__(self, path: Path, block_size: int) -> None:
        self.path = path
        self.block_size = max(1, block_size)
        self.handle = path.open("rb")
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.newlines = io.IncrementalNewlineDecoder(self.decoder, translate=True)
        self.text = ""
        self.pos = 0  # where reading goes on in ``text``
        self.eof = False
        self.offset = 0  # bytes given to the decoder so far (after a byte order mark)
        self.lines = 0  # line breaks in the text dropped from the window
        self.column = 0  # characters after the last of them

    def __enter__(self) -> JsonArray:
        return self

    def __exit__(self, *_: object) -> None:
        self.handle.close()

    def opened(self) -> bool:
        """Read up to the ``[`` that opens the array; False when the file holds something else."""
        if self.handle.read(3) != codecs.BOM_UTF8:
            self.handle.seek(0)
        self._fill(self.block_size)
        if self.text.startswith("\ufeff"):  # a second mark, which reading the file whole drops too
            self.pos = 1
        if self._next() != "[":
            return False
        self.pos += 1
        return True

    def __iter__(self) -> Iterator[Any]:
        if self._next() == "]":
            self.pos += 1
        else:
            yield from self._elements()
        if self._next():
            self._fail("Extra data", self.pos)

    def _elements(self) -> Iterator[Any]:
        while True:
            yield self._value()
            char = self._next()
            if char == "]":
                self.pos += 1
                return
            if char != ",":
                self._fail("Expecting ',' delimiter", self.pos)
            comma = self.pos
            self.pos += 1
            if self._next() == "]" and _TRAILING_COMMA:
                self._fail(_TRAILING_COMMA, comma)

    def _next(self) -> str:
        """Skip whitespace; the next character, or "" at the end of the file."""
        while True:
            match = _WHITESPACE.match(self.text, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.text) or not self._fill(self.block_size):
                return self.text[self.pos : self.pos + 1]

    def _value(self) -> Any:
        """Decode the element at ``pos``; an element the window may cut short is read again with more text."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except (ValueError, RecursionError) as error:  # a JSONDecodeError is a ValueError
                if self._fill(max(self.block_size, len(self.text))):
                    continue
                raise self._error(error) from None
            if _NUMBER_TAIL.match(self.text, end) and self._fill(max(self.block_size, len(self.text))):
                continue  # ``12`` may be ``12.5e3`` once the next block is in
            self.pos = end
            return value

    def _fill(self, size: int) -> bool:
        """Add at least one character read from the file, dropping the text before ``pos``; False at its end
        (then the window stays as it was, for the positions of a message)."""
        while not self.eof:
            data = self.handle.read(size)
            self.eof = not data
            pending = len(self.decoder.getstate()[0])
            try:
                text = self.newlines.decode(data, final=self.eof)
            except UnicodeDecodeError as error:
                start = self.offset - pending + error.start
                raise PlanhatInputError(f"'{self.path}' is not valid UTF-8 (byte {start}).") from None
            self.offset += len(data)
            if text:
                self._drop()
                self.text += text
                return True
        return False

    def _drop(self) -> None:
        if self.pos:
            dropped = self.text[: self.pos]
            last = dropped.rfind("\n")
            self.lines += dropped.count("\n")
            self.column = self.pos - last - 1 if last >= 0 else self.column + self.pos
            self.text = self.text[self.pos :]
            self.pos = 0

    def _error(self, error: ValueError | RecursionError) -> PlanhatInputError:
        what = f"'{self.path}'"
        if isinstance(error, json.JSONDecodeError):
            line, column = self._position(error.pos)
            return PlanhatInputError(f"{what} is not valid JSON: {error.msg} at line {line} column {column}.")
        if isinstance(error, RecursionError):
            return PlanhatInputError(f"{what} is nested too deeply to read as JSON.")
        return PlanhatInputError(f"{what} cannot be read as JSON: {shorten(str(error), 200)}.")

    def _fail(self, message: str, pos: int) -> NoReturn:
        raise self._error(json.JSONDecodeError(message, self.text, pos))

    def _position(self, pos: int) -> tuple[int, int]:
        """The line and column of ``text[pos]`` in the whole file, as ``json.JSONDecodeError`` counts them."""
        last = self.text.rfind("\n", 0, pos)
        column = pos - last if last >= 0 else self.column + pos + 1
        return self.lines + self.text.count("\n", 0, pos) + 1, column
