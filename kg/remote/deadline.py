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
from typing import TypeVar

from kg.core.errors import KgError

T = TypeVar("T")


def within(seconds: float, call: Callable[[], T], *, late: Callable[[], KgError]) -> T:
    """``call()``'s answer, or ``late()`` raised once ``seconds`` have passed without one."""
    answer: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            answer.append(call())
        except BaseException as error:  # handed over to the waiting thread, which raises it
            failed.append(error)

    worker = threading.Thread(target=run, name="kg-request", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise late()
    if failed:
        raise failed[0]
    return answer[0]
