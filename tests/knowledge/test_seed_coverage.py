"""Every statement of the source table is in the graph, on the right mechanism, verbatim.

The table is read by kg.tables.seed from the shared seed file; for each mechanism
the French texts of its statements, in ksm:position order, must put its
cells back together exactly (whitespace aside): nothing lost, nothing
invented, nothing attached to the wrong mechanism or column.
"""

from __future__ import annotations

import pytest

from kg.tables.seed import normalise_space, read_table, verbatim_checksum
from tests.paths import SEED, require_shared

KSM = "https://w3id.org/ksm/ontology#"
PROPERTIES = {"objectives": "hasObjective", "benefits": "hasBenefit", "limitations": "hasLimitation"}


def _rows():  # type: ignore[no-untyped-def]
    return read_table(require_shared(SEED, "the seed table"))


def _mechanism(graph, name: str) -> str:  # type: ignore[no-untyped-def]
    result = graph.select(
        """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX ksm: <https://w3id.org/ksm/ontology#>
        SELECT ?m WHERE { ?m a ksm:Mechanism ; skos:prefLabel ?l . FILTER(STR(?l) = ?name && LANG(?l) = "fr") }""",
        {"name": __import__("pyoxigraph").Literal(name)},
    )
    assert len(result.rows) == 1, f"expected one mechanism labelled {name!r}, got {result.rows}"
    return result.rows[0]["m"].value


def _texts(graph, mechanism: str, prop: str, lang: str = "fr") -> list[str]:  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    result = graph.select(
        f"""PREFIX ksm: <{KSM}>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?text ?pos WHERE {{ ?m ksm:{prop} ?s . ?s rdfs:label ?text ; ksm:position ?pos . FILTER(LANG(?text) = ?lang) }}
        ORDER BY ?pos""",
        {"m": ox.NamedNode(mechanism), "lang": ox.Literal(lang)},
    )
    return result.column("text")


def test_the_table_has_six_mechanisms(graph) -> None:  # type: ignore[no-untyped-def]
    rows = _rows()
    assert [r.mechanism for r in rows] == [
        "Fora in situ", "Groupe de discussion", "Communauté de pratique", "Réseau", "Groupe d'apprentissage", "Voyage d'études",
    ]
    count = graph.select("PREFIX ksm: <https://w3id.org/ksm/ontology#> SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ksm:Mechanism }")
    assert int(count.rows[0]["n"].value) == 6


@pytest.mark.parametrize("column", sorted(PROPERTIES))
def test_every_statement_is_kept_verbatim_on_its_mechanism(graph, column: str) -> None:  # type: ignore[no-untyped-def]
    for row in _rows():
        mechanism = _mechanism(graph, row.mechanism)
        texts = _texts(graph, mechanism, PROPERTIES[column])
        assert texts, f"{row.mechanism}: no {column}"
        assert normalise_space(" ".join(texts)) == getattr(row, column), f"{row.mechanism}: {column} differ from the table"


def test_descriptions_are_verbatim(graph) -> None:  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    for row in _rows():
        mechanism = _mechanism(graph, row.mechanism)
        result = graph.select(
            "SELECT ?d WHERE { ?m <http://purl.org/dc/terms/description> ?d FILTER(LANG(?d) = 'fr') }", {"m": ox.NamedNode(mechanism)}
        )
        assert result.column("d") == [row.description]


def test_every_statement_has_an_english_translation(graph) -> None:  # type: ignore[no-untyped-def]
    for row in _rows():
        mechanism = _mechanism(graph, row.mechanism)
        for prop in PROPERTIES.values():
            french, english = _texts(graph, mechanism, prop, "fr"), _texts(graph, mechanism, prop, "en")
            assert len(english) == len(french), f"{row.mechanism} {prop}: {len(french)} French texts, {len(english)} English"
            assert all(e and e != f for e, f in zip(english, french, strict=True))


def test_success_factors_are_quoted_from_the_network_description(graph) -> None:  # type: ignore[no-untyped-def]
    network = next(r for r in _rows() if r.mechanism == "Réseau")
    factors = _texts(graph, _mechanism(graph, "Réseau"), "hasSuccessFactor")
    assert len(factors) == 3
    for factor in factors:
        assert factor in network.description


def test_every_statement_derives_from_the_table(graph) -> None:  # type: ignore[no-untyped-def]
    missing = graph.select(
        """PREFIX ksm: <https://w3id.org/ksm/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?s WHERE { ?m ksm:hasStatement ?s FILTER NOT EXISTS { ?s prov:wasDerivedFrom <https://w3id.org/ksm/id/source/mechanisms-table-fr> } }"""
    )
    assert missing.rows == []


def test_the_recorded_checksums_are_those_of_the_table_texts(graph) -> None:  # type: ignore[no-untyped-def]
    """data/source.ttl records, for each name, description and statement taken from the table, the SHA-256 of its
    French text; `kg validate` compares them with the graph (ksmsh:Verbatim-*), so they must come from the table."""
    recorded: dict[str, set[str]] = {}
    for row in graph.select("""PREFIX ksm: <https://w3id.org/ksm/ontology#>
            SELECT ?r ?sum WHERE { GRAPH <https://w3id.org/ksm/graph/source> { ?r ksm:verbatimSha256 ?sum } }""").rows:
        recorded.setdefault(row["r"].value, set()).add(row["sum"].value)  # type: ignore[union-attr]
    expected: dict[str, set[str]] = {}
    for row in _rows():
        mechanism = _mechanism(graph, row.mechanism)
        expected[mechanism] = {verbatim_checksum(row.mechanism), verbatim_checksum(row.description)}
        statements = graph.select(
            """PREFIX ksm: <https://w3id.org/ksm/ontology#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?s ?text WHERE { ?m ksm:hasStatement ?s . ?s rdfs:label ?text FILTER (LANG(?text) = "fr") }""",
            {"m": __import__("pyoxigraph").NamedNode(mechanism)}).rows
        for statement in statements:
            text = statement["text"].value  # type: ignore[union-attr]
            cells = (row.objectives, row.benefits, row.limitations, row.description)
            assert any(text in cell for cell in cells), f"{text!r} is not in the table's row {row.mechanism!r}"
            expected[statement["s"].value] = {verbatim_checksum(text)}  # type: ignore[union-attr]
    assert recorded == expected


def test_the_tables_title_and_context_are_marked_as_the_editors(graph) -> None:  # type: ignore[no-untyped-def]
    """The table has no title and does not say where the mechanisms are used: what source.ttl says of it is editorial."""
    rows = graph.select("""PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX src: <https://w3id.org/ksm/id/source/>
        SELECT ?property ?text ?creator WHERE {
          VALUES ?property { dcterms:title dcterms:description }
          src:mechanisms-table-fr ?property ?text .
          OPTIONAL { ?axiom owl:annotatedSource src:mechanisms-table-fr ; owl:annotatedProperty ?property ;
                            owl:annotatedTarget ?text ; dcterms:creator ?creator }
        }""").rows
    assert len(rows) == 4  # a title and a description, each in French and English
    for row in rows:
        assert row.get("creator") is not None and row["creator"].value == "https://w3id.org/ksm/id/source/ksm-kg-editors", row  # type: ignore[union-attr]
    text = " ".join(r.mechanism + r.description for r in _rows())
    assert "utilisés dans le développement" not in text  # the context is the editors' reading, not the table's words
