"""Notes and progress for the person at the terminal, on stderr, never on stdout.

A library should not print; but a user waiting half a minute for a load, or
answered from a stale store, should be told.  Parts call :func:`note` and
:func:`progress`; the CLI decides where they go (``--quiet`` silences notes,
progress shows only on a terminal).  Library users get nothing unless they
call :func:`configure`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

_note: Callable[[str], None] | None = None
_progress: Callable[[str], None] | None = None
_last = 0.0
_shown = False


def configure(*, notes: bool, progress: bool) -> None:
    """Send notes (and, if asked, progress lines) to stderr."""
    global _note, _progress

    def write(message: str) -> None:
        try:
            sys.stderr.write(f"kg: {message}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # stderr closed: notes are not worth failing for

    def overwrite(message: str) -> None:
        try:
            sys.stderr.write(f"\r\x1b[2Kkg: {message}")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass

    _note = write if notes else None
    _progress = overwrite if progress else None


def note(message: str) -> None:
    if _note is not None:
        _note(message)


def progress(message: str, *, every: float = 0.2) -> None:
    """One progress line, redrawn at most every ``every`` seconds (the first call only starts the clock)."""
    global _last, _shown
    if _progress is None:
        return
    now = time.monotonic()
    if not _last:
        _last = now  # work that ends within ``every`` shows nothing
        return
    if now - _last >= every:
        _last = now
        _shown = True
        _progress(message)


def progress_done() -> None:
    """Erase the progress line, if one was drawn, and start the clock again for the next piece of work."""
    global _last, _shown
    _last = 0.0
    if _progress is None or not _shown:
        return
    _shown = False
    try:
        sys.stderr.write("\r\x1b[2K")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
