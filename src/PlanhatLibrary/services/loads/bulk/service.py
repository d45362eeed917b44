"""Bulk upserts (``PUT /{model}`` with an array): validate everything, send the chunks (one at a time, or
``parallel`` at once, on the load engine of ``runner.py``), sum the results, map every item error back
to its input index, keep the failed items.

It never sends an empty chunk, never treats a 206 as a full success and never loses the per-item
errors (docs/benchmarks.md compares this with another client).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PlanhatLibrary.api.jsoncodec import loads as read_json
from PlanhatLibrary.api.models import BULK_LIMIT, Model, Operation
from PlanhatLibrary.api.writes import prepared
from PlanhatLibrary.errors import (
    PlanhatBulkError,
    PlanhatError,
    PlanhatHTTPError,
    PlanhatInputError,
    PlanhatResponseError,
    listing,
)
from PlanhatLibrary.files.leftovers import LeftoverFile, open_leftovers
from PlanhatLibrary.files.sources import ItemSource
from PlanhatLibrary.files.spool import Spool
from PlanhatLibrary.log import logger
from PlanhatLibrary.services.endusers import Pins
from PlanhatLibrary.services.entities import EntityService, require
from PlanhatLibrary.services.fields import FieldCheck
from PlanhatLibrary.services.loads.bulk.answer import (
    ignored_errors,
    is_bulk_result,
    item_errors,
    needs_items,
    one_reason,
    unplaced_errors,
)
from PlanhatLibrary.services.loads.bulk.summary import ON_ERROR, BulkSummary, ChunkReport, failure_message, what_landed
from PlanhatLibrary.services.loads.bulk.validate import validate_items
from PlanhatLibrary.services.loads.concurrency import check_parallel
from PlanhatLibrary.services.loads.interrupts import one_interrupt, surely
from PlanhatLibrary.services.loads.runner import (
    Chunk,
    LoadRun,
    chunks_of,
    files_advice,
    interrupted_note,
    landed_text,
    may_have_landed,
)
from PlanhatLibrary.transport.failures import Target
from PlanhatLibrary.transport.session import PlanhatSession


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
                f"the same way, so no further chunk was sent. {what_landed(summary)}{advice}"
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
            if not is_bulk_result(error.body):
                raise _ChunkLostError(error, keyed or not may_have_landed(error)) from error
            result, answer_lost = error.body, False
        except PlanhatError as error:
            raise _ChunkLostError(error, keyed or not may_have_landed(error)) from error
        if not is_bulk_result(result):
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
        reason = one_reason(summary.errors[before:], len(lines)) if self.stop_on_failed_chunk else None
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
            items = [read_json(line) for line in lines] if needs_items(result, len(lines)) else []
            errors = list(item_errors(model, result, items))
            errors.extend(ignored_errors(model, result, items, errors))
            unplaced = unplaced_errors(model, result, items, errors)
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
        landed = what_landed(summary)
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


def _check_options(chunk_size: int, on_error: str, resume_from: int) -> None:
    if type(chunk_size) is not int or not 1 <= chunk_size <= BULK_LIMIT:
        raise PlanhatInputError(
            f"chunk_size must be a whole number between 1 and {BULK_LIMIT} (Planhat's limit), got {chunk_size!r}."
        )
    if on_error not in ON_ERROR:
        raise PlanhatInputError(f"on_error must be one of {', '.join(ON_ERROR)}, got '{on_error}'.")
    if type(resume_from) is not int or resume_from < 1:
        raise PlanhatInputError(f"resume_from counts chunks from 1 (a whole number), got {resume_from!r}.")


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
