"""The extension catalogue (examples/extensions/): data we did not write the code for, imported into a fresh store.

examples/extensions/ holds fifteen mechanisms written up from public
knowledge-management toolkits (peer assist, world café, webinar, wiki...),
new categories, tools and requirements in a concepts sheet, and
expected.yaml: what a practitioner would answer about each mechanism
(internet, people in one place, budget, shared language).  The catalogue is
imported once for this module into a store of its own, with the command its
README gives; each test then checks the resulting graph against the rows of
the CSV files or against expected.yaml, never against numbers written here.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kg.cli import main
from kg.core.namespaces import PREFIXES, expand_curie
from kg.graph import diskstore
from kg.graph.dataset import open_graph
from kg.graph.store import KnowledgeGraph
from kg.queries.catalogue import Catalogue
from kg.queries.run import run_saved
from kg.tables.template import slug, split
from tests.paths import ROOT

FOLDER = ROOT / "examples" / "extensions"
MECHANISMS = FOLDER / "mechanisms.csv"
CONCEPTS = FOLDER / "concepts.csv"
EXPECTED = FOLDER / "expected.yaml"
README = FOLDER / "README.md"

MECH = PREFIXES["mech"]
STMT = PREFIXES["stmt"]
CONCEPT = "https://w3id.org/ksm/id/concept/"
FIELDS = {
    "needs_internet": {"yes", "no", "depends on mode"},
    "needs_one_place": {"yes", "no", "depends on mode"},
    "participants": {"one-to-one", "group"},
    "low_budget": {"yes", "no", "depends"},
    "without_shared_language": {"yes", "no", "partly"},
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _mechanism_ids() -> list[str]:
    return list(dict.fromkeys(row["mechanism_id"] or slug(row["mechanism_fr"]) for row in _rows(MECHANISMS)))


def _expected() -> dict[str, dict[str, Any]]:
    loaded = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@contextmanager
def _store(folder: Path) -> Iterator[None]:
    saved = os.environ.get("KG_STORE")
    os.environ["KG_STORE"] = str(folder)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("KG_STORE", None)
        else:
            os.environ["KG_STORE"] = saved


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A fresh store with the catalogue imported as the README says, and what `kg import` printed."""
    folder = tmp_path_factory.mktemp("extension-catalogue") / "store"
    result = CliRunner().invoke(main, ["import", str(MECHANISMS), "--concepts", str(CONCEPTS)], env={"KG_STORE": str(folder)})
    assert result.exit_code == 0, result.output
    return folder, result.output


@pytest.fixture(scope="module")
def extended(imported: tuple[Path, str]) -> KnowledgeGraph:
    """The reasoned graph of that store: the bundled six and the catalogue."""
    with _store(imported[0]):
        return open_graph()


def _select(graph: KnowledgeGraph, query: str) -> list[dict[str, str]]:
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    return [{k: v.value for k, v in row.items()} for row in graph.select(prefixes + query).rows]  # type: ignore[union-attr]


def _dependencies(graph: KnowledgeGraph) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in _select(graph, "SELECT ?m ?r WHERE { ?m a ksm:Mechanism ; ksm:dependsOn ?r }"):
        found.setdefault(row["m"].removeprefix(MECH), set()).add(row["r"].removeprefix(CONCEPT))
    return found


def test_expected_yaml_answers_every_question_for_every_mechanism_of_the_catalogue() -> None:
    expected = _expected()
    assert list(expected) == _mechanism_ids()
    for mechanism, answers in expected.items():
        for field, allowed in FIELDS.items():
            assert answers[field] in allowed, (mechanism, field, answers[field])
            assert answers["reasons"][field].strip(), (mechanism, field)


def test_the_readme_table_is_the_twin_of_expected_yaml() -> None:
    table: dict[str, list[str]] = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        found = re.match(r"^\| [^|]* \(`([a-z0-9-]+)`\) \|(.*)\|$", line)
        if found:
            table[found.group(1)] = re.findall(r"\*\*([^*]+)\*\*", found.group(2))
    expected = _expected()
    assert table == {m: [answers[f] for f in FIELDS] for m, answers in expected.items()}


