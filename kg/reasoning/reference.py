"""The reference OWL RL closure: owlrl itself, with its junk filtered out.

owlrl computes the full OWL RL closure; what it adds to the asserted
triples is the inferred graph.  Two kinds of owlrl output are junk and are
dropped (RDFLib/OWL-RL issues 50 and 63): triples whose subject is a literal,
and reflexive ``owl:sameAs``.  owlrl is slow (seconds for a few thousand
triples), so kg.reasoning.rules uses it for the schema only and for inputs
its own rules do not cover.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.core.convert import to_rdflib_graph

_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"


def is_junk(subject: object, predicate: object, obj: object) -> bool:
    """owlrl's output that is not an entailment worth keeping (rdflib terms)."""
    from rdflib import Literal

    if isinstance(subject, Literal):
        return True
    return str(predicate) == _SAME_AS and subject == obj


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
    return [q.triple for q in ox.parse(closed, ox.RdfFormat.N_TRIPLES) if str(q.triple) not in seen]
