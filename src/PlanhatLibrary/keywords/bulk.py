"""``Bulk Upsert Entities``: many objects in chunked bulk upserts, one chunk or ``parallel`` chunks in flight."""

from __future__ import annotations

from typing import Any, cast

from robot.api import logger
from robot.api.deco import keyword

from PlanhatLibrary.api.models import BULK_LIMIT, resolve_model
from PlanhatLibrary.api.results import UpsertResult
from PlanhatLibrary.errors import PlanhatBulkError
from PlanhatLibrary.keywords.base import LibraryComponent, output_file
from PlanhatLibrary.keywords.report import log_load
from PlanhatLibrary.keywords.types import Items
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.services.loads.bulk.summary import ChunkReport, OnError


class BulkKeywords(LibraryComponent):
    @keyword
    def bulk_upsert_entities(
        self,
        model: str,
        items: Items,
        chunk_size: int = BULK_LIMIT,
        on_error: OnError = OnError.FAIL,
        failed_items_file: str | None = None,
        resume_from: int = 1,
        return_ids: bool = True,
        check_fields: bool = True,
        parallel: int = 1,
        stop_on_failed_chunk: bool = True,
    ) -> UpsertResult:
        """Create or update many objects with Planhat's bulk upsert and return the summed result.

        ``items`` is a list of dictionaries, the path of a ``.json`` (array), ``.jsonl`` or ``.csv``
        file (streamed, so memory stays flat), or an ``RPA.Tables`` table. Planhat matches each item
        on ``_id``, then ``sourceId``, then ``externalId`` (and ``email`` for end users); unmatched
        items are created.

        Every item is checked before anything is sent: it must be a dictionary; an item without any
        identifying key must hold the model's required fields; no identifying key may repeat.
        An end user's ``externalId`` is unique per company only: end users keyed by it are read once
        (one listing) and each item is sent with the ``_id`` of its own company's end user; an item
        whose ``externalId`` only another company holds, or that names no company while several do,
        is refused before sending (`Ensure Entities` creates such end users safely). Items Planhat's
        answer accounts for nowhere (an end user it could not map to a company is dropped without an
        error) count as failed, with ``kind`` ``ignored``.

        Custom fields are checked against the tenant's ``/customfields`` (read once per session, when
        an item has ``custom``, and once more before refusing a name): an undefined field (with the one
        meant), a value of the wrong type, one not among a list field's values, or a formula field fails
        before anything is sent; a token that may not read them gets one warning. ``items`` may also be
        an ``RPA.Tables`` table (``Read Table From CSV``): it is read like the CSV file, typed headers
        included. Generated fields of exported objects (``__v``, ``updatedAt``...) are left out. A CSV
        column ``custom.Health`` without a typed header is read by the field's type (a number field's
        cells as numbers); a cell that does not fit fails naming its item and column.

        Items are sent as given. A partial ``custom`` object may replace the stored one (Planhat does
        not document whether it merges or replaces): to change some custom fields and keep the others,
        use `Ensure Entities`, which sends each changed ``custom`` object whole.
        Then ``ceil(items / chunk_size)`` requests go out, at most 5000 items each, one after
        another by default (Planhat's docs ask for bulk calls in sequence "to maintain data
        integrity"). ``parallel=N`` (up to 8) keeps N chunks in flight, within Planhat's 50 parallel
        requests and sharing one pacer (a 429 pauses every thread); against a distant server
        ``parallel=4`` loads about 3.5 times faster (docs/benchmarks.md). With it, a key repeated
        anywhere in the input is refused before sending (two chunks naming one object would race),
        answers are taken and reported in input order, and every item that did not land goes to
        the failed-items file whichever chunk finished first, so one rerun with that file completes
        the load.

        The result has the same keys on every path (also as ``result`` of the error when it fails):

        | =Key= | =Value= |
        | ``model``, ``total`` | the model's name; how many items the input holds |
        | ``created``, ``updated`` | summed over Planhat's answers |
        | ``unchanged`` | matched, nothing changed (Planhat's ``nonupdates``) |
        | ``failed``, ``errors`` | failed items; each error's input ``index``, ``kind``, ``message`` |
        | ``upserted_ids`` | ids of what Planhat created (its ``upsertedIds``; empty with ``return_ids=False``) |
        | ``inserts_keys``, ``updates_keys`` | Planhat's keys of what it created, updated (likewise) |
        | ``chunks``, ``chunks_landed`` | chunks in the input; chunks that got an answer |
        | ``requests``, ``resent_chunks`` | requests sent; chunks sent again after a lost answer |
        | ``unsent`` | items never sent |
        | ``failed_items_file`` | the file holding every item still to send, or ``None`` |
        | ``unconfirmed_items_file`` | items that may have landed, or ``None`` |

        Failed items (Planhat's 206 and 400 answers) are written to ``failed_items_file``
        (default: a ``.jsonl`` file in the output directory); pass that file to this keyword again
        to retry just them. ``on_error``: ``fail`` (default) sends all chunks and then fails naming
        the failed input indexes; ``stop`` fails after the first chunk with failures; ``continue``
        returns the result and logs a warning. Whatever ``on_error`` says, a chunk whose every item
        Planhat refuses with the same message (a missing company, a field the tenant lacks, a
        read-only key) ends the load after it: the next chunks would fail the same way, so they are
        written to the failed-items file instead of being sent, and the keyword fails saying why.
        ``stop_on_failed_chunk=${False}`` sends every chunk regardless.

        ``return_ids=False`` leaves ``upserted_ids``, ``inserts_keys`` and ``updates_keys`` empty, so memory
        stays flat however many items are loaded (a file is streamed one chunk at a time).

        If a chunk cannot be sent at all (server errors or lost connections after retries), the
        run stops and says which chunks landed; rerun with ``resume_from=<chunk>`` to send only
        the rest.

        Fields are checked before anything is sent, refusing only what is proven wrong: a slip of a
        known field (``phse``, ``Name``, ``Health`` for ``custom.Health``; the message names the field
        meant) or a custom field, type or list value the tenant's ``/customfields`` contradicts. Any
        other unknown field is sent, with one warning per model and field; fields of objects read from
        the tenant are known. ``check_fields=${False}`` turns every check off.

        Example:
        | ${result} = | `Bulk Upsert Entities` | companies | ${CURDIR}/companies.csv | | |
        | Should Be Equal As Integers | ${result}[failed] | 0 | | | |
        | ${result} = | `Bulk Upsert Entities` | endusers | ${users} | chunk_size=1000 | on_error=continue |
        | `Bulk Upsert Entities` | companies | ${OUTPUT_DIR}/failed.jsonl | | | |
        | `Bulk Upsert Entities` | companies | ${CURDIR}/big.jsonl | resume_from=3 | | |
        """
        entity_model = resolve_model(model)
        path = failed_items_file or output_file(f"planhat-failed-{entity_model.path}")
        upserter = BulkService(
            self.session,
            progress=_progress(entity_model.name),
            parallel=parallel,
            stop_on_failed_chunk=stop_on_failed_chunk,
        )
        caption = f"Bulk upsert of {entity_model.name}"
        try:
            summary = upserter.upsert(
                entity_model,
                items,
                chunk_size=chunk_size,
                on_error=on_error.value,
                failed_items_path=path,
                resume_from=resume_from,
                keep_keys=return_ids,
                check=self.field_check(entity_model, check_fields),
            )
        except PlanhatBulkError as error:
            log_load(caption, error.result)
            raise
        log_load(caption, summary.to_dict())
        logger.info(
            f"Bulk upsert of {summary.model}: {summary.total} item(s), created {summary.created}, updated "
            f"{summary.updated}, unchanged {summary.unchanged}, failed {len(summary.errors)}, "
            f"{summary.requests} request(s)"
        )
        if summary.resent_chunks:
            logger.info(
                f"{summary.resent_chunks} chunk(s) were sent again after an answer was lost; the first attempt may "
                "have written them, so their items may count as unchanged rather than created or updated"
            )
        if summary.errors:
            logger.warn(f"{len(summary.errors)} {summary.model} item(s) failed; see {summary.failed_items_file}")
        return cast(UpsertResult, summary.to_dict())


def _progress(model: str) -> Any:
    def report(chunk: ChunkReport) -> None:
        left = chunk.total - chunk.done
        eta = f", about {_duration(left / chunk.rate)} left" if left and chunk.rate else ""
        line = (
            f"{model} chunk {chunk.number} of {chunk.chunks}: {chunk.done:,}/{chunk.total:,} items, "
            f"{chunk.rate:,.0f} items/s, {chunk.errors} failed{eta}"
        )
        logger.info(line)
        if chunk.chunks > 1:
            logger.console(line)

    return report


def _duration(seconds: float) -> str:
    """``42 s``, ``3 min 5 s``, ``1 h 12 min``: an ETA for the console."""
    whole = int(seconds + 0.5)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"
