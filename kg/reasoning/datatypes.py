"""owlrl's datatype rules, from its own tables, without importing owlrl on every run.

owlrl states ``owl:disjointWith`` between the top datatypes that the graph's
literals use (their super-datatypes included); the rest of its datatype
rules only type literals, which ``reference.is_junk`` drops.  The tables
(OWL RL's datatypes, each one's super-datatypes, the disjoint pairs) are
owlrl's; importing owlrl, and rdflib with it, costs a reasoning run some
0.2 s and 20 MB, so they are kept in the cache (under owlrl's version, by
way of ``cache.cache_key``) once read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import pyoxigraph as ox

from kg.reasoning import cache
from kg.reasoning.engine import RDFS, TYPE, NeedsFullReasoner

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Tables = tuple[list[str], dict[str, list[str]], list[list[str]]]


def _read_owlrl() -> Tables:
    from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
    from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes

    return (sorted(str(d) for d in OWL_RL_Datatypes),
            {str(d): [str(w) for w in wider] for d, wider in OWL_Datatype_Subsumptions.items()},
            [[str(x) for x in triple] for triple in OWLRL_Datatypes_Disjointness])


def _valid(found: object) -> bool:
    if not (isinstance(found, list) and len(found) == 3):
        return False
    datatypes, wider, disjoint = found
    return (isinstance(datatypes, list) and all(isinstance(d, str) for d in datatypes)
            and isinstance(wider, dict) and all(isinstance(v, list) and all(isinstance(w, str) for w in v) for v in wider.values())
            and isinstance(disjoint, list) and all(isinstance(t, list) and len(t) == 3 and all(isinstance(x, str) for x in t) for t in disjoint))


def tables(*, use_cache: bool = True) -> Tables:
    """owlrl's datatype tables as IRIs: OWL RL's datatypes, their super-datatypes, the disjoint pairs (as triples)."""
    name = f"schema-datatypes-{cache.cache_key([])}.json"
    found = cache.load_json(name) if use_cache else None
    if _valid(found):
        datatypes, wider, disjoint = cast("list[Any]", found)
        return datatypes, wider, disjoint
    read = _read_owlrl()
    if use_cache:
        cache.save_json(name, list(read))
    return read


def used(literals: Iterable[ox.Literal], *, use_cache: bool = True) -> set[str]:
    """The OWL RL datatypes ``literals`` use, with their super-datatypes (``xsd:string`` aside, as owlrl sees plain literals)."""
    datatypes, supers, _ = tables(use_cache=use_cache)
    wanted = set(datatypes) - {_XSD_STRING}
    found: set[str] = set()
    for literal in literals:
        if not literal.language:
            datatype = literal.datatype.value
            if datatype in wanted:
                found.add(datatype)
    for dt in list(found):
        found.update(supers.get(dt, ()))
    return found


def disjoint_ones(*, use_cache: bool = True) -> set[str]:
    """The datatypes that owlrl's disjointness table names: only their use can add an ``owl:disjointWith`` axiom."""
    _, _, disjoint = tables(use_cache=use_cache)
    return {dt for left, _, right in disjoint for dt in (left, right)}


def axioms(literals: Iterable[ox.Literal], classes: Iterable[object] = (), *, use_cache: bool = True,
           also_used: Iterable[str] = ()) -> list[ox.Triple]:
    """owlrl's one-time datatype rules for the datatypes ``literals`` use (dt-type1, disjointness).

    ``classes`` are the objects of the graph's ``rdf:type`` triples: a
    resource typed with a datatype is left to owlrl (NeedsFullReasoner).
    ``also_used`` are datatypes known to be used besides (by the rest of a
    store whose closure is being extended).
    """
    datatypes, supers, disjoint = tables(use_cache=use_cache)
    rl = set(datatypes)
    if any(isinstance(c, ox.NamedNode) and c.value in rl for c in classes):
        raise NeedsFullReasoner("a resource typed with a datatype")
    wanted = rl - {_XSD_STRING}
    found = set()
    for literal in literals:
        if not literal.language:
            datatype = literal.datatype.value
            if datatype in wanted:
                found.add(datatype)
    out = []
    for dt in list(found):
        for wider in supers.get(dt, ()):
            found.add(wider)
            out.append(ox.Triple(ox.NamedNode(wider), ox.NamedNode(TYPE), ox.NamedNode(RDFS + "Datatype")))
    found.update(also_used)
    for left, pred, right in disjoint:
        if left in found and right in found:
            out.append(ox.Triple(ox.NamedNode(left), ox.NamedNode(pred), ox.NamedNode(right)))
    return out
