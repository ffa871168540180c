"""``kg publish OUTDIR``: a static linked-data release for any static web server.

The release holds the dumps (asserted and inferred triples in Turtle,
N-Triples, JSON-LD, RDF/XML, plus N-Quads with the named graphs), the
VoID/DCAT-AP metadata, the JSON-LD context, the ontology documentation
(every term with its French and English labels and definitions: our own
templates, since pyLODE mixes the languages) and a page per resource in both
languages with its Turtle, JSON-LD, RDF/XML and N-Triples beside it.  Links
are relative, so the folder works wherever it is served; ``.htaccess`` and
``hosting/nginx-*.conf`` are the rules that let Apache or nginx negotiate the
format of each IRI.  Every file is a function of the graph alone (canonical
blank nodes, fixed order): two releases of the same graph are byte for byte
the same.

Writing is atomic: everything goes into a temporary folder beside OUTDIR,
which then replaces OUTDIR by rename; if anything fails the temporary
folder is removed and the previous release is left as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.core.errors import EnvironmentFailure
from kg.core.namespaces import BASE, INFERRED_GRAPH, PREFIXES
from kg.graph.dataset import open_graph
from kg.graph.store import KnowledgeGraph
from kg.release.canonical import canonical_quads, canonical_triples
from kg.release.jsonld import CONTEXT_FILE, compact, context, context_document
from kg.release.void import DUMPS, metadata

_RDF = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD, "rdf": ox.RdfFormat.RDF_XML}
HOSTING = Path(__file__).resolve().parent / "hosting"
# Release path -> file of kg/release/hosting: the web-server rules for content negotiation.
HOSTING_FILES = {".htaccess": "htaccess", "hosting/nginx-http.conf": "nginx-http.conf", "hosting/nginx-server.conf": "nginx-server.conf"}


@dataclass(frozen=True)
class JsonLd:
    """How JSON-LD is written: compacted against this context, which is published at this URL.

    ``embed`` puts the context itself in the document instead of its URL (for the dumps).
    """

    context: dict[str, Any]
    url: str
    embed: bool = False

    @classmethod
    def for_graph(cls, graph: KnowledgeGraph, base: str) -> JsonLd:
        return cls(context(graph), base + CONTEXT_FILE)


def serialize(triples: list[ox.Triple], fmt: ox.RdfFormat, jsonld: JsonLd | None = None) -> bytes:
    """The triples in one format, in canonical order, so the same graph always gives the same bytes.

    JSON-LD is compacted when ``jsonld`` says against what; otherwise it is pyoxigraph's expanded form.
    """
    ordered = canonical_triples(triples)
    if fmt == ox.RdfFormat.JSON_LD and jsonld is not None:
        return compact(ordered, ctx=jsonld.context, context_url=None if jsonld.embed else jsonld.url)
    extra: dict[str, Any] = {"prefixes": PREFIXES} if fmt == ox.RdfFormat.TURTLE else {}
    return ox.serialize(ordered, format=fmt, **extra) or b""


def dumps(graph: KnowledgeGraph, jsonld: JsonLd | None = None) -> dict[str, bytes]:
    """File name -> bytes of every dump listed in kg.release.void.DUMPS, the same bytes for the same graph.

    Blank nodes are canonicalized over the whole dataset once, so a blank node
    has the same label in the asserted, the inferred and the N-Quads dump.
    """
    quads = canonical_quads(graph.store)
    inferred_name = ox.NamedNode(INFERRED_GRAPH)
    asserted = dict.fromkeys(q.triple for q in quads if q.graph_name != inferred_name)
    only_inferred = dict.fromkeys(q.triple for q in quads if q.graph_name == inferred_name and q.triple not in asserted)
    files: dict[str, bytes] = {}
    for filename, _, _ in DUMPS:
        stem, ext = filename.rsplit(".", 1)
        if ext == "nq":
            files[filename] = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
            continue
        chosen = asserted if stem.endswith("asserted") else only_inferred
        files[filename] = serialize(list(chosen), _RDF[ext], replace(jsonld, embed=True) if jsonld else None)
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
    jsonld = JsonLd.for_graph(graph, base)
    files = dumps(graph, jsonld)
    for name, content in files.items():
        _write(root, f"dumps/{name}", content)
    meta = metadata(graph, dumps_url=base + "dumps/", endpoint=None, sizes={k: len(v) for k, v in files.items()})
    _write(root, "void.ttl", serialize(meta, ox.RdfFormat.TURTLE))
    _write(root, "void.jsonld", serialize(meta, ox.RdfFormat.JSON_LD, jsonld))
    _write(root, ".well-known/void", serialize(meta, ox.RdfFormat.TURTLE))
    _write(root, CONTEXT_FILE, context_document(graph))
    _write(root, "static/style.css", (TEMPLATES / "style.css").read_bytes())
    for target, source in HOSTING_FILES.items():
        _write(root, target, (HOSTING / source).read_bytes())
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
        _write(root, f"ontology.{ext}", serialize(site.ontology_triples(), fmt, jsonld))
    for iri in site.resources():
        described = site.describe(iri)
        for ext, fmt in _RDF.items():
            _write(root, f"{iri[len(BASE):]}.{ext}", serialize(described, fmt, jsonld))
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
