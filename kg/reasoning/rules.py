"""OWL RL reasoning that scales: owlrl for the schema, a rule engine for the instances.

owlrl is the reference for what the graph entails, but its full closure
re-runs every OWL RL rule over every triple until nothing changes, which
took seconds for a thousand triples and minutes for a hundred thousand.
Almost all of that work is instance-level, and the instance-level rules
are a handful of joins once the schema is closed.  So:

1. the *schema part* (the ontology files' triples plus any schema-shaped
   triple of the data: ``rdfs:subClassOf``, ``owl:*`` predicates, lists,
   ``rdf:type owl:Class`` ...) is closed by owlrl itself, and that closure is
   cached on disk under the hash of its triples;
2. the rules that consume instance triples are read off that closed schema
   as tables (super-classes, super-properties, inverses, domains, ranges,
   symmetric and transitive properties, property chains, ``owl:hasValue``,
   ``owl:someValuesFrom``, ``owl:allValuesFrom``, ``owl:intersectionOf``) and
   applied semi-naively to a fixpoint over integer-coded triples.

The result is the same set of triples as owlrl's closure after
``reference.is_junk`` (tests/reasoning/test_reasoning.py checks it on the bundled data
and on generated data).  Where the data would make owlrl derive
``owl:sameAs`` between different resources (an explicit ``owl:sameAs``, two
values of a functional or inverse-functional property) or the schema uses a
construct these tables do not cover (``owl:hasKey``, cardinalities,
``owl:oneOf``...), the rule engine would diverge, so it hands the whole
input to owlrl instead: slower, never different.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

import pyoxigraph as ox

from kg.reasoning import cache, datatypes, reference
from kg.reasoning.coded import Coded
from kg.reasoning.engine import OWL, RDF, RDFS, TYPE, Engine, NeedsFullReasoner

_SCHEMA_PREDICATES = {
    RDF + "first", RDF + "rest",
    RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
}
# owl: predicates that are about individuals, not the schema.
_INSTANCE_OWL_PREDICATES = {OWL + "sameAs", OWL + "differentFrom"}
# Constructs whose instance-level rules derive owl:sameAs or need more than the engine's tables.
_UNSUPPORTED = {OWL + name for name in (
    "hasKey", "maxCardinality", "maxQualifiedCardinality", "cardinality", "qualifiedCardinality",
    "oneOf", "complementOf", "AllDifferent", "AllDisjointProperties", "AllDisjointClasses", "hasSelf",
    "propertyDisjointWith", "IrreflexiveProperty", "AsymmetricProperty", "disjointUnionOf",
    "NegativePropertyAssertion", "sourceIndividual",
)}
_CACHE_FORMAT = "fast-2"  # 2: blank nodes named by their order in the key and the cached closure


def _schema_class(term: object) -> bool:
    """True for the object of an ``rdf:type`` triple that is about the schema (owl:Class, rdf:Property...)."""
    return isinstance(term, ox.NamedNode) and (term.value.startswith(OWL) or term.value.startswith(RDFS) or term.value == RDF + "Property")


def _schema_predicate(iri: str) -> bool:
    return iri in _SCHEMA_PREDICATES or (iri.startswith(OWL) and iri not in _INSTANCE_OWL_PREDICATES)


def is_schema(triple: ox.Triple) -> bool:
    """True for a triple that shapes the rules (classes, properties, restrictions, lists)."""
    p = triple.predicate.value
    if _schema_predicate(p):
        return True
    return p == TYPE and _schema_class(triple.object)


def schema_closure(schema: list[ox.Triple], *, use_cache: bool = True) -> list[ox.Triple]:
    """owlrl's inferred triples for the schema part alone, cached by its content.

    The parser names blank nodes (restrictions, lists) at random, so the
    key names them by their order of first appearance instead, and so does
    the cached closure; they are named back on the way out.  The same files
    read in the same order meet the cache; anything else (another order, a
    blank node inside a quoted triple) only misses it.
    """
    stable: dict[object, ox.BlankNode] = {}

    def named(term: object) -> object:
        if isinstance(term, ox.BlankNode):
            found = stable.get(term)
            if found is None:
                found = stable[term] = ox.BlankNode(f"s{len(stable)}")
            return found
        return term

    relabelled = [ox.Triple(named(t.subject), t.predicate, named(t.object)) for t in schema]  # type: ignore[arg-type]
    digest = hashlib.sha256(f"{_CACHE_FORMAT}\0{cache.cache_key([])}\0".encode())
    for line in sorted(str(t) for t in relabelled):
        digest.update(line.encode() + b"\n")
    name = f"schema-{digest.hexdigest()[:32]}.nt"
    found = cache.load_triples(name) if use_cache else None
    if found is None:
        found = reference.infer(ox.Quad(t.subject, t.predicate, t.object) for t in relabelled)
        if use_cache:
            cache.save_triples(name, found)
    back: dict[object, object] = {label: term for term, label in stable.items()}
    return [ox.Triple(back.get(t.subject, t.subject), t.predicate, back.get(t.object, t.object)) for t in found]  # type: ignore[arg-type]


_LIST_PREDICATES = {RDF + "first", RDF + "rest"}


def _schema_of(coded: Coded, *sources: str) -> list[tuple[int, int, int]]:
    """The schema part of these sources: schema triples, and the lists that they reference.

    An RDF list matters to OWL RL only inside a schema construct
    (``owl:intersectionOf``, ``owl:propertyChainAxiom``...).  Lists that no
    schema triple reaches are instance data: owlrl's closure of them is
    quadratic in their depth, the rules treat them like any triple.
    Decided per predicate (and per class for ``rdf:type``): a million
    instance triples are not looked at one by one.
    """
    terms = coded.terms
    schema: list[tuple[int, int, int]] = []
    lists: list[tuple[int, int, int]] = []
    classes: dict[int, bool] = {}
    for name in sources:
        for p, flat in coded.source(name).items():
            iri = terms[p].value  # type: ignore[attr-defined]
            it = iter(flat)
            pairs = zip(it, it, strict=True)
            if iri in _LIST_PREDICATES:
                lists.extend((s, p, o) for s, o in pairs)
            elif _schema_predicate(iri):
                schema.extend((s, p, o) for s, o in pairs)
            elif iri == TYPE:
                for s, o in pairs:
                    found = classes.get(o)
                    if found is None:
                        found = classes[o] = _schema_class(terms[o])
                    if found:
                        schema.append((s, p, o))
    schema = list(dict.fromkeys(schema))
    if not lists:
        return schema
    links: dict[int, list[int]] = {}
    for s, _, o in lists:
        links.setdefault(s, []).append(o)
    reached: set[int] = set()
    literal = coded.literal
    stack = [o for _, _, o in schema if not literal[o]]
    while stack:
        node = stack.pop()
        if node in reached or node not in links:
            continue
        reached.add(node)
        stack.extend(links[node])
    return schema + list(dict.fromkeys(t for t in lists if t[0] in reached))


# Schema-shaped triples that no OWL RL rule reads: an ontology's header.
_INERT_PREDICATES = {OWL + name for name in (
    "imports", "versionIRI", "versionInfo", "priorVersion", "backwardCompatibleWith", "incompatibleWith",
)}


def _inert(t: ox.Triple) -> bool:
    if t.predicate.value in _INERT_PREDICATES:
        return True
    return t.predicate.value == TYPE and isinstance(t.object, ox.NamedNode) and t.object.value == OWL + "Ontology"


def _unsupported(schema: Sequence[ox.Triple]) -> bool:
    return any(t.predicate.value in _UNSUPPORTED or str(t.object).strip("<>") in _UNSUPPORTED for t in schema)


def infer(quads: Iterable[ox.Quad | ox.Triple], *, use_cache: bool = True) -> list[ox.Triple]:
    """The triples the OWL RL closure adds to ``quads`` (all graphs merged), as owlrl would, junk removed.

    ``quads`` is read once: a parser's stream (:func:`kg.graph.rdfio.stream`
    of a file) need not be held in memory beside the closure.

    >>> ex = "http://example.org/"
    >>> quads = [ox.Quad(ox.NamedNode(ex + "A"), ox.NamedNode(RDFS + "subClassOf"), ox.NamedNode(ex + "B")),
    ...          ox.Quad(ox.NamedNode(ex + "x"), ox.NamedNode(TYPE), ox.NamedNode(ex + "A"))]
    >>> ox.Triple(ox.NamedNode(ex + "x"), ox.NamedNode(TYPE), ox.NamedNode(ex + "B")) in infer(quads, use_cache=False)
    True
    """
    coded = Coded()
    coded.add("given", quads)
    asserted_terms = len(coded.terms)
    schema = [coded.decode(*t) for t in _schema_of(coded, "given")]
    if _unsupported(schema):
        return reference.infer(coded.quads("given"))
    closed_schema = schema_closure(schema, use_cache=use_cache)
    try:
        axioms = _coded_axioms(coded, ("given",), asserted_terms, use_cache=use_cache)
        engine = Engine(coded, _encode(coded, [*schema, *closed_schema]))
        engine.close("given")
    except NeedsFullReasoner:
        return reference.infer(coded.quads("given"))
    return _decoded(coded, engine, axioms, ("given",))


def infer_more(asserted: Sequence[ox.Triple], inferred: Sequence[ox.Triple], new: Sequence[ox.Triple],
               *, use_cache: bool = True) -> list[ox.Triple] | None:
    """The inferred triples once ``new`` joins ``asserted`` (whose closure adds ``inferred``), or None.

    :func:`infer_increment` over triples held in lists (the store reads
    them from its database instead): OWL RL is monotonic, so the rules need
    only fire for the new triples, joined with the old closure.  None
    (meaning: run :func:`infer` on everything) when ``new`` holds schema
    triples, or when the input needs owlrl itself.
    """
    gained = infer_increment(new, _Lists(asserted, inferred), use_cache=use_cache)
    if gained is None:
        return None
    fresh, old = set(new), {*asserted, *inferred}
    return [t for t in inferred if t not in fresh] + [t for t in dict.fromkeys(gained.triples) if t not in old and t not in fresh]


class _Lists:
    """Asserted and inferred triples held in lists, read as :class:`Base`."""

    def __init__(self, asserted: Sequence[ox.Triple], inferred: Sequence[ox.Triple]) -> None:
        self._asserted, self._inferred = asserted, inferred

    def predicates(self) -> set[str]:
        return {t.predicate.value for t in self._asserted}

    def asserted(self, predicates: Iterable[str]) -> Iterable[ox.Triple]:
        wanted = set(predicates)
        return [t for t in self._asserted if t.predicate.value in wanted]

    def inferred(self, predicates: Iterable[str]) -> Iterable[ox.Triple]:
        wanted = set(predicates)
        return [t for t in self._inferred if t.predicate.value in wanted]

    def datatypes(self) -> set[str]:
        return {t.object.datatype.value for t in self._asserted if isinstance(t.object, ox.Literal)}

    def size(self) -> int:
        return len(self._asserted) + len(self._inferred)


class Base(Protocol):
    """The graph a new one joins, as :func:`infer_increment` reads it: by predicate, never whole."""

    def predicates(self) -> set[str]:
        """The predicates of its asserted triples."""

    def asserted(self, predicates: Iterable[str]) -> Iterable[ox.Triple]:
        """Its asserted triples of these predicates."""

    def inferred(self, predicates: Iterable[str]) -> Iterable[ox.Triple]:
        """Its inferred triples (the closure less the asserted ones) of these predicates."""

    def datatypes(self) -> set[str]:
        """The datatypes of its asserted literals (a scan: asked only when the new graph brings a new one)."""

    def size(self) -> int:
        """How many triples it holds, asserted and inferred."""


_LIST_PREDICATES_AND_TYPE = {RDF + "first", RDF + "rest", TYPE}


class Increment(NamedTuple):
    """What the closure gains: ``triples`` (a superset), of which those with a ``settled`` predicate are surely new."""

    triples: list[ox.Triple]
    settled: frozenset[str]


def infer_increment(new: Iterable[ox.Triple | ox.Quad], base: Base, *, use_cache: bool = True) -> Increment | None:
    """What the closure gains when ``new`` joins ``base``, or None when that needs a full pass.

    OWL RL is monotonic: what the base entailed stays entailed, and the rules
    need only fire for the new triples, joined with the base's closure.  Of
    the base, only what the rules read is fetched: the schema, the lists and
    the ``rdf:type`` triples, and the triples of the predicates that rules
    join on (asserted and inferred); not the labels, descriptions and the
    like that make up most of a graph, nor the triples rules only derive
    (unless the base is smaller than ``new``).
    So a derived triple may be one the base already holds: the answer is a
    superset of what is missing, and the caller keeps what it lacks; of the
    predicates read in full (``rdf:type`` and the joined ones, the answer's
    ``settled``) every derived triple is new.

    None (run :func:`infer` on everything) when ``new`` holds schema triples
    (the rules themselves change), or when the input needs owlrl itself.
    ``new`` is read once: a stream of the store's quads need not be held.
    """
    coded = Coded()
    coded.add("new", new)
    first = {p for p in base.predicates() if _schema_predicate(p) or p in _LIST_PREDICATES_AND_TYPE}
    coded.add("asserted", base.asserted(sorted(first)))
    old = _schema_of(coded, "asserted")
    known = set(old)
    if not all(_inert(coded.decode(*t)) for t in _schema_of(coded, "asserted", "new") if t not in known):
        return None
    schema = [coded.decode(*t) for t in old]
    if _unsupported(schema):
        return None
    closed_schema = schema_closure(schema, use_cache=use_cache)
    try:
        engine = Engine(coded, _encode(coded, [*schema, *closed_schema]))
        terms = coded.terms
        # What the rules join on must be read; what they only derive is read too when the base is the smaller
        # side (a big graph joining a small store): reading it costs less than looking up each derived triple.
        new_size = sum(len(flat) for flat in coded.source("new").values()) // 2
        read = engine.tracked if new_size >= base.size() else engine.joined
        full = {terms[p].value for p in read}  # type: ignore[attr-defined]
        coded.add("asserted", base.asserted(sorted(full - first)))
        coded.add("inferred", base.inferred(sorted(full | {TYPE})))
        axioms = _increment_axioms(coded, base, use_cache=use_cache)
        engine.close("new", base=("asserted", "inferred"))
    except NeedsFullReasoner:
        return None
    extra = [t for t in dict.fromkeys(axioms) if not engine.knows(*t)]
    engine.release()
    out: list[ox.Triple] = []
    triple = ox.Triple
    for p, flat in engine.output(schema=False):  # the schema did not change: its closure is there already
        predicate, it = terms[p], iter(flat)
        out.extend([triple(terms[s], predicate, terms[o]) for s, o in zip(it, it, strict=True)])  # type: ignore[arg-type]
    out.extend(triple(terms[s], terms[p], terms[o]) for s, p, o in extra)  # type: ignore[arg-type]
    return Increment(out, frozenset(full | {TYPE}))


def _increment_axioms(coded: Coded, base: Base, *, use_cache: bool) -> list[tuple[int, int, int]]:
    """The datatype axioms the new literals may add, numbered.

    A new ``owl:disjointWith`` between datatypes needs a datatype of the
    disjointness table that the base does not use yet.  Those the base uses
    show in its inferred disjointness axioms; only when the new graph uses
    one of the table's datatypes found in none of them is the base scanned
    for its datatypes.
    """
    type_id = coded.iri(TYPE)
    classes = {coded.terms[o] for name in ("asserted", "new") for o in coded.source(name).get(type_id, [])[1::2]}
    literal, terms = coded.literal, coded.terms
    literals: list[ox.Literal] = [terms[o] for o in {o for flat in coded.source("new").values() for o in flat[1::2] if literal[o]}]  # type: ignore[misc]
    tops = datatypes.disjoint_ones(use_cache=use_cache)
    fresh = datatypes.used(literals, use_cache=use_cache) & tops
    also: set[str] = set()
    if fresh:
        seen = {term.value for t in base.inferred([OWL + "disjointWith"]) for term in (t.subject, t.object)
                if isinstance(term, ox.NamedNode)}
        if not fresh <= seen:
            also = datatypes.used((ox.Literal("", datatype=ox.NamedNode(d)) for d in base.datatypes()), use_cache=use_cache)
    return _encode(coded, datatypes.axioms(literals, classes, use_cache=use_cache, also_used=also))


def _encode(coded: Coded, triples: Iterable[ox.Triple]) -> list[tuple[int, int, int]]:
    return [(coded.id(t.subject), coded.id(t.predicate), coded.id(t.object)) for t in triples]


def _coded_axioms(coded: Coded, sources: Sequence[str], asserted_terms: int, *, use_cache: bool) -> list[tuple[int, int, int]]:
    """The datatype axioms of the literals among the first ``asserted_terms`` terms, numbered (before the engine counts terms)."""
    literal, terms = coded.literal, coded.terms
    literals = (terms[i] for i in range(asserted_terms) if literal[i])
    type_id = coded.iri(TYPE)
    classes = {terms[o] for name in sources for o in coded.source(name).get(type_id, [])[1::2]}
    return _encode(coded, datatypes.axioms(literals, classes, use_cache=use_cache))  # type: ignore[arg-type]


def _decoded(coded: Coded, engine: Engine, axioms: list[tuple[int, int, int]], sources: Sequence[str]) -> list[ox.Triple]:
    """The engine's output and the axioms it lacks, as pyoxigraph triples.

    The engine's set and indexes, and the term dictionary, are dropped
    first: only the output's numbers and the terms list stay while the
    triples are built.
    """
    extra = [t for t in dict.fromkeys(axioms)
             if not engine.knows(*t) and (t[1] in engine.tracked or not coded.holds(sources, *t))]
    engine.release()
    coded.ids = {}
    for name in sources:
        coded.sources.pop(name, None)
    terms, triple = coded.terms, ox.Triple
    out: list[ox.Triple] = []
    for p, flat in engine.output():
        predicate, it = terms[p], iter(flat)
        out.extend([triple(terms[s], predicate, terms[o]) for s, o in zip(it, it, strict=True)])  # type: ignore[arg-type]
    out.extend(triple(terms[s], terms[p], terms[o]) for s, p, o in extra)  # type: ignore[arg-type]
    return out
