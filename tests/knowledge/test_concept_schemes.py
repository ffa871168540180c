"""The SKOS concept schemes as a SKOS client reads them: titled, with their top concepts, and skosify has nothing to say."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture(scope="module")
def asserted(graph):  # type: ignore[no-untyped-def]
    """The asserted triples (what the files say, as the asserted dump has them) as an rdflib graph."""
    import pyoxigraph as ox

    from kg.core.convert import to_rdflib_graph
    from kg.core.namespaces import INFERRED_GRAPH

    inferred = ox.NamedNode(INFERRED_GRAPH)
    return to_rdflib_graph(q.triple for q in graph.store if q.graph_name != inferred)


def _schemes(rdf):  # type: ignore[no-untyped-def]
    import rdflib

    schemes = sorted(rdf.subjects(rdflib.RDF.type, rdflib.SKOS.ConceptScheme))
    assert len(schemes) >= 13
    return schemes


def test_every_scheme_has_a_title_in_both_languages(asserted) -> None:  # type: ignore[no-untyped-def]
    import rdflib

    for scheme in _schemes(asserted):
        titles = {t.language for t in asserted.objects(scheme, rdflib.DCTERMS.title)}
        assert {"fr", "en"} <= titles, scheme


def test_every_scheme_lists_its_top_concepts_and_they_point_back(asserted, graph) -> None:  # type: ignore[no-untyped-def]
    """Asserted in the files for the schemes whose concepts sit beside them; for the mechanisms
    (in data/), derived from each mechanism's skos:topConceptOf, so an imported mechanism is listed too."""
    import rdflib

    from kg.core.convert import to_rdflib_graph

    reasoned = to_rdflib_graph(graph.triples())
    for scheme in _schemes(asserted):
        tops = set(reasoned.objects(scheme, rdflib.SKOS.hasTopConcept))
        assert tops, scheme
        assert tops == set(reasoned.subjects(rdflib.SKOS.topConceptOf, scheme)), scheme
        for concept in tops:
            assert (concept, rdflib.SKOS.inScheme, scheme) in reasoned
    iati = rdflib.URIRef("https://w3id.org/ksm/id/scheme/iati-aid-type")
    assert set(asserted.objects(iati, rdflib.SKOS.hasTopConcept)) == {rdflib.URIRef("https://w3id.org/ksm/id/concept/iati-aid-type-D02")}


# skosify is written for one vocabulary at a time: on a graph with several schemes it says so and picks one
# as the default for concepts without a scheme (ours all have one, which the next test checks).
SKOSIFY_EXPECTED = "Multiple concept schemes found"


def _skosify(rdf, caplog):  # type: ignore[no-untyped-def]
    import rdflib
    import skosify

    copy = rdflib.Graph()
    for triple in rdf:
        copy.add(triple)
    with caplog.at_level(logging.INFO):
        skosify.skosify(copy, mark_top_concepts=True, infer=False, cleanup_classes=False, cleanup_properties=False,
                        cleanup_unreachable=False, eliminate_redundancy=False, break_cycles=False, keep_related=True)
    said = [r for r in caplog.records if r.levelno >= logging.WARNING or "loose concept" in r.getMessage()]
    return copy, [r.getMessage() for r in said if SKOSIFY_EXPECTED not in r.getMessage()]


def test_skosify_reports_nothing(asserted, caplog) -> None:  # type: ignore[no-untyped-def]
    import rdflib

    fixed, said = _skosify(asserted, caplog)
    assert not said, said
    skos = rdflib.SKOS
    for predicate in (skos.hasTopConcept, skos.topConceptOf, skos.inScheme):
        assert set(fixed.triples((None, predicate, None))) == set(asserted.triples((None, predicate, None))), predicate


def test_skosify_would_report_a_loose_concept(asserted, caplog) -> None:  # type: ignore[no-untyped-def]
    """The check is live: a concept in a scheme without being its top concept or narrower than one is reported."""
    import rdflib

    loose = rdflib.URIRef("https://w3id.org/ksm/id/concept/loose-example")
    asserted_copy = rdflib.Graph()
    for triple in asserted:
        asserted_copy.add(triple)
    asserted_copy.add((loose, rdflib.RDF.type, rdflib.SKOS.Concept))
    asserted_copy.add((loose, rdflib.SKOS.prefLabel, rdflib.Literal("Loose", lang="en")))
    asserted_copy.add((loose, rdflib.SKOS.inScheme, rdflib.URIRef("https://w3id.org/ksm/id/scheme/tools")))
    _, said = _skosify(asserted_copy, caplog)
    assert any("loose-example" in message for message in said), said
