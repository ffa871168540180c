"""What every command shares: writing the answer, reading ``-p NAME=VALUE``, the ``--lang`` option."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.core.errors import UsageError

LANG_OPTION = click.option("--lang", default="fr", show_default=True, help="Language of labels and messages (fr, en, ...).")


def emit(content: bytes, output: Path | None) -> None:
    """Write to stdout, or atomically to a file (never half a file)."""
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    from kg.core import atomic

    atomic.write_bytes(output, content)


def parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {item!r}: expected NAME=VALUE")
        params[name.strip()] = value
    return params
