"""Instance-level OWL RL rules over integer-coded triples, read off a closed schema.

The engine keeps only what its rules read back: a set of the triples whose
predicate some rule derives or joins on (each one integer, see
:meth:`Engine.close`), and subject and object indexes for the few
predicates that rules join on (transitive and functional properties,
property chains, ``owl:someValuesFrom`` and ``owl:allValuesFrom``).  A
triple whose predicate no rule reads or writes (a description, a
provenance link without a domain) is neither stored nor fired.  Class
membership is a lookup in that set, not an index.

Rules fire semi-naively, a predicate's new triples at a time: every triple
is put in the set (and indexes) when derived and fired in the next round,
so a join always sees both of its premises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

from kg.core import notices
from kg.reasoning.coded import Coded, Pairs

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
TYPE = RDF + "type"
_CHUNK = 8192  # pairs fired between two progress notices

Add = Callable[[int, int, int], None]
Index = dict[int, dict[int, list[int]]]  # predicate -> term -> [terms]


class NeedsFullReasoner(Exception):
    """The input needs rules this engine leaves to owlrl (sameAs, cardinalities...)."""


def _table(pairs: list[tuple[int, int]], *, reflexive_ok: bool = False) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {}
    for s, o in dict.fromkeys(pairs):
        if reflexive_ok or s != o:
            result.setdefault(s, []).append(o)
    return result


class Engine:
    """The rules of one closed schema, applied to the sources of a :class:`Coded`."""

    def __init__(self, coded: Coded, schema: Sequence[tuple[int, int, int]]) -> None:
        self.coded = coded
        self.schema = list(dict.fromkeys(schema))
        self.type = coded.iri(TYPE)
        self.same_as = coded.iri(OWL + "sameAs")
        self.thing = coded.iri(OWL + "Thing")
        self._tables()
        self._plans()
        self.sp: Index = {}
        self.op: Index = {}
        self.known: set[int] = set()
        self.n = 0
        self._schema_keys: dict[int, tuple[int, int, int]] = {}
        self._schema_predicates: set[int] = set()
        self._schema_out: list[tuple[int, int, int]] = []
        self._produced: list[Pairs] = []

    def _tables(self) -> None:
        u = self.coded.iri
        by_p: dict[int, list[tuple[int, int]]] = {}
        for s, p, o in self.schema:
            by_p.setdefault(p, []).append((s, o))

        def of(name: str) -> list[tuple[int, int]]:
            return by_p.get(u(name), [])

        first, rest, nil = dict(of(RDF + "first")), dict(of(RDF + "rest")), u(RDF + "nil")

        def members(head: int) -> list[int]:
            out, seen = [], set()
            while head != nil and head in first and head not in seen:
                seen.add(head)
                out.append(first[head])
                head = rest.get(head, nil)
            return out

        self.sup_class = _table(of(RDFS + "subClassOf"))
        self.sup_prop = _table(of(RDFS + "subPropertyOf"))
        self.domain = _table(of(RDFS + "domain"))
        self.range = _table(of(RDFS + "range"))
        inverses = of(OWL + "inverseOf")
        self.inverse = _table([*inverses, *((b, a) for a, b in inverses)], reflexive_ok=True)
        types = by_p.get(self.type, [])

        def typed(name: str) -> set[int]:
            cls = u(OWL + name)
            return {s for s, o in types if o == cls}

        self.symmetric = typed("SymmetricProperty")
        self.transitive = typed("TransitiveProperty")
        self.functional = typed("FunctionalProperty")
        self.inverse_functional = typed("InverseFunctionalProperty")
        on_property = dict(of(OWL + "onProperty"))
        self.has_value: dict[int, list[tuple[int, int]]] = {}  # class -> (p, v)
        self.has_value_by_pv: dict[int, dict[int, list[int]]] = {}  # p -> v -> [class]
        for r, v in dict.fromkeys(of(OWL + "hasValue")):
            if r in on_property:
                self.has_value.setdefault(r, []).append((on_property[r], v))
                self.has_value_by_pv.setdefault(on_property[r], {}).setdefault(v, []).append(r)
        self.svf: dict[int, list[tuple[int, int]]] = {}  # p -> (restriction, filler)
        self.svf_by_filler: dict[int, list[tuple[int, int]]] = {}  # filler -> (restriction, p)
        for r, filler in dict.fromkeys(of(OWL + "someValuesFrom")):
            if r in on_property:
                self.svf.setdefault(on_property[r], []).append((r, filler))
                self.svf_by_filler.setdefault(filler, []).append((r, on_property[r]))
        self.avf_by_p: dict[int, list[tuple[int, int]]] = {}  # p -> (restriction, filler)
        self.avf_by_r: dict[int, list[tuple[int, int]]] = {}  # restriction -> (p, filler)
        for r, filler in dict.fromkeys(of(OWL + "allValuesFrom")):
            if r in on_property:
                self.avf_by_p.setdefault(on_property[r], []).append((r, filler))
                self.avf_by_r.setdefault(r, []).append((on_property[r], filler))
        self.intersections: dict[int, list[tuple[int, list[int]]]] = {}  # member -> (class, members)
        for c, head in dict.fromkeys(of(OWL + "intersectionOf")):
            parts = members(head)
            for m in dict.fromkeys(parts):
                self.intersections.setdefault(m, []).append((c, parts))
        self.chains: dict[int, list[tuple[int, list[int], int]]] = {}  # p -> (super, chain, where p is in it)
        for q, head in dict.fromkeys(of(OWL + "propertyChainAxiom")):
            chain = members(head)
            for i, p in enumerate(chain):
                self.chains.setdefault(p, []).append((q, chain, i))

    def _plans(self) -> None:
        """Which predicates fire rules, which ones rules derive, and which ones they join on."""
        self.fired = {*self.sup_prop, *self.inverse, *self.domain, *self.range, *self.symmetric, *self.transitive,
                      *self.has_value_by_pv, *self.svf, *self.avf_by_p, *self.chains, *self.functional,
                      *self.inverse_functional, self.same_as, self.type}
        # Joins read a predicate's objects by subject (sp) or its subjects by object (op): each index only where read.
        by_subject = {*self.transitive, *self.functional, *(p for plans in self.chains.values() for _, chain, _ in plans for p in chain[1:]),
                      *(p for pairs in self.avf_by_r.values() for p, _ in pairs)}
        by_object = {*self.transitive, *self.inverse_functional, *(p for plans in self.chains.values() for _, chain, _ in plans for p in chain[:-1]),
                     *(p for pairs in self.svf_by_filler.values() for _, p in pairs)}
        self.by_subject, self.by_object = by_subject, by_object
        self.joined = by_subject | by_object
        derived = {self.type, *self.symmetric, *self.transitive,
                   *(q for qs in self.sup_prop.values() for q in qs), *(q for qs in self.inverse.values() for q in qs),
                   *(q for plans in self.chains.values() for q, _, _ in plans),
                   *(p for pairs in self.has_value.values() for p, _ in pairs)}
        self.tracked = derived | self.joined
        # A class whose only rule is its superclasses need not fire when a rule adds it together with all
        # of those (the schema is closed: a domain holds its classes' superclasses, a class's superclasses
        # theirs); such a class is *settled*: known and output, not fired.  Only while rdf:type itself
        # starts no property rule (no domain of rdf:type...).
        plain = self.type not in self.fired - {self.type}
        busy = {*self.has_value, *self.intersections, *self.svf_by_filler, *self.avf_by_r}

        def split(classes: list[int], also: int | None = None) -> tuple[tuple[int, ...], tuple[int, ...]]:
            group = {*classes, also}
            settled = tuple(d for d in classes if plain and d not in busy and set(self.sup_class.get(d, ())) <= group)
            return tuple(d for d in classes if d not in settled), settled

        self.domain_split = {p: split(classes) for p, classes in self.domain.items()}
        self.range_split = {p: split(classes) for p, classes in self.range.items()}
        classes = {*self.sup_class, *busy}
        self.class_plans = {c: (split(self.sup_class.get(c, []), c), tuple(self.has_value.get(c, ())),
                                tuple(self.intersections.get(c, ())), tuple(self.svf_by_filler.get(c, ())),
                                tuple(self.avf_by_r.get(c, ())))
                            for c in classes}

    # ------------------------------------------------------------------ the closure

    def close(self, given: str, base: Sequence[str] = ()) -> None:
        """Apply the rules to the source ``given``, joined with the sources ``base`` (closed already: no rule fires for them).

        Each triple is known by one integer, ``(p * n + s) * n + o`` for ``n``
        terms: 32 bytes, where a tuple would take 64 and its three numbers more.
        :meth:`output` then gives what the rules added.
        """
        coded = self.coded
        n = self.n = len(coded.terms)  # no term is numbered from here on: keys stay unique
        known = self.known = set()
        self.sp = {p: {} for p in self.by_subject}
        self.op = {p: {} for p in self.by_object}
        tracked, joined = self.tracked, self.joined
        schema_keys = self._schema_keys = {(p * n + s) * n + o: (s, p, o) for s, p, o in self.schema}
        schema_predicates = self._schema_predicates = {p for _, p, _ in self.schema}
        for key, (s, p, o) in schema_keys.items():
            if p in tracked:
                known.add(key)
                if p in joined:
                    self._index(p, s, o)
        asserted_schema: set[int] = set()
        for name in base:
            for p, flat in coded.source(name).items():
                if p in tracked or p in schema_predicates:
                    self._insert(p, flat, n, known, asserted_schema)
        delta: Pairs = {}
        for p, flat in coded.source(given).items():
            if p in tracked or p in schema_predicates:
                kept = self._insert(p, flat, n, known, asserted_schema)
                if p in self.fired and kept:
                    delta[p] = kept
            elif p in self.fired:
                delta[p] = flat  # nothing derives these: no triple of them can be met twice but as a duplicate, harmless
        self._schema_out = [t for key, t in schema_keys.items() if key not in asserted_schema]
        produced = self._produced = []
        rounds = 0
        while delta:
            rounds += 1
            new: Pairs = {}
            settled: Pairs = {}
            add, settle = self._adder(known, n, new), self._adder(known, n, settled)
            for p, flat in delta.items():
                for start in range(0, len(flat), 2 * _CHUNK):
                    notices.progress(f"reasoning: round {rounds}, {len(known):,} triples")
                    self._fire(p, flat[start:start + 2 * _CHUNK], add, settle, n, known)
            produced.append(new)
            produced.append(settled)
            delta = new
        notices.progress_done()

    def output(self, *, schema: bool = True) -> Iterator[tuple[int, list[int]]]:
        """What :meth:`close` added, a predicate at a time: ``(p, [s0, o0, s1, o1...])``.

        First the schema's closure (less what the sources assert; not with
        ``schema=False``), then what the rules derived; each group is let go
        once handed out, so that a caller building objects from them does not
        hold both.
        """
        if schema:
            grouped: Pairs = {}
            for s, p, o in self._schema_out:
                grouped.setdefault(p, []).extend((s, o))
            yield from grouped.items()
        produced, self._produced = self._produced, []
        produced.reverse()
        while produced:
            pairs = produced.pop()
            while pairs:
                yield pairs.popitem()

    def knows(self, s: int, p: int, o: int) -> bool:
        """Whether the closure holds this triple, as far as the rules keep track of it.

        True for the schema and its closure, and for every triple of a
        predicate that rules derive or join on; False for the others (see
        :meth:`Coded.holds` for those).
        """
        key = (p * self.n + s) * self.n + o
        return key in self.known or key in self._schema_keys

    def release(self) -> None:
        """Drop the set and the indexes (the output stays): a big closure's memory goes before it is decoded."""
        self.known, self.sp, self.op = set(), {}, {}

    def _insert(self, p: int, flat: list[int], n: int, known: set[int], asserted_schema: set[int]) -> list[int]:
        """Put a source's triples of ``p`` in the set (and indexes); those met for the first time.

        A triple of the schema is never fired (owlrl closed it) and is noted
        in ``asserted_schema``: the output leaves it out.
        """
        tracked, joined, in_schema = p in self.tracked, p in self.joined, p in self._schema_predicates
        row = p * n
        it = iter(flat)
        keys = [(row + s) * n + o for s, o in zip(it, it, strict=True)]
        if tracked and not in_schema and known.isdisjoint(keys):
            before = len(known)
            known.update(keys)
            if len(known) - before == len(keys):  # the usual case: no triple twice
                if joined:
                    self._index_all(p, flat)
                return flat
            for key in keys:  # a triple twice in the source: start again, keeping each once
                known.discard(key)
        schema_keys = self._schema_keys
        kept: list[int] = []
        for i, key in enumerate(keys):
            if in_schema and key in schema_keys:
                asserted_schema.add(key)
                continue
            if tracked:
                if key in known:
                    continue
                known.add(key)
            kept.append(flat[2 * i])
            kept.append(flat[2 * i + 1])
        if joined:
            self._index_all(p, kept)
        return kept

    def _index_all(self, p: int, flat: list[int]) -> None:
        by_s, by_o = self.sp.get(p), self.op.get(p)
        if by_s is not None:
            _group(by_s, islice(flat, 0, None, 2), islice(flat, 1, None, 2))
        if by_o is not None:
            _group(by_o, islice(flat, 1, None, 2), islice(flat, 0, None, 2))

    def _index(self, p: int, s: int, o: int) -> None:
        by_s, by_o = self.sp.get(p), self.op.get(p)
        if by_s is not None:
            found = by_s.get(s)
            if found is None:
                by_s[s] = [o]
            else:
                found.append(o)
        if by_o is not None:
            found = by_o.get(o)
            if found is None:
                by_o[o] = [s]
            else:
                found.append(s)

    def _adder(self, known: set[int], n: int, new: Pairs) -> Add:
        literal, joined, index, remember = self.coded.literal, self.joined, self._index, known.add

        def add(s: int, p: int, o: int) -> None:
            if literal[s]:
                return
            key = (p * n + s) * n + o
            if key in known:
                return
            remember(key)
            if p in joined:
                index(p, s, o)
            found = new.get(p)
            if found is None:
                new[p] = [s, o]
            else:
                found.append(s)
                found.append(o)

        return add

    def _fire(self, p: int, flat: list[int], add: Add, settle: Add, n: int, known: set[int]) -> None:
        it = iter(flat)
        pairs = list(zip(it, it, strict=True))
        t = self.type
        if p == self.same_as:
            if any(s != o for s, o in pairs):
                raise NeedsFullReasoner("owl:sameAs")
            return
        if p in self.functional and any(len(self.sp[p].get(s, ())) > 1 for s, _ in pairs):
            raise NeedsFullReasoner("two values of a functional property")
        if p in self.inverse_functional and any(len(self.op[p].get(o, ())) > 1 for _, o in pairs):
            raise NeedsFullReasoner("two subjects of an inverse-functional property")
        # Most derivations are met again (a superclass through a subclass, an inverse's inverse):
        # the set is asked inline, a call is made only for a triple that is new.
        for q in self.sup_prop.get(p, ()):
            row = q * n
            for s, o in pairs:
                if (row + s) * n + o not in known:
                    add(s, q, o)
        for q in self.inverse.get(p, ()):
            row = q * n
            for s, o in pairs:
                if (row + o) * n + s not in known:
                    add(o, q, s)
        row = t * n
        for split, side in ((self.domain_split.get(p), 0), (self.range_split.get(p), 1)):
            if split:
                loud, quiet = split
                for x in {pair[side] for pair in pairs}:  # a subject has many values, a value many subjects: each typed once
                    typed = (row + x) * n
                    for c in loud:
                        if typed + c not in known:
                            add(x, t, c)
                    for c in quiet:
                        if typed + c not in known:
                            settle(x, t, c)
        if p in self.symmetric:
            for s, o in pairs:
                add(o, p, s)
        if p in self.transitive:
            by_s, by_o = self.sp[p], self.op[p]
            for s, o in pairs:
                for z in list(by_s.get(o, ())):
                    add(s, p, z)
                for w in list(by_o.get(s, ())):
                    add(w, p, o)
        by_value = self.has_value_by_pv.get(p)
        if by_value:
            for s, o in pairs:
                for r in by_value.get(o, ()):
                    add(s, t, r)
        for r, filler in self.svf.get(p, ()):
            for s, o in pairs:
                if filler == self.thing or (t * n + o) * n + filler in known:
                    add(s, t, r)
        for r, filler in self.avf_by_p.get(p, ()):
            for s, o in pairs:
                if (t * n + s) * n + r in known:
                    add(o, t, filler)
        for q, chain, i in self.chains.get(p, ()):
            before = self.op[chain[i - 1]] if i else None
            after = self.sp[chain[i + 1]] if i + 1 < len(chain) else None
            for s, o in pairs:
                # most links lead nowhere (a statement that is no limitation, a category that signals
                # nothing): the neighbours are looked at here, a path is followed only when both exist
                if (before is None or s in before) and (after is None or o in after):
                    for start, end in self._chain_paths(chain, i, s, o):
                        add(start, q, end)
        if p == t:
            self._fire_types(pairs, add, settle, n, known)

    def _chain_paths(self, chain: list[int], i: int, s: int, o: int) -> list[tuple[int, int]]:
        """(start, end) of every path through the chain whose i-th link is s -> o."""
        starts = {s}
        for link in reversed(chain[:i]):
            by_o = self.op[link]
            starts = {w for x in starts for w in by_o.get(x, ())}
            if not starts:
                return []  # most links lead nowhere: a statement that is no limitation, a category that signals nothing
        ends = {o}
        for link in chain[i + 1:]:
            by_s = self.sp[link]
            ends = {z for x in ends for z in by_s.get(x, ())}
            if not ends:
                return []
        return [(a, b) for a in starts for b in ends]

    def _fire_types(self, pairs: list[tuple[int, int]], add: Add, settle: Add, n: int, known: set[int]) -> None:
        t, plans, sp, op = self.type, self.class_plans, self.sp, self.op
        row = t * n
        for s, c in pairs:
            plan = plans.get(c)
            if plan is None:
                continue
            (loud, quiet), values, intersections, some, every = plan
            typed = (row + s) * n
            for d in loud:
                if typed + d not in known:
                    add(s, t, d)
            for d in quiet:
                if typed + d not in known:
                    settle(s, t, d)
            for prop, value in values:
                add(s, prop, value)
            if intersections:
                for cls, parts in intersections:
                    if all(typed + m in known for m in parts):
                        add(s, t, cls)
            for r, prop in some:
                for x in list(op[prop].get(s, ())):
                    add(x, t, r)
            for prop, filler in every:
                for y in list(sp[prop].get(s, ())):
                    add(y, t, filler)


def _group(index: dict[int, list[int]], keys: Iterable[int], values: Iterable[int]) -> None:
    """Append each value to the list of its key (pairs of a flat list, read in place without a copy)."""
    for key, value in zip(keys, values, strict=True):
        found = index.get(key)
        if found is None:
            index[key] = [value]
        else:
            found.append(value)
