"""Holding back Ctrl+C and Robot's timeouts for the few milliseconds a load needs to write down where its
items are.

Robot stops a keyword at its ``[Timeout]`` with ``SIGALRM`` and a run with ``SIGINT`` (Ctrl+C twice):
each raises an exception in the main thread wherever it is. A load that is taking a chunk's answer in
(counting it, writing its failed items) must not be cut half-way, or a rerun would send items twice or
not at all. Inside ``deferred_signals()`` those signals are noted, and delivered to the handler that was
there before (raising as they would have) as soon as the block ends.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

_T = TypeVar("_T")

HELD = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGALRM", "SIGTERM") if hasattr(signal, name)
)  # SIGALRM: Robot's timeouts on POSIX; SIGTERM: a Control Room worker being stopped


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Run the block without being interrupted by the signals in ``HELD``; deliver any that came afterwards.

    Only the main thread receives Python signal handlers, so elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, FrameType | None]] = []
    closed = [False]
    previous = _handlers()

    def hold(signum: int, frame: FrameType | None) -> None:
        if closed[0]:  # left installed by a signal while the handlers were being put back: pass it on
            _deliver(previous[signum], signum, frame)
        else:
            caught.append((signum, frame))

    try:  # installed inside the try: a signal landing half-way through installing is still undone below
        _install(hold)
        yield
    finally:
        closed[0] = True
        _install_all(previous)
        for number, frame in caught[:1]:  # one is enough: it ends the keyword
            _deliver(previous[number], number, frame)


def _install(handler: Callable[[int, FrameType | None], None]) -> None:
    """Handle every signal of ``HELD`` with ``handler``."""
    for number in HELD:
        signal.signal(number, handler)


def _handlers() -> dict[int, Any]:
    return {number: signal.getsignal(number) for number in HELD}


def _install_all(handlers: dict[int, Any]) -> None:
    for number, handler in handlers.items():
        signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def _deliver(handler: Any, number: int, frame: FrameType | None) -> None:
    if callable(handler):
        call: Callable[[int, FrameType | None], Any] = handler
        call(number, frame)
    elif number == signal.SIGINT:
        raise KeyboardInterrupt
    elif handler != signal.SIG_IGN:
        signal.raise_signal(number)


def surely(action: Callable[[], _T]) -> _T:
    """Run ``action`` once, whole, with the signals held back: a signal that comes before it starts (a second
    Ctrl+C just as a load ends early) does not skip it, and one that comes during it is delivered afterwards
    only if the action has not run yet. For the writing a load does on its way out."""
    started = done = False
    result: Any = None
    while True:
        try:
            with deferred_signals():
                if not started:
                    started = True
                    result = action()
                    done = True
            return result  # type: ignore[no-any-return]
        except BaseException:
            if done:
                return result  # type: ignore[no-any-return]  # the load is ending already: one interrupt is enough
            if started:
                raise  # the action itself failed


_LOAD_GUARD = threading.local()


@contextmanager
def one_interrupt() -> Iterator[None]:
    """For a whole load: the first Ctrl+C, timeout or SIGTERM raises where it lands, as always; any that follow
    wait until the load has written down where every item is, so a second one cannot cut that short. The load
    then ends with the first; its waits are bounded by the HTTP timeout."""
    if threading.current_thread() is not threading.main_thread() or getattr(_LOAD_GUARD, "active", False):
        yield
        return
    raised, closed = [False], [False]
    previous = _handlers()  # before the new handler can run

    def first_only(signum: int, frame: FrameType | None) -> None:
        if raised[0] and not closed[0]:
            return  # the load is ending already
        raised[0] = True
        _deliver(previous[signum], signum, frame)  # the first, or any after the load (never swallowed then)

    try:  # installed inside the try: a signal landing half-way through installing is still undone below
        _LOAD_GUARD.active = True
        _install(first_only)
        yield
    finally:
        closed[0] = True
        _LOAD_GUARD.active = False
        _install_all(previous)
