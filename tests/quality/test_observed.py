"""The SHACL engine reads only the inferred triples the shapes can see, and reports what it reported on the whole closure.

kg.quality.observed gives the engine the asserted data and, of the OWL RL
closure, the types of the classes the shapes name (or that stand in an
``owl:disjointWith`` axiom) and the values of the properties they name (and
of their sub-properties).  These tests validate the same graphs both ways and
require the same report: the bundled data, every example of tests/shapes/,
and generated data with mistakes that only entailment reveals
(tests/quality/planted.py, each with the result it must produce, so that the
comparison cannot pass on two empty reports).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib

from kg.core import resources
from kg.core.namespaces import INFERRED_GRAPH
from kg.graph.store import KnowledgeGraph
from kg.quality import observed
from kg.quality.validate import Violation, _shacl
from tests.paths import ROOT
from tests.quality.planted import EXPECTED, PLANTED, generator

EXAMPLES = sorted((ROOT / "tests" / "shapes").glob("*.ttl"))


def _both_ways(files: list[Path]) -> tuple[list[Violation], list[Violation]]:
    graph = KnowledgeGraph.from_files(resources.ontology_files() + files, keep=False)
    whole, _ = _shacl(graph, resources.shapes_file(), whole_closure=True)
    seen, _ = _shacl(graph, resources.shapes_file())
    return whole, seen


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("planted")
    (folder / "planted.ttl").write_text(PLANTED, encoding="utf-8")
    generated = generator().write(1500, folder / "generated.nt", seed=11)
    return [*resources.data_files(), generated, folder / "planted.ttl"]


def test_bundled_data() -> None:
    whole, seen = _both_ways(resources.data_files())
    assert seen == whole == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example(path: Path) -> None:
    whole, seen = _both_ways([path])
    assert seen == whole
    assert bool(whole) == path.name.startswith("invalid-")


def test_generated_data_with_planted_mistakes(planted: list[Path]) -> None:
    whole, seen = _both_ways(planted)
    assert seen == whole
    reported = {(v.source, v.focus) for v in whole} | {(v.source, v.node.value) for v in whole if v.node is not None}
    missing = EXPECTED - reported
    assert not missing, f"planted mistakes no longer reported: {sorted(missing)}"


def test_files_are_validated_as_the_store_would_be(planted: list[Path]) -> None:
    """kg validate FILE... builds the engine's input from the reasoner's list: the report is the store's."""
    from kg.quality.validate import validate, validate_graph

    from_files = validate(planted)
    from_store = validate_graph(KnowledgeGraph.from_files(resources.ontology_files() + planted, keep=False), files=planted)
    assert from_files.violations == from_store.violations
    assert from_files.checks_run == from_store.checks_run > 10
    assert any(v.source.startswith("check:") for v in from_files.violations)


def test_far_fewer_inferred_triples_than_the_closure(planted: list[Path]) -> None:
    graph = KnowledgeGraph.from_files(resources.ontology_files() + planted, keep=False)
    shapes = rdflib.Graph().parse(resources.shapes_file(), format="turtle")
    seen = observed.observed(graph.store, observed.named(shapes))
    assert 0 < len(seen) < (len(graph) - graph.asserted_count()) / 2


