"""Triples as integers: a term dictionary and, per predicate, the (subject, object) pairs of each source.

A million triples held as pyoxigraph objects cost some 350 bytes each, and
as tuples in sets and dicts of sets more again; the rule engine needs only
to compare terms.  So every term gets a number once, and the triples of a
source ("given", "base"...) are kept per predicate as one flat list of
numbers ``[s0, o0, s1, o1, ...]``: 16 bytes a triple.  Terms are turned back
into pyoxigraph objects only for what the engine outputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

Pairs = dict[int, list[int]]  # predicate -> [s0, o0, s1, o1, ...]


class Coded:
    """The terms met so far (numbered in order of appearance) and the triples of each source."""

    __slots__ = ("ids", "literal", "sources", "terms")

    def __init__(self) -> None:
        self.ids: dict[object, int] = {}
        self.terms: list[object] = []
        self.literal = bytearray()  # 1 where the term is a literal (a literal never is a subject)
        self.sources: dict[str, Pairs] = {}

    def id(self, term: object) -> int:
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
            self.literal.append(isinstance(term, ox.Literal))
        return found

    def iri(self, value: str) -> int:
        return self.id(ox.NamedNode(value))

    def add(self, source: str, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        """Number the terms of ``triples`` and keep them under ``source``.

        ``triples`` is read once, so it may be a parser's stream: nothing but
        the numbers is kept of it.
        """
        pairs = self.sources.setdefault(source, {})
        ids, get, terms, literal = self.ids, self.ids.get, self.terms, self.literal
        is_literal = ox.Literal
        for t in triples:
            s, p, o = t.subject, t.predicate, t.object
            si = get(s)
            if si is None:
                si = ids[s] = len(terms)
                terms.append(s)
                literal.append(0)
            pi = get(p)
            if pi is None:
                pi = ids[p] = len(terms)
                terms.append(p)
                literal.append(0)
            oi = get(o)
            if oi is None:
                oi = ids[o] = len(terms)
                terms.append(o)
                literal.append(isinstance(o, is_literal))
            flat = pairs.get(pi)
            if flat is None:
                flat = pairs[pi] = []
            flat.append(si)
            flat.append(oi)

    def add_coded(self, source: str, triples: Iterable[tuple[int, int, int]]) -> None:
        pairs = self.sources.setdefault(source, {})
        for s, p, o in triples:
            pairs.setdefault(p, []).extend((s, o))

    def source(self, name: str) -> Pairs:
        return self.sources.get(name, {})

    def triples(self, *names: str) -> Iterator[tuple[int, int, int]]:
        """The coded triples of these sources (duplicates included)."""
        for name in names:
            for p, flat in self.source(name).items():
                it = iter(flat)
                for s, o in zip(it, it, strict=True):
                    yield s, p, o

    def decode(self, s: int, p: int, o: int) -> ox.Triple:
        terms = self.terms
        return ox.Triple(terms[s], terms[p], terms[o])  # type: ignore[arg-type]

    def quads(self, *names: str) -> Iterator[ox.Quad]:
        """The triples of these sources as quads of the default graph (what owlrl is handed)."""
        terms = self.terms
        for s, p, o in self.triples(*names):
            yield ox.Quad(terms[s], terms[p], terms[o])  # type: ignore[arg-type]

    def holds(self, names: Iterable[str], s: int, p: int, o: int) -> bool:
        """Whether one of these sources holds the triple (a scan of the predicate's pairs: for a few triples only)."""
        for name in names:
            flat = self.source(name).get(p, [])
            it = iter(flat)
            if any(a == s and b == o for a, b in zip(it, it, strict=True)):
                return True
        return False
