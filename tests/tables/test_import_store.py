"""`kg import` joins the living graph: checked against it, reasoned with it, answered like the bundled six.

Each test has a store of its own ($KG_STORE, set by the root conftest).
The mechanisms are written the way a practitioner fills the template from
a public toolkit: in French and English, with a source on every row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kg.cli import main
from kg.graph import diskstore
from kg.graph.dataset import open_graph
from kg.queries.catalogue import Catalogue
from kg.queries.run import run_saved
from tests.samples import HEADER, KIT, WEBINAR

CITE = "\"Liberating Structures, 2014\""
FISHBOWL = HEADER + (
    "bocal,Bocal à poissons,Fishbowl,Un petit cercle discute au centre sous le regard d'un cercle plus large.,"
    f"A small circle talks in the middle while a larger circle listens.,,,,,{CITE},in-person,,\n"
    f"bocal,Bocal à poissons,Fishbowl,,,objectif,Débattre devant un large public,Debate before a large audience,objcat:debate,{CITE},,,\n"
    f"bocal,Bocal à poissons,Fishbowl,,,avantage,Tout le monde entend le débat,Everyone hears the debate,bencat:better-understanding,{CITE},,,\n"
    f"bocal,Bocal à poissons,Fishbowl,,,limite,Demande une grande salle,Needs a large room,limcat:logistics,{CITE},,,\n"
)


def _csv(folder: Path, text: str, name: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _names(result_rows: list[dict[str, object]], column: str) -> list[str]:
    return [row[column].value for row in result_rows]  # type: ignore[attr-defined]


def _requirements(graph, mechanism: str) -> list[str]:  # type: ignore[no-untyped-def]
    rows = run_saved(graph, Catalogue.bundled().get("mechanism-dependencies"), lang="en").rows
    return sorted({row["requirementLabel"].value for row in rows if row["mechanismLabel"].value == mechanism})  # type: ignore[union-attr]


def test_an_import_joins_the_store_and_every_command_sees_it(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["import", str(_csv(tmp_path, WEBINAR, "webinaires.csv"))])
    assert result.exit_code == 0, result.output
    assert "3 statement(s)" in result.output and "added to <https://w3id.org/ksm/graph/import/webinaires>" in result.output
    graphs = {g.name: g for g in diskstore.graphs()}
    assert graphs["https://w3id.org/ksm/graph/import/webinaires"].kind == "imported"
    assert graphs["https://w3id.org/ksm/graph/inferred"].triples > 0
    # reasoned with the rest: its limitation's category signals internet access
    graph = open_graph()
    without = run_saved(graph, Catalogue.bundled().get("mechanisms-without-internet"), lang="en")
    assert "Webinar" not in _names(without.rows, "mechanismLabel") and "Study tour" in _names(without.rows, "mechanismLabel")
    assert "Internet access" in _requirements(graph, "Webinar")
    validated = runner.invoke(main, ["validate", "--lang", "en"])
    assert validated.exit_code == 0 and validated.output.startswith("Conforms"), validated.output
    recommended = runner.invoke(main, ["recommend", "--no-internet", "--lang", "en", "-f", "json"])
    assert recommended.exit_code == 0, recommended.output
    assert recommended.output.index("Webinar") > recommended.output.index("Study tour")


def test_reimporting_the_same_file_changes_nothing(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = _csv(tmp_path, WEBINAR, "webinaires.csv")
    assert runner.invoke(main, ["import", str(source)]).exit_code == 0
    before = open_graph().count()
    again = runner.invoke(main, ["import", str(source)])
    assert again.exit_code == 0, again.output
    assert "nothing new" in again.output
    assert open_graph().count() == before


def test_a_reused_bundled_id_is_refused_and_the_store_is_unchanged(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(main, ["import", str(_csv(tmp_path, WEBINAR, "webinaires.csv"))]).exit_code == 0
    live = diskstore.live_database()
    hijack = WEBINAR.replace("webinaire,Webinaire,Webinar", "community-of-practice,Communauté de pratique,Community of practice")
    result = runner.invoke(main, ["import", str(_csv(tmp_path, hijack, "cop.csv")), "--replace"])
    assert result.exit_code == 1
    assert "cop.csv: row 2: mech:community-of-practice is already described by the bundled graph" in result.output
    assert diskstore.live_database() == live
    card = run_saved(open_graph(), Catalogue.bundled().get("mechanism-profile"), {"mechanism": "mech:community-of-practice"}, lang="en")
    assert not any("stable internet" in str(row) for row in card.rows)


def test_an_id_of_another_import_needs_replace(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(main, ["import", str(_csv(tmp_path, WEBINAR, "first.csv"))]).exit_code == 0
    second = _csv(tmp_path, WEBINAR.replace("Partager une expérience", "Partager une pratique"), "second.csv")
    refused = runner.invoke(main, ["import", str(second)])
    assert refused.exit_code == 1
    assert "mech:webinaire is already described by <https://w3id.org/ksm/graph/import/first>" in refused.output
    assert "--replace" in refused.output
    taken = runner.invoke(main, ["import", str(second), "--replace"])
    assert taken.exit_code == 0, taken.output
    answer = open_graph().select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { <https://w3id.org/ksm/id/mechanism/webinaire> ?p ?o } "
        "FILTER (?g != <https://w3id.org/ksm/graph/inferred>) }")
    assert answer.column("g") == ["https://w3id.org/ksm/graph/import/second"]


def test_a_label_that_names_another_mechanism_is_reported(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    twin = FISHBOWL.replace("bocal,Bocal à poissons,Fishbowl", "cop-2,Communauté de pratique,Community of practice 2")
    result = runner.invoke(main, ["import", str(_csv(tmp_path, twin, "cop2.csv"))])
    assert result.exit_code == 0, result.output
    assert "'Communauté de pratique' already names mech:community-of-practice" in result.output


def test_a_mapping_must_point_into_a_loaded_vocabulary(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    concept = "https://vocab.example.org/webinars"
    mapped = WEBINAR.replace(",online,,\n", f",online,,{concept}\n", 1)
    source = _csv(tmp_path, mapped, "webinaires.csv")
    refused = runner.invoke(main, ["import", str(source)])
    assert refused.exit_code == 1
    assert f"row 2, column exact_match: {concept} is not in the graph" in refused.output
    vocabulary = tmp_path / "vocab.ttl"
    vocabulary.write_text(f'<{concept}> a <http://www.w3.org/2004/02/skos/core#Concept> ; '
                          '<http://www.w3.org/2004/02/skos/core#prefLabel> "Webinars"@en .\n', encoding="utf-8")
    assert runner.invoke(main, ["load", str(vocabulary)]).exit_code == 0
    accepted = runner.invoke(main, ["import", str(source)])
    assert accepted.exit_code == 0, accepted.output
    answer = open_graph().select(f"ASK {{ <https://w3id.org/ksm/id/mechanism/webinaire> <http://www.w3.org/2004/02/skos/core#exactMatch> <{concept}> }}")
    assert answer.boolean is True


def test_a_citation_in_words_becomes_a_source_resource(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(main, ["import", str(_csv(tmp_path, FISHBOWL, "bocal.csv"))]).exit_code == 0
    answer = open_graph().select(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?text WHERE { <https://w3id.org/ksm/id/statement/bocal-objective-1> prov:wasDerivedFrom ?s . ?s dcterms:bibliographicCitation ?text }")
    assert answer.column("text") == ["Liberating Structures, 2014"]


def test_a_new_category_from_the_concepts_sheet_is_reasoned_over(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    concepts = _csv(tmp_path, (
        "concept_id,scheme,label_fr,label_en,definition_fr,definition_en,broader,signals_requirement,source\n"
        "animation-skill,requirements,Savoir-faire d'animateur,Animation skill,Savoir animer un groupe.,Knowing how to facilitate a group.,,,"
        f"{KIT}Facilitation\n"
        "stagecraft,limitation-categories,Mise en scène,Stagecraft,Le mécanisme demande une mise en scène soignée.,"
        f"The mechanism needs careful staging.,,Savoir-faire d'animateur,{KIT}Facilitation\n"
    ), "concepts.csv")
    fishbowl = FISHBOWL + f"bocal,Bocal à poissons,Fishbowl,,,limite,Difficile à mettre en scène,Hard to stage,Mise en scène,{CITE},,,\n"
    result = runner.invoke(main, ["import", str(_csv(tmp_path, fishbowl, "bocal.csv")), "--concepts", str(concepts)])
    assert result.exit_code == 0, result.output
    assert "2 concept(s)" in result.output
    assert _requirements(open_graph(), "Fishbowl") == ["Animation skill", "Material and logistical means"]


def test_an_unknown_category_points_to_the_concepts_sheet(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = FISHBOWL.replace("objcat:debate", "Notoriété")
    result = runner.invoke(main, ["import", str(_csv(tmp_path, bad, "bocal.csv"))])
    assert result.exit_code == 3
    assert "row 3, column categories (I): unknown objective category 'Notoriété'" in result.output
    assert "concepts sheet" in result.output


def test_a_workbook_carries_its_concepts_sheet(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "mecanismes"
    text = FISHBOWL + f"bocal,Bocal à poissons,Fishbowl,,,limite,Exige un lieu,Needs a venue,Lieu,{CITE},,,\n"
    for row in csv.reader(io.StringIO(text)):
        sheet.append(row)
    concepts = book.create_sheet("concepts")
    concepts.append(["concept_id", "scheme", "label_fr", "label_en", "signals_obstacle"])
    concepts.append(["venue", "limitation-categories", "Lieu", "Venue", "ksmc:logistical-means"])
    path = tmp_path / "bocal.xlsx"
    book.save(path)
    result = runner.invoke(main, ["import", str(path)])
    assert result.exit_code == 0, result.output
    answer = open_graph().select("ASK { <https://w3id.org/ksm/id/limitation-category/venue> "
                                 "<http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/ksm/id/scheme/limitation-categories> }")
    assert answer.boolean is True


def test_dry_run_and_output_check_against_the_store_but_change_nothing(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(main, ["import", str(_csv(tmp_path, WEBINAR, "first.csv"))]).exit_code == 0
    live = diskstore.live_database()
    clash = _csv(tmp_path, WEBINAR, "clash.csv")
    dry = runner.invoke(main, ["import", str(clash), "--dry-run"])
    assert dry.exit_code == 1 and "already described by <https://w3id.org/ksm/graph/import/first>" in dry.output
    out = tmp_path / "fishbowl.ttl"
    written = runner.invoke(main, ["import", str(_csv(tmp_path, FISHBOWL, "bocal.csv")), "-o", str(out)])
    assert written.exit_code == 0, written.output
    assert out.is_file() and "bocal-objective-1" in out.read_text(encoding="utf-8")
    assert diskstore.live_database() == live
    assert open_graph().select("ASK { <https://w3id.org/ksm/id/mechanism/bocal> ?p ?o }").boolean is False


@pytest.mark.parametrize("column,value,message", [
    ("group_size", "beaucoup", "is not a group size"),
    ("mode", "par pigeon", "is not in-person, online or hybrid"),
    ("source", "http://ex.org/a>b", "is not a valid IRI"),
])
def test_bad_feature_cells_name_row_and_column(runner, tmp_path: Path, column: str, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    text = f"mechanism_fr,kind,text_fr,categories,source,{column}\nBocal,objectif,Débattre,objcat:debate,{KIT}x,{value}\n"
    if column == "source":
        text = f"mechanism_fr,kind,text_fr,categories,source\nBocal,objectif,Débattre,objcat:debate,{value}\n"
    result = runner.invoke(main, ["import", str(_csv(tmp_path, text, "bocal.csv"))])
    assert result.exit_code == 3, result.output
    assert "row 2, column" in result.output and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_an_import_from_stdin_lands_in_the_stdin_graph(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["import", "-", "--format", "csv"], input=WEBINAR)
    assert result.exit_code == 0, result.output
    graphs = {g.name: g for g in diskstore.graphs()}
    assert graphs["https://w3id.org/ksm/graph/import/stdin"].source == "stdin"
    folder = runner.invoke(main, ["import", str(tmp_path)])
    assert folder.exit_code == 3 and "is a folder" in folder.output


def test_taking_resources_over_takes_their_entailments_away(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The first import's webinar needs internet access (its limitation's category); the one that takes it over does not."""
    import pyoxigraph as ox

    from kg.core.namespaces import INFERRED_GRAPH
    from kg.reasoning import rules

    assert runner.invoke(main, ["import", str(_csv(tmp_path, WEBINAR, "first.csv"))]).exit_code == 0
    assert "Internet access" in _requirements(open_graph(), "Webinar")
    costly = WEBINAR.replace("Exige une connexion internet stable,Needs a stable internet connection,Accès à internet",
                             "Coûte un abonnement,Costs a subscription,limcat:cost")
    taken = runner.invoke(main, ["import", str(_csv(tmp_path, costly, "second.csv")), "--replace"])
    assert taken.exit_code == 0, taken.output
    store = open_graph().store
    assert "Internet access" not in _requirements(open_graph(), "Webinar")
    node = ox.NamedNode(INFERRED_GRAPH)
    asserted = [q for q in store if q.graph_name != node]
    assert {q.triple for q in store.quads_for_pattern(None, None, None, node)} == set(rules.infer(asserted))
