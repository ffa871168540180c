"""The ``kg`` command: a thin face over the library.

Commands parse their options and call the library; every KgError becomes a
one-line message on stderr and its exit code (0 ok, 1 does not conform,
2 usage, 3 unreadable input, 4 environment), never a traceback.  Heavy
libraries (rdflib, pyshacl, owlrl) are imported by the commands that need
them only, so that ``kg query`` starts fast.

``entry`` is the console script: it guards Ctrl-C and the standard streams
(``interrupts``, ``streams``) before anything heavy is imported.  ``group``
is the command group (``main``); one module per group of commands: ``query``
(queries, query), ``quality`` (validate), ``graph`` (reason, export, load),
``tables`` (import), ``remote`` (push), ``publish`` (publish, serve),
``recommend``, ``cache``; ``common`` holds what they share.

This package's own import costs nothing: ``main`` is loaded when asked for,
so that the entry point installs its Ctrl-C handler before click is imported.

May import: every part of kg; nothing in kg imports it.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's, which costs the start-up some 5 ms
if TYPE_CHECKING:
    import click


def __getattr__(name: str) -> click.Group:
    """``kg.cli.main``, the command group, imported when first used."""
    if name == "main":
        from kg.cli.group import main

        return main
    raise AttributeError(f"module 'kg.cli' has no attribute {name!r}")
