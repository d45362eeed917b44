"""Small text files written whole or not at all: a report, a profile.

A file appears under its name only when all of it is written (a temporary file beside it, then a rename), so
a crash never leaves half a file, and a path is checked before any work that would be lost if it cannot be
written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PlanhatLibrary.errors import PlanhatInputError


def writable_path(path: str | Path, suffix: str, what: str) -> Path:
    """``path``, checked: it ends in ``suffix`` and its folder exists (made if needed) and can be written."""
    target = Path(path)
    if target.suffix.lower() != suffix:
        raise PlanhatInputError(f"Give {what} a path ending in {suffix}, got '{target}'.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PlanhatInputError(f"Cannot write {what} to '{target}': {error.strerror or error}.") from None
    if not os.access(target.parent, os.W_OK) or target.is_dir():
        raise PlanhatInputError(f"Cannot write {what} to '{target}': the folder is not writable.")
    return target


def write_text(path: Path, text: str, what: str) -> None:
    """Write ``text`` to ``path`` (UTF-8), replacing the file in one step."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".partial", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(name, path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise PlanhatInputError(f"Cannot write {what} to '{path}': {error.strerror or error}.") from None
