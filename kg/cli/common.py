"""What every command shares: output files, input files (stdin too), ``-p NAME=VALUE``, ``--lang``, ``--timeout``.

Input paths are given to the library as they are, so that a missing,
unreadable or malformed file is its one-line error with exit 3 (click's own
checks would make it a usage error, exit 2).  ``-`` (stdin) and paths that
are not regular files (``/dev/stdin``, a FIFO, ``<(command)``) are read once
into a temporary file first, since the library reads a file by its name and
extension (and may read it twice); error messages then name ``<stdin>`` or
the path given, never the temporary file.
"""

from __future__ import annotations

import math
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from kg.cli.arguments import parse_params
from kg.core.errors import KgError, UsageError

__all__ = ["INPUT", "LANG_OPTION", "OUTPUT", "SECONDS", "emit", "parse_params", "readable_files"]

LANG_OPTION = click.option("--lang", default="fr", show_default=True, help="Language of labels and messages (fr, en, ...).")
STDIN = "-"
STDIN_NAME = "<stdin>"


class OutputFile(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.3 on; pyproject allows 8.1
    """An ``-o`` path (``-`` is stdout); what may be written there is kg.core.atomic's to decide (one-line errors)."""

    name = "file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path | None:
        if isinstance(value, Path):
            return value
        text = str(value)
        if text == STDIN:
            return None
        if not text.strip():
            raise UsageError(f"{_option(param, '--output')} {text!r}: an empty path names no file; give a file name")
        return Path(text)


class Seconds(click.ParamType):  # type: ignore[type-arg]
    """A time limit in seconds: a finite number above zero (``nan``, ``inf``, ``1e309`` and ``-1`` are refused)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = math.nan
        if not math.isfinite(seconds) or seconds <= 0 or seconds > 1e6:
            raise UsageError(f"{_option(param, '--timeout')} {value!r}: expected a number of seconds above 0 and at most 1000000")
        return seconds


def _option(param: click.Parameter | None, default: str) -> str:
    names: list[str] = list(getattr(param, "opts", None) or [default])
    return max(names, key=len)


OUTPUT = OutputFile()
SECONDS = Seconds()
# Input paths unchecked by click: the library names the file and exits 3 (no such file, a folder, unreadable).
INPUT = click.Path(path_type=Path, readable=False, allow_dash=True)


def emit(content: bytes, output: Path | None) -> None:
    """Write to stdout, or atomically to a file (never half a file; see kg.core.atomic)."""
    if output is None:
        from kg.cli import streams

        streams.write_stdout(content)
        return
    from kg.core import atomic

    atomic.write_bytes(output, content)


def is_stream(path: Path) -> bool:
    """True for ``-`` and for paths that can be read only once (``/dev/stdin``, a FIFO, ``<(command)``).

    Names under ``/dev/`` and ``/proc/`` count as streams even when they lead
    to a regular file (``/dev/stdin`` of ``< file``): their name says nothing of their format.
    """
    if str(path) == STDIN or str(path).startswith(("/dev/", "/proc/")):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # missing or unreadable: the library says so
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def sniff_rdf(head: bytes) -> str:
    """The extension for RDF read from a stream without one: RDF/XML and JSON-LD by their first character, else Turtle."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<?xml") or text.startswith(b"<rdf:RDF"):
        return ".rdf"
    if text[:1] in (b"{", b"["):
        return ".jsonld"
    return ".ttl"


def sniff_table(head: bytes) -> str:
    """The extension for a spreadsheet read from a stream without one: a zip is an .xlsx workbook, anything else CSV."""
    return ".xlsx" if head.startswith(b"PK\x03\x04") else ".csv"


@contextmanager
def readable_files(paths: Sequence[Path], *, suffix: str | None = None, guess: Callable[[bytes], str] | None = None) -> Iterator[list[Path]]:
    """The paths, with ``-`` and other streams copied into temporary files the library can read by name.

    A stream's file gets ``suffix`` (from a ``--format`` hint), else the
    extension of the path given, else what ``guess`` makes of its first bytes.
    Errors raised inside name ``<stdin>`` (or the path given) instead of the
    temporary file.

    >>> import io, sys
    >>> sys.stdin = io.TextIOWrapper(io.BytesIO(b"mechanism_fr,kind,text_fr\\n"))
    >>> with readable_files([Path("-")], suffix=".csv") as found:
    ...     found[0].name, found[0].read_bytes()
    ('stdin.csv', b'mechanism_fr,kind,text_fr\\n')
    >>> sys.stdin = sys.__stdin__
    """
    if sum(1 for p in paths if str(p) == STDIN) > 1:
        raise UsageError("'-' (stdin) is given more than once; it can be read only once")
    if not any(is_stream(p) for p in paths):
        yield list(paths)
        return
    folder = Path(tempfile.mkdtemp(prefix="kg-stdin-"))
    shown: dict[str, str] = {}
    try:
        found: list[Path] = []
        for index, path in enumerate(paths):
            if not is_stream(path):
                found.append(path)
                continue
            copy = _copy_stream(path, folder / f"stream-{index}", suffix=suffix, guess=guess)
            shown[str(copy)] = STDIN_NAME if str(path) == STDIN else str(path)
            found.append(copy)
        try:
            yield found
        except KgError as error:
            raise _renamed(error, shown) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_stream(path: Path, folder: Path, *, suffix: str | None, guess: Callable[[bytes], str] | None) -> Path:
    from kg.core import notices

    folder.mkdir()
    raw = folder / "stdin"
    if str(path) == STDIN:
        if sys.stdin is None:
            raise UsageError("'-' reads stdin, which is closed")
        if sys.stdin.isatty():
            notices.note("reading from the terminal; end with Ctrl-D")
        source = sys.stdin.buffer
        with raw.open("wb") as sink:
            shutil.copyfileobj(source, sink)
    else:
        try:
            with path.open("rb") as source, raw.open("wb") as sink:
                shutil.copyfileobj(source, sink)
        except OSError as error:
            from kg.core.errors import InputError

            raise InputError(f"{path}: unreadable: {error.strerror or error}") from None
    ending = suffix or (path.suffix if str(path) != STDIN and path.suffix else None)
    if ending is None:
        with raw.open("rb") as handle:
            ending = guess(handle.read(512)) if guess is not None else ""
    named = raw.with_name(f"stdin{ending}")
    raw.rename(named)
    return named


def _renamed(error: KgError, shown: dict[str, str]) -> KgError:
    """The same error, naming the stream the user gave instead of its temporary copy."""
    message, details = str(error), error.details
    for copy, name in shown.items():  # the whole path first, then the bare file name some messages use
        for old in (copy, Path(copy).name):
            message, details = message.replace(old, name), details.replace(old, name)
    return type(error)(message, details=details)
