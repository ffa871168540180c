"""Checking a change (kg.quality.scope) reports what checking the whole store reports, case by case.

Each case starts from the bundled graph, which conforms, so that whatever
the whole store's validation reports was brought by the change; the change
is made as the living store makes it (a graph added or replaced, then
re-reasoned, incrementally or in full), and the scoped report must be the
same, violation for violation, and not empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.core import resources
from kg.core.namespaces import INFERRED_GRAPH
from kg.graph import diskstore, rdfio
from kg.graph.dataset import open_graph
from kg.graph.store import KnowledgeGraph
from kg.quality import scope
from kg.quality.validate import Violation, validate_change, validate_graph
from tests.quality.test_mutations import _copy_and_mutate
from tests.samples import WEBINAR

PREFIXES = """
@prefix ksm: <https://w3id.org/ksm/ontology#> .
@prefix mech: <https://w3id.org/ksm/id/mechanism/> .
@prefix stmt: <https://w3id.org/ksm/id/statement/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix bencat: <https://w3id.org/ksm/id/benefit-category/> .
@prefix scheme: <https://w3id.org/ksm/id/scheme/> .
"""
MECHANISMS = "https://w3id.org/ksm/graph/mechanisms"


def _put(store: ox.Store, graph: str, triples: Iterable[ox.Triple]) -> diskstore.Change:
    """Put ``triples`` in ``graph`` (added or replaced) and re-reason, as a transaction of the living store does."""
    what = diskstore.Change(track=True)
    diskstore.replace_graph(store, ox.NamedNode(graph), list(triples), what)
    diskstore.reason(store, what)
    return what


def _turtle(text: str) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(PREFIXES + text, format=ox.RdfFormat.TURTLE)]


def _key(v: Violation) -> tuple[str, str, str, str, str]:
    return (v.source, v.focus, v.path, v.severity, v.message_en)


def _both(store: ox.Store, what: diskstore.Change) -> tuple[list[tuple[str, str, str, str, str]], list[tuple[str, str, str, str, str]]]:
    scoped = sorted(_key(v) for v in validate_change(store, what).violations)
    whole = sorted(_key(v) for v in validate_graph(KnowledgeGraph(store=store)).violations)
    return scoped, whole


@pytest.fixture
def store() -> ox.Store:
    graph = open_graph()  # the bundled graph, in memory, fresh for each test
    assert validate_graph(graph).conforms
    return graph.store


def _webinar_turtle(tmp_path: Path) -> list[ox.Triple]:
    from kg.tables.importing import import_table

    table = tmp_path / "webinaires.csv"
    table.write_text(WEBINAR, encoding="utf-8")
    out = tmp_path / "webinaires.ttl"
    import_table(table, output=out, validate=False)
    return [q.triple for q in rdfio.read_quads(out)]


def test_shape_violations_in_the_new_rows(store: ox.Store) -> None:
    what = _put(store, "https://example.org/new", _turtle("""
        mech:bocal a ksm:Mechanism ; skos:prefLabel "Bocal"@fr , "Fishbowl"@en , "Goldfish bowl"@en ;
            ksm:hasObjective stmt:bocal-objective-1 ; ksm:hasBenefit stmt:bocal-benefit-2 .
        stmt:bocal-objective-1 rdfs:label "Débattre"@fr ; ksm:position 1 .
        stmt:bocal-benefit-2 rdfs:label "Entendre"@fr , "Hear"@en ; ksm:position 2 ; ksm:hasCategory scheme:nowhere ;
            prov:wasDerivedFrom <https://example.org/kit> .
    """))
    assert what.added == ["https://example.org/new"]
    scoped, whole = _both(store, what)
    assert whole and scoped == whole
    assert {"ksmsh:Mechanism-prefLabel-en", "ksmsh:Statement-position-sequence", "check:statement-without-english-text"} <= {v[0] for v in whole}


def test_new_rows_that_make_existing_resources_non_conforming(store: ox.Store) -> None:
    """A second English name for a bundled mechanism, a bundled statement claimed by a new mechanism,
    a new statement at a position a bundled one holds (the check names the bundled one first), a gap."""
    what = _put(store, "https://example.org/new", _turtle("""
        mech:community-of-practice skos:prefLabel "Practice community"@en ;
            ksm:hasBenefit stmt:cop-extra .
        stmt:cop-extra rdfs:label "Un autre avantage"@fr , "Another benefit"@en ; ksm:position 1 ;
            ksm:hasCategory bencat:networking ; prov:wasDerivedFrom <https://example.org/kit> .
        mech:thief ksm:hasLimitation stmt:network-limitation-2 .
        mech:network ksm:hasObjective stmt:network-objective-9 .
        stmt:network-objective-9 rdfs:label "Loin"@fr , "Far"@en ; ksm:position 9 ; ksm:hasCategory <https://w3id.org/ksm/id/objective-category/debate> ;
            prov:wasDerivedFrom <https://example.org/kit> .
    """))
    scoped, whole = _both(store, what)
    assert whole and scoped == whole
    foci = {v[1] for v in whole}
    assert {"mech:community-of-practice", "stmt:network-limitation-2", "stmt:network-objective-9"} <= foci
    assert "check:duplicate-statement-position" in {v[0] for v in whole}


def test_a_reused_id_redescribed_elsewhere(store: ox.Store) -> None:
    """ksm:position is functional: owlrl makes 2 and 5 the same, and every statement at position 2 gets a second position.

    The change reaches far through reasoning; the scope follows it through the inferred triples that changed.
    """
    what = _put(store, "https://example.org/new", _turtle("""
        stmt:network-limitation-2 rdfs:label "Another text"@en ; ksm:position 5 .
    """))
    scoped, whole = _both(store, what)
    assert whole and scoped == whole
    assert ("ksmsh:Statement-label-en", "stmt:network-limitation-2") in {v[:2] for v in whole}
    assert ("ksmsh:Statement-position", "stmt:study-tour-objective-2") in {v[:2] for v in whole}


def test_the_same_file_loaded_twice_then_changed(store: ox.Store, tmp_path: Path) -> None:
    triples = _webinar_turtle(tmp_path)
    for graph in ("https://example.org/a", "https://example.org/b"):
        what = _put(store, graph, triples)
        scoped, whole = _both(store, what)
        assert scoped == whole == []
    changed = [ox.Triple(t.subject, t.predicate, ox.Literal("Web seminar", language="en")) if t.object == ox.Literal("Webinar", language="en") else t
               for t in triples]
    what = _put(store, "https://example.org/b", changed)  # replaced: the mechanism now has two English names
    assert what.replaced == ["https://example.org/b"]
    scoped, whole = _both(store, what)
    assert whole and scoped == whole
    assert {v[1] for v in whole} == {"mech:webinaire"}


def test_a_replaced_graph_takes_away_what_another_graph_leans_on(store: ox.Store) -> None:
    """The scheme of a category and a statement's predecessor go with a replaced graph: the statements elsewhere that read them fail."""
    what = _put(store, "https://example.org/concepts", _turtle("""
        bencat:openness a skos:Concept ; skos:inScheme scheme:benefit-categories ; skos:prefLabel "Ouverture"@fr , "Openness"@en .
        mech:network ksm:hasBenefit stmt:network-benefit-8 .
        stmt:network-benefit-8 rdfs:label "Huitième"@fr , "Eighth"@en ; ksm:hasCategory bencat:networking ;
            prov:wasDerivedFrom <https://example.org/kit> .
    """))
    assert _both(store, what)[1] != []  # no position yet
    what = _put(store, "https://example.org/statements", _turtle("""
        stmt:network-benefit-8 ksm:position 1 .
        mech:network ksm:hasBenefit stmt:network-benefit-9 .
        stmt:network-benefit-9 rdfs:label "Neuvième"@fr , "Ninth"@en ; ksm:position 2 ; ksm:hasCategory bencat:openness ;
            prov:wasDerivedFrom <https://example.org/kit> .
    """))
    # positions 1 and 2 clash with the bundled benefits of the network: that is what this graph brings
    before = _both(store, what)
    assert before[0] == before[1]
    what = _put(store, "https://example.org/concepts", _turtle("""
        bencat:openness a skos:Concept ; skos:prefLabel "Ouverture"@fr , "Openness"@en .
    """))
    assert what.replaced == ["https://example.org/concepts"]
    scoped, whole = _both(store, what)
    assert scoped == whole
    assert {"stmt:network-benefit-9", "stmt:network-benefit-8"} <= {v[1] for v in whole}


