"""The standard streams when they are not what a command expects: closed, full, or gone.

- A closed stdout (``kg import x.csv >&-``): Python then has no
  ``sys.stdout`` and click writes nothing without a word, so a command would
  report success with its answer lost.  :func:`guard` puts a stand-in there
  whose first write fails with "standard output is closed", which the group
  reports with exit 4.  It also keeps descriptors 0 to 2 taken (by
  ``/dev/null``), so that no file kg opens later becomes "stdout".
- A full device (``> /dev/full``) or any other write error: the group reports
  it with exit 4 and :func:`discard` drops what is still buffered, so that
  the interpreter does not fail again at exit (its exit code would become 120).
- A reader that went away (``| head``): :func:`discard` too, exit 0.
"""

from __future__ import annotations

import errno
import io
import os
import sys

from kg.core.errors import EnvironmentFailure

CLOSED = "standard output is closed"


class _ClosedOutput(io.RawIOBase):
    """Where a closed stdout's writes go: the first one fails, so the command learns of it; the rest are dropped."""

    def __init__(self) -> None:
        super().__init__()
        self.reported = False

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        if not self.reported:
            self.reported = True
            raise OSError(errno.EBADF, CLOSED)
        return len(data)  # type: ignore[arg-type]


def guard() -> None:
    """Take descriptors 0-2 where they are closed, and give a closed stdout a stand-in that reports itself."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            taken = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if taken != fd:
                os.dup2(taken, fd)
                os.close(taken)
            if fd == 1:
                sys.stdout = io.TextIOWrapper(io.BufferedWriter(_ClosedOutput()), encoding="utf-8")


def discard() -> None:
    """Send what stdout still buffers to /dev/null: after a failed write, exiting must not fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real descriptor (a test runner's capture, or the closed stand-in)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def write_stdout(content: bytes) -> None:
    """Write bytes to stdout and flush; a failure is an EnvironmentFailure (exit 4) naming stdout."""
    stream = sys.stdout
    if stream is None:
        raise EnvironmentFailure(f"cannot write the output: {CLOSED} (redirect it, or give -o FILE)")
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            stream.flush()
            buffer.write(content)
            buffer.flush()
        else:
            stream.write(content.decode("utf-8"))
            stream.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        discard()
        raise EnvironmentFailure(describe(error)) from None


def describe(error: OSError) -> str:
    """One line for a failed write: the file it names, else the output (stdout)."""
    reason = error.strerror or str(error)
    if error.filename:
        return f"{error.filename}: {reason}"
    hint = " (redirect it, or give -o FILE)" if reason == CLOSED else ""
    return f"cannot write the output: {reason}{hint}"
