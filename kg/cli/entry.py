"""The console entry point (``kg = "kg.cli.entry:main"`` in pyproject.toml).

Before anything heavy is imported, Ctrl-C gets its handler (one line, exit
130: a KeyboardInterrupt in the middle of an import would print a traceback)
and closed standard streams are taken care of (kg.cli.streams).  Then a
plain ``kg query NAME`` runs without click (kg.cli.fastpath); anything else
imports click and runs the command group.

The fast path runs without the cycle collector.  A ``kg query`` lives some
tens of milliseconds and makes almost no reference cycles (its objects are
freed by reference counting as usual), yet the collector would walk every
object that the imports create, again and again while they run and once
more as the interpreter shuts down: together some 3 ms of a 40 ms run
(benchmarks/cold_start.py).  ``gc.freeze()`` at the end leaves those objects to the
operating system, which takes the whole process back anyway; the exit
itself (flushing the streams, ``atexit``) is Python's usual one.
"""

from __future__ import annotations


def main() -> None:
    from kg.cli import interrupts

    interrupts.install()  # first of all
    import gc

    gc.disable()  # until we know the command is `kg query NAME` (see above)
    from kg.cli import streams

    streams.guard()
    try:
        import sys

        from kg.cli import fastpath

        plain = fastpath.parse(sys.argv[1:])
        if plain is not None:
            code = fastpath.run(plain)  # `kg query NAME`: no click (kg.cli.fastpath)
            gc.freeze()  # the shutdown's last collection would only free what the process's end frees
            sys.exit(code)
        gc.enable()  # any other command: click's, with the collector as usual
        from kg.cli.group import main as group

        group(prog_name="kg")
    finally:
        interrupts.finished()
