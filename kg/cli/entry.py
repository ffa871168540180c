"""The console entry point (``kg = "kg.cli.entry:main"`` in pyproject.toml).

Before anything heavy is imported, Ctrl-C gets its handler (one line, exit
130: a KeyboardInterrupt in the middle of an import would print a traceback)
and closed standard streams are taken care of (kg.cli.streams).  Then a
plain ``kg query NAME`` runs without click (kg.cli.fastpath); anything else
imports click and runs the command group.
"""

from __future__ import annotations


def main() -> None:
    from kg.cli import interrupts

    interrupts.install()  # first of all
    from kg.cli import streams

    streams.guard()
    try:
        import sys

        from kg.cli import fastpath

        plain = fastpath.parse(sys.argv[1:])
        if plain is not None:
            sys.exit(fastpath.run(plain))  # `kg query NAME`: no click (kg.cli.fastpath)
        from kg.cli.group import main as group

        group(prog_name="kg")
    finally:
        interrupts.finished()
