"""Ctrl-C at any moment of a run: one line on stderr and exit 130, never a traceback.

Until a command runs, nothing needs cleaning up, so the handler that the
entry point installs writes its line and exits at once, even halfway through
an import, where Python's own KeyboardInterrupt would print a traceback.
While a command runs (:func:`unwinding`), Ctrl-C raises KeyboardInterrupt as
usual, so that ``finally`` blocks remove temporary files and release locks;
the command group turns it into the same line and exit code.

A process started with Ctrl-C ignored (``nohup``, some job controls) keeps
ignoring it.  The Python interpreter's own start-up, before this module is
imported, is out of reach: a Ctrl-C there ends the process by the signal
itself (no output), or during the few milliseconds of the console script's
``import re``, with Python's traceback.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

MESSAGE = "kg: interrupted"
EXIT_CODE = 130  # 128 + SIGINT, what a shell reports for a process ended by Ctrl-C
_installed = False


def _exit_now(signum: int, frame: FrameType | None) -> None:
    try:
        os.write(2, (MESSAGE + "\n").encode())
    except OSError:
        pass
    os._exit(EXIT_CODE)


def install() -> None:
    """Exit at once on Ctrl-C (for start-up, when nothing needs cleaning up)."""
    global _installed
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        return
    signal.signal(signal.SIGINT, _exit_now)
    _installed = True


@contextmanager
def unwinding() -> Iterator[None]:
    """While a command runs, Ctrl-C raises KeyboardInterrupt (clean-up runs); after it, exit at once again.

    Does nothing unless :func:`install` ran (tests calling the group keep their own handler).
    """
    import threading

    if not _installed or threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, _exit_now)
