"""What the SHACL engine reads: the asserted data and the part of the OWL RL closure the shapes can see.

The shapes rely on entailments (ontology/shapes.ttl): a statement linked by
``ksm:hasLimitation`` is a ``ksm:Limitation`` by the property's range, a
resource implementing ``mech:network`` is a ``ksm:Network`` through
``owl:hasValue``, a mechanism's ``skos:prefLabel`` is also its
``rdfs:label``, a benefit that is also a limitation is only seen as such
after reasoning (``ksmsh:DisjointClassesShape``).  But most of the closure is
entailments no shape reads (``owl:Thing``, ``prov:Entity``, inverse
properties, property chains...): at 1e5 generated triples the closure adds
124,000 triples to the 103,000 asserted ones, and the engine's time grows
with all of them.  So the engine gets the asserted triples of every graph
and, of the inferred graph, only:

1. ``rdf:type`` triples whose class the shapes name (``sh:targetClass``,
   ``sh:class``, the classes of their SPARQL queries), or a class of an
   ``owl:disjointWith`` axiom (``ksmsh:DisjointClassesShape`` reads
   ``?x a ?one , ?other . ?one owl:disjointWith ?other``);
2. triples whose predicate the shapes name (in a path, a parameter, a
   SPARQL query) or is a sub-property of one (the position-sequence
   validator reads ``?mechanism ?cell $this`` for every ``?cell`` under
   ``ksm:hasStatement``).

Every triple a shape can match is thus in the engine's input exactly when
it is in the closure.  SHACL also follows ``rdfs:subClassOf`` to find the
instances of a class, and the inferred sub-class axioms are left out, but
that finds no other instances: whatever is an instance of a named class
through them, the closure types it with that class itself (rule 1).  So
the report is the same as on the whole closure
(tests/quality/test_observed.py compares them on the bundled data, every
example of tests/shapes/ and generated data with planted mistakes).  "Named"
is read from the parsed shapes graph and the parsed SPARQL of its
validators and targets, never from text; tests/quality/test_observed.py
also fails on a new SPARQL pattern whose predicate or class is a variable,
the one thing these rules do not cover by themselves.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.core.namespaces import INFERRED_GRAPH

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SH = "http://www.w3.org/ns/shacl#"
TYPE = ox.NamedNode(_RDF + "type")
SUB_PROPERTY_OF = ox.NamedNode(_RDFS + "subPropertyOf")
DISJOINT_WITH = ox.NamedNode(_OWL + "disjointWith")
_FORMAT = b"observed-1\n"  # bump when what named() collects changes: the cached names are then read again


def _prefixes(shapes: Any, declarer: Any) -> dict[str, str]:
    """The ``sh:declare`` prefixes of a ``sh:prefixes`` node (SHACL 5.2.1)."""
    import rdflib

    sh = rdflib.Namespace(_SH)
    found = {}
    for declaration in shapes.objects(declarer, sh.declare):
        prefix, namespace = shapes.value(declaration, sh.prefix), shapes.value(declaration, sh.namespace)
        if prefix is not None and namespace is not None:
            found[str(prefix)] = str(namespace)
    return found


def _iris(node: Any) -> Iterable[str]:
    """Every IRI in a parsed query (rdflib's algebra: nested dicts, lists and tuples of terms)."""
    import rdflib

    if isinstance(node, rdflib.URIRef):
        yield str(node)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _iris(value)
    elif isinstance(node, list | tuple | set):
        for value in node:
            yield from _iris(value)


def queries(shapes: Any) -> list[tuple[Any, Any]]:
    """Each SPARQL query of the shapes (``sh:select``, ``sh:ask``), parsed, with the node that holds it."""
    import rdflib
    from rdflib.plugins.sparql import prepareQuery

    sh = rdflib.Namespace(_SH)
    parsed = []
    for holder, text in sorted(shapes.subject_objects(sh.select)) + sorted(shapes.subject_objects(sh.ask)):
        namespaces: dict[str, str] = {}
        for declarer in shapes.objects(holder, sh.prefixes):
            namespaces.update(_prefixes(shapes, declarer))
        parsed.append((holder, prepareQuery(str(text), initNs=namespaces).algebra))
    return parsed


def named(shapes: Any) -> frozenset[str]:
    """Every IRI the shapes mention: objects of the shapes graph and IRIs of their SPARQL queries.

    More than the predicates and classes the shapes read (it holds
    ``sh:Violation``, scheme IRIs...), which costs nothing: those select no
    inferred triple.
    """
    import rdflib

    found = {str(o) for o in shapes.objects() if isinstance(o, rdflib.URIRef)}
    for _, algebra in queries(shapes):
        found.update(_iris(algebra))
    return frozenset(found)


@lru_cache(maxsize=4)
def _named_in_file(path: str, size: int, mtime: int) -> frozenset[str]:
    """The names of a shapes file, from the on-disk cache when its bytes were seen before.

    Reading them parses the file and its SPARQL with rdflib (a tenth of a
    second and more, which a small ``kg import`` would feel at each run).
    """
    import hashlib

    from kg.reasoning import cache

    content = Path(path).read_bytes()
    name = f"shapes-{hashlib.sha256(_FORMAT + content).hexdigest()[:32]}.json"
    found = cache.load_json(name)
    if isinstance(found, list) and all(isinstance(iri, str) for iri in found):
        return frozenset(found)
    import rdflib

    names = named(rdflib.Graph().parse(data=content, format="turtle"))
    cache.save_json(name, sorted(names))
    return names


def named_in(shapes: Any, path: Any = None) -> frozenset[str]:
    """:func:`named`, computed once per process for a shapes file that has not changed."""
    if path is None:
        return named(shapes)
    return named_in_file(path)


def named_in_file(path: Any) -> frozenset[str]:
    """:func:`named` of a shapes file, computed once per process while the file does not change."""
    stat = path.stat()
    return _named_in_file(str(path), stat.st_size, stat.st_mtime_ns)


def shacl_input(store: ox.Store, names: frozenset[str], held: Mapping[str, Sequence[ox.Quad]] | None = None) -> ox.Store:
    """A new store: ``store``'s asserted quads, and the inferred ones the shapes named by ``names`` can see.

    ``held`` gives the quads of some named graphs of ``store`` (the same
    quads), which are copied from there instead of read back: a graph a
    transaction has just written from a list (kg.graph.diskstore.Change.held)
    is read from memory four or five times faster than from the disk store.
    A held inferred graph is filtered as a list (:func:`seen`; :func:`observed` reads it
    by pattern).

    >>> s = ox.Store()
    >>> ex, inferred = "http://example.org/", ox.NamedNode(INFERRED_GRAPH)
    >>> s.add(ox.Quad(ox.NamedNode(ex + "x"), ox.NamedNode(ex + "p"), ox.Literal("v"), ox.NamedNode(ex + "g")))
    >>> s.add(ox.Quad(ox.NamedNode(ex + "x"), TYPE, ox.NamedNode(ex + "Seen"), inferred))
    >>> s.add(ox.Quad(ox.NamedNode(ex + "x"), TYPE, ox.NamedNode(ex + "Unseen"), inferred))
    >>> sorted(q.object.value for q in shacl_input(s, frozenset({ex + "Seen"})))
    ['http://example.org/Seen', 'v']
    """
    from kg.graph.diskstore import quads_of

    inferred = ox.NamedNode(INFERRED_GRAPH)
    data = ox.Store()
    held = held or {}
    for graph in [ox.DefaultGraph(), *store.named_graphs()]:
        if graph != inferred:
            data.extend(quads_of(store, graph, held))
    if inferred.value in held:
        data.extend(seen(held[inferred.value], names, data))
    else:
        data.extend(observed(store, names))
    return data


def _vocabulary(names: frozenset[str], axioms: Iterable[ox.Quad]) -> tuple[set[str], set[str]]:
    """The classes whose types and the predicates whose triples the shapes can see, given the closure's axioms.

    ``axioms`` holds (at least) every ``owl:disjointWith`` and ``rdfs:subPropertyOf`` triple of the closure.
    """
    classes, predicates = set(names), set(names) - {TYPE.value}
    for axiom in axioms:
        if axiom.predicate == DISJOINT_WITH:
            classes.update(term.value for term in (axiom.subject, axiom.object) if isinstance(term, ox.NamedNode))
        elif (axiom.predicate == SUB_PROPERTY_OF and isinstance(axiom.subject, ox.NamedNode) and isinstance(axiom.object, ox.NamedNode)
              and axiom.object.value in names):
            predicates.add(axiom.subject.value)
    return classes, predicates


def observed(store: ox.Store, names: frozenset[str]) -> list[ox.Quad]:
    """The inferred quads the shapes can see (the rules of the module's docstring)."""
    inferred = ox.NamedNode(INFERRED_GRAPH)
    axioms = itertools.chain(store.quads_for_pattern(None, DISJOINT_WITH, None), store.quads_for_pattern(None, SUB_PROPERTY_OF, None))
    classes, predicates = _vocabulary(names, axioms)
    found: list[ox.Quad] = []
    for cls in sorted(classes):
        found.extend(store.quads_for_pattern(None, TYPE, ox.NamedNode(cls), inferred))
    for predicate in sorted(predicates):
        found.extend(store.quads_for_pattern(None, ox.NamedNode(predicate), None, inferred))
    return found


def seen(inferred: Sequence[ox.Quad], names: frozenset[str], asserted: ox.Store) -> list[ox.Quad]:
    """:func:`observed`, for an inferred graph still in a list, beside a store of the asserted quads.

    ``kg validate FILE...`` reasons and then builds the engine's input
    straight from the reasoner's list, instead of storing the whole closure
    first and copying a part of it out.
    """
    schema = (DISJOINT_WITH, SUB_PROPERTY_OF)
    axioms = [q for q in inferred if q.predicate in schema]
    axioms += [q for predicate in schema for q in asserted.quads_for_pattern(None, predicate, None)]
    classes, predicates = _vocabulary(names, axioms)
    return [q for q in inferred if (isinstance(q.object, ox.NamedNode) and q.object.value in classes if q.predicate == TYPE
                                    else q.predicate.value in predicates)]