def test_the_catalogue_imports_into_a_fresh_store_and_the_whole_graph_conforms(imported: tuple[Path, str], runner: CliRunner) -> None:
    folder, output = imported
    rows = _rows(MECHANISMS)
    statements = sum(1 for row in rows if row["kind"])
    assert f"{len(_mechanism_ids())} mechanism(s), {statements} statement(s), {len(_rows(CONCEPTS))} concept(s)" in output
    with _store(folder):
        graphs = {g.name: g.kind for g in diskstore.graphs()}
        validated = runner.invoke(main, ["validate", "--lang", "en"])
    assert graphs["https://w3id.org/ksm/graph/import/mechanisms"] == "imported"
    assert validated.exit_code == 0, validated.output
    assert validated.output.startswith("Conforms"), validated.output


def test_every_statement_derives_from_the_sources_of_its_row(extended: KnowledgeGraph) -> None:
    found: dict[str, set[str]] = {}
    for row in _select(extended, """
        SELECT ?s ?source ?citation WHERE {
          ?m a ksm:Mechanism ; ksm:hasObjective|ksm:hasBenefit|ksm:hasLimitation ?s .
          OPTIONAL { ?s prov:wasDerivedFrom ?source OPTIONAL { ?source dcterms:bibliographicCitation ?citation } }
        }"""):
        if "source" in row:
            found.setdefault(row["s"], set()).add(row.get("citation", row["source"]))
        else:
            found.setdefault(row["s"], set())
    rows = [row for row in _rows(MECHANISMS) if row["kind"]]
    assert rows
    for row in rows:
        statement = f"{STMT}{row['mechanism_id']}-{row['kind']}-{row['position']}"
        cited = {expand_curie(s) or s for s in split(row["source"])}
        assert cited, f"{statement}: its row has no source"
        assert found.get(statement) == cited, statement


def test_every_statement_is_in_both_languages_with_the_categories_of_its_row(extended: KnowledgeGraph) -> None:
    labels: dict[tuple[str, str], set[str]] = {}
    for row in _select(extended, "SELECT ?s ?label WHERE { ?s a ksm:Statement ; rdfs:label ?label }"):
        labels.setdefault((row["s"], "any"), set()).add(row["label"])
    categories: dict[str, set[str]] = {}
    for row in _select(extended, "SELECT ?s ?c WHERE { ?s a ksm:Statement ; ksm:hasCategory ?c }"):
        categories.setdefault(row["s"], set()).add(row["c"])
    for row in (r for r in _rows(MECHANISMS) if r["kind"]):
        statement = f"{STMT}{row['mechanism_id']}-{row['kind']}-{row['position']}"
        assert labels.get((statement, "any")) == {row["text_fr"], row["text_en"]}, statement
        assert categories.get(statement) == {expand_curie(c) for c in split(row["categories"])}, statement


def test_each_mechanism_has_one_french_and_one_english_name_and_description(extended: KnowledgeGraph) -> None:
    texts: dict[tuple[str, str, str], list[str]] = {}
    for row in _select(extended, """
        SELECT ?m ?what ?text (LANG(?text) AS ?lang) WHERE {
          ?m a ksm:Mechanism .
          { ?m skos:prefLabel ?text BIND("name" AS ?what) } UNION { ?m dcterms:description ?text BIND("description" AS ?what) }
        }"""):
        texts.setdefault((row["m"].removeprefix(MECH), row["what"], row["lang"]), []).append(row["text"])
    described = [row for row in _rows(MECHANISMS) if not row["kind"]]
    assert [row["mechanism_id"] for row in described] == _mechanism_ids()
    for row in described:
        ident = row["mechanism_id"]
        assert texts.get((ident, "name", "fr")) == [row["mechanism_fr"]], ident
        assert texts.get((ident, "name", "en")) == [row["mechanism_en"]], ident
        assert texts.get((ident, "description", "fr")) == [row["description_fr"]], ident
        assert texts.get((ident, "description", "en")) == [row["description_en"]], ident


def test_mechanisms_without_internet_leaves_out_those_that_need_it(extended: KnowledgeGraph, catalogue: Catalogue) -> None:
    listed = {row["mechanism"].value.removeprefix(MECH)  # type: ignore[union-attr]
              for row in run_saved(extended, catalogue.get("mechanisms-without-internet"), lang="en").rows}
    expected = _expected()
    online = {m for m, a in expected.items() if a["needs_internet"] == "yes"}
    offline = {m for m, a in expected.items() if a["needs_internet"] == "no"}
    assert online and offline
    assert not online & listed, sorted(online & listed)
    assert offline <= listed, sorted(offline - listed)


