"""Golden answers of the saved queries, derived from the seed table.

The expected mechanisms and texts below are read off the table
(``../shared/seed/mechanisms-table.fr.txt``) and off the editors' categories
and features; where a test checks French text it also checks that the text
is in the table word for word.  Each query runs through the library
(``graph.run``) and through the CLI in several formats, and every saved
query gives the same answer, in the same order, on rdflib's SPARQL engine.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pyoxigraph as ox
import pytest
import rdflib

from kg.cli import main
from kg.graph.binding import with_values
from kg.graph.results import QueryResult
from kg.queries.catalogue import Catalogue
from kg.queries.params import bind
from kg.queries.run import run_saved
from kg.tables.seed import normalise_space, read_table
from tests.paths import ROOT, SEED, require_shared

MECH = "https://w3id.org/ksm/id/mechanism/"
KSMC = "https://w3id.org/ksm/id/concept/"
LIMCAT = "https://w3id.org/ksm/id/limitation-category/"

NAMES_FR = {
    "fora-in-situ": "Fora in situ",
    "discussion-group": "Groupe de discussion",
    "community-of-practice": "Communauté de pratique",
    "network": "Réseau",
    "learning-group": "Groupe d'apprentissage",
    "study-tour": "Voyage d'études",
}
ALL = set(NAMES_FR)

# The queries this file gives golden answers for (every required one, and the follow-ups).
GOLDEN = {
    "mechanisms-without-internet", "mechanisms-with-language-barrier", "mechanisms-requiring-travel",
    "mechanisms-for-policy-influence", "mechanism-profile", "shared-limitations", "mechanisms-by-objective",
    "compare-mechanisms", "mechanisms-by-scale", "informal-mechanisms", "mechanisms-by-limitation-category",
    "mechanism-dependencies", "limitation-categories", "mechanisms-overview", "mechanisms-by-tool", "mechanism-card",
}


@pytest.fixture(scope="module")
def seed() -> dict[str, dict[str, str]]:
    """Mechanism local name -> column -> cell text of the seed table."""
    require_shared(SEED, "the seed table")
    by_label = {label: local for local, label in NAMES_FR.items()}
    return {by_label[row.mechanism]: {"description": row.description, "objectives": row.objectives,
                                      "benefits": row.benefits, "limitations": row.limitations}
            for row in read_table(SEED)}


def verbatim(seed: dict[str, dict[str, str]], mechanism: str, column: str, text: str) -> None:
    """The French text is in the table's cell word for word (spaces aside)."""
    assert normalise_space(text) in seed[mechanism][column], (mechanism, column, text)


def run(graph, catalogue, name: str, lang: str = "fr", **params: str) -> QueryResult:  # type: ignore[no-untyped-def]
    return run_saved(graph, catalogue.get(name), params, lang=lang)


