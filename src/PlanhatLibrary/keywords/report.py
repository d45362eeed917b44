"""Summaries for log.html as HTML tables: what a load or a query did, at a glance.

Every value is escaped, so an item's text (from a file, from Planhat) cannot add markup to the log.
Secrets never reach a summary: it is built from counts, field names, input indexes and messages the
session has already redacted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from robot.api import logger

FIRST_FAILURES = 10
STYLE = "border-collapse: collapse; margin: 4px 0"
CELL = "border: 1px solid #ccc; padding: 2px 8px"


def table(caption: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """An HTML table with a caption, escaped cell by cell."""
    head = "".join(f'<th style="{CELL}">{escape(str(name))}</th>' for name in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{CELL}">{escape(str(cell))}</td>' for cell in row) + "</tr>" for row in rows
    )
    return (
        f'<table class="planhat-summary" style="{STYLE}"><caption style="text-align: left"><b>'
        f"{escape(caption)}</b></caption><tr>{head}</tr>{body}</table>"
    )


def counts_table(caption: str, counts: Mapping[str, Any]) -> str:
    return table(
        caption,
        ["created", "updated", "unchanged", "failed"],
        [[counts.get(key, 0) for key in ("created", "updated", "unchanged", "failed")]],
    )


def failures_table(errors: Sequence[Mapping[str, Any]]) -> str:
    shown = errors[:FIRST_FAILURES]
    more = f" (first {len(shown)} of {len(errors)})" if len(errors) > len(shown) else ""
    rows = [[error.get("index", ""), error.get("kind", ""), error.get("message", "")] for error in shown]
    return table(f"Failed items{more}", ["input index", "kind", "message"], rows)


def log_load(caption: str, result: Mapping[str, Any]) -> None:
    """Counts, changed fields with their counts, and the first failed items of a load, as tables."""
    parts = [counts_table(caption, {**result, "failed": result.get("failed", len(result.get("errors") or []))})]
    changed = result.get("changed_fields") or {}
    if changed:
        rows = sorted(changed.items(), key=lambda pair: (-pair[1], pair[0]))
        parts.append(table("Changed fields", ["field", "objects"], rows))
    if result.get("errors"):
        parts.append(failures_table(result["errors"]))
    logger.info("".join(parts), html=True)


def log_query(plan: str, pages: int, scanned: int, returned: int) -> None:
    rows: list[list[Any]] = [
        ["plan", plan],
        ["pages fetched", pages],
        ["objects scanned", scanned],
        ["objects returned", returned],
    ]
    logger.info(table("Query", ["", ""], rows), html=True)
