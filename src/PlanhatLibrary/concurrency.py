"""Requests sent a few at a time with their answers taken in input order: bulk chunks, analytics requests.

One mechanism for every keyword that takes ``parallel``: at most that many requests in flight, each
answer taken on the calling thread in the order the requests were made (so counts, files and
progress lines come out in input order), and, on an interrupt or an unexpected error, every job whose
fate is not known handed back to the caller before the error goes on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from .errors import PlanhatInputError

#: Requests in flight at once: well inside Planhat's 50 parallel requests and 150 requests/s (docs.planhat.com).
MAX_PARALLEL = 8

Job = TypeVar("Job")


def check_parallel(parallel: int) -> None:
    if not 1 <= parallel <= MAX_PARALLEL:
        raise PlanhatInputError(f"parallel must be between 1 and {MAX_PARALLEL}, got {parallel}.")


def send_in_order(
    jobs: Iterable[Job],
    send: Callable[[Job], Any],
    take: Callable[[Job, Future[Any]], bool],
    unknown: Callable[[list[Job]], None],
    parallel: int = 1,
    name: str = "planhat",
) -> bool:
    """Send each job (``send`` runs on a worker thread when ``parallel`` > 1) and ``take`` its answer here, in
    order; ``take`` returning True stops sending. Jobs already sent are still taken. Returns whether it stopped.

    ``jobs`` is read on this thread, so work done while yielding a job (building a body, counting) stays here.
    On any exception (Ctrl+C included), ``unknown`` gets the jobs sent or being taken whose fate is not known.
    """
    inflight: deque[tuple[Job, Future[Any]]] = deque()
    executor = ThreadPoolExecutor(parallel, name) if parallel > 1 else None
    current: list[Job] = []  # the job being sent or taken in
    stopped = interrupted = False
    try:
        for job in jobs:
            current[:] = [job]
            inflight.append((job, _start(send, job, executor)))
            current.clear()
            while len(inflight) >= parallel and not stopped:
                stopped = _take_next(inflight, take, current)
            if stopped:
                break
        while inflight:
            stopped = _take_next(inflight, take, current) or stopped
    except BaseException:
        interrupted = True
        unknown([*current, *(job for job, _ in inflight)])
        raise
    finally:
        if executor is not None:
            executor.shutdown(wait=not interrupted, cancel_futures=interrupted)
    return stopped


def _take_next(
    inflight: deque[tuple[Job, Future[Any]]], take: Callable[[Job, Future[Any]], bool], current: list[Job]
) -> bool:
    job, answer = inflight.popleft()
    current.append(job)
    stopped = take(job, answer)
    current.clear()
    return stopped


def _start(send: Callable[[Job], Any], job: Job, executor: ThreadPoolExecutor | None) -> Future[Any]:
    if executor is not None:
        return executor.submit(send, job)
    done: Future[Any] = Future()
    try:
        done.set_result(send(job))
    except Exception as error:  # noqa: BLE001 - raised again where the answer is taken, as a worker's would be
        done.set_exception(error)
    return done
