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
from collections import defaultdict
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from kg.core import notices
from kg.reasoning import cache, reference

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
TYPE = RDF + "type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_SCHEMA_PREDICATES = {
    RDF + "first", RDF + "rest",
    RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
}
# owl: predicates that are about individuals, not the schema.
_INSTANCE_OWL_PREDICATES = {OWL + "sameAs", OWL + "differentFrom"}
# Constructs whose instance-level rules derive owl:sameAs or need more than the tables below.
_UNSUPPORTED = {OWL + name for name in (
    "hasKey", "maxCardinality", "maxQualifiedCardinality", "cardinality", "qualifiedCardinality",
    "oneOf", "complementOf", "AllDifferent", "AllDisjointProperties", "AllDisjointClasses", "hasSelf",
    "propertyDisjointWith", "IrreflexiveProperty", "AsymmetricProperty", "disjointUnionOf",
    "NegativePropertyAssertion", "sourceIndividual",
)}
_CACHE_FORMAT = "fast-1"


class NeedsFullReasoner(Exception):
    """The input needs rules this engine leaves to owlrl (sameAs, cardinalities...)."""


def is_schema(triple: ox.Triple) -> bool:
    """True for a triple that shapes the rules (classes, properties, restrictions, lists)."""
    p = triple.predicate.value
    if p in _SCHEMA_PREDICATES:
        return True
    if p.startswith(OWL):
        return p not in _INSTANCE_OWL_PREDICATES
    if p == TYPE:
        o = triple.object
        return isinstance(o, ox.NamedNode) and (o.value.startswith(OWL) or o.value.startswith(RDFS) or o.value == RDF + "Property")
    return False


def schema_closure(schema: list[ox.Triple], *, use_cache: bool = True) -> list[ox.Triple]:
    """owlrl's inferred triples for the schema part alone, cached by its content."""
    digest = hashlib.sha256(f"{_CACHE_FORMAT}\0{cache.cache_key([])}\0".encode())
    for line in sorted(str(t) for t in schema):
        digest.update(line.encode() + b"\n")
    name = f"schema-{digest.hexdigest()[:32]}.nt"
    found = cache.load_triples(name) if use_cache else None
    if found is None:
        found = reference.infer(ox.Quad(t.subject, t.predicate, t.object) for t in schema)
        if use_cache:
            cache.save_triples(name, found)
    return found


_LIST_PREDICATES = {RDF + "first", RDF + "rest"}


def split_schema(asserted: Sequence[ox.Triple]) -> list[ox.Triple]:
    """The schema part of ``asserted``: schema triples, and the lists that they reference.

    An RDF list matters to OWL RL only inside a schema construct
    (``owl:intersectionOf``, ``owl:propertyChainAxiom``...).  Lists that no
    schema triple reaches are instance data: owlrl's closure of them is
    quadratic in their depth, the rules below treat them like any triple.
    """
    schema: list[ox.Triple] = []
    lists: list[ox.Triple] = []
    for t in asserted:
        if t.predicate.value in _LIST_PREDICATES:
            lists.append(t)
        elif is_schema(t):
            schema.append(t)
    if not lists:
        return schema
    links: dict[object, list[object]] = defaultdict(list)
    for t in lists:
        links[t.subject].append(t.object)
    reached: set[object] = set()
    stack: list[object] = [t.object for t in schema if not isinstance(t.object, ox.Literal)]
    while stack:
        node = stack.pop()
        if node in reached or node not in links:
            continue
        reached.add(node)
        stack.extend(links[node])
    return schema + [t for t in lists if t.subject in reached]


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


