"""``kg publish OUTDIR``: a static linked-data release for any static web server.

The release holds the dumps (asserted and inferred triples in Turtle,
N-Triples, JSON-LD, RDF/XML, plus N-Quads with the named graphs), the
VoID/DCAT metadata, the ontology documentation (every term with its French
and English labels and definitions: our own templates, since pyLODE mixes
the languages) and a page per resource in both languages with its Turtle
beside it.  Links are relative, so the folder works wherever it is served.

Writing is atomic: everything goes into a temporary folder beside OUTDIR,
which then replaces OUTDIR by rename; if anything fails the temporary
folder is removed and the previous release is left as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.core.errors import EnvironmentFailure
from kg.core.namespaces import BASE, INFERRED_GRAPH, PREFIXES
from kg.graph.dataset import open_graph
from kg.graph.store import KnowledgeGraph
from kg.release.void import DUMPS, metadata

_RDF = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD, "rdf": ox.RdfFormat.RDF_XML}


def serialize(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    extra: dict[str, Any] = {"prefixes": PREFIXES} if fmt == ox.RdfFormat.TURTLE else {}
    return ox.serialize(triples, format=fmt, **extra) or b""


def dumps(graph: KnowledgeGraph) -> dict[str, bytes]:
    """File name -> bytes of every dump listed in kg.void.DUMPS."""
    inferred_name = ox.NamedNode(INFERRED_GRAPH)
    inferred = {str(q.triple): q.triple for q in graph.store.quads_for_pattern(None, None, None, inferred_name)}
    asserted = {str(q.triple): q.triple for q in graph.store if q.graph_name != inferred_name}
    only_inferred = {k: t for k, t in inferred.items() if k not in asserted}
    files: dict[str, bytes] = {}
    for filename, _, _ in DUMPS:
        stem, ext = filename.rsplit(".", 1)
        if ext == "nq":
            files[filename] = ox.serialize(graph.store, format=ox.RdfFormat.N_QUADS) or b""
            continue
        chosen = asserted if stem.endswith("asserted") else only_inferred
        files[filename] = serialize(sorted(chosen.values(), key=str), _RDF[ext])
    return files


@dataclass(frozen=True)
class Release:
    """What a release holds, for the CLI's summary and the tests."""

    path: Path
    files: int
    pages: int
    triples: int


def _write(root: Path, relative: str, content: bytes | str) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def build(root: Path, graph: KnowledgeGraph, *, base: str) -> tuple[int, int]:
    """Write a whole release into the (empty) folder ``root``; (files, pages) written."""
    from kg.release.site import LANGS, TEMPLATES, Site

    site = Site(graph, base="", static=True)
    files = dumps(graph)
    for name, content in files.items():
        _write(root, f"dumps/{name}", content)
    meta = metadata(graph, dumps_url=base + "dumps/", endpoint=None, sizes={k: len(v) for k, v in files.items()})
    _write(root, "void.ttl", serialize(meta, ox.RdfFormat.TURTLE))
    _write(root, "void.jsonld", serialize(meta, ox.RdfFormat.JSON_LD))
    _write(root, ".well-known/void", serialize(meta, ox.RdfFormat.TURTLE))
    _write(root, "static/style.css", (TEMPLATES / "style.css").read_bytes())
    pages = 0
    for lang in LANGS:
        suffix = ".html" if lang == "fr" else f".{lang}.html"
        _write(root, f"index{suffix}", site.home(lang, root=""))
        _write(root, f"ontology{suffix}", site.ontology(lang, root=""))
        pages += 2
        for iri in site.resources():
            rest = iri[len(BASE):]
            html = site.resource(iri, lang, root="../" * rest.count("/"))
            if html is not None:
                _write(root, rest + suffix, html)
                pages += 1
    for ext, fmt in _RDF.items():
        _write(root, f"ontology.{ext}", serialize(site.ontology_triples(), fmt))
    for iri in site.resources():
        _write(root, iri[len(BASE):] + ".ttl", serialize(site.describe(iri), ox.RdfFormat.TURTLE))
    count = sum(1 for p in root.rglob("*") if p.is_file())
    return count, pages


def publish(outdir: Path, *, graph: KnowledgeGraph | None = None, base: str = BASE) -> Release:
    """Write a release into OUTDIR atomically (the old release survives any failure)."""
    outdir = Path(outdir).resolve()
    if not base.endswith("/"):
        base += "/"
    graph = graph or open_graph()
    try:
        outdir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.new-", dir=outdir.parent))
    except OSError as error:
        raise EnvironmentFailure(f"{outdir}: cannot write beside it: {error.strerror}") from None
    old: Path | None = None
    try:
        count, pages = build(staging, graph, base=base)
        os.chmod(staging, 0o755)
        if outdir.exists():
            if not outdir.is_dir():
                raise EnvironmentFailure(f"{outdir}: exists and is not a folder")
            old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old-", dir=outdir.parent))
            os.replace(outdir, old / "release")
        os.replace(staging, outdir)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and (old / "release").exists() and not outdir.exists():
            os.replace(old / "release", outdir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        if isinstance(error, OSError):
            raise EnvironmentFailure(f"{outdir}: cannot write the release: {error}") from None
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return Release(path=outdir, files=count, pages=pages, triples=len(graph))
