"""How a command ends: every exception as one line on stderr and its exit code, for click's group and the fast path alike.

Exit codes: 0 ok, 1 does not conform, 2 usage, 3 unreadable input, 4
environment (a write refused by the disk or a closed output included), 130
interrupted, 70 a bug of ours (``KG_DEBUG=1`` shows its traceback).

May import: kg.core and kg.cli's click-free modules; never click (the fast path imports it).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: importing typing costs the start-up some 3 ms
if TYPE_CHECKING:
    from collections.abc import Callable


def failure(error: BaseException, *, echo: Callable[[str], None]) -> int:
    """The exit code for an exception that ended a command, after saying it in one line (kg.cli.group's rules)."""
    from kg.cli import interrupts, streams
    from kg.core.errors import KgError

    if isinstance(error, KgError):
        if error.details:
            echo(error.details.rstrip("\n"))
        echo(f"kg: error: {error}")
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        echo(interrupts.MESSAGE)
        return interrupts.EXIT_CODE
    if isinstance(error, BrokenPipeError):
        streams.discard()  # the reader went away (`| head`): not an error
        return 0
    if isinstance(error, SystemExit):
        raise error
    if isinstance(error, OSError):  # the disk or a stream refused a write: the environment, not a bug
        if os.environ.get("KG_DEBUG"):
            raise error
        streams.discard()
        echo(f"kg: error: {streams.describe(error)}")
        return 4
    if isinstance(error, MemoryError):
        if os.environ.get("KG_DEBUG"):
            raise error
        echo("kg: error: out of memory; the input is too large for this machine")
        return 4
    if not isinstance(error, Exception) or os.environ.get("KG_DEBUG"):
        raise error
    echo(f"kg: internal error: {type(error).__name__}: {error} (set KG_DEBUG=1 for the traceback)")
    return 70
