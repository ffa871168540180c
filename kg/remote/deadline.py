"""A whole request within its time limit, however slowly the server answers.

urllib's timeout bounds each read of the socket, not the request: a server
that sends its headers, then one byte a second, keeps a client waiting for
ever while every read succeeds.  ``--timeout`` promises a deadline, so the
request runs in a worker thread and the caller stops waiting when the time
is up; the thread, whose reads still time out one by one, ends with the
connection (the process exits long before, on the command line).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from kg.core.errors import KgError

T = TypeVar("T")


def within(seconds: float, call: Callable[[threading.Event], T], *, late: Callable[[], KgError]) -> T:
    """``call(cancelled)``'s answer, or ``late()`` raised once ``seconds`` have passed without one.

    ``cancelled`` is set when the caller gives up: a call that reads in pieces
    stops at the next one and closes its connection, instead of leaving it to
    the garbage collector.
    """
    answer: list[T] = []
    failed: list[BaseException] = []
    cancelled = threading.Event()

    def run() -> None:
        try:
            answer.append(call(cancelled))
        except BaseException as error:  # handed over to the waiting thread, which raises it
            failed.append(error)
            if cancelled.is_set():
                failed.clear()  # nobody waits for it any more (see below)

    worker = threading.Thread(target=run, name="kg-request", daemon=True)
    worker.start()
    worker.join(seconds)
    # The error's traceback holds run's frame, which holds ``failed``, which
    # holds the error: a cycle that only the garbage collector frees, at some
    # later moment and in any order, so that a socket may be finalised before
    # the file object reading it ("unclosed socket").  Taking the error out of
    # the list breaks the cycle, and the error and its connection go the
    # moment nobody holds them.
    if worker.is_alive():
        cancelled.set()
        worker.join(2.0)  # the next piece ends it, when the server sends one
        failed.clear()
        answer.clear()
        raise late()
    if failed:
        error = failed.pop()
        try:
            raise error
        finally:
            del error
    return answer.pop()


class Cancelled(Exception):
    """Raised in the worker thread when its caller stopped waiting."""


def read_all(response: Any, cancelled: threading.Event, size: int = 65536) -> bytes:
    """The body of an HTTP response, in pieces, stopping when ``cancelled`` is set."""
    pieces: list[bytes] = []
    while True:
        if cancelled.is_set():
            raise Cancelled
        piece = response.read(size)
        if not piece:
            return b"".join(pieces)
        pieces.append(piece)
