"""What a change to the store can have made non-conforming, and the part of the store that shows it.

A graph joining a store of a hundred thousand triples must not cost a
validation of all of them: the shapes and the checks judge one resource
(a focus node) at a time, from the triples around it, so only the
resources whose surroundings changed can have changed verdict.  This
module finds them and copies the triples their verdicts read into a small
in-memory store; kg.quality.validate runs the same shapes and checks there
and keeps the results about those resources.  tests/quality/test_scope.py
shows, case by case, that this reports what validating the whole store
reports about the change.

What a verdict reads (ontology/shapes.ttl, queries/checks/), around a focus X:

- X's own triples, asserted and inferred (every shape and check);
- of the resources X links to, a few triples: their types (``sh:class``,
  the verbatim shape's target), their scheme (``ksmsh:inScheme``, the
  checks on categories), a mechanism's minimum
  (``ksm:implementsMechanism/ksm:minimumParticipants``): the predicates of
  :data:`READ_FROM_LINKED`;
- for a statement (``ksm:Statement``), its mechanism (``ksmsh:Statement-
  mechanism``, an inverse path) and the other statements of that
  mechanism, with their positions (``ksmsh:PositionSequence``; the checks
  on duplicate positions and on statements of several mechanisms): the
  cells, ``ksm:hasStatement`` and its sub-properties;
- the triples of the properties used (``rdfs:subPropertyOf`` in
  ``ksmsh:PositionSequence``).

So a changed triple ``(a, p, b)`` can change the verdict on: ``a``; ``b``
if it is a statement (its incoming links changed); whatever links to
``a`` when ``p`` is one of :data:`READ_FROM_LINKED`; and every statement
of the mechanism of ``a`` or ``b`` (the cells changed).  Classes are left
out as ``b``: no verdict reads a class's members, and a class links to
every one of them; so are the many resources that link to a category or a
source, whose verdicts read nothing of it but its type and scheme.

A change that is most of the store (a first load of a big file) is checked
as the whole store is: copying a region would cost more than it spares.
When the change holds most of that store in memory already (the lists a
``kg import`` wrote, kg.graph.diskstore.Change.held), the SHACL engine's
input is made from them and the checks read a copy of the store in memory.

A shape that reads further (another inverse path, a longer path, another
predicate of a linked resource) needs this module to follow:
tests/quality/test_scope.py lists the paths and components of the shapes
it knows and fails on any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import pyoxigraph as ox

from kg.core.namespaces import KSM, PREFIXES
from kg.core.namespaces import shorten as _shorten
from kg.graph.diskstore import Change, Node, quads_of

RDF = PREFIXES["rdf"]
SKOS = PREFIXES["skos"]
_TYPE = ox.NamedNode(RDF + "type")
_STATEMENT = ox.NamedNode(KSM + "Statement")
_CELL = ox.NamedNode(KSM + "hasStatement")  # inferred from each cell (ksm:hasObjective...) by the ontology
READ_FROM_LINKED = frozenset({RDF + "type", SKOS + "inScheme", KSM + "minimumParticipants"})
# Past this share of the store, copying costs more than it spares: the whole store is checked.
_WHOLE_SHARE = 0.5
_SMALL = 50_000
# Up to this size a whole store checked, that the change partly holds, is copied into memory for the checks: see _in_memory.
_MEMORY_MAX = 1_000_000


class Verdict(Protocol):
    """A result of a shape or a check, as kg.quality.validate reports it."""

    @property
    def node(self) -> object: ...

    @property
    def focus(self) -> str: ...


class Region:
    """The resources a change may concern (``focus``; None: all, the whole store) and a store holding what their verdicts read.

    ``held``: the graphs of the store the change holds in memory too, which the SHACL engine's input takes from there.
    ``checked``: how to make the store the check queries read, when it is not ``store``.
    """

    def __init__(self, store: ox.Store, focus: set[Node] | None, held: dict[str, list[ox.Quad]] | None = None,
                 checked: Callable[[], ox.Store] | None = None) -> None:
        self.store = store
        self.focus = focus
        self.held = held or {}  # graphs of ``store`` whose content the change holds in memory (diskstore.Change.held)
        self.checked = checked  # makes the store the checks read, when not ``store`` (a copy in memory, made in their thread)
        self._shown = set() if focus is None else (
            {_shorten(n.value) for n in focus if isinstance(n, ox.NamedNode)} | {n.value for n in focus if isinstance(n, ox.BlankNode)})

    def concerns(self, verdict: Verdict) -> bool:
        """Whether a result is about one of the focus resources (the region's edge is read, not judged)."""
        if self.focus is None:
            return True
        node = verdict.node
        if node is not None:
            return node in self.focus
        return verdict.focus in self._shown  # a blank node as the SHACL engine names it


class _Around:
    """The store's triples about each resource, each read once (a verdict's surroundings overlap)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.quads: dict[Node, list[ox.Quad]] = {}

    def out(self, node: Node) -> list[ox.Quad]:
        found = self.quads.get(node)
        if found is None:
            found = self.quads[node] = list(self.store.quads_for_pattern(node, None, None))
        return found

    def objects(self, node: Node, predicate: ox.NamedNode | None = None) -> set[Node]:
        return {q.object for q in self.out(node)  # type: ignore[misc]
                if (predicate is None or q.predicate == predicate) and not isinstance(q.object, ox.Literal)}

    def statement(self, node: Node) -> bool:
        return any(q.predicate == _TYPE and q.object == _STATEMENT for q in self.out(node))

    def mechanisms(self, node: Node) -> set[Node]:
        """What links to ``node`` through a cell: its mechanism (ksm:hasStatement, inferred from each cell)."""
        return {q.subject for q in self.store.quads_for_pattern(None, _CELL, node)}  # type: ignore[misc]

    def linking(self, node: Node) -> set[Node]:
        return {q.subject for q in self.store.quads_for_pattern(None, None, node)}  # type: ignore[misc]


def changed(store: ox.Store, change: Change) -> tuple[set[tuple[Node, ox.NamedNode]], set[Node]]:
    """What changed: (subject, predicate) pairs and objects (classes aside), of the graphs' new content and of what ``change`` noted."""
    about, objects = change.about()
    for name in change.changed_graphs():
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(name)):
            about.add((quad.subject, quad.predicate))  # type: ignore[arg-type]
            if not isinstance(quad.object, ox.Literal) and quad.predicate != _TYPE:
                objects.add(quad.object)  # type: ignore[arg-type]
    return about, objects


