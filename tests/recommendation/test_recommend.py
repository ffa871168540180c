"""`kg recommend`: rankings whose right answers follow from the seed table.

The seed table says the discussion group uses e-mail and that some actors
have no internet; the community of practice has "Problème d'accès à
l'Internet"; the network's benefits include "actions d'influence sur les
pratiques et les politiques publiques"; the discussion group, the community
of practice and the network each have a working-language limitation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.core.errors import InputError, UsageError
from kg.graph.dataset import open_graph
from kg.recommendation import output as recommend_output
from kg.recommendation.engine import Ranking, recommend
from kg.recommendation.situation import Options, build
from tests.paths import ROOT

EXAMPLES = ROOT / "examples" / "situations"
MECH = "https://w3id.org/ksm/id/mechanism/"
KSMC = "https://w3id.org/ksm/id/concept/"
DG, COP, NET = MECH + "discussion-group", MECH + "community-of-practice", MECH + "network"
FORA, LG, TOUR = MECH + "fora-in-situ", MECH + "learning-group", MECH + "study-tour"


def rank(graph, lang: str = "en", **options) -> Ranking:  # type: ignore[no-untyped-def]
    return recommend(graph, build(graph, options=Options(**options)), lang=lang)


def by_iri(ranking: Ranking) -> dict:  # type: ignore[type-arg]
    return {r.mechanism: r for r in ranking.recommendations}


def test_no_internet_puts_discussion_group_and_cop_last_with_the_email_reason(graph) -> None:  # type: ignore[no-untyped-def]
    ranking = rank(graph, internet=False)
    assert set(ranking.order()[-2:]) == {DG, COP}
    dg = by_iri(ranking)[DG]
    (collision,) = dg.collisions
    assert collision.about == KSMC + "internet-access"
    assert "inferred from its use of E-mail" in collision.evidence
    assert "inferred from its limitation “Some actors have no internet access”" in collision.evidence
    facts = {(t.predicate.value.rsplit("#")[-1], t.object.value) for t in collision.triples}
    assert ("usesTool", KSMC + "email") in facts and ("dependencyFromTool", KSMC + "internet-access") in facts
    assert [r.about for r in by_iri(ranking)[COP].collisions] == [KSMC + "internet-access"]
    assert all(not r.collisions for r in ranking.recommendations[:4])


def test_policy_influence_puts_network_first_because_of_its_benefit(graph) -> None:  # type: ignore[no-untyped-def]
    ranking = rank(graph, goals=["policy-influence"])
    first = ranking.first()
    assert first.mechanism == NET
    assert [r.about for r in first.served] == ["https://w3id.org/ksm/id/statement/network-benefit-3"]
    # the learning group's "limite sa légitimité pour les actions d'influence des politiques"
    assert ranking.order()[-1] == LG
    assert by_iri(ranking)[LG].score["goalObstacles"] == 1


def test_several_languages_collide_with_a_language_barrier_and_only_hinder_a_language_bias(graph) -> None:  # type: ignore[no-untyped-def]
    ranking = rank(graph, languages=["fr,en,wo"])
    # The working language as a barrier (limcat:language) signals a requirement: a collision.
    assert set(ranking.order()[-2:]) == {DG, COP}
    for mech in (DG, COP):
        (collision,) = by_iri(ranking)[mech].collisions
        assert collision.about == KSMC + "shared-working-language"
        assert "rule-languages.rq" in collision.text
        assert collision.evidence[0].startswith("inferred from its limitation")
    # The network's bias of jargon and languages (limcat:language-bias) signals an obstacle: a hindrance, ranked
    # after the goals served and before the goal obstacles, never a collision.
    network = by_iri(ranking)[NET]
    assert not network.collisions
    (hindrance,) = network.hindrances
    assert hindrance.kind == "Hindrance" and hindrance.about == KSMC + "shared-working-language"
    assert "rule-languages.rq" in hindrance.text
    assert hindrance.evidence == ["inferred from its limitation “Bias from jargon and from languages”"]
    assert network.score["hindrances"] == 1 and network.score["remainingLimitations"] == 2
    assert ranking.order().index(NET) == 3  # after the three without any, before the two that collide
    plain = by_iri(rank(graph, languages=["fr,FR"]))
    assert not any(r.collisions or r.hindrances for r in plain.values())
    assert plain[NET].score["remainingLimitations"] == 3  # without the hindrance, the bias is one limitation among others


def test_low_budget_collides_with_travel_stated_and_costs_inferred(graph) -> None:  # type: ignore[no-untyped-def]
    ranking = rank(graph, budget=["low"], lang="fr")
    assert set(ranking.order()[-2:]) == {FORA, TOUR}
    fora = {r.about: r for r in by_iri(ranking)[FORA].collisions}
    assert set(fora) == {KSMC + "funding", KSMC + "travel"}
    assert fora[KSMC + "travel"].evidence == ["comme l'énonce le graphe features"]
    assert "Coûts de déplacement" in fora[KSMC + "funding"].evidence[0]


def test_scale_and_formality_count_only_against_what_the_table_states(graph) -> None:  # type: ignore[no-untyped-def]
    international = by_iri(rank(graph, scale=["international"]))
    assert [r.about for r in international[LG].collisions] == ["https://w3id.org/ksm/ontology#operatesAtScale"]
    assert not international[COP].collisions and not international[NET].collisions
    formal = by_iri(rank(graph, formality=["formal"]))
    assert len(formal[LG].collisions) == 1 and not formal[NET].collisions


def test_labels_and_reasons_follow_the_language(graph) -> None:  # type: ignore[no-untyped-def]
    assert rank(graph, lang="fr", goals=["policy-influence"]).first().label == "Réseau"
    en = rank(graph, lang="en", goals=["policy-influence"]).first()
    assert en.label == "Network" and en.served[0].text.startswith("serves “Policy influence”")


def test_every_count_is_backed_by_triples_of_the_graph(graph) -> None:  # type: ignore[no-untyped-def]
    situation = build(graph, options=Options(internet=False, budget=["low"], languages=["fr,wo"], goals=["capacity-building"]))
    ranking = recommend(graph, situation, lang="en")
    data = recommend_output.to_json(ranking)
    known = {(s.value, p.value, o.value) for s, p, o, _ in graph.store}  # type: ignore[attr-defined]
    known |= {tuple(t) for t in data["situationTriples"]}
    known |= {tuple(x["triple"]) for x in data["derivedTriples"]}
    for entry in data["ranking"]:
        score = entry["score"]
        assert score["collisions"] == len(entry["collisions"])
        assert score["goalsServed"] == len({r["about"] for r in entry["goalsServed"]})
        assert score["remainingLimitations"] == len(entry["remainingLimitations"])
        for group in ("collisions", "goalsServed", "goalObstacles", "remainingLimitations"):
            for reason in entry[group]:
                assert reason["triples"], reason
                for triple in reason["triples"]:
                    assert tuple(triple) in known, triple


def test_turtle_output_is_rdf_with_ranks_and_reified_evidence(graph) -> None:  # type: ignore[no-untyped-def]
    ttl = recommend_output.serialize(rank(graph, goals=["policy-influence"]), "ttl")
    store = ox.Store()
    store.load(ttl, format=ox.RdfFormat.TURTLE)
    answer = store.query("""PREFIX ksm: <https://w3id.org/ksm/ontology#>
        SELECT ?m ?o WHERE { ?r ksm:rank 1 ; ksm:recommendedMechanism ?m ; ksm:hasReason ?why .
          ?why ksm:evidence ?st . ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?o .
          ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ksm:servedByCategory }""")
    assert [(row["m"].value, row["o"].value) for row in answer] == [(NET, "https://w3id.org/ksm/id/benefit-category/policy-influence")]


def test_situation_files_give_the_same_answer_as_options(graph) -> None:  # type: ignore[no-untyped-def]
    options = rank(graph, internet=False, budget=["low"], languages=["fr,wo"], goals=["policy-influence"], scale=["national"])
    for name in ("rural-policy.ttl", "rural-policy.json"):
        from_file = recommend(graph, build(graph, file=EXAMPLES / name), lang="en")
        assert from_file.order() == options.order()
        assert [r.score for r in from_file.recommendations] == [r.score for r in options.recommendations]


def test_adding_a_mechanism_changes_the_answer_without_code(tmp_path: Path) -> None:

    webinar = tmp_path / "webinar.ttl"
    webinar.write_text("""