def test_dependencies_follow_the_expected_answers(extended: KnowledgeGraph) -> None:
    depends = _dependencies(extended)
    for mechanism, answers in _expected().items():
        needs = depends.get(mechanism, set())
        assert ("internet-access" in needs) == (answers["needs_internet"] == "yes"), mechanism
        assert ("co-presence" in needs) == (answers["needs_one_place"] == "yes"), mechanism
        assert ("shared-working-language" in needs) == (answers["without_shared_language"] == "no"), mechanism


def test_recommend_with_a_low_budget_collides_exactly_with_those_a_low_budget_cannot_pay_for(imported: tuple[Path, str], runner: CliRunner) -> None:
    with _store(imported[0]):
        result = runner.invoke(main, ["recommend", "--budget", "low", "--lang", "en", "-f", "json"])
    assert result.exit_code == 0, result.output
    collisions = {entry["mechanism"].removeprefix(MECH): len(entry["collisions"]) for entry in json.loads(result.output)["ranking"]}
    expected = _expected()
    assert {m for m, a in expected.items() if a["low_budget"] == "no"}, "the catalogue should hold a mechanism a low budget rules out"
    for mechanism, answers in expected.items():
        if answers["low_budget"] == "no":
            assert collisions[mechanism] > 0, mechanism
        elif answers["low_budget"] == "yes":
            assert collisions[mechanism] == 0, mechanism


def _ranking(folder: Path, runner: CliRunner, *options: str) -> dict[str, list[str]]:
    with _store(folder):
        result = runner.invoke(main, ["recommend", *options, "--lang", "en", "-f", "json"])
    assert result.exit_code == 0, result.output
    return {entry["mechanism"].removeprefix(MECH): [c["text"] for c in entry["collisions"]] for entry in json.loads(result.output)["ranking"]}


def test_without_internet_says_on_what_basis(extended: KnowledgeGraph, catalogue: Catalogue) -> None:
    """A method run in person (or in person and online) is listed because of its mode, not for want of records."""
    basis = {row["mechanism"].value.removeprefix(MECH): row["basis"].value.removeprefix(CONCEPT)  # type: ignore[union-attr]
             for row in run_saved(extended, catalogue.get("mechanisms-without-internet"), lang="en").rows}
    for mechanism, answers in _expected().items():
        if answers["needs_internet"] in ("no", "depends on mode"):
            assert basis.get(mechanism) == "basis-mode-without-requirement", mechanism


def test_without_internet_the_mode_that_fits_is_taken(imported: tuple[Path, str], runner: CliRunner) -> None:
    collisions = _ranking(imported[0], runner, "--no-internet")
    for mechanism, answers in _expected().items():
        if answers["needs_internet"] == "yes":
            assert collisions[mechanism], mechanism
        else:  # in person, or in person as well as online: a mode fits
            assert collisions[mechanism] == [], (mechanism, collisions[mechanism])


def test_dispersed_actors_without_travel_cannot_meet_in_one_place(imported: tuple[Path, str], runner: CliRunner) -> None:
    collisions = _ranking(imported[0], runner, "--dispersed", "--lacks", "travel")
    for mechanism, answers in _expected().items():
        one_place = any("Co-presence" in text or "in person needs" in text for text in collisions[mechanism])
        assert one_place == (answers["needs_one_place"] == "yes"), (mechanism, collisions[mechanism])
    # the bundled study tour runs in person only: no mode of it fits
    assert any("none of its modes fits" in text and "in person needs" in text for text in collisions["study-tour"]), collisions["study-tour"]


def test_a_one_to_one_situation_rules_out_the_group_methods(imported: tuple[Path, str], runner: CliRunner) -> None:
    collisions = _ranking(imported[0], runner, "--group-size", "2")
    for mechanism, answers in _expected().items():
        too_few = any("at least" in text for text in collisions[mechanism])
        if answers["participants"] == "one-to-one":
            assert not too_few, mechanism
    assert any(any("at least" in t for t in texts) for texts in collisions.values())