def local(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def mechanisms(result: QueryResult, column: str = "mechanism") -> set[str]:
    return {local(v) for v in result.column(column)}


def cli(runner, *args: str) -> str:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["query", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def cli_json(runner, *args: str) -> list[dict[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    payload = json.loads(cli(runner, *args, "--format", "json"))
    return payload["results"]["bindings"]  # type: ignore[no-any-return]


def cli_csv(runner, *args: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(cli(runner, *args, "--format", "csv"))))


# ------------------------------------------------------------------ required questions


def test_mechanisms_without_internet(graph, catalogue, runner) -> None:  # type: ignore[no-untyped-def]
    # The discussion group uses e-mail and says "Certains acteurs n'ont pas accès à internet";
    # the CoP says "Problème d'accès à l'Internet": the other four work offline.
    expected = {"fora-in-situ", "network", "learning-group", "study-tour"}
    assert mechanisms(run(graph, catalogue, "mechanisms-without-internet")) == expected
    table = cli(runner, "mechanisms-without-internet")
    assert all(NAMES_FR[m] in table for m in expected)
    assert "Groupe de discussion" not in table and "Communauté de pratique" not in table
    assert "(4 rows)" in table


def test_language_barrier(graph, catalogue, runner, seed) -> None:  # type: ignore[no-untyped-def]
    result = run(graph, catalogue, "mechanisms-with-language-barrier")
    assert mechanisms(result) == {"discussion-group", "community-of-practice", "network"}
    texts = dict(zip(mechanisms_list(result), result.column("limitationText"), strict=True))
    assert texts == {
        "discussion-group": "la langue de travail qui peut constituer une barrière",
        "community-of-practice": "Problème de maîtrise de la langue de travail",
        "network": "Biais de langage et de langues",
    }
    for mechanism, text in texts.items():
        verbatim(seed, mechanism, "limitations", text)
    # The working language is a barrier for two (a requirement); for the network it is a bias (an obstacle).
    categories = dict(zip(mechanisms_list(result), [local(c) for c in result.column("category")], strict=True))
    assert categories == {"discussion-group": "language", "community-of-practice": "language", "network": "language-bias"}
    rows = cli_csv(runner, "mechanisms-with-language-barrier", "--lang", "en")
    assert {r["limitationText"] for r in rows} == {
        "the working language, which can be a barrier",
        "Command of the working language is a problem",
        "Bias from jargon and from languages",
    }
    assert {r["mechanismLabel"] for r in rows} == {"Discussion group", "Community of practice", "Network"}
    assert {r["categoryLabel"] for r in rows} == {"Working language", "Language bias"}


def mechanisms_list(result: QueryResult, column: str = "mechanism") -> list[str]:
    return [local(v) for v in result.column(column)]


def test_requiring_travel_comes_from_inference(graph, catalogue, runner) -> None:  # type: ignore[no-untyped-def]
    result = run(graph, catalogue, "mechanisms-requiring-travel")
    assert mechanisms_list(result) == ["fora-in-situ", "study-tour"]  # ordered by French name
    assert set(result.column("requirementLabel")) == {"Déplacement"}
    # No mechanism is asserted to be a TravelDependentMechanism: the reasoner made them so.
    asserted = graph.select("ASK { GRAPH ?g { ?m a <https://w3id.org/ksm/ontology#TravelDependentMechanism> } "
                            "FILTER (?g != <https://w3id.org/ksm/graph/inferred>) }")
    assert asserted.boolean is False
    bindings = cli_json(runner, "mechanisms-requiring-travel", "--lang", "en")
    assert [b["mechanismLabel"]["value"] for b in bindings] == ["In-person forums", "Study tour"]
    assert {b["requirementLabel"]["value"] for b in bindings} == {"Travel"}


def test_policy_influence(graph, catalogue, runner, seed) -> None:  # type: ignore[no-untyped-def]
    """Titled "practice and policy", it answers both: the network on both, the learning group on practice."""
    result = run(graph, catalogue, "mechanisms-for-policy-influence")
    found = [(local(r["mechanism"].value), local(r["benefit"].value), local(r["influence"].value)) for r in result.rows]  # type: ignore[union-attr]
    assert found == [  # by French name (Groupe < Réseau), position, category
        ("learning-group", "learning-group-benefit-1", "change"),
        ("learning-group", "learning-group-benefit-3", "change"),
        ("network", "network-benefit-3", "change"),
        ("network", "network-benefit-3", "policy-influence"),
    ]
    for row in result.rows:
        verbatim(seed, local(row["mechanism"].value), "benefits", row["benefitText"].value)  # type: ignore[union-attr]
    assert result.column("benefitText")[-1] == "Mise en œuvre conjointe d'actions d'influence sur les pratiques et les politiques publiques."
    assert result.column("influenceLabel") == ["Changement des pratiques"] * 3 + ["Influence sur les politiques"]
    saved = catalogue.get("mechanisms-for-policy-influence")
    assert "practice and policy" in saved.summary and "pratiques et les politiques" in saved.summary_fr
    assert "legitimacy" in saved.description and "learning group" in saved.description
    assert "légitimité" in saved.description_fr
    rows = cli_csv(runner, "mechanisms-for-policy-influence", "--lang", "en")
    assert [(r["mechanismLabel"], r["influenceLabel"]) for r in rows] == [
        ("Learning group", "Change in practice"), ("Learning group", "Change in practice"),
        ("Network", "Change in practice"), ("Network", "Influence on policy")]
    assert rows[-1]["benefitText"] == "Joint implementation of actions to influence practice and public policy."


def test_mechanism_profile_of_the_network(graph, catalogue, runner, seed) -> None:  # type: ignore[no-untyped-def]
    result = run(graph, catalogue, "mechanism-profile", mechanism="Réseau")
    assert result.variables == ["kind", "position", "text", "category", "item", "categoryIri"]
    # One row per statement and category: a statement in two categories gives two rows.
    rows = [(r["kind"].value, int(r["position"].value) if "position" in r else None,  # type: ignore[union-attr]
             r["category"].value if "category" in r else None, local(r["item"].value),  # type: ignore[union-attr]
             local(r["categoryIri"].value) if "categoryIri" in r else None) for r in result.rows]  # type: ignore[union-attr]
    assert rows == [
        ("description", None, None, "network", None),
        ("objectif", 1, "Apprentissage", "network-objective-1", "mutual-learning"),
        ("objectif", 1, "Dissémination des bonnes pratiques", "network-objective-1", "good-practice-dissemination"),
        ("objectif", 1, "Partage d'informations, de connaissances et d'expériences", "network-objective-1", "knowledge-sharing"),
        ("avantage", 1, "Action conjointe", "network-benefit-1", "joint-action"),
        ("avantage", 2, "Mobilisation des ressources", "network-benefit-2", "resource-mobilisation"),
        ("avantage", 3, "Action conjointe", "network-benefit-3", "joint-action"),
        ("avantage", 3, "Changement des pratiques", "network-benefit-3", "change"),
        ("avantage", 3, "Influence sur les politiques", "network-benefit-3", "policy-influence"),
        ("avantage", 4, "Mutualisation", "network-benefit-4", "pooling"),
        ("limite", 1, "Hétérogénéité des contextes", "network-limitation-1", "heterogeneity"),
        ("limite", 2, "Contribution inégale", "network-limitation-2", "unequal-contribution"),
        ("limite", 3, "Biais linguistique", "network-limitation-3", "language-bias"),
        ("facteur de succès", 1, None, "network-success-factor-1", None),
        ("facteur de succès", 2, None, "network-success-factor-2", None),
        ("facteur de succès", 3, None, "network-success-factor-3", None),
        # a bias is an obstacle, not a requirement: the network is hindered without a shared language, not dependent on one
        ("obstacle révélé par une limite", None, "Biais linguistique", "shared-working-language", "language-bias"),
    ]
    assert result.rows[0]["text"].value == seed["network"]["description"]  # type: ignore[union-attr]
    columns = {"objectif": "objectives", "avantage": "benefits", "limite": "limitations", "facteur de succès": "description"}
    texts: dict[str, str] = {}
    for row in result.rows[1:-1]:
        verbatim(seed, "network", columns[row["kind"].value], row["text"].value)  # type: ignore[union-attr]
        texts.setdefault(row["item"].value, row["text"].value)  # type: ignore[union-attr]
        assert row["text"].value == texts[row["item"].value]  # type: ignore[union-attr]  # the same text on each row of a statement
    assert texts[result.rows[6]["item"].value] == (  # type: ignore[union-attr]
        "Mise en œuvre conjointe d'actions d'influence sur les pratiques et les politiques publiques.")
    assert texts[result.rows[12]["item"].value] == "Biais de langage et de langues"  # type: ignore[union-attr]
    hindrance = result.rows[-1]
    assert hindrance["text"].value == "Langue de travail commune"  # type: ignore[union-attr]
    assert hindrance["item"].value == KSMC + "shared-working-language"  # type: ignore[union-attr]
    assert hindrance["categoryIri"].value == LIMCAT + "language-bias"  # type: ignore[union-attr]
    assert not [r for r in result.rows if "dépend" in r["kind"].value]  # type: ignore[union-attr]
    assert " | " not in "".join(result.column("category"))  # nothing is joined any more


def test_mechanism_profile_explains_inferred_dependencies(graph, catalogue, runner) -> None:  # type: ignore[no-untyped-def]
    bindings = cli_json(runner, "mechanism-profile", "-p", "mechanism=mech:discussion-group", "--lang", "en")
    kinds = [b["kind"]["value"] for b in bindings]
    assert kinds[:7] == ["description", "objective", "objective", "benefit", "benefit", "limitation", "limitation"]
    assert [b["category"]["value"] for b in bindings[1:3]] == ["Alignment and coordination", "Sharing information, knowledge and experience"]
    assert {b["item"]["value"] for b in bindings[1:3]} == {"https://w3id.org/ksm/id/statement/discussion-group-objective-1"}
    dependencies = [(b["kind"]["value"], b["text"]["value"], b["category"]["value"], local(b["categoryIri"]["value"]))
                    for b in bindings[7:]]
    assert dependencies == [  # by reason, then by requirement IRI
        ("dependency due to a tool", "Computer network", "Intranet", "intranet"),
        ("dependency due to a tool", "Internet access", "E-mail", "email"),
        ("dependency due to a tool", "Telecommunication link", "Teleconference", "teleconference"),
        ("dependency revealed by a limitation", "Internet access", "Internet access", "internet-access"),
        ("dependency revealed by a limitation", "Shared working language", "Working language", "language"),
    ]
    # A stated dependency (travel, from the features) has its own kind, and no category.
    study = run(graph, catalogue, "mechanism-profile", "en", mechanism="study tour")
    stated = [r for r in study.rows if r["kind"].value == "depends on"]  # type: ignore[union-attr]
    assert [(r["text"].value, "category" in r, "categoryIri" in r) for r in stated] == [("Travel", False, False)]  # type: ignore[union-attr]


SHARED = [  # (category, mechanism, number of mechanisms, limitation), in the order of the answer
    # The network's bias of jargon and languages is a category of its own (limcat:language-bias): not shared.
    ("internet-access", "community-of-practice", 2, "community-of-practice-limitation-1"),
    ("internet-access", "discussion-group", 2, "discussion-group-limitation-2"),
    ("language", "community-of-practice", 2, "community-of-practice-limitation-3"),
    ("language", "discussion-group", 2, "discussion-group-limitation-1"),
]


def test_shared_limitations(graph, catalogue, runner, seed) -> None:  # type: ignore[no-untyped-def]
    result = run(graph, catalogue, "shared-limitations")
    assert result.variables == ["category", "categoryLabel", "mechanismCount", "mechanism", "mechanismLabel", "limitation", "limitationText"]
    found = [(local(r["category"].value), local(r["mechanism"].value), int(r["mechanismCount"].value),  # type: ignore[union-attr]
              local(r["limitation"].value)) for r in result.rows]  # type: ignore[union-attr]
    assert found == SHARED  # most shared first, then by category and mechanism label (Communauté < Groupe < Réseau)
    texts = {local(r["limitation"].value): r["limitationText"].value for r in result.rows}  # type: ignore[union-attr]
    assert texts == {
        "community-of-practice-limitation-3": "Problème de maîtrise de la langue de travail",
        "discussion-group-limitation-1": "la langue de travail qui peut constituer une barrière",
        "community-of-practice-limitation-1": "Problème d'accès à l'Internet",
        "discussion-group-limitation-2": "Certains acteurs n'ont pas accès à internet",
    }
    for row in result.rows:
        verbatim(seed, local(row["mechanism"].value), "limitations", row["limitationText"].value)  # type: ignore[union-attr]
    assert result.column("categoryLabel") == ["Accès à internet"] * 2 + ["Langue de travail"] * 2
    rows = cli_csv(runner, "shared-limitations", "--lang", "en")
    assert [(local(r["category"]), local(r["mechanism"]), int(r["mechanismCount"]), local(r["limitation"])) for r in rows] == SHARED
    assert [r["categoryLabel"] for r in rows] == ["Internet access"] * 2 + ["Working language"] * 2
    assert [r["limitationText"] for r in rows][2:] == ["Command of the working language is a problem", "the working language, which can be a barrier"]


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        ("objcat:debate", {"fora-in-situ": "Débattre des propositions"}),
        ("Validation et évaluation", {"fora-in-situ": "Valider ou évaluer des initiatives"}),
        # the learning group learns by reflecting together on its members' questions (data/editorial-notes.ttl)
        ("Apprentissage", {"network": "promouvoir l'échange d'informations, d'expériences, l'apprentissage mutuel et la dissémination des bonnes pratiques",
                           "study-tour": "Apprendre sur place les façons de faire",
                           "learning-group": "Impulser la réflexion autour de problématiques d'intérêt pour ses membres "
                                             "dans le but de leur apporter des réponses."}),
        ("replication and innovation", {"study-tour": "Répliquer ou innover sur les expériences en tenant compte de son contexte"}),
        ("https://w3id.org/ksm/id/objective-category/coordination",
         {"discussion-group": "offrir à ses membres l'opportunité de partager des idées, harmoniser des points de vue et de coordonner des interventions"}),
    ],
)
def test_mechanisms_by_objective(graph, catalogue, seed, objective: str, expected: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    result = run(graph, catalogue, "mechanisms-by-objective", objective=objective)
    found = dict(zip(mechanisms_list(result), result.column("objectiveText"), strict=True))
    assert found == expected
    for mechanism, text in found.items():
        verbatim(seed, mechanism, "objectives", text)


def test_mechanisms_by_objective_sharing_and_cli(graph, catalogue, runner) -> None:  # type: ignore[no-untyped-def]
    result = run(graph, catalogue, "mechanisms-by-objective", objective="objcat:knowledge-sharing")
    assert mechanisms(result) == {"fora-in-situ", "discussion-group", "community-of-practice", "network"}
    table = cli(runner, "mechanisms-by-objective", "-p", "objective=Debate", "--lang", "en")
    assert "Debate proposals" in table and "(1 row)" in table


def _compare(result: QueryResult) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(aspect, topic, rank) -> (first, second); topic and rank are "" where the row has none."""
    out = {}
    for row in result.rows:
        key = (row["aspect"].value, row["topic"].value if "topic" in row else "", row["rank"].value if "rank" in row else "")  # type: ignore[union-attr]
        assert key not in out, key
        out[key] = (row["first"].value, row["second"].value)  # type: ignore[union-attr]
    return out


def test_compare_network_and_learning_group(graph, catalogue, seed) -> None:  # type: ignore[no-untyped-def]
    result = run(graph, catalogue, "compare-mechanisms", first="Réseau", second="groupe d'apprentissage")
    assert result.variables == ["aspect", "topic", "first", "second", "concept", "rank"]
    table = _compare(result)
    assert result.rows[0]["aspect"].value == "mécanisme de partage des connaissances"  # type: ignore[union-attr]
    assert result.rows[0]["first"].value == "Réseau"  # type: ignore[union-attr]
    assert result.rows[0]["second"].value == "Groupe d'apprentissage"  # type: ignore[union-attr]
    assert "concept" not in result.rows[0] and "rank" not in result.rows[0]
    # Every row, in order: statements by category label then rank, features by aspect then label.
    objective, benefit, limitation = "objectif", "avantage", "limite"
    assert list(table) == [
        ("mécanisme de partage des connaissances", "", ""),
        (objective, "Apprentissage", "1"), (objective, "Dissémination des bonnes pratiques", "1"),
        (objective, "Partage d'informations, de connaissances et d'expériences", "1"),
        (objective, "Réflexion et recherche de solutions", "1"),
        (benefit, "Action conjointe", "1"), (benefit, "Action conjointe", "2"),
        (benefit, "Changement des pratiques", "1"), (benefit, "Changement des pratiques", "2"),
        (benefit, "Influence sur les politiques", "1"), (benefit, "Mobilisation des ressources", "1"),
        (benefit, "Mutualisation", "1"), (benefit, "Souplesse", "1"), (benefit, "Valorisation des bonnes pratiques", "1"),
        (limitation, "Biais linguistique", "1"), (limitation, "Contribution inégale", "1"), (limitation, "Hétérogénéité des contextes", "1"),
        (limitation, "Instabilité des membres", "1"), (limitation, "Légitimité", "1"),
        (limitation, "Mise en œuvre", "1"),
        ("entravé faute de", "Langue de travail commune", ""),
        ("échelle", "Local", ""), ("échelle", "National", ""), ("échelle", "Régional", ""),
        ("formalité", "Formel", ""), ("formalité", "Informel", ""),
    ]
    legitimacy = table[(limitation, "Légitimité", "1")]
    assert legitimacy[0] == ""
    verbatim(seed, "learning-group", "limitations", legitimacy[1])
    assert table[(limitation, "Biais linguistique", "1")] == ("Biais de langage et de langues", "")
    assert table[("entravé faute de", "Langue de travail commune", "")] == ("✓", "")  # a hindrance, no longer a dependency
    assert table[("formalité", "Informel", "")] == ("✓", "✓")  # both may be informal
    assert table[("formalité", "Formel", "")] == ("✓", "")  # only the network may be formal
    assert table[("échelle", "National", "")] == ("", "✓")
    assert table[(benefit, "Influence sur les politiques", "1")][1] == ""
    # Two benefits of the network in one category: one row each, by position (benefits 1 and 3).
    assert table[(benefit, "Action conjointe", "1")] == (
        "Réalisation conjointe de produits et services au profit de leurs utilisateurs,", "")
    assert table[(benefit, "Action conjointe", "2")] == (
        "Mise en œuvre conjointe d'actions d'influence sur les pratiques et les politiques publiques.", "")
    # Both have a benefit in "Mutualisation": paired on one row, by rank.
    pooling = "Mise en commun des savoirs afin d'induire des changements durables dans les pratiques"
    assert table[(benefit, "Mutualisation", "1")] == ("Mutualisation des outils de travail", pooling)
    # benefit 3 of the network (it acts on practice too) paired with benefit 1 of the learning group
    assert table[(benefit, "Changement des pratiques", "1")] == (
        "Mise en œuvre conjointe d'actions d'influence sur les pratiques et les politiques publiques.", pooling)
    assert table[(benefit, "Changement des pratiques", "2")] == ("", "Identification des pistes de changement")  # benefit 3
    for (aspect, _, rank), (first, second) in table.items():
        if rank:
            assert first or second
            for mechanism, text in (("network", first), ("learning-group", second)):
                if text:
                    verbatim(seed, mechanism, {objective: "objectives", benefit: "benefits", limitation: "limitations"}[aspect], text)
        elif aspect != "mécanisme de partage des connaissances":
            assert {first, second} <= {"✓", ""} and (first or second)


def test_compare_discussion_group_and_cop_through_cli(runner) -> None:  # type: ignore[no-untyped-def]
    rows = cli_csv(runner, "compare-mechanisms", "-p", "first=discussion group", "-p", "second=mech:community-of-practice", "--lang", "en")
    assert list(rows[0]) == ["aspect", "topic", "first", "second", "concept", "rank"]
    table = {(r["aspect"], r["topic"], r["rank"]): (r["first"], r["second"]) for r in rows}
    assert len(table) == len(rows)
    assert table[("knowledge-sharing mechanism", "", "")] == ("Discussion group", "Community of practice")
    assert table[("limitation", "Internet access", "1")] == ("Some actors have no internet access", "Internet access is a problem")
    assert table[("limitation", "Working language", "1")] == (
        "the working language, which can be a barrier", "Command of the working language is a problem")
    assert table[("depends on", "Internet access", "")] == ("✓", "✓")
    assert table[("tool", "E-mail", "")] == ("✓", "")
    assert table[("scale", "Sectoral", "")] == ("", "✓")
    assert table[("interaction mode", "online", "")] == ("✓", "")
    assert {r["rank"] for r in rows if r["aspect"] in ("objective", "benefit", "limitation")} == {"1"}
    aspects = [r["aspect"] for r in rows]
    order = ["knowledge-sharing mechanism", "objective", "benefit", "limitation", "depends on", "scale", "tool",
             "interaction mode", "product"]
    assert [a for i, a in enumerate(aspects) if i == 0 or aspects[i - 1] != a] == order


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        ("national", {"community-of-practice", "learning-group"}),
        ("ksmc:local", {"community-of-practice", "learning-group"}),
        ("Régional", {"learning-group"}),
        ("International", {"community-of-practice"}),
        ("sectoriel", {"community-of-practice"}),
    ],
)
def test_mechanisms_by_scale(graph, catalogue, scale: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    # "au niveau sectoriel, local, national ou international"; "locale, régionale ou nationale".
    assert mechanisms(run(graph, catalogue, "mechanisms-by-scale", scale=scale)) == expected


def test_mechanisms_by_scale_cli(runner) -> None:  # type: ignore[no-untyped-def]
    bindings = cli_json(runner, "mechanisms-by-scale", "-p", "scale=National")
    assert [b["mechanismLabel"]["value"] for b in bindings] == ["Communauté de pratique", "Groupe d'apprentissage"]


def test_informal_mechanisms(graph, catalogue, runner) -> None:  # type: ignore[no-untyped-def]
    result = run(graph, catalogue, "informal-mechanisms")
    also_formal = {local(r["mechanism"].value): r["alsoFormal"].value if "alsoFormal" in r else "" for r in result.rows}  # type: ignore[union-attr]
    assert also_formal == {"network": "Formel", "learning-group": ""}  # "formelle ou informelle"
    table = cli(runner, "informal-mechanisms", "--lang", "en")
    assert "Network" in table and "Learning group" in table and "(2 rows)" in table


# ------------------------------------------------------------------ follow-up questions


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("Légitimité", {"learning-group"}),
        ("limcat:cost", {"fora-in-situ"}),
        ("language", {"discussion-group", "community-of-practice"}),  # the network's bias is limcat:language-bias
        ("Language bias", {"network"}),
        ("Administrative burden", {"study-tour"}),
    ],
)
def test_mechanisms_by_limitation_category(graph, catalogue, seed, category: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    result = run(graph, catalogue, "mechanisms-by-limitation-category", category=category)
    assert mechanisms(result) == expected
    for row in result.rows:
        verbatim(seed, local(row["mechanism"].value), "limitations", row["limitationText"].value)  # type: ignore[union-attr]


def test_mechanisms_by_limitation_category_cli(runner) -> None:  # type: ignore[no-untyped-def]
    table = cli(runner, "mechanisms-by-limitation-category", "-p", "category=legitimacy", "--lang", "en")
    assert "limits its legitimacy" in table and "(1 row)" in table


def test_mechanism_dependencies_say_why(graph, catalogue, runner, seed) -> None:  # type: ignore[no-untyped-def]
    tool, limitation, stated = "dépendance due à un outil", "dépendance révélée par une limite", "dépend de"
    result = run(graph, catalogue, "mechanism-dependencies")
    found = {(local(r["mechanism"].value), local(r["requirement"].value), r["reason"].value,  # type: ignore[union-attr]
              r["because"].value if "because" in r else "") for r in result.rows}  # type: ignore[union-attr]
    assert found == {
        ("discussion-group", "internet-access", tool, "E-mail"),
        ("discussion-group", "internet-access", limitation, "Certains acteurs n'ont pas accès à internet"),
        ("discussion-group", "telecommunications", tool, "Téléconférence"),
        ("discussion-group", "computer-network", tool, "Intranet"),
        ("discussion-group", "shared-working-language", limitation, "la langue de travail qui peut constituer une barrière"),
        ("community-of-practice", "internet-access", limitation, "Problème d'accès à l'Internet"),
        # the table does not say the sharing tools are digital: the requirement is their command, not digital skills
        ("community-of-practice", "sharing-tool-command", limitation, "Maîtrise des outils de partage"),
        ("community-of-practice", "shared-working-language", limitation, "Problème de maîtrise de la langue de travail"),
        ("fora-in-situ", "travel", stated, ""),
        ("fora-in-situ", "funding", limitation, "Coûts de déplacement et d'organisation (locaux, pause-café, restauration)"),
        ("fora-in-situ", "participant-availability", limitation, "Problème de disponibilité des acteurs"),
        # no ("network", "shared-working-language"): its bias of jargon and languages is an obstacle, not a requirement
        ("study-tour", "travel", stated, ""),
        ("study-tour", "logistical-means", limitation, "Contraintes matérielles et logistiques"),
    }
    assert len(result.rows) == len(found)
    for mechanism, _, reason, because in found:
        if reason == limitation:
            verbatim(seed, mechanism, "limitations", because)
    bindings = cli_json(runner, "mechanism-dependencies", "--lang", "en")
    assert {b["reason"]["value"] for b in bindings} == {"dependency due to a tool", "dependency revealed by a limitation", "depends on"}


def test_limitation_categories(graph, catalogue, runner) -> None:  # type: ignore[no-untyped-def]
    result = run(graph, catalogue, "limitation-categories", "en")
    counts = {local(r["category"].value): int(r["mechanismCount"].value) for r in result.rows}  # type: ignore[union-attr]
    assert counts == {
        "language": 2, "language-bias": 1, "internet-access": 2, "cost": 1, "availability": 1, "tool-mastery": 1, "heterogeneity": 1,
        "unequal-contribution": 1, "legitimacy": 1, "member-instability": 1, "implementation": 1, "logistics": 1,
        "administration": 1,
        # the practice module's categories (ontology/practice.ttl): no mechanism of the table falls in them
        "co-location": 0, "facilitation": 0, "group-size": 0, "power-imbalance": 0, "psychological-safety": 0,
    }
    assert list(counts)[:2] == ["internet-access", "language"]  # two mechanisms each, then by label
    assert all(r.get("definition") for r in result.rows)
    table = cli(runner, "limitation-categories")
    assert "Langue de travail" in table and "Biais linguistique" in table and "(18 rows)" in table


def test_mechanisms_overview(graph, catalogue, runner) -> None:  # type: ignore[no-untyped-def]
    # Counted in the table: items of the objectives, advantages and limits cells, and the
    # success factors listed in the network's description.
    expected = {
        "fora-in-situ": (3, 3, 2, 0), "discussion-group": (1, 1, 2, 0), "community-of-practice": (1, 1, 3, 0),
        "network": (1, 4, 3, 3), "learning-group": (1, 4, 3, 0), "study-tour": (2, 3, 2, 0),
    }
    result = run(graph, catalogue, "mechanisms-overview")
    found = {local(r["mechanism"].value): tuple(int(r[c].value) for c in ("objectives", "benefits", "limitations", "successFactors"))  # type: ignore[union-attr]
             for r in result.rows}
    assert found == expected
    rows = cli_csv(runner, "mechanisms-overview", "--lang", "en")
    assert [r["mechanismLabel"] for r in rows] == sorted(r["mechanismLabel"] for r in rows)
    assert len(rows) == 6


@pytest.mark.parametrize(
    ("tool", "requirement"),
    [("ksmc:email", "internet-access"), ("Téléconférence", "telecommunications"), ("intranet", "computer-network")],
)
def test_mechanisms_by_tool(graph, catalogue, tool: str, requirement: str) -> None:  # type: ignore[no-untyped-def]
    # "Les outils utilisés sont l'e-mail, la téléconférence, l'intranet" (discussion group only).
    result = run(graph, catalogue, "mechanisms-by-tool", tool=tool)
    assert mechanisms(result) == {"discussion-group"}
    assert [local(r) for r in result.column("requirement")] == [requirement]


def test_mechanisms_by_tool_cli(runner) -> None:  # type: ignore[no-untyped-def]
    table = cli(runner, "mechanisms-by-tool", "-p", "tool=E-mail", "--lang", "en")
    assert "Discussion group" in table and "Internet access" in table


def test_mechanism_card_is_turtle_in_one_language(runner, seed) -> None:  # type: ignore[no-untyped-def]
    turtle = cli(runner, "mechanism-card", "-p", "mechanism=Réseau", "--format", "ttl")
    card = rdflib.Graph().parse(data=turtle, format="turtle")
    network = rdflib.URIRef(MECH + "network")
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    ksm = rdflib.Namespace("https://w3id.org/ksm/ontology#")
    assert (network, skos.prefLabel, rdflib.Literal("Réseau", lang="fr")) in card
    # inferred: the network's bias of jargon and languages hinders it without a shared language, it does not make one a requirement
    assert (network, ksm.hinderedWithout, rdflib.URIRef(KSMC + "shared-working-language")) in card
    assert (network, ksm.dependsOn, None) not in card
    assert (network, ksm.minimumParticipants, None) in card
    labels = {str(o) for s, o in card.subject_objects(rdflib.RDFS.label) if str(s).startswith("https://w3id.org/ksm/id/statement/network-limitation")}
    assert labels == {"Hétérogénéité des contextes des membres", "Disproportion du niveau de contribution", "Biais de langage et de langues"}
    for text in labels:
        verbatim(seed, "network", "limitations", text)
    assert {o.language for o in card.objects() if isinstance(o, rdflib.Literal) and o.language} == {"fr"}
    subjects = {str(s) for s in card.subjects()}
    assert not any("learning-group" in s or "study-tour" in s for s in subjects)
    english = rdflib.Graph().parse(data=cli(runner, "mechanism-card", "-p", "mechanism=network", "-f", "ttl", "--lang", "en"), format="turtle")
    assert (network, skos.prefLabel, rdflib.Literal("Network", lang="en")) in english
    # Each text says which named graph it comes from, and each graph where it comes from:
    # the French from the table, the English from the editors' translation.
    owl, dcterms, prov = (rdflib.Namespace(ns) for ns in ("http://www.w3.org/2002/07/owl#", "http://purl.org/dc/terms/", "http://www.w3.org/ns/prov#"))
    table, editors = rdflib.URIRef("https://w3id.org/ksm/id/source/mechanisms-table-fr"), rdflib.URIRef("https://w3id.org/ksm/id/source/ksm-kg-editors")
    for graph, language, expected in ((card, "fr", "mechanisms"), (english, "en", "translations.en")):
        texts = [(s, p, o) for s, p, o in graph if isinstance(o, rdflib.Literal) and o.language == language
                 and str(s).startswith(("https://w3id.org/ksm/id/statement/network", MECH + "network")) and p != dcterms.title]
        assert len(texts) == 2 + 11  # name, description and the eleven statements
        for s, p, o in texts:
            axioms = [a for a in graph.subjects(owl.annotatedTarget, o)
                      if (a, owl.annotatedSource, s) in graph and (a, owl.annotatedProperty, p) in graph]
            assert [str(graph.value(a, dcterms.source)) for a in axioms] == [f"https://w3id.org/ksm/graph/{expected}"], (s, p, o)
        source = rdflib.URIRef(f"https://w3id.org/ksm/graph/{expected}")
        assert (source, prov.wasDerivedFrom, table) in graph
        assert ((source, prov.wasAttributedTo, editors) in graph) == (language == "en")


def test_mechanism_card_in_other_graph_formats(runner) -> None:  # type: ignore[no-untyped-def]
    ntriples = cli(runner, "mechanism-card", "-p", "mechanism=study-tour", "--format", "nt")
    parsed = rdflib.Graph().parse(data=ntriples, format="nt")
    assert (rdflib.URIRef(MECH + "study-tour"), rdflib.RDF.type,
            rdflib.URIRef("https://w3id.org/ksm/ontology#TravelDependentMechanism")) in parsed
    result = runner.invoke(main, ["query", "mechanism-card", "-p", "mechanism=study-tour", "--format", "csv"])
    assert result.exit_code == 2 and "CONSTRUCT" in result.output


# ------------------------------------------------------------------ languages and formats


def test_lang_fr_and_en_give_the_labels_of_that_language(runner) -> None:  # type: ignore[no-untyped-def]
    fr = cli_json(runner, "mechanisms-with-language-barrier")
    en = cli_json(runner, "mechanisms-with-language-barrier", "--lang", "en")
    assert {b["mechanismLabel"]["xml:lang"] for b in fr} == {"fr"}
    assert {b["limitationText"]["xml:lang"] for b in en} == {"en"}
    assert [b["mechanism"]["value"] for b in fr] != [] and {b["mechanism"]["value"] for b in fr} == {b["mechanism"]["value"] for b in en}
    assert {b["mechanismLabel"]["value"] for b in fr} == {"Groupe de discussion", "Communauté de pratique", "Réseau"}


def test_french_is_the_default_language(runner) -> None:  # type: ignore[no-untyped-def]
    assert cli(runner, "informal-mechanisms") == cli(runner, "informal-mechanisms", "--lang", "fr")
    assert "Groupe d'apprentissage" in cli(runner, "informal-mechanisms", "-f", "tsv")


@pytest.mark.parametrize("name", sorted(GOLDEN - {"mechanism-card"}))
def test_cli_json_equals_library_answer(graph, catalogue, runner, name: str) -> None:  # type: ignore[no-untyped-def]
    params = EXAMPLE_PARAMS.get(name, {})
    library = run(graph, catalogue, name, "en", **params)
    args = [name, "--lang", "en"] + [a for k, v in params.items() for a in ("-p", f"{k}={v}")]
    bindings = cli_json(runner, *args)
    assert [{k: v["value"] for k, v in b.items()} for b in bindings] == [
        {k: v.value for k, v in row.items()} for row in library.rows]  # type: ignore[union-attr]
    assert bindings, f"{name} answered nothing"
    rows = cli_csv(runner, *args)
    assert len(rows) == len(bindings)


EXAMPLE_PARAMS = {
    "mechanism-profile": {"mechanism": "Network"},
    "mechanisms-by-objective": {"objective": "Learning"},
    "compare-mechanisms": {"first": "mech:fora-in-situ", "second": "Study tour"},
    "mechanisms-by-scale": {"scale": "Local"},
    "mechanisms-by-limitation-category": {"category": "limcat:logistics"},
    "mechanisms-by-tool": {"tool": "ksmc:teleconference"},
    # The queries outside GOLDEN, for the test on a second engine (which runs every saved query).
    "mechanism-card": {"mechanism": "Network"},
    "mechanism-mapped-concepts": {"mechanism": "mech:study-tour"},
    "mechanisms-related-to-sdg-target": {"target": "sdg:17.6"},
}


# ------------------------------------------------------------------ a second engine

# Saved queries are plain SPARQL 1.1 that give the same answer on any engine: no
# aggregate whose value depends on the order of the solutions (GROUP_CONCAT, SAMPLE),
# and an ORDER BY that leaves no ties.  rdflib's own SPARQL engine is the second
# engine.  A query rdflib genuinely cannot run (an rdflib bug, not ours) goes here
# with the rdflib issue as the reason; the case is then a strict xfail, not dropped.
RDFLIB_CANNOT_RUN: dict[str, str] = {}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@pytest.fixture(scope="module")
def rdflib_graph(graph) -> rdflib.Dataset:  # type: ignore[no-untyped-def]
    """The store (asserted and inferred) as an rdflib dataset, built once: the same named graphs, their union as default graph."""
    data = ox.serialize(graph.store, format=ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(data=data, format="nquads")
    return dataset


def _oxigraph_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:"  # blank node labels belong to each engine
    return str(term)  # N-Triples: <iri>, "lexical form"@lang or "lexical form"^^<datatype>


def _rdflib_term(term: rdflib.term.Node | None) -> str | None:
    """The same N-Triples form as pyoxigraph's, from the term's lexical form, language and datatype.

    The one normalisation is a representation difference, not a different value:
    rdflib gives a simple literal (such as STR(...) or "") no datatype, where RDF 1.1
    and pyoxigraph make it an xsd:string.  Lexical forms are not normalised: a number
    written differently (say "03" for "3") would be a real difference.
    """
    if term is None:
        return None
    if isinstance(term, rdflib.BNode):
        return "_:"
    if isinstance(term, rdflib.URIRef):
        return str(ox.NamedNode(str(term)))
    assert isinstance(term, rdflib.Literal), term
    if term.language:
        return str(ox.Literal(str(term), language=term.language))
    return str(ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD_STRING))))


def _engine_case(name: str, lang: str) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=RDFLIB_CANNOT_RUN[name])] if name in RDFLIB_CANNOT_RUN else []
    return pytest.param(name, lang, marks=marks, id=f"{name}-{lang}")


@pytest.mark.parametrize(("name", "lang"), [_engine_case(name, lang) for name in sorted(s.name for s in Catalogue.bundled())
                                            for lang in ("fr", "en")])
def test_answers_are_the_same_on_rdflib(graph, catalogue, rdflib_graph, name: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    saved = catalogue.get(name)
    text = with_values(saved.text, bind(saved, EXAMPLE_PARAMS.get(name, {}), graph=graph, lang=lang))
    ours = graph.select(text)
    theirs = rdflib_graph.query(text)
    if ours.kind == "ask":
        assert theirs.askAnswer == ours.boolean
        return
    if ours.kind == "graph":  # a CONSTRUCT answer is a set of triples: no order to compare
        assert sorted(tuple(_rdflib_term(t) for t in triple) for triple in theirs) == sorted(
            (_oxigraph_term(t.subject), _oxigraph_term(t.predicate), _oxigraph_term(t.object)) for t in ours.triples)
        assert ours.triples, f"{name} answered nothing"
        return
    assert [str(v) for v in theirs.vars or []] == ours.variables
    expected = [tuple(_oxigraph_term(row.get(v)) for v in ours.variables) for row in ours.rows]
    found = [tuple(_rdflib_term(row[v]) for v in ours.variables) for row in theirs]
    assert found == expected  # a list, not a set: the ORDER BY fixes the order on both
    assert expected, f"{name} answered nothing"


@pytest.mark.parametrize("name", sorted(s.name for s in Catalogue.bundled()))
def test_values_repeated_in_optionals_give_the_same_answer(graph, catalogue, name: str) -> None:  # type: ignore[no-untyped-def]
    """The text kg sends an endpoint whose OPTIONAL filters miss an outer VALUES block (Virtuoso 7.2; see
    kg.remote.endpoint) must parse and answer as the plain binding does: checked on the embedded store."""
    saved = catalogue.get(name)
    bindings = bind(saved, EXAMPLE_PARAMS.get(name, {}), graph=graph, lang="en")
    plain, repeated = with_values(saved.text, bindings), with_values(saved.text, bindings, into_optionals=True)
    ours, theirs = graph.select(plain), graph.select(repeated)

    def answer(result: QueryResult) -> object:
        if result.kind == "graph":
            return sorted(tuple(_oxigraph_term(t) for t in (x.subject, x.predicate, x.object)) for x in result.triples)
        return result.boolean if result.kind == "ask" else [tuple(_oxigraph_term(row.get(v)) for v in result.variables) for row in result.rows]

    assert answer(theirs) == answer(ours)


# ------------------------------------------------------------------ the catalogue itself


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def test_every_required_query_exists(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert GOLDEN <= {saved.name for saved in catalogue}


def test_every_query_has_bilingual_metadata_and_parses(catalogue) -> None:  # type: ignore[no-untyped-def]
    empty = ox.Store()
    for saved in catalogue:
        assert saved.summary and saved.summary_fr, saved.name
        assert saved.summary != saved.summary_fr, saved.name
        bindings = {p.variable: ox.Literal("x") for p in saved.parameters}
        try:
            empty.query(with_values(saved.text, bindings))
        except SyntaxError as error:  # pragma: no cover - the assertion message is the point
            pytest.fail(f"{saved.name}: {error}")
        if re.search(r"\bSELECT\b", _body(saved.text), re.IGNORECASE):
            assert re.search(r"\bORDER\s+BY\b", _body(saved.text), re.IGNORECASE), f"{saved.name} has no ORDER BY"


def test_every_parameter_is_documented(catalogue) -> None:  # type: ignore[no-untyped-def]
    for saved in catalogue:
        for param in saved.parameters:
            if param.name == "lang":
                assert param.default == "fr", saved.name
            if param.kind == "iri":
                assert param.help_en and param.help_fr, f"{saved.name}: parameter {param.name} has no help"
                # A class lets a user name the value by its label; an IRI-only parameter may do without.
                assert param.cls or saved.name not in GOLDEN, f"{saved.name}: parameter {param.name} has no class"


def test_lang_is_compared_only_where_it_is_bound(catalogue) -> None:
    """A filter on ?__lang in a nested OPTIONAL or a sub-query never sees the VALUES block: keep it shallow."""
    for name in GOLDEN:
        body = _body(catalogue.get(name).text)
        for match in re.finditer(r"\?__lang", body):
            before = body[: match.start()]
            assert before.count("{") - before.count("}") <= 2, f"{name}: ?__lang used too deep"


def test_every_query_is_in_the_readme(catalogue) -> None:  # type: ignore[no-untyped-def]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # Whole names only: "limitation-categories" inside a longer name does not count.
    missing = [saved.name for saved in catalogue if not re.search(rf"(?<![\w-]){re.escape(saved.name)}(?![\w-])", readme)]
    assert not missing, f"README.md does not mention {', '.join(missing)}"


def test_grlc_api_config(catalogue) -> None:  # type: ignore[no-untyped-def]
    import configparser

    config = configparser.ConfigParser()
    config.read_string((catalogue.folder / "local-api-config.ini").read_text(encoding="ascii"))
    info = config["repo_info"]
    assert info["repo_title"] and info["api_description"] and info["contact_name"]
    assert info["licence_url"].startswith("https://creativecommons.org/licenses/by/4.0")


def _unbound_case(name: str) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=RDFLIB_CANNOT_RUN[name])] if name in RDFLIB_CANNOT_RUN else []
    return pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", [_unbound_case(s.name) for s in Catalogue.bundled() if not any(p.required for p in s.parameters)])
def test_a_query_sent_as_it_is_gives_its_documented_default_answer(graph, catalogue, rdflib_graph, name: str) -> None:  # type: ignore[no-untyped-def]
    """grlc and a plain SPARQL client send the file's text with no binding at all: the defaults live in the SPARQL.

    The text goes unchanged to a second engine (rdflib's); its rows must be those
    kg gives with the documented defaults (French labels).
    """
    saved = catalogue.get(name)
    ours = run_saved(graph, saved, {}, lang=None)
    theirs = rdflib_graph.query(saved.text)
    assert ours.kind == "select", name
    expected = [tuple(_oxigraph_term(row.get(v)) for v in ours.variables) for row in ours.rows]
    found = [tuple(_rdflib_term(row[v]) for v in ours.variables) for row in theirs]
    assert found == expected
    assert expected and any(isinstance(v, ox.Literal) and v.language == "fr" for row in ours.rows for v in row.values()), name


def test_sparqlwrapper_reads_every_saved_query_as_a_query(catalogue) -> None:  # type: ignore[no-untyped-def]
    """SPARQLWrapper guesses a query's type with a regex over the whole text, comments included: a word such
    as "load" in a description would make it send a saved query as an update."""
    from SPARQLWrapper import SPARQLWrapper

    for saved in catalogue:
        client = SPARQLWrapper("http://127.0.0.1:9/sparql")
        client.setQuery(saved.text)
        assert client.queryType in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"), (saved.name, client.queryType)
