"""How many requests a load may have in flight at once (``parallel``); the sending is ``runner.py``'s."""

from __future__ import annotations

from PlanhatLibrary.errors import PlanhatInputError

#: Requests in flight at once: well inside Planhat's 50 parallel requests and 150 requests/s (docs.planhat.com).
MAX_PARALLEL = 8


def check_parallel(parallel: int) -> None:
    if type(parallel) is not int or not 1 <= parallel <= MAX_PARALLEL:
        raise PlanhatInputError(f"parallel must be a whole number between 1 and {MAX_PARALLEL}, got {parallel!r}.")
