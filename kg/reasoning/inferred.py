"""The inferred graph of a set of files: the fast engine's closure, cached by the files' bytes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.core.namespaces import INFERRED_GRAPH
from kg.reasoning import cache, rules


def inferred_quads(files: list[Path], quads: list[ox.Quad], *, use_cache: bool = True, keep: bool = True) -> list[ox.Quad]:
    """The inferred graph for these input files, from the cache when it is fresh.

    ``keep=False`` neither reads nor writes this graph in the cache (the
    schema's closure, inside the rule engine, is cached all the same).
    """
    graph = ox.NamedNode(INFERRED_GRAPH)
    name = f"inferred-{cache.cache_key(files)}.nt" if use_cache and keep else None
    triples = cache.load_triples(name) if name else None
    if triples is None:
        triples = rules.infer(quads, use_cache=use_cache)
        if name:
            cache.save_triples(name, triples)
    quads = []
    triples.reverse()
    while triples:  # each triple goes as its quad comes: a big closure is not held twice
        t = triples.pop()
        quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
    return quads
