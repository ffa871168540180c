"""``kg validate --format json|ttl``: the report as data for pipelines, the SHACL report as RDF with the checks in it.

Also the test the issue asked for: a problem only a SHACL shape catches (no
check query does) must fail ``kg validate`` through the command line, so
that throwing pyshacl's results away cannot go unnoticed.
"""

from __future__ import annotations

import json

import rdflib

from kg.cli import main
from tests.paths import ROOT

SHAPES = ROOT / "tests" / "shapes"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
ONLY_A_SHAPE_CATCHES = SHAPES / "invalid-network-two-participants.ttl"  # no check query looks at participant counts
CAUGHT_BY_BOTH = SHAPES / "invalid-language-tag-de.ttl"  # a shape and the check label-language-not-fr-en


def test_a_problem_only_a_shape_catches_fails_validate(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["validate", "--lang", "en", str(ONLY_A_SHAPE_CATCHES)])
    assert result.exit_code == 1, result.output
    assert "ksmsh:Network-participantCount" in result.stdout
    assert "check:" not in result.stdout


def test_json_report_lists_shapes_and_checks(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["validate", "--format", "json", str(CAUGHT_BY_BOTH)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False and report["files"] == [str(CAUGHT_BY_BOTH)] and report["checksRun"] >= 10
    kinds = {(r["kind"], r["source"]) for r in report["results"]}
    assert ("shape", "ksmsh:Mechanism-prefLabel-languages") in kinds
    assert ("check", "https://w3id.org/ksm/queries/checks/label-language-not-fr-en") in kinds
    assert {r["focus"] for r in report["results"]} == {"https://w3id.org/ksm/id/mechanism/webinar"}
    assert all(r["message"]["en"] and r["message"]["fr"] for r in report["results"])


def test_ttl_report_is_shacl_with_the_checks_as_results(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["validate", "--format", "ttl", str(CAUGHT_BY_BOTH)])
    assert result.exit_code == 1
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    report = graph.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    assert report is not None
    assert graph.value(report, SH.conforms) == rdflib.Literal(False)
    results = set(graph.objects(report, SH.result))
    assert all((r, rdflib.RDF.type, SH.ValidationResult) in graph for r in results)
    from_checks = {r for r in results if graph.value(r, SH.sourceConstraint) is not None}
    from_shapes = {r for r in results if graph.value(r, SH.sourceShape) is not None}
    assert from_checks and from_shapes and from_checks.isdisjoint(from_shapes)
    check = rdflib.URIRef("https://w3id.org/ksm/queries/checks/label-language-not-fr-en")
    assert {graph.value(r, SH.sourceConstraint) for r in from_checks} == {check}
    assert {graph.value(r, SH.sourceConstraintComponent) for r in from_checks} == {SH.SPARQLConstraintComponent}
    webinar = rdflib.URIRef("https://w3id.org/ksm/id/mechanism/webinar")
    assert {graph.value(r, SH.focusNode) for r in results} == {webinar}
    json_report = json.loads(runner.invoke(main, ["validate", "--format", "json", str(CAUGHT_BY_BOTH)]).stdout)
    assert len(results) == len(json_report["results"])


def test_a_conforming_file_gives_a_conforming_ttl_report(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["validate", "--format", "ttl", str(SHAPES / "valid-new-mechanism.ttl")])
    assert result.exit_code == 0, result.output
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    report = graph.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    assert graph.value(report, SH.conforms) == rdflib.Literal(True)
    assert not list(graph.objects(report, SH.result))
