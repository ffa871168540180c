"""Parameters: how a value names a resource, and why no value can change a query.

A value may be an IRI, a CURIE or a label (any language, case- and
accent-blind) or a local name; anything else is a one-line usage error
(exit 2) naming the parameter.  Values are bound as RDF terms in a VALUES
block, never pasted: injection attempts either fail cleanly or match
nothing, and the store is left as it was.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.core.errors import UsageError
from kg.graph.binding import with_values
from kg.graph.store import KnowledgeGraph
from kg.queries.catalogue import load
from kg.queries.params import bind
from kg.queries.run import run_saved

NETWORK = "https://w3id.org/ksm/id/mechanism/network"
KSM = "https://w3id.org/ksm/ontology#"


def _one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "value",
    [NETWORK, f"<{NETWORK}>", "mech:network", "Réseau", "Network", "reseau", "RÉSEAU", "network", "  Réseau  "],
)
def test_ways_of_naming_the_network(graph, catalogue, value: str) -> None:  # type: ignore[no-untyped-def]
    saved = catalogue.get("mechanism-profile")
    assert bind(saved, {"mechanism": value}, graph=graph)["_mechanism_iri"] == ox.NamedNode(NETWORK)
    result = run_saved(graph, saved, {"mechanism": value}, lang="en")
    assert result.rows[0]["item"] == ox.NamedNode(NETWORK)
    assert result.rows[0]["text"].value.startswith("A network is understood")  # type: ignore[union-attr]


def test_label_with_apostrophe_and_accent(graph, catalogue) -> None:  # type: ignore[no-untyped-def]
    saved = catalogue.get("mechanism-profile")
    for value in ("Voyage d'études", "voyage d etudes", "Study tour", "study-tour"):
        assert bind(saved, {"mechanism": value}, graph=graph)["_mechanism_iri"].value.endswith("/study-tour")


def test_unknown_label_is_a_usage_error_naming_the_parameter(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["query", "mechanism-profile", "-p", "mechanism=Webinaire"])
    assert result.exit_code == 2
    line = _one_line_error(result)
    assert "parameter 'mechanism'" in line and "Webinaire" in line and "ksm:Mechanism" in line


def test_near_miss_suggests_the_right_name(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["query", "mechanism-profile", "-p", "mechanism=Reseu"])
    assert result.exit_code == 2
    assert "did you mean mech:network" in _one_line_error(result)


def test_iri_of_the_wrong_class_is_refused(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["query", "mechanism-profile", "-p", "mechanism=limcat:cost"])
    assert result.exit_code == 2
    assert "limcat:cost is not a ksm:Mechanism" in _one_line_error(result)


def test_a_label_of_another_class_does_not_resolve(graph, catalogue) -> None:  # type: ignore[no-untyped-def]
    # "Accès à internet" is a limitation category and a requirement, never a scale.
    with pytest.raises(UsageError, match="parameter 'scale'"):
        bind(catalogue.get("mechanisms-by-scale"), {"scale": "Accès à internet"}, graph=graph)


def test_ambiguous_label_names_the_candidates(catalogue) -> None:  # type: ignore[no-untyped-def]
    store = ox.Store()
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    for local in ("forum-a", "forum-b"):
        node = ox.NamedNode(f"https://example.org/{local}")
        store.add(ox.Quad(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(KSM + "Mechanism")))
        store.add(ox.Quad(node, label, ox.Literal("Forum", language="fr")))
    small = KnowledgeGraph(store=store)
    with pytest.raises(UsageError, match=r"parameter 'mechanism': 'forum' names several resources .*forum-a.*forum-b"):
        bind(catalogue.get("mechanism-profile"), {"mechanism": "forum"}, graph=small)
    assert bind(catalogue.get("mechanism-profile"), {"mechanism": "https://example.org/forum-a"}, graph=small)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["query", "mechanism-profile"], "needs --param mechanism=VALUE"),
        (["query", "compare-mechanisms", "-p", "first=Réseau"], "needs --param second=VALUE"),
        (["query", "mechanism-profile", "-p", "mechanism=Réseau", "-p", "colour=red"], "has no parameter 'colour'"),
        (["query", "mechanisms-by-scale", "-p", "scale="], "parameter 'scale'"),
        (["query", "mechanisms-overview", "-p", "lang=french"], "not a language tag"),
    ],
)
def test_missing_unknown_or_empty_parameters_exit_2(runner, args: list[str], needle: str) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert needle in _one_line_error(result)


INJECTIONS = [
    "mech:network> } ; DELETE WHERE { ?s ?p ?o } #",
    '"} UNION { ?s ?p ?o }',
    "<http://x> . ?s ?p ?o",
    "Réseau' } UNION { ?s ?p ?o } #",
    'Réseau" ; DROP ALL',
    "Réseau\n} UNION { ?s ?p ?o }",
    "Réseau\x00",
    "Réseau\u0007",
    "mech:network>",
    "<mech:network",
    "http://x/a b",
    "x" * 3000,
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_through_an_iri_parameter_is_a_clean_usage_error(graph, catalogue, runner, value: str) -> None:  # type: ignore[no-untyped-def]
    before = len(graph)
    with pytest.raises(UsageError, match="parameter 'mechanism'"):
        run_saved(graph, catalogue.get("mechanism-profile"), {"mechanism": value})
    assert len(graph) == before
    result = runner.invoke(main, ["query", "mechanism-profile", "-p", f"mechanism={value}"])
    assert result.exit_code == 2, result.output
    assert "parameter 'mechanism'" in _one_line_error(result)


@pytest.fixture()
def by_name(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A saved query with a plain literal parameter, the kind a value could most easily escape from."""
    query = tmp_path / "mechanism-by-name.rq"
    query.write_text(
        "#+ summary: A mechanism by its exact French name\n#+ summary_fr: Un mécanisme par son nom exact\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?m WHERE { ?m skos:prefLabel ?label . FILTER (STR(?label) = ?_name) } ORDER BY ?m\n",
        encoding="utf-8",
    )
    return load(query)