@prefix ksm: <https://w3id.org/ksm/ontology#> .
@prefix ksmc: <https://w3id.org/ksm/id/concept/> .
@prefix bencat: <https://w3id.org/ksm/id/benefit-category/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/mechanism/webinaire> a ksm:Mechanism ;
    skos:prefLabel "Webinaire"@fr , "Webinar"@en ;
    ksm:usesTool ksmc:email ;
    ksm:hasBenefit <https://example.org/statement/webinaire-benefit-1> , <https://example.org/statement/webinaire-benefit-2> .
<https://example.org/statement/webinaire-benefit-1> a ksm:Benefit ; rdfs:label "Formation à distance"@fr ;
    ksm:hasCategory bencat:capacity-building .
<https://example.org/statement/webinaire-benefit-2> a ksm:Benefit ; rdfs:label "Experts invités"@fr ;
    ksm:hasCategory bencat:networking , bencat:capacity-building .
""", encoding="utf-8")
    extended = open_graph(extra=[webinar])
    iri = "https://example.org/mechanism/webinaire"
    # two benefits for capacity building: behind the study tour (three), ahead of the CoP (one)
    assert rank(extended, goals=["capacity-building"]).order()[:3] == [TOUR, iri, COP]
    offline = rank(extended, internet=False, goals=["capacity-building"])
    assert offline.order()[-3:] == [iri, COP, DG]
    assert by_iri(offline)[iri].collisions[0].evidence == ["inferred from its use of E-mail"]
    assert len(rank(extended).recommendations) == 7


def test_cli_table_json_and_errors(runner) -> None:  # type: ignore[no-untyped-def]
    from kg.cli import main

    result = runner.invoke(main, ["recommend", "--goal", "policy-influence", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2].startswith("1. Network  [collisions 0 · goals served 1")
    result = runner.invoke(main, ["recommend", "--no-internet", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ranking"][-1]["collisions"][0]["about"].endswith("internet-access")
    bad_goal = runner.invoke(main, ["recommend", "--goal", "world-peace"])
    assert bad_goal.exit_code == 2 and "policy-influence, practice-change" in bad_goal.output
    both = runner.invoke(main, ["recommend", "--formality", "formal", "--formality", "informal"])
    assert both.exit_code == 2 and "contradictory" in both.output
    clash = runner.invoke(main, ["recommend", "--no-internet", "--situation", str(EXAMPLES / "connected-network.ttl")])
    assert clash.exit_code == 2 and "both lacks and provides ksmc:internet-access" in clash.output


@pytest.mark.parametrize(("text", "error", "message"), [
    ('{"budget": "low", "money": 3}', UsageError, "unknown key 'money'"),
    ('{"budget": ["low", "high"]}', UsageError, "two values"),
    ('{"internet": "no"}', InputError, "must be true or false"),
    ('{"budget": ', InputError, "bad JSON syntax"),
])
def test_bad_situation_files_are_refused_clearly(graph, tmp_path: Path, text: str, error: type, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error, match=message):
        recommend(graph, build(graph, file=path))


def test_a_turtle_value_of_the_wrong_class_is_refused(graph, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.ttl"
    path.write_text("@prefix ksm: <https://w3id.org/ksm/ontology#> .\n"
                    "<https://example.org/s> a ksm:Situation ; ksm:seeksGoal <https://w3id.org/ksm/id/concept/travel> .\n", encoding="utf-8")
    with pytest.raises(UsageError, match="ksmc:travel is not a ksm:Goal"):
        recommend(graph, build(graph, file=path))


def test_a_blank_node_situation_is_read_too(graph, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.ttl"
    path.write_text("@prefix ksm: <https://w3id.org/ksm/ontology#> .\n@prefix ksmc: <https://w3id.org/ksm/id/concept/> .\n"
                    "[] a ksm:Situation ; ksm:lacksRequirement ksmc:internet-access .\n", encoding="utf-8")
    assert set(recommend(graph, build(graph, file=path)).order()[-2:]) == {DG, COP}