def test_a_minimum_set_on_a_mechanism_reaches_the_implementations_that_point_to_it(store: ox.Store) -> None:
    """The implementation's verdict reads its mechanism's ksm:minimumParticipants: a change of the mechanism alone reaches it."""
    what = _put(store, "https://example.org/implementations", _turtle("""
        <https://example.org/visit> ksm:implementsMechanism mech:study-tour ; ksm:participantCount 4 .
    """))
    assert _both(store, what) == ([], [])
    what = _put(store, "https://example.org/minimum", _turtle("mech:study-tour ksm:minimumParticipants 10 ."))
    assert what.added == ["https://example.org/minimum"]
    scoped, whole = _both(store, what)
    assert whole and scoped == whole
    assert {v[:2] for v in whole} == {("ksmsh:Implementation-minimumParticipants", "https://example.org/visit")}


def test_the_mutations_of_the_bundled_data_are_found_by_a_replaced_graph(store: ox.Store, tmp_path: Path) -> None:
    """tests/quality/test_mutations.py's mistakes, brought by replacing the bundled mechanisms graph (a full re-reasoning)."""
    mutated = next(p for p in _copy_and_mutate(tmp_path / "data") if p.name == "mechanisms.ttl")
    what = _put(store, MECHANISMS, (q.triple for q in rdfio.read_quads(mutated)))
    assert what.replaced == [MECHANISMS]
    scoped, whole = _both(store, what)
    assert whole and scoped == whole
    assert "stmt:learning-group-benefit-3" in {v[1] for v in whole}  # the neighbour left after the gap


