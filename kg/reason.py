"""OWL RL reasoning with owlrl, filtered and cached.

owlrl computes the full OWL RL closure; what it adds to the asserted
triples is the inferred graph.  Two kinds of owlrl output are junk and are
dropped (RDFLib/OWL-RL issues 50 and 63): triples whose subject is a literal,
and reflexive ``owl:sameAs``.  owlrl is slow (seconds for a few thousand
triples), so the result is cached on disk under a key made of the inputs'
bytes and the reasoner's version: a query never re-runs the reasoner when
nothing changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.namespaces import INFERRED_GRAPH

# Bump when the filtering or the way inputs are gathered changes.
_CACHE_FORMAT = "3"
_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def cache_dir() -> Path:
    """``$KG_CACHE_DIR``, else the user's cache folder (XDG)."""
    explicit = os.environ.get("KG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ksm-kg"


def cache_key(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256(_CACHE_FORMAT.encode())
    digest.update(_owlrl_version().encode())
    for path in paths:
        digest.update(str(Path(path).name).encode() + b"\0")
        digest.update(Path(path).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _owlrl_version() -> str:
    """owlrl's installed version, read off its dist-info folder name.

    importlib.metadata would cost every query some 10 ms of imports; the
    folder name is found without importing owlrl or the metadata machinery.
    """
    from importlib.util import find_spec

    spec = find_spec("owlrl")
    if spec is None or spec.origin is None:  # pragma: no cover - owlrl is a dependency
        return "unknown"
    site = Path(spec.origin).parent.parent
    found = sorted(p.name for p in site.glob("owlrl-*.dist-info"))
    return found[-1] if found else "unknown"


def is_junk(subject: object, predicate: object, obj: object) -> bool:
    """owlrl's output that is not an entailment worth keeping (rdflib terms)."""
    from rdflib import Literal

    if isinstance(subject, Literal):
        return True
    return str(predicate) == _SAME_AS and subject == obj


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Any:
    """The rdflib term for a pyoxigraph one, keeping blank node labels (so inferred triples meet asserted ones)."""
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        dt = None if datatype == _XSD_STRING else rdflib.URIRef(datatype)
        return rdflib.Literal(term.value, datatype=dt, normalize=False)  # keep the lexical form as written
    raise TypeError(f"RDF-star triple terms are not supported: {term}")


def to_rdflib_graph(triples: Iterable[ox.Triple]) -> Any:
    """An rdflib Graph of these triples, built term by term.

    rdflib's N-Triples parser would rename blank nodes and normalise literals,
    so that its triples would no longer meet pyoxigraph's.
    """
    import rdflib

    graph = rdflib.Graph()
    for fact in triples:
        graph.add((to_rdflib(fact.subject), to_rdflib(fact.predicate), to_rdflib(fact.object)))
    return graph


def infer(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The triples the OWL RL closure adds to ``quads`` (all graphs merged), junk removed."""
    import owlrl
    import rdflib

    asserted = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    seen = {str(t) for t in asserted}
    graph = to_rdflib_graph(asserted)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    kept = rdflib.Graph()
    for triple in graph:
        if not is_junk(*triple):
            kept.add(triple)
    closed = kept.serialize(format="nt", encoding="utf-8")
    return [t for t in ox.parse(closed, ox.RdfFormat.N_TRIPLES) if str(t) not in seen]


def inferred_quads(files: list[Path], quads: list[ox.Quad], *, use_cache: bool = True) -> list[ox.Quad]:
    """The inferred graph for these input files, from the cache when it is fresh."""
    graph = ox.NamedNode(INFERRED_GRAPH)
    cached = cache_dir() / f"inferred-{cache_key(files)}.nt"
    if use_cache and cached.is_file():
        try:
            return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(path=str(cached), format=ox.RdfFormat.N_TRIPLES)]
        except (SyntaxError, OSError):
            pass  # a damaged cache is recomputed below
    from kg import fastreason  # owlrl's answers, faster: owlrl on the schema, rules on the instances

    triples = fastreason.infer(quads, use_cache=use_cache)
    if use_cache:
        try:
            from kg import atomic

            atomic.write_bytes(cached, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
        except OSError:
            pass  # a read-only cache folder only costs speed
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
