"""Bulk upserts (``PUT /{model}`` with an array): validate everything, send the chunks (one at a time, or
``parallel`` at once, on the load engine of ``runner.py``), sum the results, map every item error back
to its input index, keep the failed items.

It never sends an empty chunk, never treats a 206 as a full success and never loses the per-item
errors (docs/benchmarks.md compares this with another client).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from PlanhatLibrary.api.jsoncodec import loads as read_json
from PlanhatLibrary.api.models import BULK_LIMIT, Model, Operation
from PlanhatLibrary.api.payloads import check_items, encoded
from PlanhatLibrary.api.writes import GENERATED_NOT_KEYS, prepared, problem, without_generated
from PlanhatLibrary.errors import (
    MAX_LISTED,
    PlanhatBulkError,
    PlanhatError,
    PlanhatHTTPError,
    PlanhatInputError,
    PlanhatResponseError,
    landed_text,
    listing,
    may_have_landed,
)
from PlanhatLibrary.files.leftovers import LeftoverFile, open_leftovers
from PlanhatLibrary.files.sources import ItemSource
from PlanhatLibrary.files.spool import Spool
from PlanhatLibrary.log import logger
from PlanhatLibrary.services.endusers import Pins
from PlanhatLibrary.services.entities import EntityService, require
from PlanhatLibrary.services.fields import FieldCheck
from PlanhatLibrary.services.loads.concurrency import check_parallel
from PlanhatLibrary.services.loads.interrupts import one_interrupt, surely
from PlanhatLibrary.services.loads.runner import Chunk, LoadRun, chunks_of, files_advice, interrupted_note
from PlanhatLibrary.transport.failures import Target
from PlanhatLibrary.transport.session import PlanhatSession

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


def validate_items(
    model: Model,
    source: Iterable[Any],
    chunk_size: int = BULK_LIMIT,
    check: FieldCheck | None = None,
    whole_input: bool = False,
    spool: Spool | None = None,
) -> int:
    """Check every item before anything is sent; returns the count or raises listing the bad ones.

    Repeated identifying keys are looked for within each chunk (one request), as Planhat rejects them
    there; keeping only one chunk's keys keeps memory flat for any input size. ``whole_input`` (chunks
    sent in parallel, where two chunks naming one object would race) looks across the whole input,
    keeping an 8-byte digest per key. Each good item's JSON (custom values read by type) goes to
    ``spool``, so sending needs neither the input nor encoding again.
    """
    seen: dict[Any, int] = {}
    pairs = source.with_lines() if isinstance(source, ItemSource) else ((item, None) for item in source)
    verbatim: list[bytes | None] = [None]  # the current item's input line, when it can be sent as it is

    def items() -> Iterator[Any]:
        for item, line in pairs:
            verbatim[0] = line
            yield item

    def item_problem(index: int, item: Any) -> str | None:
        if index % chunk_size == 0 and not whole_input:
            seen.clear()
        if type(item) is not dict and not isinstance(item, Mapping):
            return f"not a dictionary ({type(item).__name__})"
        given = item
        try:
            item = _as_sent(item, check)
        except ValueError as error:
            return str(error)
        line = verbatim[0] if item is given and verbatim[0] is not None else encoded(item)
        if isinstance(line, str):
            return line
        keys = [key for key in model.keyables if item.get(key) not in (None, "")]
        found = _item_problem(model, item, index, seen, keys, whole_input)
        found = found or (check.problem(item) if check is not None else None)
        if found is None and spool is not None:
            spool.add(line, bool(keys), index // chunk_size + 1)
        return found

    return check_items(items(), item_problem, f"{model.name} item(s)")


def _as_sent(item: Any, check: FieldCheck | None) -> Any:
    """An item with its custom values read by type, without what Planhat generates (an exported object
    loaded again carries ``__v``, ``updatedAt``...); bad custom text raises ValueError."""
    if check is not None:
        item = check.convert(item)
    return item if GENERATED_NOT_KEYS.isdisjoint(item) else without_generated(item)


def _item_problem(
    model: Model, item: Mapping[str, Any], index: int, seen: dict[Any, int], keys: list[str], digest: bool = False
) -> str | None:
    """What is wrong with one item (``keys``: the identifying keys it holds), or None."""
    unfit = problem(model, item)
    if unfit:
        return unfit
    for key in keys:
        scope = f"\x00{item.get(model.company_field or '')}" if key in model.per_company else ""
        value = item[key]
        entry: Any = (key, f"{value}{scope}" if scope or type(value) is not str else value)
        if digest:
            entry = hashlib.blake2b(f"{key}\x00{item[key]}{scope}".encode(), digest_size=8).digest()
        earlier = seen.setdefault(entry, index)
        if earlier != index:
            why = "chunks sent in parallel must not share one" if digest else "Planhat rejects duplicated keys"
            return f"{key} '{item[key]}' duplicates item {earlier} ({why})"
    if not keys:
        missing = [name for name in model.required if item.get(name) in (None, "")]
        if missing:
            return f"no identifying key ({', '.join(model.keyables)}) and missing required {', '.join(missing)}"
    lacking = [name for name in model.needed if item.get(name) in (None, "")]
    if lacking:
        return f"missing required {', '.join(lacking)} (Planhat drops a {model.name} without it silently)"
    return None


class BulkService:
    """Runs one bulk upsert through a session."""

    def __init__(
        self,
        session: PlanhatSession,
        progress: Callable[[ChunkReport], None] | None = None,
        resumable: bool = True,
        parallel: int = 1,
        stop_on_failed_chunk: bool = True,
    ) -> None:
        check_parallel(parallel)
        self.session = session
        self.progress = progress
        self.resumable = resumable  # False: the caller gives its own advice (ensure is safe to run again)
        self.parallel = parallel  # chunks in flight at once; 1 sends them one after another
        self.stop_on_failed_chunk = stop_on_failed_chunk  # a chunk refused whole for one reason ends the load
        self.keyword = "Bulk Upsert Entities" if resumable else "Ensure Entities"
        self.pins: Pins | None = None

    @one_interrupt()
    def upsert(
        self,
        model: Model,
        items: Any,
        *,
        chunk_size: int = BULK_LIMIT,
        on_error: str = "fail",
        failed_items_path: str | Path | None = None,
        resume_from: int = 1,
        keep_keys: bool = True,
        pin_per_company: bool = True,
        check: FieldCheck | None = None,
    ) -> BulkSummary:
        """Send ``items`` in chunks. ``pin_per_company=False``: the caller already knows which end users
        its items mean (Ensure); otherwise items keyed by a per-company key are pinned first (``Identity`` of
        services/endusers.py)."""
        require(model, Operation.BULK)
        _check_options(chunk_size, on_error, resume_from)
        source = items if isinstance(items, ItemSource) else ItemSource(items)
        leftovers, unconfirmed = open_leftovers(failed_items_path, "failed", "items", source.path)
        spool: Spool | None = None
        try:
            spool = Spool()
            total = validate_items(model, source, chunk_size, check, whole_input=self.parallel > 1, spool=spool)
            self.pins = self._pins(model, source) if pin_per_company and model.per_company else None
            chunks = math.ceil(total / chunk_size)
            if total and resume_from > chunks:
                raise PlanhatInputError(f"resume_from={resume_from} but the input has only {chunks} chunk(s).")
        except BaseException as error:  # bad input, or an interrupt while checking: nothing was sent, no file is left
            leftovers.close()
            unconfirmed.close()
            if spool is not None:
                spool.close()
            if not isinstance(error, PlanhatError):
                logger.warn(f"{self.keyword} was interrupted while checking the items: nothing was sent.")
            raise
        summary = BulkSummary(model.name, total, chunk_size, chunks, first_chunk=resume_from, keep_keys=keep_keys)
        failure: str | None = None
        try:
            failure = self._send_all(model, spool, summary, leftovers, unconfirmed, on_error)
        except BaseException as error:
            surely(lambda: self._close(spool, summary, leftovers, unconfirmed))
            files = (summary.failed_items_file, summary.unconfirmed_items_file)
            if self.resumable:
                logger.warn(interrupted_note(self.keyword, error, files, f"{model.name} item"))
            else:  # Ensure: its input is the record, and running it again sends only what still differs
                logger.warn(
                    f"Ensure Entities was interrupted ({type(error).__name__}): nothing more was sent. Run it "
                    "again with the same input: it sends only what still differs."
                )
            raise
        surely(lambda: self._close(spool, summary, leftovers, unconfirmed))
        if failure is not None:
            raise PlanhatBulkError(self._recovery(failure, summary), result=summary.to_dict())
        if summary.errors and on_error != "continue":
            raise PlanhatBulkError(failure_message(summary), result=summary.to_dict())
        return summary

    @staticmethod
    def _close(spool: Spool, summary: BulkSummary, leftovers: LeftoverFile, unconfirmed: LeftoverFile) -> None:
        """Close the spool and both files, all of them even when one fails (the first failure goes on)."""
        spool.close()
        summary.unconfirmed = unconfirmed.count
        try:
            summary.failed_items_file = leftovers.close()
        finally:
            summary.unconfirmed_items_file = unconfirmed.close()

    def _pins(self, model: Model, source: ItemSource) -> Pins:
        pins = Pins(EntityService(self.session), model)
        problems = pins.load(source)
        if problems:
            raise PlanhatInputError(
                f"{len(problems)} {model.name} item(s) cannot be sent safely, nothing was sent: {listing(problems)}"
            )
        return pins

    def _send_all(
        self,
        model: Model,
        spool: Spool,
        summary: BulkSummary,
        leftovers: LeftoverFile,
        unconfirmed: LeftoverFile,
        on_error: str,
    ) -> str | None:
        """Send every chunk, at most ``parallel`` at a time, and take their answers in input order.

        On a lost chunk or a stop, no new chunk is sent; those in flight are waited for and taken in
        (they may land), and every item that did not land is written to ``leftovers``. Returns why the
        run stopped, or None.
        """
        started = time.monotonic()
        stops: list[_Stop] = []
        run = LoadRun(
            spool,
            leftovers,
            unconfirmed,
            parallel=self.parallel,
            name="planhat-bulk",
            first_line=(summary.first_chunk - 1) * summary.chunk_size,
        )

        def send(chunk: Chunk) -> tuple[dict[str, Any], bool]:
            body = self._body(model, chunk.lines, chunk.number, summary.chunk_size)
            target = Target(f"Bulk upsert chunk {chunk.number} of {summary.chunks} for", model.name)
            return self._request(model, body, chunk.number not in spool.unkeyed_chunks, chunk.number, target)

        def take(chunk: Chunk, answer: Future[Any]) -> bool:
            stop = self._take(model, chunk, answer, spool, summary, leftovers, unconfirmed, on_error, started)
            if stop is not None and not stops:
                stops.append(stop)
            return stop is not None

        chunks = chunks_of(spool, summary.chunk_size, first=summary.first_chunk)
        try:
            run.run(chunks, send, take, lambda chunk: chunk.number not in spool.unkeyed_chunks)
        finally:
            summary.unsent += run.rest.unsent + run.rest.resendable
            summary.requests += len(run.started)
        return self._stop_message(summary, stops[0]) if stops else None

    def _stop_message(self, summary: BulkSummary, stop: _Stop) -> str:
        if stop.lost is not None:
            return self._transport_failure(summary, stop.number, stop.lost.resendable, stop.lost.cause)
        if stop.reason is not None:
            advice = (
                " Fix the cause and send the failed-items file; stop_on_failed_chunk=${False} sends every chunk "
                "whatever the answers."
                if self.resumable
                else ""
            )
            return (
                f"Bulk upsert of {summary.model} stopped after chunk {stop.number} of {summary.chunks}: Planhat "
                f"refused every item of it for one reason: {stop.reason}. The next chunks would most likely fail "
                f"the same way, so no further chunk was sent. {_landed(summary)}{advice}"
            )
        return self._stopped_message(summary, stop.number)

    def _body(self, model: Model, lines: list[bytes], number: int, chunk_size: int) -> bytes | list[dict[str, Any]]:
        """The request body: the spooled lines joined, or the items changed as Planhat stores them (defaults,
        day numbers) and pinned to the end users they mean."""
        if not (model.defaults or model.day_fields or self.pins is not None):
            return b"[" + b",".join(lines) + b"]"
        payload = [prepared(model, read_json(line)) for line in lines]
        if self.pins is not None:
            first = (number - 1) * chunk_size
            payload = [self.pins.pin(item, first + index) for index, item in enumerate(payload)]
        return payload

    def _request(
        self, model: Model, body: bytes | list[dict[str, Any]], keyed: bool, number: int, target: Target
    ) -> tuple[dict[str, Any], bool]:
        """One bulk call (with the session's retries); Planhat's result and whether an answer was lost."""
        content = {"raw": body} if isinstance(body, bytes) else {"json": body}
        try:
            reply = self.session.send("PUT", model.path, idempotent=keyed, target=target, **content)
            result, answer_lost = reply.data, reply.answer_lost
        except PlanhatHTTPError as error:
            if not _is_bulk_result(error.body):
                raise _ChunkLostError(error, keyed or not may_have_landed(error)) from error
            result, answer_lost = error.body, False
        except PlanhatError as error:
            raise _ChunkLostError(error, keyed or not may_have_landed(error)) from error
        if not _is_bulk_result(result):
            message = f"Bulk upsert chunk {number}: Planhat answered without a bulk result ({type(result).__name__})."
            raise _ChunkLostError(PlanhatResponseError(message, method="PUT", url=model.path), keyed)
        return result, answer_lost

    def _take(
        self,
        model: Model,
        chunk: Chunk,
        answer: Future[Any],
        spool: Spool,
        summary: BulkSummary,
        leftovers: LeftoverFile,
        unconfirmed: LeftoverFile,
        on_error: str,
        started: float,
    ) -> _Stop | None:
        """Take one chunk's answer in: counts, item errors, progress. Returns why to stop, or None."""
        number, lines = chunk.number, chunk.lines
        before = len(summary.errors)
        try:
            result, answer_lost = answer.result()
            summary.resent_chunks += int(answer_lost)
            self._record(model, chunk, result, summary, (leftovers, unconfirmed), number not in spool.unkeyed_chunks)
        except _ChunkLostError as lost:
            writer = leftovers if lost.resendable else unconfirmed
            for line in lines:
                writer.write_line(line)
            summary.unsent += len(lines) if lost.resendable else 0
            return _Stop(number, lost)
        summary.chunks_landed += 1
        summary.landed_items += len(lines)
        summary.landed.append(number)
        self._report(summary, number, len(lines), started)
        reason = _one_reason(summary.errors[before:], len(lines)) if self.stop_on_failed_chunk else None
        if reason is not None and number < summary.chunks:
            return _Stop(number, reason=reason)
        if summary.errors and on_error == "stop" and number < summary.chunks:
            return _Stop(number)
        return None

    def _record(
        self,
        model: Model,
        chunk: Chunk,
        result: dict[str, Any],
        summary: BulkSummary,
        files: tuple[LeftoverFile, LeftoverFile],
        keyed: bool,
    ) -> None:
        """Count one chunk's result and write its failed items: to the failed file when the answer names them,
        and, when an error names no item, every item the answer does not account for to the failed file
        (keyed: sending again is harmless) or the unconfirmed one."""
        lines, number = chunk.lines, chunk.number
        try:
            summary.add(result, summary.keep_keys)
            # the items are read again only when the answer names failures or leaves some unaccounted for
            items = [read_json(line) for line in lines] if _needs_items(result, len(lines)) else []
            errors = list(_item_errors(model, result, items))
            errors.extend(_ignored(model, result, items, errors))
            unplaced = _unplaced(model, result, items, errors)
        except (TypeError, ValueError, OverflowError, AttributeError) as error:
            message = f"Bulk upsert chunk {number}: Planhat's bulk result cannot be read ({type(error).__name__})."
            raise _ChunkLostError(PlanhatResponseError(message, method="PUT", url=model.path), keyed) from None
        failed, unconfirmed = files
        written: set[int] = set()
        for error_item in errors:
            index = error_item.pop("chunk_index")
            summary.errors.append({"index": chunk.start + index if index is not None else None, **error_item})
            if index is not None and index not in written:  # one item may be named by two error lists
                written.add(index)
                failed.write_line(lines[index])
        for index in unplaced:
            (failed if keyed else unconfirmed).write_line(lines[index])

    def _report(self, summary: BulkSummary, number: int, size: int, started: float) -> None:
        if self.progress is None:
            return
        done = min(summary.total, (number - 1) * summary.chunk_size + size)
        self.progress(
            ChunkReport(number, summary.chunks, done, summary.total, time.monotonic() - started, len(summary.errors))
        )

    def _transport_failure(self, summary: BulkSummary, number: int, resendable: bool, error: PlanhatError) -> str:
        landed = _landed(summary)
        fate = (
            f"Chunk {number} did not land (it is safe to send again)."
            if resendable
            else f"Chunk {number} may or may not have landed: it holds items without an identifying key, "
            "so it was not retried."
        )
        return f"Bulk upsert of {summary.model} stopped at chunk {number} of {summary.chunks}: {error} {landed} {fate}"

    def _stopped_message(self, summary: BulkSummary, number: int) -> str:
        stopped = f"Stopped after chunk {number} of {summary.chunks} (on_error=stop)."
        later = [landed for landed in summary.landed if landed > number]
        if later:
            stopped += f" {landed_text('Chunk', later)} too (sent in parallel)."
        return f"{failure_message(summary, advice=False)} {stopped}"

    def _recovery(self, message: str, summary: BulkSummary) -> str:
        """What to do next, naming every file that holds items still to send."""
        resume = (
            f"rerun with resume_from={summary.chunks_landed + summary.first_chunk} (same input and chunk_size) to "
            "send the remaining chunks"
        )
        in_order = self.resumable and summary.landed_in_order
        files = (summary.failed_items_file, summary.unconfirmed_items_file)
        parts = [message]
        parts += files_advice(
            self.keyword,
            "item",
            files,
            counts=f"{len(summary.errors)} failed, {summary.unsent} not sent",
            resume=resume if not summary.errors and in_order else "",
            doubt="no identifying key, so sending them again could duplicate them",
        )
        if not summary.failed_items_file and in_order and (summary.unsent or summary.errors):
            parts.insert(
                1, resume.capitalize() + ("; the failed items are listed in the result." if summary.errors else ".")
            )
        return " ".join(parts)


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


def _landed(summary: BulkSummary) -> str:
    if not summary.landed:
        return "No chunk of this run landed."
    return (
        f"{landed_text('Chunk', summary.landed)} (created {summary.created}, updated {summary.updated}, "
        f"unchanged {summary.unchanged}, failed items {len(summary.errors)})."
    )


def _check_options(chunk_size: int, on_error: str, resume_from: int) -> None:
    if type(chunk_size) is not int or not 1 <= chunk_size <= BULK_LIMIT:
        raise PlanhatInputError(
            f"chunk_size must be a whole number between 1 and {BULK_LIMIT} (Planhat's limit), got {chunk_size!r}."
        )
    if on_error not in ON_ERROR:
        raise PlanhatInputError(f"on_error must be one of {', '.join(ON_ERROR)}, got '{on_error}'.")
    if type(resume_from) is not int or resume_from < 1:
        raise PlanhatInputError(f"resume_from counts chunks from 1 (a whole number), got {resume_from!r}.")


def _is_bulk_result(body: Any) -> bool:
    return isinstance(body, dict) and any(key in body for key in ("created", *ERROR_KINDS))


def _item_errors(model: Model, result: Mapping[str, Any], chunk: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every item error of one chunk, with its position in the chunk when it can be found."""
    lookup: dict[tuple[str, str], int] | None = None
    for key, kind in ERROR_KINDS.items():
        for raw in result.get(key) or []:
            index = raw.get("index") if isinstance(raw, dict) else None
            if not isinstance(index, int) or not 0 <= index < len(chunk):
                lookup = lookup if lookup is not None else _key_lookup(model, chunk)
                index = _find(raw, lookup)
            keys = raw.get("item") if isinstance(raw, dict) and isinstance(raw.get("item"), dict) else {}
            yield {"chunk_index": index, "kind": kind, "message": _error_text(raw), "item": keys}


def _ignored(
    model: Model, result: Mapping[str, Any], chunk: list[dict[str, Any]], errors: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Items Planhat's result accounts for nowhere (not created, updated, unchanged or failed), as errors.

    Planhat ignores an end user it cannot map to a company without a word (help article 9586991);
    silence is not success. The items are named when the result tells them apart, else only counted.
    """
    accounted = sum(int(result.get(key) or 0) for key in ("created", "updated", "nonupdates")) + len(errors)
    missing = len(chunk) - accounted
    if missing <= 0:
        return []
    why = f" ({model.dropped_when})" if model.dropped_when else ""
    named = _named(model, result, chunk, errors)
    unnamed = [index for index in range(len(chunk)) if index not in named]
    if int(result.get("nonupdates") or 0) == 0 and len(unnamed) == missing:
        message = f"Planhat ignored this item without an error{why}"
        return [{"chunk_index": index, "kind": "ignored", "message": message, "item": {}} for index in unnamed]
    # Which ones cannot be told. Items with an identifying key are listed (resending one that landed
    # unchanged is harmless); one without a key would be created twice, so it is only counted.
    keyed = [index for index in unnamed if any(chunk[index].get(key) not in (None, "") for key in model.keyables)]
    message = (
        f"Planhat ignored {missing} of {len(chunk)} items of this request without an error{why}; its answer does "
        f"not tell which: this item may be one (sending it again is harmless)"
    )
    found = [{"chunk_index": index, "kind": "ignored", "message": message, "item": {}} for index in keyed]
    if len(keyed) < len(unnamed) or not found:
        rest = f"{len(unnamed) - len(keyed)} item(s) without an identifying key may be among them, not resent"
        text = f"Planhat ignored {missing} of {len(chunk)} items of this request without an error{why}; {rest}"
        found.append({"chunk_index": None, "kind": "ignored", "message": text, "item": {}})
    return found


def _unplaced(
    model: Model, result: Mapping[str, Any], chunk: list[dict[str, Any]], errors: list[dict[str, Any]]
) -> list[int]:
    """Positions of the items an error may be about when some error names no item: every item neither named
    by an error nor shown landed by the answer's keys or ids (none when every error names its item)."""
    if all(error["chunk_index"] is not None for error in errors):
        return []
    named = _named(model, result, chunk, errors)
    return [index for index in range(len(chunk)) if index not in named]


def _named(
    model: Model, result: Mapping[str, Any], chunk: list[dict[str, Any]], errors: list[dict[str, Any]]
) -> set[int]:
    """Positions of the items the result names: by an error, or by the keys or ids of what it wrote."""
    named = {error["chunk_index"] for error in errors if error["chunk_index"] is not None}
    lookup = _key_lookup(model, chunk)
    for keys in [*(result.get("insertsKeys") or []), *(result.get("updatesKeys") or [])]:
        found = _find(keys, lookup)
        if found is not None:
            named.add(found)
    for object_id in [*(result.get("upsertedIds") or []), *(result.get("modified") or [])]:
        if ("_id", str(object_id)) in lookup:
            named.add(lookup[("_id", str(object_id))])
    return named


def _key_lookup(model: Model, chunk: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Where each of the chunk's keyable values sits, to place Planhat's errors and keys on items."""
    lookup: dict[tuple[str, str], int] = {}
    for index, item in enumerate(chunk):
        for key in model.keyables:
            if item.get(key) not in (None, ""):
                lookup.setdefault((key, str(item[key])), index)
    return lookup


def _find(raw: Any, lookup: dict[tuple[str, str], int]) -> int | None:
    if not isinstance(raw, dict):
        return None
    nested = raw.get("item")
    candidates: dict[str, Any] = nested if isinstance(nested, dict) else raw
    for key, value in candidates.items():
        if value not in (None, "") and (key, str(value)) in lookup:
            return lookup[(key, str(value))]
    return None


def _error_text(raw: Any) -> str:
    if isinstance(raw, dict):
        for key in ("message", "error", "msg", "reason"):
            if isinstance(raw.get(key), str):
                return str(raw[key])
    return json.dumps(raw, default=str)[:300]


@dataclass(frozen=True)
class _Stop:
    """Why a run sends no more chunks: chunk ``number`` was lost (``lost``) or had failures (on_error=stop)."""

    number: int
    lost: _ChunkLostError | None = None
    reason: str | None = None  # every item of the chunk refused with this one message


class _ChunkLostError(Exception):
    """A chunk that got no bulk result; ``resendable``: it did not land, or it is keyed and safe to send again."""

    def __init__(self, cause: PlanhatError, resendable: bool) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.resendable = resendable


def _one_reason(errors: list[dict[str, Any]], size: int) -> str | None:
    """The message, when Planhat refused every item of a chunk with the same one (a setup problem, not bad data)."""
    indexes = {error["index"] for error in errors if error["index"] is not None}
    messages = {str(error["message"]) for error in errors}
    return messages.pop().rstrip(".") if len(indexes) >= size > 1 and len(messages) == 1 else None


def _needs_items(result: Mapping[str, Any], size: int) -> bool:
    """Whether an answer names failed items or accounts for fewer items than were sent."""
    if any(result.get(key) for key in ERROR_KINDS):
        return True
    return sum(int(result.get(key) or 0) for key in ("created", "updated", "nonupdates")) < size