def test_a_big_region_falls_back_to_the_whole_store(store: ox.Store) -> None:
    what = diskstore.Change(track=True, everything=True)
    region = scope.region(store, what)
    assert region.store is store and region.focus is None


# ---------------------------------------------------------------- what the scope knows the shapes and checks read

SHAPES_KNOWN = {
    "paths": {"skos:prefLabel", "dcterms:description", "rdfs:label", "ksm:hasObjective", "ksm:hasBenefit", "ksm:hasLimitation",
              "ksm:interactionMode", "ksm:operatesAtScale", "ksm:formality", "ksm:usesTool", "ksm:minimumParticipants",
              "ksm:position", "prov:wasDerivedFrom", "ksm:hasCategory", "ksm:participantCount",
              "inverse:ksm:hasObjective", "inverse:ksm:hasBenefit", "inverse:ksm:hasLimitation", "inverse:ksm:hasSuccessFactor",
              "ksm:implementsMechanism/ksm:minimumParticipants"},
    "components": {"ksmsh:inScheme", "ksmsh:languageTag", "ksmsh:cellProperty", "ksmsh:verbatimChecksum", "ksmsh:disjointness"},
}
CHECKS_KNOWN = {
    "benefit-category-not-in-scheme", "duplicate-statement-position", "label-language-not-fr-en", "limitation-category-not-in-scheme",
    "mechanism-without-english-description", "mechanism-without-label", "objective-category-not-in-scheme",
    "statement-in-several-mechanisms", "statement-text-identical-in-fr-and-en", "statement-without-category",
    "statement-without-english-text", "statement-without-mechanism", "statement-without-position",
    "statement-without-provenance", "untranslated-concept",
}


