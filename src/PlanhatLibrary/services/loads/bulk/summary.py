"""What a bulk load reports: the summed answer of every chunk, the per-chunk report, and the failure message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from PlanhatLibrary.errors import MAX_LISTED, listing
from PlanhatLibrary.services.loads.runner import landed_text

ON_ERROR = ("fail", "stop", "continue")


class OnError(Enum):
    """What a bulk keyword does when items fail."""

    FAIL = "fail"  #: send every chunk, then fail listing the failed items
    STOP = "stop"  #: fail right after the first chunk with failed items
    CONTINUE = "continue"  #: return the result; failed items are in it and in the failed-items file


ERROR_KINDS = {
    "createdErrors": "create",
    "updatedErrors": "update",
    "permissionErrors": "permission",
    "validationErrors": "validation",  # in the bulk example of planhat.com/developers/api/timesheet
}


@dataclass(frozen=True)
class ChunkReport:
    """Progress after one chunk, for logs and the console."""

    number: int
    chunks: int
    done: int
    total: int
    seconds: float
    errors: int

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


@dataclass
class BulkSummary:
    """The summed result of every chunk, with errors pointing at input indexes (0-based)."""

    model: str
    total: int
    chunk_size: int
    chunks: int
    first_chunk: int = 1
    chunks_landed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # Planhat's nonupdates: matched, nothing changed
    upserted_ids: list[str] = field(default_factory=list)
    inserts_keys: list[dict[str, Any]] = field(default_factory=list)
    updates_keys: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    failed_items_file: str | None = None
    unconfirmed_items_file: str | None = None
    unsent: int = 0  # items of chunks that were never sent (or did not land): in failed_items_file too
    requests: int = 0
    keep_keys: bool = True  # False: only counts and errors, so memory stays flat for any input size
    resent_chunks: int = 0  # chunks re-sent after a lost answer: their counts are the second attempt's
    landed: list[int] = field(default_factory=list)  # numbers of the chunks that got an answer, in input order
    unconfirmed: int = 0  # items that may or may not have landed: in unconfirmed_items_file
    landed_items: int = 0  # items of the chunks Planhat answered

    @property
    def landed_in_order(self) -> bool:
        """Whether the landed chunks are the first ones of this run, so ``resume_from`` sends exactly the rest."""
        return self.landed == list(range(self.first_chunk, self.first_chunk + len(self.landed)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": len(self.errors),
            "errors": self.errors,
            "upserted_ids": self.upserted_ids,
            "inserts_keys": self.inserts_keys,
            "updates_keys": self.updates_keys,
            "chunks": self.chunks,
            "chunks_landed": self.chunks_landed,
            "requests": self.requests,
            "failed_items_file": self.failed_items_file,
            "unsent": self.unsent,
            "unconfirmed": self.unconfirmed,
            "unconfirmed_items_file": self.unconfirmed_items_file,
            "resent_chunks": self.resent_chunks,
            "landed": self.landed_items,
        }

    def add(self, result: Mapping[str, Any], keep_keys: bool = True) -> None:
        self.created += int(result.get("created") or 0)
        self.updated += int(result.get("updated") or 0)
        self.unchanged += int(result.get("nonupdates") or 0)
        if not keep_keys:
            return
        self.upserted_ids.extend(result.get("upsertedIds") or [])
        self.inserts_keys.extend(result.get("insertsKeys") or [])
        self.updates_keys.extend(result.get("updatesKeys") or [])


def failure_message(summary: BulkSummary, advice: bool = True) -> str:
    indexes = [str(error["index"]) for error in summary.errors if error["index"] is not None]
    listed = listing([f"item {error['index']}: {error['message']}" for error in summary.errors])
    where = (
        f" Failed items written to {summary.failed_items_file}; pass that file to Bulk Upsert Entities to retry them."
        if summary.failed_items_file and advice
        else ""
    )
    return (
        f"Bulk upsert of {summary.model}: {len(summary.errors)} of {summary.total} item(s) failed "
        f"(input indexes {', '.join(indexes[:MAX_LISTED]) or 'unknown'}{'...' if len(indexes) > MAX_LISTED else ''}): "
        f"{listed}. Created {summary.created}, updated {summary.updated}, unchanged {summary.unchanged}.{where}"
    )


def what_landed(summary: BulkSummary) -> str:
    if not summary.landed:
        return "No chunk of this run landed."
    return (
        f"{landed_text('Chunk', summary.landed)} (created {summary.created}, updated {summary.updated}, "
        f"unchanged {summary.unchanged}, failed items {len(summary.errors)})."
    )