@pytest.mark.parametrize("value", [v for v in INJECTIONS if "\n" not in v and "\x00" not in v and "\u0007" not in v] + ['Réseau"', "Réseau\\", "{Réseau}"])
def test_injection_through_a_literal_parameter_is_a_plain_value(graph, by_name, value: str) -> None:  # type: ignore[no-untyped-def]
    before = len(graph)
    try:
        result = run_saved(graph, by_name, {"name": value})
    except UsageError as error:  # only the length limit refuses a printable value
        assert "longer than" in str(error)
    else:
        assert result.rows == []  # no name is that string, and nothing else leaks
    assert len(graph) == before
    assert run_saved(graph, by_name, {"name": "Réseau"}).column("m") == [NETWORK]


@pytest.mark.parametrize("value", ["Réseau\n", "a\rb", "tab\there", "\x1b[31m"])
def test_control_characters_are_refused(graph, by_name, value: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="parameter 'name': control characters"):
        run_saved(graph, by_name, {"name": value})


# ------------------------------------------------------------------ kg.binding.with_values

DATA = [
    ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/ns#p"), ox.Literal("A")),
    ox.Quad(ox.NamedNode("http://e/b"), ox.NamedNode("http://e/ns#p"), ox.Literal("B")),
]


@pytest.fixture(scope="module")
def tiny() -> ox.Store:
    store = ox.Store()
    store.extend(DATA)
    return store


def _values(answer: ox.QuerySolutions, name: str) -> list[str]:
    return [s[name].value for s in answer]  # type: ignore[union-attr]