def _shapes_paths_and_components() -> tuple[set[str], set[str]]:
    import rdflib

    from kg.core.namespaces import shorten

    shapes = rdflib.Graph().parse(resources.shapes_file(), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")

    def path(node: rdflib.term.Node) -> list[str]:
        if isinstance(node, rdflib.URIRef):
            return [shorten(str(node))]
        inverse = shapes.value(node, sh.inversePath)
        if inverse is not None:
            return [f"inverse:{p}" for p in path(inverse)]
        alternatives = shapes.value(node, sh.alternativePath)
        if alternatives is not None:
            return [p for item in rdflib.collection.Collection(shapes, alternatives) for p in path(item)]
        steps = list(rdflib.collection.Collection(shapes, node))
        return ["/".join(p for step in steps for p in path(step))]

    paths = {p for shape in shapes.subjects(sh.path, None) for p in path(shapes.value(shape, sh.path))}
    paths = {p for p in paths if not p.startswith("ksmsh:")}  # the components' own parameters
    parameters = {shorten(str(shapes.value(parameter, sh.path))) for parameter in shapes.objects(None, sh.parameter)}
    used = {shorten(str(p)) for _, p, _ in shapes if shorten(str(p)) in parameters}
    return paths, used


def test_the_scope_knows_what_every_shape_reads() -> None:
    """A shape with another path or component may read beyond what kg.quality.scope copies: extend the scope, then this list."""
    paths, components = _shapes_paths_and_components()
    assert paths <= SHAPES_KNOWN["paths"], f"paths kg.quality.scope does not know: {sorted(paths - SHAPES_KNOWN['paths'])}"
    assert components <= SHAPES_KNOWN["components"], f"components it does not know: {sorted(components - SHAPES_KNOWN['components'])}"
    from kg.core.namespaces import shorten

    second_steps = {p.split("/", 1)[1] for p in paths if "/" in p}
    assert second_steps <= {shorten(p) for p in scope.READ_FROM_LINKED}, "a path reads a linked resource's triple the scope does not follow"


def test_the_scope_knows_every_check() -> None:
    """A new check may read beyond what kg.quality.scope copies: see that it does not, then add it here."""
    found = {p.stem for p in resources.checks_dir().glob("*.rq")}
    assert found == CHECKS_KNOWN, f"new: {sorted(found - CHECKS_KNOWN)}, gone: {sorted(CHECKS_KNOWN - found)}"


def _many_mechanisms(count: int) -> list[ox.Triple]:
    """``count`` small mechanisms, each with a benefit, of which the last lacks its English text and has a position gap."""
    text = []
    for i in range(count):
        position = 2 if i == count - 1 else 1
        english = "" if i == count - 1 else f'rdfs:label "Benefit {i}"@en ;'
        text.append(f"""
mech:gen-{i} a ksm:Mechanism ; skos:prefLabel "Mécanisme {i}"@fr , "Mechanism {i}"@en ;
    ksm:hasBenefit stmt:gen-{i}-benefit-1 .
stmt:gen-{i}-benefit-1 rdfs:label "Avantage {i}"@fr ; {english} ksm:position {position} ;
    ksm:hasCategory bencat:networking ; prov:wasDerivedFrom <https://example.org/kit> .""")
    return _turtle("".join(text))


def test_a_change_that_is_most_of_the_store_is_checked_on_a_copy_in_memory(store: ox.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A graph bigger than the store it joins (a first big import): the whole store is checked, the checks on a copy in
    memory made from the lists the change holds (the new graph, and the inferred graph, mostly new), which is the store,
    quad for quad; the SHACL engine's input is made from those lists too."""
    monkeypatch.setattr(scope, "_SMALL", 1_000)  # the real threshold (50,000 triples) makes a slow test
    what = _put(store, "https://example.org/new", _many_mechanisms(400))
    assert what.added == ["https://example.org/new"]
    assert set(what.held) == {"https://example.org/new", INFERRED_GRAPH}  # the inferred graph was mostly new: held too
    for name, quads in what.held.items():
        assert set(quads) == set(store.quads_for_pattern(None, None, None, ox.NamedNode(name)))
    region = scope.region(store, what)
    assert region.focus is None and region.store is store and region.checked is not None
    copy = region.checked()  # what the checks read: made in their thread, beside the SHACL engine
    assert copy is not store and set(copy) == set(store)
    scoped, whole = _both(store, what)
    assert whole and scoped == whole
    assert {v[1] for v in whole} >= {"stmt:gen-399-benefit-1"}


def test_a_big_store_checked_whole_is_not_copied(store: ox.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scope, "_SMALL", 1_000)
    monkeypatch.setattr(scope, "_MEMORY_MAX", 1_000)
    what = _put(store, "https://example.org/new", _many_mechanisms(400))
    region = scope.region(store, what)
    assert region.store is store and region.focus is None and region.held is what.held and region.checked is None
    scoped, whole = _both(store, what)
    assert whole and scoped == whole


def test_a_small_change_holds_its_graph_but_not_the_inferred_one(store: ox.Store) -> None:
    """The inferred graph is held only when the change made most of it: a few new triples do not read the rest of it."""
    what = _put(store, "https://example.org/new", _many_mechanisms(2))
    assert set(what.held) == {"https://example.org/new"}
    region = scope.region(store, what)
    assert region.focus is not None and region.checked is None  # a scoped copy, as before
