"""The one engine of every load (Bulk Upsert Entities, Ensure Entities, Create Bulk Activities, Push Metrics):
chunks of checked items sent a few at a time, answers taken in input order, and every item accounted for.

Every item of a load is written, encoded, to a spool file before the first request (``spool.py``). A
chunk is a range of the spool. At every moment each item is either in a chunk whose answer was taken
(it landed, or the keyword's ``take`` wrote it to the failed or unconfirmed file), in a chunk in flight,
or not sent yet. Whatever ends the load early (a stop the keyword asks for, Ctrl+C, Robot's timeout,
an unexpected error), the engine then:

1. sends nothing more, and tells the session to start no retry (``PlanhatSession.stopping``);
2. waits for the requests in flight (each ends within its HTTP timeout) and takes their answers in as
   usual: they landed, failed, or may have landed;
3. writes every item of the rest from the spool, never from a half-read generator: chunks in flight whose
   fate is unknown to the failed file (``resendable``: keyed, safe to send again) or the unconfirmed one,
   chunks never sent to the failed file.

Requests run on worker threads even one at a time, so an interrupt never lands inside ``requests`` or
``urllib3`` (which would leave a connection pool's lock held), and taking an answer in runs with Ctrl+C and
timeouts held back (``interrupts.py``), so it is never cut half-way.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from PlanhatLibrary.errors import (
    PlanhatConnectionError,
    PlanhatError,
    PlanhatHTTPError,
    PlanhatInputError,
    PlanhatResponseError,
)
from PlanhatLibrary.files.leftovers import LeftoverFile
from PlanhatLibrary.files.spool import Spool
from PlanhatLibrary.services.loads.interrupts import deferred_signals, surely
from PlanhatLibrary.transport.session import LOAD


@dataclass(frozen=True)
class Chunk:
    """One request's items: ``lines`` are the spool's lines ``start`` to ``start + len(lines)``."""

    number: int  # counts from 1 over the whole input
    start: int
    lines: list[bytes]

    @property
    def end(self) -> int:
        return self.start + len(self.lines)


def chunks_of(spool: Spool, size: int, max_bytes: int | None = None, first: int = 1) -> Iterator[Chunk]:
    """The spool's items in chunks of at most ``size`` items (and, with ``max_bytes``, JSON arrays under that
    many bytes). Chunks before ``first`` (``resume_from``) are counted but not yielded."""
    lines: list[bytes] = []
    number, start, length = 1, 0, 2
    for index, line in enumerate(spool.lines()):
        if lines and (len(lines) >= size or (max_bytes is not None and length + len(line) + 1 > max_bytes)):
            if number >= first:
                yield Chunk(number, start, lines)
            number, start, lines, length = number + 1, index, [], 2
        lines.append(line)
        length += len(line) + 1
    if lines and number >= first:
        yield Chunk(number, start, lines)


class Bell:
    """Rings when a request ends. The main thread waits for it on a socket, which Ctrl+C or a timeout interrupts
    cleanly, where a wait on ``threading``'s locks can end in ``RuntimeError('release unlocked lock')`` when two
    signals land in it."""

    def __init__(self) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)

    def ring(self, _: Future[Any]) -> None:
        with contextlib.suppress(OSError):  # closed, or the buffer is full: a waiter checks done() anyway
            self._writer.send(b".")

    def wait(self, answer: Future[Any]) -> None:
        while not answer.done():
            select.select([self._reader], [], [], 0.5)
            with contextlib.suppress(OSError):
                self._reader.recv(4096)

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


@dataclass
class Rest:
    """What the engine wrote after a load ended early."""

    unsent: int = 0  # items of chunks never sent: in the failed file
    resendable: int = 0  # items of chunks in flight whose fate is unknown, safe to send again: in the failed file
    unconfirmed: int = 0  # items of chunks in flight that may have landed: in the unconfirmed file


class LoadRun:
    """One load's sending: see the module's description."""

    def __init__(
        self,
        spool: Spool,
        leftovers: LeftoverFile,
        unconfirmed: LeftoverFile,
        *,
        parallel: int = 1,
        name: str = "planhat",
        first_line: int = 0,
    ) -> None:
        """``first_line``: the spool line this run starts at (``resume_from`` skips the chunks before it)."""
        self.spool = spool
        self.leftovers = leftovers
        self.unconfirmed = unconfirmed
        self.parallel = parallel
        self.name = name
        self.stopping = threading.Event()  # this load's own: its workers start no retry once it is set
        self.settled: set[int] = set()  # chunks whose answer was taken in
        self.started: list[Chunk] = []  # chunks sent, in order
        self.first_line = first_line
        self.rest = Rest()
        self.bell = Bell()

    def run(
        self,
        chunks: Iterator[Chunk],
        send: Callable[[Chunk], Any],
        take: Callable[[Chunk, Future[Any]], bool],
        resendable: Callable[[Chunk], bool],
    ) -> bool:
        """Send every chunk (``send`` runs on a worker thread) and ``take`` each answer here, in input order;
        ``take`` returning True stops sending. Returns whether the load stopped early; on any exception the
        rest is written (see the module) and the exception goes on."""
        inflight: deque[tuple[Chunk, Future[Any]]] = deque()
        executor = ThreadPoolExecutor(self.parallel, self.name, initializer=self._worker)
        stopped = False
        try:
            for chunk in chunks:  # read while the requests before it are in flight
                while len(inflight) >= self.parallel and not stopped:
                    stopped = self._take_next(inflight, take)
                if stopped:
                    break  # this chunk was read, never sent: the rest is written below
                with deferred_signals():  # a request is either sent and known, or not sent
                    answer = executor.submit(send, chunk)
                    answer.add_done_callback(self.bell.ring)
                    inflight.append((chunk, answer))
                    self.started.append(chunk)
            while inflight:
                stopped = self._take_next(inflight, take) or stopped
        except BaseException:
            surely(lambda: self._end_early(inflight, take, resendable))
            raise
        finally:
            surely(lambda: executor.shutdown(wait=True))  # the workers have stopped when the keyword ends
            self.bell.close()
        if stopped:
            surely(lambda: self._write_rest(resendable))
        return stopped

    def _worker(self) -> None:
        """Each worker thread's start: its requests see this load's stop signal (``session.LOAD``)."""
        LOAD.stopping = self.stopping

    def _take_next(
        self, inflight: deque[tuple[Chunk, Future[Any]]], take: Callable[[Chunk, Future[Any]], bool]
    ) -> bool:
        chunk, answer = inflight[0]
        self.bell.wait(answer)  # interruptible: the chunk stays in flight until its answer is taken in
        with deferred_signals():
            stop = take(chunk, answer)
            self.settled.add(chunk.number)
            inflight.popleft()
        return stop

    def _end_early(
        self,
        inflight: deque[tuple[Chunk, Future[Any]]],
        take: Callable[[Chunk, Future[Any]], bool],
        resendable: Callable[[Chunk], bool],
    ) -> None:
        """After an interrupt or an unexpected error: no retry, the answers in flight taken in, the rest written
        (run through ``surely``, so a second interrupt cannot skip it)."""
        self.stopping.set()
        wait([answer for _, answer in inflight])
        for chunk, answer in inflight:
            if chunk.number in self.settled or answer.cancelled():
                continue
            try:
                take(chunk, answer)
            except BaseException:  # noqa: BLE001 - its items are then written as of unknown fate, below
                continue
            self.settled.add(chunk.number)
        self._write_rest(resendable)

    def _write_rest(self, resendable: Callable[[Chunk], bool]) -> None:
        """Every item of this run not in a settled chunk, read again from the spool: chunks sent whose answer
        was not taken to the failed (resendable) or unconfirmed file, chunks never sent to the failed file."""
        start = self.first_line
        open_chunks = [chunk for chunk in self.started if chunk.number not in self.settled]
        sent_end = self.started[-1].end if self.started else start
        pending = iter(open_chunks)
        current = next(pending, None)
        index = start
        try:
            for index, line in enumerate(self.spool.lines()):
                if index < start:
                    continue
                while current is not None and index >= current.end:
                    current = next(pending, None)
                if index >= sent_end:
                    self.leftovers.write_line(line)
                    self.rest.unsent += 1
                elif current is not None and current.start <= index:
                    self._write_unknown(line, resendable(current))
        except PlanhatInputError as error:  # the disk is full: say exactly which items are in no file
            raise PlanhatInputError(
                f"{error} The items from input index {index} on that did not land are in no file: the input still "
                f"holds them (items {index} to {self.spool.count - 1})."
            ) from None

    def _write_unknown(self, line: bytes, resendable: bool) -> None:
        if resendable:
            self.leftovers.write_line(line)
            self.rest.resendable += 1
        else:
            self.unconfirmed.write_line(line)
            self.rest.unconfirmed += 1


def files_advice(
    keyword: str,
    what: str,
    files: tuple[str | None, str | None],
    *,
    counts: str = "",
    resume: str = "",
    doubt: str = "sending them again could record them twice",
) -> list[str]:
    """The sentences that name the files a load left and what to do with each, for every load keyword, whether
    it stopped, failed or was interrupted."""
    failed, unconfirmed = files
    parts = []
    if failed:
        parts.append(
            f"{failed} holds every {what} still to send{f' ({counts})' if counts else ''}: pass that file to "
            f"{keyword} to finish the load" + (f"; or {resume}." if resume else ".")
        )
    if unconfirmed:
        parts.append(
            f"{unconfirmed} holds the items that may or may not have landed ({doubt}): check them in Planhat "
            "before sending them again."
        )
    return parts


def interrupted_note(keyword: str, error: BaseException, files: tuple[str | None, str | None], what: str) -> str:
    """What a load that was interrupted (Ctrl+C, a timeout, an unexpected error) left, and where: logged as a
    warning, since the exception that ends the keyword says nothing of files."""
    parts = [f"{keyword} was interrupted ({type(error).__name__}): nothing more was sent."]
    parts += files_advice(keyword, what, files)
    if not any(files):
        parts.append("No failed-items file was given, so the items that did not land are in no file.")
    return " ".join(parts)


def may_have_landed(error: PlanhatError) -> bool:
    """Whether the failed request may have taken effect: sent without an answer, or a 5xx after sending."""
    if isinstance(error, PlanhatConnectionError):
        return error.sent
    if isinstance(error, PlanhatResponseError):
        return True  # Planhat answered, but with something unreadable: the request was handled
    if isinstance(error, PlanhatHTTPError):
        return (error.status or 0) >= 500
    return False


def number_ranges(numbers: Sequence[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``1-3, 5``: which chunks or requests of a run landed."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def landed_text(noun: str, numbers: Sequence[int]) -> str:
    """``Chunk 1 landed`` / ``Chunks 1-3, 5 landed``."""
    return f"{noun}{'s' if len(numbers) > 1 else ''} {number_ranges(numbers)} landed"