A = {"s": ox.NamedNode("http://e/a")}


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?o WHERE { ?s ?p ?o FILTER (?o != "} {") } ORDER BY ?o',
        '# SELECT ?o WHERE { nothing }\nSELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o',
        'SELECT ?o (CONCAT("{", ?o, "}") AS ?x) WHERE { ?s ?p ?o } ORDER BY ?o',
        "SELECT ?o (CONCAT('''{ WHERE {''', ?o) AS ?x) WHERE { ?s ?p ?o } ORDER BY ?o",
        "PREFIX ns: <http://e/ns#>\nSELECT ?o WHERE { ?s ns:p ?o } ORDER BY ?o",
        "SELECT ?o { ?s <http://e/ns#p> ?o } ORDER BY ?o",
        "select ?o where { { SELECT ?s ?o WHERE { ?s ?p ?o } } } order by ?o",
        'SELECT ?o WHERE { ?s ?p ?o . FILTER (?o != "\\"}") } ORDER BY ?o',
    ],
)
def test_with_values_binds_at_the_head_of_the_where_group(tiny: ox.Store, query: str) -> None:
    assert _values(tiny.query(query), "o") == ["A", "B"]  # unbound: both
    bound = with_values(query, A)
    assert _values(tiny.query(bound), "o") == ["A"]


@pytest.mark.parametrize(
    "query",
    [
        "CONSTRUCT { ?s <http://e/ns#q> ?o } WHERE { ?s ?p ?o }",
        'CONSTRUCT { ?s <http://e/ns#q> "}" } WHERE { ?s ?p ?o }',
        "CONSTRUCT {\n  ?s <http://e/ns#q> ?o . # a comment with { and }\n}\nWHERE { ?s ?p ?o }",
    ],
)
def test_with_values_skips_construct_templates(tiny: ox.Store, query: str) -> None:
    # (The short form CONSTRUCT WHERE { triples } admits no VALUES: a saved query uses the long form.)
    triples = list(tiny.query(with_values(query, A)))  # type: ignore[arg-type]
    assert {t.subject.value for t in triples} == {"http://e/a"}


def test_with_values_escapes_literals(tiny: ox.Store) -> None:
    tricky = ox.Literal('A" } UNION { ?s ?p ?o } #\n')
    query = with_values("SELECT ?s WHERE { ?s ?p ?o FILTER (STR(?o) = ?v) } ORDER BY ?s", {"v": tricky})
    assert list(tiny.query(query)) == []  # type: ignore[arg-type]
    query = with_values("SELECT ?s WHERE { ?s ?p ?o FILTER (STR(?o) = ?v) } ORDER BY ?s", {"v": ox.Literal("B")})
    assert _values(tiny.query(query), "s") == ["http://e/b"]  # type: ignore[arg-type]


def test_with_values_binds_several_variables_and_tagged_literals(tiny: ox.Store) -> None:
    query = with_values("SELECT ?s ?lang WHERE { ?s ?p ?o } ORDER BY ?s",
                        {"s": ox.NamedNode("http://e/b"), "lang": ox.Literal("fr", language="fr")})
    solutions = list(tiny.query(query))  # type: ignore[arg-type]
    assert len(solutions) == 1 and solutions[0]["lang"] == ox.Literal("fr", language="fr")


def test_with_values_leaves_an_optional_subquery_its_own_block(tiny: ox.Store) -> None:
    # Nothing may stand beside the SELECT of `OPTIONAL { SELECT ... }`: the block goes inside the subquery only.
    query = "SELECT ?o WHERE { ?s ?p ?o OPTIONAL { SELECT ?s ?x WHERE { ?s ?p ?x FILTER (?x != ?o) } } } ORDER BY ?o"
    for into_optionals in (False, True):
        bound = with_values(query, A, into_optionals=into_optionals)
        assert bound.count("VALUES ?s") == 2, bound  # the WHERE group's and the subquery's
        assert _values(tiny.query(bound), "o") == ["A"]


def test_with_values_without_a_group_is_refused() -> None:
    with pytest.raises(ValueError, match="no WHERE group"):
        with_values("DESCRIBE <http://e/a>", A)
    assert with_values("DESCRIBE <http://e/a>", {}) == "DESCRIBE <http://e/a>"
