"""pyoxigraph terms as rdflib terms, for the libraries that only speak rdflib (owlrl, pyshacl).

The conversion is term by term: rdflib's N-Triples parser would rename
blank nodes and normalise literals, so that its triples would no longer meet
pyoxigraph's.  rdflib is imported only when a conversion runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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