def infer(quads: Iterable[ox.Quad], *, use_cache: bool = True) -> list[ox.Triple]:
    """The triples the OWL RL closure adds to ``quads`` (all graphs merged), as owlrl would, junk removed.

    >>> ex = "http://example.org/"
    >>> quads = [ox.Quad(ox.NamedNode(ex + "A"), ox.NamedNode(RDFS + "subClassOf"), ox.NamedNode(ex + "B")),
    ...          ox.Quad(ox.NamedNode(ex + "x"), ox.NamedNode(TYPE), ox.NamedNode(ex + "A"))]
    >>> ox.Triple(ox.NamedNode(ex + "x"), ox.NamedNode(TYPE), ox.NamedNode(ex + "B")) in infer(quads, use_cache=False)
    True
    """
    asserted = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    schema = split_schema(asserted)
    if _unsupported(schema):
        return reference.infer(ox.Quad(t.subject, t.predicate, t.object) for t in asserted)
    closed_schema = schema_closure(schema, use_cache=use_cache)
    try:
        found = _Engine(schema + closed_schema).close(asserted, [])
        axioms = datatype_axioms(asserted)
    except NeedsFullReasoner:
        return reference.infer(ox.Quad(t.subject, t.predicate, t.object) for t in asserted)
    seen = set(found) | set(asserted)
    return found + [t for t in axioms if t not in seen]


def infer_more(asserted: Sequence[ox.Triple], inferred: Sequence[ox.Triple], new: Sequence[ox.Triple],
               *, use_cache: bool = True) -> list[ox.Triple] | None:
    """The inferred triples once ``new`` joins ``asserted`` (whose closure adds ``inferred``), or None.

    OWL RL is monotonic: what the old graph entailed stays entailed, and the
    rules need only fire for the new triples, joined with the old closure.
    That holds while the rules themselves stay the same, so None (meaning: run
    :func:`infer` on everything) is the answer when ``new`` holds schema
    triples, or when the input needs owlrl itself.
    """
    new = list(dict.fromkeys(new))
    schema = split_schema(asserted)
    known = set(schema)
    if not all(_inert(t) for t in split_schema([*asserted, *new]) if t not in known):
        return None
    if _unsupported(schema):
        return None
    closed_schema = schema_closure(schema, use_cache=use_cache)
    try:
        found = _Engine(schema + closed_schema).close(new, [*asserted, *inferred])
        axioms = datatype_axioms([*asserted, *new])
    except NeedsFullReasoner:
        return None
    fresh = set(new)
    out = [t for t in inferred if t not in fresh] + found
    seen = set(out) | set(asserted) | fresh
    return out + [t for t in axioms if t not in seen]


def datatype_axioms(asserted: Iterable[ox.Triple]) -> list[ox.Triple]:
    """owlrl's one-time datatype rules for the datatypes the literals use (dt-type1, disjointness).

    owlrl states ``owl:disjointWith`` between the top datatypes that the graph's
    literals use (their super-datatypes included); the rest of its datatype
    rules only type literals, which ``reference.is_junk`` drops.
    """
    from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
    from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes

    rl = {str(d) for d in OWL_RL_Datatypes}
    used = set()
    for t in asserted:
        if isinstance(t.object, ox.Literal) and not t.object.language and t.object.datatype.value in rl - {_XSD_STRING}:
            used.add(t.object.datatype.value)
        elif t.predicate.value == TYPE and isinstance(t.object, ox.NamedNode) and t.object.value in rl:
            raise NeedsFullReasoner("a resource typed with a datatype")
    out = []
    for dt in list(used):
        for wider in OWL_Datatype_Subsumptions.get(_uri(dt), ()):
            used.add(str(wider))
            out.append(ox.Triple(ox.NamedNode(str(wider)), ox.NamedNode(TYPE), ox.NamedNode(RDFS + "Datatype")))
    for left, pred, right in OWLRL_Datatypes_Disjointness:
        if str(left) in used and str(right) in used:
            out.append(ox.Triple(ox.NamedNode(str(left)), ox.NamedNode(str(pred)), ox.NamedNode(str(right))))
    return out


def _uri(iri: str) -> object:
    from rdflib import URIRef

    return URIRef(iri)


