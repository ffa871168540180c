"""The Turtle files are documented, tidy and tagged right.

Both GeoSPARQL and DCAT once shipped German text tagged @en and a wrong
namespace: these tests catch such slips in our files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib

from kg.core import resources
from tests.paths import ROOT

KNOWLEDGE = sorted(list((ROOT / "ontology").rglob("*.ttl")) + list((ROOT / "data").rglob("*.ttl")))
OURS = "https://w3id.org/ksm/"
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")


@pytest.mark.parametrize("path", KNOWLEDGE, ids=lambda p: str(p.relative_to(ROOT)))
def test_file_has_header_and_sorted_prefixes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# "), f"{path.name}: starts without a comment header"
    prefixes = re.findall(r"^@prefix (\S*):", text, flags=re.M)
    assert prefixes == sorted(prefixes), f"{path.name}: prefixes not sorted"
    graph = rdflib.Graph().parse(path, format="turtle")
    declared = dict(re.findall(r"^@prefix (\S*): <([^>]*)>", text, flags=re.M))
    assert declared.get("ksm", "https://w3id.org/ksm/ontology#") == "https://w3id.org/ksm/ontology#"
    assert len(graph) > 0


@pytest.fixture(scope="module")
def knowledge() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in resources.ontology_files() + resources.data_files():
        graph.parse(path, format="turtle")
    return graph


TEXT_PROPERTIES = {
    rdflib.RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.definition, SKOS.scopeNote,
    rdflib.URIRef("http://purl.org/dc/terms/description"), rdflib.URIRef("http://purl.org/dc/terms/title"),
}


def test_our_texts_are_tagged_fr_or_en_only(knowledge: rdflib.Graph) -> None:
    for s, p, o in knowledge:
        if p in TEXT_PROPERTIES and str(s).startswith(OURS):
            assert isinstance(o, rdflib.Literal) and o.language in ("fr", "en"), f"{s} {p} {o!r}: language tag must be fr or en"


def test_english_text_is_not_french(knowledge: rdflib.Graph) -> None:
    french_marks = re.compile(r"[éèêàçù]| les | des | est | une ")
    for s, _, o in knowledge:
        if isinstance(o, rdflib.Literal) and o.language == "en" and str(s).startswith(OURS):
            assert not french_marks.search(f" {o} "), f"{s}: {o!r} looks French but is tagged @en"


def test_one_preflabel_per_language(knowledge: rdflib.Graph) -> None:
    for concept in set(knowledge.subjects(SKOS.prefLabel, None)):
        if not str(concept).startswith(OURS):
            continue
        langs = [label.language for label in knowledge.objects(concept, SKOS.prefLabel)]
        assert sorted(langs) == ["en", "fr"], f"{concept}: prefLabels in {langs}"


def test_every_ontology_term_is_labelled_and_defined_in_both_languages(knowledge: rdflib.Graph) -> None:
    owl = rdflib.OWL
    terms = {s for t in (owl.Class, owl.ObjectProperty, owl.DatatypeProperty) for s in knowledge.subjects(rdflib.RDF.type, t)}
    ours = [t for t in terms if isinstance(t, rdflib.URIRef) and str(t).startswith(OURS)]
    assert len(ours) > 30
    for term in ours:
        for prop in (rdflib.RDFS.label, SKOS.definition):
            langs = sorted(o.language for o in knowledge.objects(term, prop))
            assert langs == ["en", "fr"], f"{term} {prop}: languages {langs}"


def test_ontology_header(knowledge: rdflib.Graph) -> None:
    onto = rdflib.URIRef("https://w3id.org/ksm/ontology")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    vann = rdflib.Namespace("http://purl.org/vocab/vann/")
    for prop in (dct.title, dct.description, dct.creator, dct.license, dct.created, dct.modified,
                 rdflib.OWL.versionIRI, rdflib.OWL.versionInfo, vann.preferredNamespacePrefix, vann.preferredNamespaceUri):
        assert knowledge.value(onto, prop) is not None, f"ontology header lacks {prop}"
