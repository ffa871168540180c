"""The console entry point (``kg = "kg.cli.entry:main"`` in pyproject.toml).

Before anything heavy is imported, Ctrl-C gets its handler (one line, exit
130: a KeyboardInterrupt in the middle of an import would print a traceback)
and closed standard streams are taken care of (kg.cli.streams).  Only then
is click imported and the command run.
"""

from __future__ import annotations


def main() -> None:
    from kg.cli import interrupts

    interrupts.install()  # first of all
    from kg.cli import streams

    streams.guard()
    from kg.cli.group import main as group

    try:
        group(prog_name="kg")
    finally:
        interrupts.finished()