class _Engine:
    """Instance-level OWL RL rules over integer-coded triples, read off a closed schema."""

    def __init__(self, schema: Sequence[ox.Triple]) -> None:
        self.ids: dict[object, int] = {}
        self.terms: list[object] = []
        self.schema = [self.encode(t) for t in schema]
        self.type = self.id(ox.NamedNode(TYPE))
        self.same_as = self.id(ox.NamedNode(OWL + "sameAs"))
        self.thing = self.id(ox.NamedNode(OWL + "Thing"))
        self._tables()

    def id(self, term: object) -> int:
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return found

    def encode(self, t: ox.Triple) -> tuple[int, int, int]:
        return self.id(t.subject), self.id(t.predicate), self.id(t.object)

    def _tables(self) -> None:
        def u(name: str) -> int:
            return self.id(ox.NamedNode(name))

        by_p: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for s, p, o in self.schema:
            by_p[p].append((s, o))
        first = dict(by_p[u(RDF + "first")])
        rest = dict(by_p[u(RDF + "rest")])
        nil = u(RDF + "nil")

        def members(head: int) -> list[int]:
            out, seen = [], set()
            while head != nil and head in first and head not in seen:
                seen.add(head)
                out.append(first[head])
                head = rest.get(head, nil)
            return out

        def table(pred: str, *, reflexive_ok: bool = False) -> dict[int, set[int]]:
            result: dict[int, set[int]] = defaultdict(set)
            for s, o in by_p[u(pred)]:
                if reflexive_ok or s != o:
                    result[s].add(o)
            return result

        self.sup_class = table(RDFS + "subClassOf")
        self.sup_prop = table(RDFS + "subPropertyOf")
        self.domain = table(RDFS + "domain")
        self.range = table(RDFS + "range")
        self.inverse: dict[int, set[int]] = defaultdict(set)
        for a, b in by_p[u(OWL + "inverseOf")]:
            self.inverse[a].add(b)
            self.inverse[b].add(a)
        types = by_p[self.type]
        self.symmetric = {s for s, o in types if o == u(OWL + "SymmetricProperty")}
        self.transitive = {s for s, o in types if o == u(OWL + "TransitiveProperty")}
        self.functional = {s for s, o in types if o == u(OWL + "FunctionalProperty")}
        self.inverse_functional = {s for s, o in types if o == u(OWL + "InverseFunctionalProperty")}
        on_property = dict(by_p[u(OWL + "onProperty")])
        self.has_value: dict[int, list[tuple[int, int]]] = defaultdict(list)  # class -> (p, v)
        self.has_value_by_pv: dict[tuple[int, int], set[int]] = defaultdict(set)
        for r, v in by_p[u(OWL + "hasValue")]:
            if r in on_property:
                self.has_value[r].append((on_property[r], v))
                self.has_value_by_pv[(on_property[r], v)].add(r)
        self.svf: dict[int, list[tuple[int, int]]] = defaultdict(list)  # p -> (restriction, filler)
        self.svf_by_filler: dict[int, list[tuple[int, int]]] = defaultdict(list)  # filler -> (restriction, p)
        for r, filler in by_p[u(OWL + "someValuesFrom")]:
            if r in on_property:
                self.svf[on_property[r]].append((r, filler))
                self.svf_by_filler[filler].append((r, on_property[r]))
        self.avf_by_p: dict[int, list[tuple[int, int]]] = defaultdict(list)  # p -> (restriction, filler)
        self.avf_by_r: dict[int, list[tuple[int, int]]] = defaultdict(list)  # restriction -> (p, filler)
        for r, filler in by_p[u(OWL + "allValuesFrom")]:
            if r in on_property:
                self.avf_by_p[on_property[r]].append((r, filler))
                self.avf_by_r[r].append((on_property[r], filler))
        self.intersections: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)  # member -> (class, members)
        for c, head in by_p[u(OWL + "intersectionOf")]:
            parts = members(head)
            for m in parts:
                self.intersections[m].append((c, parts))
        self.chains: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)  # p -> (super, chain)
        for q, head in by_p[u(OWL + "propertyChainAxiom")]:
            chain = members(head)
            for p in set(chain):
                self.chains[p].append((q, chain))

    def close(self, given: Sequence[ox.Triple], closed: Sequence[ox.Triple]) -> list[ox.Triple]:
        """Add ``closed`` (already closed: no rule fires for it) and ``given``; return what the rules add."""
        self.known: set[tuple[int, int, int]] = set()
        self.sp: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))  # p -> s -> {o}
        self.op: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))  # p -> o -> {s}
        self.literal = bytearray()
        delta: list[tuple[int, int, int]] = []
        for triple in self.schema:
            self._insert(triple, delta)
        base = [self.encode(t) for t in closed]
        for triple in base:
            self._insert(triple, delta)
        delta.clear()  # the closed schema and the closed graph need no more rules
        coded = [self.encode(t) for t in given]
        for triple in coded:
            self._insert(triple, delta)
        rounds = 0
        while delta:
            rounds += 1
            new: list[tuple[int, int, int]] = []
            for count, triple in enumerate(delta):
                if not count & 0xFFF:  # every 4,096 triples: a long closure shows it is alive (on a terminal only)
                    notices.progress(f"reasoning: round {rounds}, {len(self.known):,} triples")
                self._fire(triple, new)
            delta = new
        notices.progress_done()
        out = self.known - set(coded) - set(base)
        terms = self.terms
        return [ox.Triple(terms[s], terms[p], terms[o]) for s, p, o in sorted(out)]  # type: ignore[arg-type]

    def _is_literal(self, i: int) -> bool:
        while len(self.literal) <= i:
            self.literal.append(2)
        if self.literal[i] == 2:
            self.literal[i] = int(isinstance(self.terms[i], ox.Literal))
        return bool(self.literal[i])

    def _insert(self, triple: tuple[int, int, int], out: list[tuple[int, int, int]]) -> None:
        if triple in self.known or self._is_literal(triple[0]):
            return
        self.known.add(triple)
        s, p, o = triple
        self.sp[p][s].add(o)
        self.op[p][o].add(s)
        out.append(triple)

    def _fire(self, triple: tuple[int, int, int], new: list[tuple[int, int, int]]) -> None:
        s, p, o = triple
        add = self._insert
        if p == self.same_as:
            if s != o:
                raise NeedsFullReasoner("owl:sameAs")
            return
        if p in self.functional and len(self.sp[p][s]) > 1:
            raise NeedsFullReasoner("two values of a functional property")
        if p in self.inverse_functional and len(self.op[p][o]) > 1:
            raise NeedsFullReasoner("two subjects of an inverse-functional property")
        for q in self.sup_prop.get(p, ()):
            add((s, q, o), new)
        for q in self.inverse.get(p, ()):
            add((o, q, s), new)
        for c in self.domain.get(p, ()):
            add((s, self.type, c), new)
        for c in self.range.get(p, ()):
            add((o, self.type, c), new)
        if p in self.symmetric:
            add((o, p, s), new)
        if p in self.transitive:
            for z in list(self.sp[p].get(o, ())):
                add((s, p, z), new)
            for w in list(self.op[p].get(s, ())):
                add((w, p, o), new)
        for r in self.has_value_by_pv.get((p, o), ()):
            add((s, self.type, r), new)
        for r, filler in self.svf.get(p, ()):
            if filler == self.thing or filler in self.sp[self.type].get(o, ()):
                add((s, self.type, r), new)
        for r, filler in self.avf_by_p.get(p, ()):
            if r in self.sp[self.type].get(s, ()):
                add((o, self.type, filler), new)
        for q, chain in self.chains.get(p, ()):
            for i, link in enumerate(chain):
                if link == p:
                    for start, end in self._chain_paths(chain, i, s, o):
                        add((start, q, end), new)
        if p == self.type:
            self._fire_type(s, o, new)

    def _chain_paths(self, chain: list[int], i: int, s: int, o: int) -> list[tuple[int, int]]:
        """(start, end) of every path through the chain whose i-th link is s -> o."""
        starts = {s}
        for link in reversed(chain[:i]):
            starts = {w for x in starts for w in self.op[link].get(x, ())}
        ends = {o}
        for link in chain[i + 1:]:
            ends = {z for x in ends for z in self.sp[link].get(x, ())}
        return [(a, b) for a in starts for b in ends]

    def _fire_type(self, s: int, c: int, new: list[tuple[int, int, int]]) -> None:
        add = self._insert
        types = self.sp[self.type].get(s, set())
        for d in self.sup_class.get(c, ()):
            add((s, self.type, d), new)
        for prop, value in self.has_value.get(c, ()):
            add((s, prop, value), new)
        for cls, parts in self.intersections.get(c, ()):
            if all(m in types for m in parts):
                add((s, self.type, cls), new)
        for r, prop in self.svf_by_filler.get(c, ()):
            for x in list(self.op[prop].get(s, ())):
                add((x, self.type, r), new)
        for prop, filler in self.avf_by_r.get(c, ()):
            for y in list(self.sp[prop].get(s, ())):
                add((y, self.type, filler), new)
