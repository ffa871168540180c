"""The quality checks of ``queries/checks/``: silent on the bundled data, loud on each slip.

Each check is a SELECT that must return no rows; for each, a few lines of
Turtle added to the bundled data commit the slip it is about, and the test
asserts the check names the offending resource in its first column.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.core import resources
from kg.graph.dataset import open_graph
from kg.queries.catalogue import Catalogue
from kg.queries.run import run_saved

PREFIXES = """
@prefix bencat: <https://w3id.org/ksm/id/benefit-category/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://example.org/> .
@prefix ksm: <https://w3id.org/ksm/ontology#> .
@prefix ksmc: <https://w3id.org/ksm/id/concept/> .
@prefix limcat: <https://w3id.org/ksm/id/limitation-category/> .
@prefix mech: <https://w3id.org/ksm/id/mechanism/> .
@prefix objcat: <https://w3id.org/ksm/id/objective-category/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix stmt: <https://w3id.org/ksm/id/statement/> .
"""

# A benefit of the network with everything a statement needs; each case below removes or spoils one thing.
GOOD_BENEFIT = """
mech:network ksm:hasBenefit ex:s .
ex:s a ksm:Benefit ; rdfs:label "Un texte"@fr , "A text"@en ; ksm:position 9 ;
    ksm:hasCategory bencat:pooling ; prov:wasDerivedFrom ex:notes .
"""

CASES = {
    "statement-without-mechanism": (
        'ex:s a ksm:Objective ; rdfs:label "Un texte"@fr , "A text"@en ; ksm:position 1 ;'
        " ksm:hasCategory objcat:debate ; prov:wasDerivedFrom ex:notes .",
        "https://example.org/s",
    ),
    "statement-in-several-mechanisms": (
        "mech:network ksm:hasObjective stmt:study-tour-objective-1 .",
        "https://w3id.org/ksm/id/statement/study-tour-objective-1",
    ),
    "mechanism-without-english-description": (
        'ex:m a ksm:Mechanism ; skos:prefLabel "Webinaire"@fr , "Webinar"@en ; dcterms:description "En ligne."@fr .',
        "https://example.org/m",
    ),
    "mechanism-without-label": ('mech:network skos:prefLabel "Networks"@en .', "https://w3id.org/ksm/id/mechanism/network"),
    "statement-without-english-text": (GOOD_BENEFIT.replace(' , "A text"@en', ""), "https://example.org/s"),
    "label-language-not-fr-en": ('stmt:network-benefit-4 rdfs:label "Gemeinsame Werkzeuge"@de .',
                                 "https://w3id.org/ksm/id/statement/network-benefit-4"),
    "limitation-category-not-in-scheme": ("stmt:network-limitation-1 ksm:hasCategory bencat:pooling .",
                                          "https://w3id.org/ksm/id/statement/network-limitation-1"),
    "objective-category-not-in-scheme": ("stmt:network-objective-1 ksm:hasCategory limcat:cost .",
                                         "https://w3id.org/ksm/id/statement/network-objective-1"),
    "benefit-category-not-in-scheme": ("stmt:network-benefit-4 ksm:hasCategory objcat:debate .",
                                       "https://w3id.org/ksm/id/statement/network-benefit-4"),
    "statement-without-category": (GOOD_BENEFIT.replace("ksm:hasCategory bencat:pooling ;", ""), "https://example.org/s"),
    "statement-text-identical-in-fr-and-en": (GOOD_BENEFIT.replace('"A text"@en', '"Un texte"@en'), "https://example.org/s"),
    "duplicate-statement-position": (GOOD_BENEFIT.replace("ksm:position 9", "ksm:position 2"), "https://example.org/s"),
    "statement-without-position": (GOOD_BENEFIT.replace("ksm:position 9 ;", ""), "https://example.org/s"),
    "statement-without-provenance": (GOOD_BENEFIT.replace(" ; prov:wasDerivedFrom ex:notes", ""), "https://example.org/s"),
    "untranslated-concept": ('ksmc:web-forum a ksm:Tool ; skos:prefLabel "Forum web"@fr .', "https://w3id.org/ksm/id/concept/web-forum"),
}


@pytest.fixture(scope="module")
def checks() -> Catalogue:
    return Catalogue.from_folder(resources.checks_dir())


def test_every_check_is_tested(checks: Catalogue) -> None:
    assert {c.name for c in checks} == set(CASES)


def test_checks_are_documented_parameterless_ordered_selects(checks: Catalogue) -> None:
    for check in checks:
        assert check.summary and check.summary_fr, check.name
        assert not check.parameters, check.name
        body = "\n".join(line for line in check.text.splitlines() if not line.lstrip().startswith("#"))
        assert re.search(r"\bSELECT\b", body) and re.search(r"\bORDER BY\b", body), check.name
        assert isinstance(ox.Store().query(check.text), ox.QuerySolutions), check.name


def test_bundled_data_passes_every_check(graph, checks: Catalogue) -> None:  # type: ignore[no-untyped-def]
    for check in checks:
        assert run_saved(graph, check).rows == [], check.name


def test_identical_concept_labels_are_not_a_forgotten_translation(graph, checks: Catalogue) -> None:  # type: ignore[no-untyped-def]
    # "Intranet" is "Intranet" in both languages: legitimate for a concept, so the check must not flag it.
    same = graph.select('ASK { <https://w3id.org/ksm/id/concept/intranet> <http://www.w3.org/2004/02/skos/core#prefLabel> "Intranet"@fr , "Intranet"@en }')
    assert same.boolean
    assert run_saved(graph, checks.get("statement-text-identical-in-fr-and-en")).rows == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_check_catches_its_slip(checks: Catalogue, tmp_path: Path, name: str) -> None:
    turtle, offender = CASES[name]
    slip = tmp_path / f"{name}.ttl"
    slip.write_text(PREFIXES + turtle + "\n", encoding="utf-8")
    graph = open_graph(extra=[slip])
    result = run_saved(graph, checks.get(name))
    first = result.variables[0]
    assert [row[first].value for row in result.rows] == [offender]  # type: ignore[union-attr]


def test_kg_validate_reports_a_failed_check_and_exits_1(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    slip = tmp_path / "untranslated.ttl"
    slip.write_text(PREFIXES + CASES["statement-text-identical-in-fr-and-en"][0], encoding="utf-8")
    result = runner.invoke(main, ["validate", "--lang", "en", str(slip)])
    assert result.exit_code == 1, result.output
    assert "check:statement-text-identical-in-fr-and-en" in result.stdout
    assert "https://example.org/s" in result.stdout or "ex:s" in result.stdout
    assert f"{len(CASES)} check queries" in result.stdout


def test_label_language_check_is_about_our_resources_only(checks: Catalogue, tmp_path: Path) -> None:
    """Another vocabulary's label in German is left alone; one on a mechanism or statement of any IRI is not."""
    slip = tmp_path / "foreign.ttl"
    slip.write_text(PREFIXES + """
ex:tool-user ksm:usesTool ksmc:email ; skos:prefLabel "Mechanismus"@de .
mech:network ksm:hasObjective ex:goal .
ex:goal rdfs:label "Ziel"@de .
ex:foreign rdfs:label "Fremd"@de .
""", encoding="utf-8")
    rows = run_saved(open_graph(extra=[slip]), checks.get("label-language-not-fr-en")).rows
    # a mechanism by the domain of ksm:usesTool, a statement by the range of ksm:hasObjective: both entailed
    assert sorted({row["resource"].value for row in rows}) == ["https://example.org/goal", "https://example.org/tool-user"]  # type: ignore[union-attr]
