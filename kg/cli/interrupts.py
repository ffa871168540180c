"""Ctrl-C at any moment of a run: one line on stderr and exit 130, never a traceback.

Until a command runs, nothing needs cleaning up, so the handler that the
entry point installs first of all writes its line and exits at once, even
halfway through an import, where Python's own KeyboardInterrupt would print
a traceback.  While a command runs (:class:`unwinding`), Ctrl-C raises
KeyboardInterrupt as usual, so that ``finally`` blocks remove temporary
files and release locks; the command group turns it into the same line and
exit code.  Once the command is done, Ctrl-C is ignored for the last
milliseconds of the interpreter's shutdown (the exit code is already the
command's).

A process started with Ctrl-C ignored (``nohup``, some job controls) keeps
ignoring it.  What runs before kg's entry point is Python's: a Ctrl-C in the
interpreter's own start-up or in the console script's ``import re`` (some 20
ms on an idle machine) still ends with Python's traceback.

This module imports only what the interpreter has already loaded by then, so
that the handler is in place as early as possible.
"""

from __future__ import annotations

import os
import signal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType, TracebackType

MESSAGE = "kg: interrupted"
EXIT_CODE = 130  # 128 + SIGINT, what a shell reports for a process ended by Ctrl-C
_installed = False
_main_thread = -1


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
    signal.signal(signal.SIGINT, _exit_now)  # only the main thread may: so this is it
    import _thread

    global _main_thread
    _main_thread = _thread.get_ident()
    _installed = True


def finished() -> None:
    """The command is done (its exit code set): a Ctrl-C now changes nothing, so it is ignored.

    Python gives Ctrl-C back its default action (death by signal, no word)
    while it shuts down, unless it is ignored.
    """
    if _installed:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


class unwinding:  # a context manager, named like one
    """While a command runs, Ctrl-C raises KeyboardInterrupt (clean-up runs); after it, exit at once again.

    Does nothing unless :func:`install` ran (tests calling the group keep their own handler).
    """

    def __enter__(self) -> None:
        import _thread  # threading itself costs `kg query` some 2 ms to import; install() noted the main thread

        self.active = _installed and _thread.get_ident() == _main_thread
        if self.active:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self.active:
            signal.signal(signal.SIGINT, _exit_now)