def test_what_is_observed_of_the_inferred_graph() -> None:
    """The rules one by one, on a store small enough to list: kept are the named, the disjoint and the sub-properties."""
    ex, inferred = "https://example.org/", ox.NamedNode(INFERRED_GRAPH)
    asserted = ox.NamedNode(ex + "data")

    def quad(s: str, p: str, o: str, graph: ox.NamedNode) -> ox.Quad:
        return ox.Quad(ox.NamedNode(ex + s), ox.NamedNode(p if ":" in p else ex + p), ox.NamedNode(ex + o), graph)

    rdf_type, sub_property = str(rdflib.RDF.type), str(rdflib.RDFS.subPropertyOf)
    store = ox.Store()
    store.extend([
        quad("A", str(rdflib.OWL.disjointWith), "B", asserted),
        quad("cell", sub_property, "named", asserted),
        quad("x", "unnamed", "y", asserted),  # asserted: always kept
        quad("x", rdf_type, "Named", inferred),
        quad("x", rdf_type, "A", inferred),  # a class of a disjointness axiom
        quad("x", rdf_type, "Other", inferred),
        quad("x", "named", "y", inferred),
        quad("x", "cell", "y", inferred),  # a sub-property of a named property
        quad("x", "unnamed", "z", inferred),
    ])
    kept = {(q.predicate.value.removeprefix(ex), q.object.value.removeprefix(ex)) for q in observed.observed(store, frozenset({ex + "Named", ex + "named"}))}
    assert kept == {(rdf_type, "Named"), (rdf_type, "A"), ("named", "y"), ("cell", "y")}
    assert len(observed.shacl_input(store, frozenset({ex + "Named", ex + "named"}))) == 3 + len(kept)
    # the same from the reasoner's list, as kg validate FILE... builds it
    asserted_only = ox.Store()
    asserted_only.extend(q for q in store if q.graph_name != inferred)
    listed = observed.seen(list(store.quads_for_pattern(None, None, None, inferred)), frozenset({ex + "Named", ex + "named"}), asserted_only)
    assert {str(q) for q in listed} == {str(q) for q in observed.observed(store, frozenset({ex + "Named", ex + "named"}))}
    # graphs whose quads the caller holds (a transaction's lists) are taken from there: the same input, and the
    # inferred graph, held or not, gives only its observed part
    held = {g.value: list(store.quads_for_pattern(None, None, None, g)) for g in (asserted, inferred)}
    assert set(observed.shacl_input(store, frozenset({ex + "Named", ex + "named"}), held)) == set(
        observed.shacl_input(store, frozenset({ex + "Named", ex + "named"})))


def _patterns(node: Any) -> list[tuple[Any, Any, Any]]:
    """The triple patterns of a parsed query (rdflib's algebra, where a block's triples can be one flat list), at any depth."""
    if isinstance(node, dict):
        found = []
        for block in node.get("triples") or []:
            terms = list(block)
            found.extend(tuple(terms[i:i + 3]) for i in range(0, len(terms) - 2, 3))
        return found + [p for key, value in node.items() if key != "triples" for p in _patterns(value)]
    if isinstance(node, list | tuple):
        return [p for value in node for p in _patterns(value)]
    return []


def test_the_shapes_read_no_predicate_or_class_they_do_not_name() -> None:
    """A SPARQL pattern with a free variable as predicate or class reads what no IRI of the shapes names.

    Pre-bound variables are named: ``$this``, ``$value``, ``$PATH`` and the
    parameters of the constraint components, whose values are IRIs of the
    shapes graph.  kg.quality.observed covers the two free ones the shapes
    have: ``?mechanism ?cell $this`` with ``?cell rdfs:subPropertyOf
    $cellProperty`` (sub-properties of a named property) and ``?x a ?one ,
    ?other`` with ``?one owl:disjointWith ?other`` (classes of disjointness
    axioms).  A new one must teach it what it reads.
    """
    shapes = rdflib.Graph().parse(resources.shapes_file(), format="turtle")
    sh, ksmsh = rdflib.Namespace("http://www.w3.org/ns/shacl#"), "https://w3id.org/ksm/shapes#"
    parameters = {str(path).rsplit("#", 1)[-1] for parameter in shapes.objects(None, sh.parameter) for path in shapes.objects(parameter, sh.path)}
    bound = {"this", "value", "PATH", "currentShape", "shapesGraph", *parameters}
    free = set()
    for holder, algebra in observed.queries(shapes):
        where = str(holder).removeprefix(ksmsh) if isinstance(holder, rdflib.URIRef) else "a target"
        for _, predicate, value in _patterns(algebra):
            if isinstance(predicate, rdflib.Variable) and str(predicate) not in bound:
                free.add((where, "?predicate"))
            if predicate == rdflib.RDF.type and isinstance(value, rdflib.Variable) and str(value) not in bound:
                free.add((where, "a ?class"))
    assert free == {("PositionSequenceValidator", "?predicate"), ("DisjointClassesValidator", "a ?class"), ("a target", "a ?class")}


def test_the_names_of_the_shapes_file_are_cached_on_disk() -> None:
    """A run after the first reads the names from the cache, without parsing the shapes' SPARQL: the same names."""
    from kg.reasoning import cache

    shapes = rdflib.Graph().parse(resources.shapes_file(), format="turtle")
    observed._named_in_file.cache_clear()
    first = observed.named_in_file(resources.shapes_file())
    saved = sorted(cache.cache_dir().glob("shapes-*.json"))
    assert saved
    observed._named_in_file.cache_clear()
    assert observed.named_in_file(resources.shapes_file()) == first == observed.named(shapes)
    assert {"https://w3id.org/ksm/ontology#VerbatimSource", "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"} <= first  # read from SPARQL only
