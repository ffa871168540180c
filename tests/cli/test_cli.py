"""The CLI's contract: outputs that parse, and the documented exit codes.

0 ok, 1 the data does not conform, 2 usage, 3 unreadable input, 4
environment; errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib

from kg.cli import main
from kg.core.errors import InputError
from kg.queries.catalogue import load

VALID_MECHANISM = """
@prefix ksm: <https://w3id.org/ksm/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://example.org/> .

ex:webinar a ksm:Mechanism ;
    skos:prefLabel "Webinaire"@fr , "Webinar"@en ;
    dcterms:description "Une conférence en ligne."@fr , "An online talk."@en ;
    ksm:usesTool <https://w3id.org/ksm/id/concept/email> ;
    ksm:hasObjective ex:webinar-o1 ; ksm:hasBenefit ex:webinar-b1 ; ksm:hasLimitation ex:webinar-l1 .
ex:webinar-o1 a ksm:Objective ; rdfs:label "Informer"@fr , "Inform"@en ; ksm:position 1 ;
    prov:wasDerivedFrom ex:notes ; ksm:hasCategory <https://w3id.org/ksm/id/objective-category/knowledge-sharing> .
ex:webinar-b1 a ksm:Benefit ; rdfs:label "Peu coûteux"@fr , "Cheap"@en ; ksm:position 1 ;
    prov:wasDerivedFrom ex:notes ; ksm:hasCategory <https://w3id.org/ksm/id/benefit-category/access-to-information> .
ex:webinar-l1 a ksm:Limitation ; rdfs:label "Connexion nécessaire"@fr , "Needs a connection"@en ; ksm:position 1 ;
    prov:wasDerivedFrom ex:notes ; ksm:hasCategory <https://w3id.org/ksm/id/limitation-category/internet-access> .
"""


def _one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_queries_lists_every_saved_query(runner, catalogue) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["queries", "--lang", "en"])
    assert result.exit_code == 0, result.output
    for saved in catalogue:
        assert saved.name in result.stdout
        assert saved.summary in result.stdout


def test_query_json_is_w3c_sparql_results(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--format", "json", "--lang", "en"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["head"]["vars"][:2] == ["mechanism", "mechanismLabel"]
    labels = {b["mechanismLabel"]["value"] for b in payload["results"]["bindings"]}
    assert labels == {"In-person forums", "Network", "Learning group", "Study tour"}
    assert {b["mechanismLabel"]["xml:lang"] for b in payload["results"]["bindings"]} == {"en"}


def test_query_output_file_is_written(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out.csv"
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "-f", "csv", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").splitlines()[0] == "mechanism,mechanismLabel,description,basis,basisLabel"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["query", "no-such-query"], "unknown query 'no-such-query'"),
        (["query", "mechanisms-without-internett"], "did you mean mechanisms-without-internet"),
        (["query", "mechanisms-without-internet", "-p", "colour=red"], "has no parameter 'colour'"),
        (["query", "mechanisms-without-internet", "-p", "noequals"], "expected NAME=VALUE"),
        (["query", "mechanisms-without-internet", "--lang", "français"], "not a language tag"),
        (["query", "mechanisms-without-internet", "--format", "pdf"], "Invalid value"),
    ],
)
def test_usage_errors_exit_2(runner, args: list[str], needle: str) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert "Traceback" not in result.output


def test_validate_bundled_data_conforms(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["validate", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Conforms")


def test_validate_a_good_user_file(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "webinar.ttl"
    good.write_text(VALID_MECHANISM, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(good)])
    assert result.exit_code == 0, result.output


def test_validate_non_conforming_file_exits_1(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "webinar.ttl"
    bad.write_text(VALID_MECHANISM.replace(' , "Webinar"@en', ""), encoding="utf-8")
    result = runner.invoke(main, ["validate", "--lang", "en", str(bad)])
    assert result.exit_code == 1, result.output
    assert "Does not conform" in result.stdout
    assert "ex:webinar" in result.stdout or "https://example.org/webinar" in result.stdout


def test_malformed_turtle_exits_3_naming_file_and_line(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "broken.ttl"
    bad.write_text('@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:d ex:e "unterminated .\n', encoding="utf-8")
    result = runner.invoke(main, ["validate", str(bad)])
    assert result.exit_code == 3, result.output
    line = _one_line_error(result)
    assert f"{bad}:3:" in line and "bad Turtle syntax" in line


def test_missing_file_exits_3(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["validate", str(tmp_path / "nope.ttl")])
    assert result.exit_code == 3
    assert "no such file" in _one_line_error(result)


def test_bad_sparql_is_an_input_error(graph) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="bad SPARQL syntax"):
        graph.select("SELECT ?x WHERE { ?x ?y }")


def test_bad_query_header_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rq"
    broken.write_text("#+ summary: [unclosed\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.rq:\d+: bad '#\+' metadata header"):
        load(broken)


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml")])
def test_export_formats_parse_back(runner, graph, fmt: str, rdflib_format: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / f"graph.{fmt}"
    result = runner.invoke(main, ["export", "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.output
    parsed = rdflib.Graph().parse(target, format=rdflib_format)
    distinct = {str(q.triple) for q in graph.store}
    assert len(parsed) == len(distinct)


def test_export_asserted_only_leaves_out_inferences(runner, graph, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "asserted.nt"
    result = runner.invoke(main, ["export", "--format", "nt", "--asserted-only", "-o", str(target)])
    assert result.exit_code == 0, result.output
    parsed = rdflib.Graph().parse(target, format="nt")
    assert len(parsed) < len({str(q.triple) for q in graph.store})
    dependency = (rdflib.URIRef("https://w3id.org/ksm/id/mechanism/discussion-group"),
                  rdflib.URIRef("https://w3id.org/ksm/ontology#dependsOn"),
                  rdflib.URIRef("https://w3id.org/ksm/id/concept/internet-access"))
    assert dependency not in parsed


def test_reason_writes_the_inferred_graph(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "inferred.ttl"
    result = runner.invoke(main, ["reason", "-o", str(target)])
    assert result.exit_code == 0, result.output
    parsed = rdflib.Graph().parse(target, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/ksm/id/mechanism/study-tour"), rdflib.RDF.type,
            rdflib.URIRef("https://w3id.org/ksm/ontology#TravelDependentMechanism")) in parsed
    assert "inferred triples from" in result.stderr
