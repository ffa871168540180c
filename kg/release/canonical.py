"""Same graph, same bytes: canonical blank nodes and a fixed order of statements.

A release is reproducible only if every file is a function of the graph
alone.  Two things vary between runs otherwise: the labels of blank nodes
(each parse invents new ones) and the order in which a store hands out its
quads.  Blank nodes are renamed with the W3C RDF Dataset Canonicalization
algorithm (RDFC-1.0, pyoxigraph's ``Dataset.canonicalize``), which gives
the same ``_:c14nN`` labels to the same graph whatever it was read from;
statements are then sorted by their N-Quads terms, so serializers that
write in input order (all of pyoxigraph's) write the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox


def _key(quad: ox.Quad) -> tuple[str, str, str, str]:
    return str(quad.subject), str(quad.predicate), str(quad.object), str(quad.graph_name)


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with canonical blank-node labels, sorted by subject, predicate, object, graph.

    >>> p = ox.NamedNode("http://example.org/p")
    >>> one = canonical_quads([ox.Quad(ox.BlankNode("a"), p, ox.Literal("x"))])
    >>> two = canonical_quads([ox.Quad(ox.BlankNode("b"), p, ox.Literal("x"))])
    >>> one == two, str(one[0].subject)
    (True, '_:c14n0')
    """
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=_key)


def canonical_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples of one graph with canonical blank-node labels, sorted."""
    return [q.triple for q in canonical_quads(ox.Quad(t.subject, t.predicate, t.object) for t in triples)]
