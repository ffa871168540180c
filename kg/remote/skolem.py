"""Blank nodes as Skolem IRIs on the way to a store, and back to blank nodes on the way out.

SPARQL Update cannot carry blank nodes to every store: Virtuoso refuses them
in ``INSERT DATA`` ("SP031: Blank node ... is not allowed in a constant
clause"), and an ``INSERT { ... } WHERE {}`` template, which standard SPARQL
offers instead, is cut at about 800 triples by Virtuoso's SQL compiler and
answers HTTP 500 when it spans two graphs.  Cutting the upload into pieces
would also split a blank node shared by the ontology and the inferred graph
into two.  So a push by SPARQL Update replaces each blank node by a Skolem
IRI (RDF 1.1 Concepts, section 3.5) under our own authority,
``https://w3id.org/ksm/.well-known/genid/<label>``, which stays one node
across graphs and requests; and every answer read from an endpoint turns
those IRIs back into blank nodes, so a saved query answers the same from the
store as from the embedded graph.

>>> node = ox.BlankNode("b1")
>>> skolemised = skolemise_term(node)
>>> skolemised
<NamedNode value=https://w3id.org/ksm/.well-known/genid/b1>
>>> deskolemise_term(skolemised) == node
True
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.core.namespaces import BASE

GENID = BASE + ".well-known/genid/"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def skolemise_term(term: Term) -> Term:
    return ox.NamedNode(GENID + term.value) if isinstance(term, ox.BlankNode) else term


def deskolemise_term(term: Term) -> Term:
    """A Skolem IRI of ours back to its blank node; any other term unchanged."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(GENID):
        try:
            return ox.BlankNode(term.value[len(GENID):])
        except ValueError:  # not one of ours: a label no blank node could have
            return term
    return term


def skolemise(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with every blank node replaced by its Skolem IRI (the same label, the same IRI)."""
    return [
        ox.Quad(skolemise_term(q.subject), q.predicate, skolemise_term(q.object), q.graph_name)  # type: ignore[arg-type]
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) else q
        for q in quads
    ]


def deskolemise_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return [ox.Triple(deskolemise_term(t.subject), t.predicate, deskolemise_term(t.object)) for t in triples]  # type: ignore[arg-type]