def focus(store: ox.Store, change: Change, around: _Around | None = None) -> set[Node]:
    """The resources whose verdict ``change`` may have changed (see the module's docstring)."""
    around = around or _Around(store)
    about, objects = changed(store, change)
    found: set[Node] = {s for s, _ in about}
    found.update(b for b in objects if around.statement(b))
    read = {s for s, p in about if p.value in READ_FROM_LINKED}
    found.update(x for a in read for x in around.linking(a))
    mechanisms = {m for x in found if around.statement(x) for m in around.mechanisms(x)}
    mechanisms.update(s for s, p in about if p == _CELL)
    found.update(x for m in mechanisms for x in around.objects(m, _CELL))
    return found


def _most_of(store: ox.Store, change: Change) -> int | None:
    """The store's size when the change is most of it (a first big load): then the whole store is checked, as it is."""
    size = sum(len(noted) for noted in change.noted)
    for name in change.changed_graphs():
        answer = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(name)} {{ ?s ?p ?o }} }}")
        size += int(next(iter(answer))["n"].value)  # type: ignore[arg-type]
    if size <= _SMALL:
        return None
    total = len(store)
    return total if size > total * _WHOLE_SHARE else None


def _in_memory(store: ox.Store, held: dict[str, list[ox.Quad]]) -> ox.Store:
    """The whole of ``store`` in memory: the held graphs copied from the change's lists, the others read once.

    The checks' queries run three to four times faster on it than on the
    disk store, which more than pays for the copy (a 10,000-row import:
    195,000 quads, 0.5 s to copy, the checks 1.5 s to 0.4 s); it is made in
    the checks' thread, beside the SHACL engine.
    """
    copy = ox.Store()
    for graph in [ox.DefaultGraph(), *store.named_graphs()]:
        copy.extend(quads_of(store, graph, held))
    return copy


def region(store: ox.Store, change: Change) -> Region:
    """The focus resources of ``change`` and a copy of what their verdicts read (the whole store where that is most of it).

    When the whole store is checked, is small enough (:data:`_MEMORY_MAX`
    quads) and partly held by the change already, the checks read a copy
    of it in memory (:func:`_in_memory`).
    """
    total = None if change.everything else _most_of(store, change)
    if change.everything or total is not None:
        held = change.held
        if held and total is not None and total <= _MEMORY_MAX:
            return Region(store, None, held, checked=lambda: _in_memory(store, held))
        return Region(store, None, held)
    around = _Around(store)
    nodes = focus(store, change, around)
    reads: set[Node] = set(nodes)
    for x in nodes:
        reads.update(around.objects(x))
        if around.statement(x):
            for m in around.mechanisms(x):
                reads.add(m)
                reads.update(around.objects(m, _CELL))
    quads: list[ox.Quad] = []
    limit: float = _SMALL
    for node in reads:
        quads.extend(around.out(node))
        if len(quads) > limit:
            limit = max(limit, len(store) * _WHOLE_SHARE)  # counted only for a big region: len() reads the whole store
            if len(quads) > limit:
                return Region(store, nodes)
    for p in {q.predicate for q in quads}:
        quads.extend(around.out(p))
    copy = ox.Store()
    copy.extend(quads)
    return Region(copy, nodes)
