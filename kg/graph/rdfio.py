"""Reading RDF files with errors that name the file and the line.

pyoxigraph parses (it is fast and reports positions); its SyntaxError is
turned into an InputError such as ``data/x.ttl:12: bad Turtle syntax: ...``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.core.errors import EnvironmentFailure, InputError, KgError
from kg.core.namespaces import GRAPH

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


def rdf_format(path: Path) -> ox.RdfFormat:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown RDF file type {path.suffix!r} (use .ttl, .nt, .nq, .trig, .rdf or .jsonld)")
    return fmt


def graph_name(path: Path) -> str:
    """The named graph a bundled or user file is loaded into: ``graph/<folder>/<stem>``."""
    path = Path(path)
    folder = path.parent.name
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    if folder in ("data", ""):
        return GRAPH + stem
    return f"{GRAPH}{folder}/{stem}"


def syntax_error(path: Path, error: SyntaxError, what: str) -> InputError:
    line = error.lineno if error.lineno is not None else "?"
    message = str(error.msg if hasattr(error, "msg") and error.msg else error)
    return InputError(f"{path}:{line}: bad {what} syntax: {message}")


def too_long(path: Path, error: MemoryError) -> KgError:
    """pyoxigraph's parser holds one term in a buffer of at most 16 MiB and raises MemoryError past it: bad input, not a bug."""
    if "buffer maximal size" not in str(error):
        return EnvironmentFailure(f"{path}: out of memory while reading it")
    return InputError(f"{path}: a literal or IRI longer than 16 MB, more than the RDF parser reads in one piece; split or shorten it")


def _parse(path: Path) -> Iterator[ox.Quad]:
    """The parser's quads of one file, its errors turned into InputError naming the file and line."""
    fmt = rdf_format(path)
    try:
        with path.open("rb") as handle:
            yield from ox.parse(handle, fmt)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not an RDF file") from None
    except SyntaxError as error:
        raise syntax_error(path, error, fmt.name) from None
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text ({error.reason})") from None
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: unreadable: {error}") from None
    except MemoryError as error:
        raise too_long(path, error) from None


def read_quads(path: Path, graph: str | None = None) -> list[ox.Quad]:
    """All the triples of one file, as quads in its named graph."""
    path = Path(path)
    target = ox.NamedNode(graph or graph_name(path))
    return [ox.Quad(q.subject, q.predicate, q.object, target) for q in _parse(path)]


def stream(paths: Iterable[Path]) -> Iterator[ox.Quad]:
    """The triples of these files one at a time, as they are parsed (graph names are not kept).

    For a reader that needs each triple once, such as the reasoner: a
    million triples held as objects cost some 350 MB.  A syntax error is
    raised when the parser meets it, after the triples before it.
    """
    for path in paths:
        yield from _parse(Path(path))


def read_all(paths: Iterable[Path]) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for path in paths:
        quads.extend(read_quads(path))
    return quads
