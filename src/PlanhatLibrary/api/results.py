"""What the load keywords return: one shape, the same keys on success and on failure (``PlanhatBulkError.result``).

Every load (Bulk Upsert Entities, Ensure Entities, Create Bulk Activities, Push Metrics) answers with the
keys of ``LoadResult``; each keyword adds its own. libdoc shows these types with their keys.
"""

from __future__ import annotations

from typing import Any, TypedDict


class LoadResult(TypedDict):
    """The keys every load keyword returns."""

    total: int  #: items in the input (after ``resume_from``: the whole input still)
    landed: int  #: items of the requests Planhat answered (created, updated, unchanged or refused one by one)
    failed: int  #: items Planhat refused, or that failed to be written: each one in ``errors``
    errors: list[dict[str, Any]]  #: ``index`` (input position), ``kind``, ``message``, ``item``
    requests: int  #: write requests sent
    unsent: int  #: items that did not land and are safe to send again: in ``failed_items_file``
    unconfirmed: int  #: items that may or may not have landed: in ``unconfirmed_items_file``
    failed_items_file: str | None  #: the file holding every item still to send, or None
    unconfirmed_items_file: str | None  #: the file holding the items to check in Planhat before resending


class UpsertResult(LoadResult):
    """Bulk Upsert Entities: Planhat's bulk result summed over the chunks."""

    model: str
    created: int
    updated: int
    unchanged: int  #: Planhat's ``nonupdates``: matched, nothing changed
    upserted_ids: list[str]
    inserts_keys: list[dict[str, Any]]
    updates_keys: list[dict[str, Any]]
    chunks: int
    chunks_landed: int
    resent_chunks: int  #: chunks sent again after a lost answer (keyed chunks only)


class EnsureResult(LoadResult):
    """Ensure Entities: what was created, updated and left alone."""

    created: int
    updated: int
    unchanged: int
    changed_fields: dict[str, int]  #: field name -> how many items changed it
    writes: int  #: objects written
    dry_run: bool


class MetricsResult(LoadResult):
    """Push Metrics: Planhat's per-row answer summed over the requests."""

    processed: int  #: rows Planhat says it processed
    unreported: int  #: rows of requests Planhat accepted without a per-row result


def no_files() -> dict[str, Any]:
    """The file keys of a load that writes no file (Ensure Entities: its input is the record)."""
    return {"unsent": 0, "unconfirmed": 0, "failed_items_file": None, "unconfirmed_items_file": None}
