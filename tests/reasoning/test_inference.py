"""Questions are answered from what the graph entails, not only what was typed.

Each test names a fact that no file asserts and that the OWL RL closure must
derive; a reasoner that silently skips a rule (as ``reasonable`` does with
property chains) fails here.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.core import resources
from kg.core.namespaces import INFERRED_GRAPH, KSM
from kg.reasoning import reference as reason
from kg.reasoning import rules as fastreason

MECH = "https://w3id.org/ksm/id/mechanism/"
CONCEPT = "https://w3id.org/ksm/id/concept/"


def _inferred(graph, s: str, p: str, o: str) -> bool:  # type: ignore[no-untyped-def]
    quad = ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), ox.NamedNode(INFERRED_GRAPH))
    return quad in graph.store


def _asserted_anywhere_else(graph, s: str, p: str, o: str) -> bool:  # type: ignore[no-untyped-def]
    return any(q.graph_name.value != INFERRED_GRAPH for q in graph.store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)))


def test_property_chain_tool_requirement(graph) -> None:  # type: ignore[no-untyped-def]
    fact = (MECH + "discussion-group", KSM + "dependencyFromTool", CONCEPT + "internet-access")
    assert _inferred(graph, *fact) and not _asserted_anywhere_else(graph, *fact)
    assert _inferred(graph, MECH + "discussion-group", KSM + "dependsOn", CONCEPT + "internet-access")


def test_three_step_chain_through_limitation_category(graph) -> None:  # type: ignore[no-untyped-def]
    assert _inferred(graph, MECH + "community-of-practice", KSM + "dependencyFromLimitation", CONCEPT + "internet-access")
    assert _inferred(graph, MECH + "discussion-group", KSM + "dependsOn", CONCEPT + "shared-working-language")


def test_a_category_that_signals_an_obstacle_hinders_without_making_a_requirement(graph) -> None:  # type: ignore[no-untyped-def]
    """The network's bias of jargon and languages (limcat:language-bias) is an obstacle, not a requirement."""
    fact = (MECH + "network", KSM + "hindranceFromLimitation", CONCEPT + "shared-working-language")
    assert _inferred(graph, *fact) and not _asserted_anywhere_else(graph, *fact)
    assert _inferred(graph, MECH + "network", KSM + "hinderedWithout", CONCEPT + "shared-working-language")
    depends = graph.store.quads_for_pattern(ox.NamedNode(MECH + "network"), ox.NamedNode(KSM + "dependsOn"), None)
    assert [q.object.value for q in depends] == []


@pytest.mark.parametrize(
    ("cls", "members"),
    [
        ("InternetDependentMechanism", {"discussion-group", "community-of-practice"}),
        ("TravelDependentMechanism", {"fora-in-situ", "study-tour"}),
        ("LanguageDependentMechanism", {"discussion-group", "community-of-practice"}),  # not the network: its bias is an obstacle
    ],
)
def test_defined_classes_get_their_members_by_inference(graph, cls: str, members: set[str]) -> None:  # type: ignore[no-untyped-def]
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    found = {q.subject.value.removeprefix(MECH) for q in graph.store.quads_for_pattern(None, rdf_type, ox.NamedNode(KSM + cls))}
    assert found == members


def test_inverse_properties(graph) -> None:  # type: ignore[no-untyped-def]
    stmt = "https://w3id.org/ksm/id/statement/network-limitation-3"
    assert _inferred(graph, stmt, KSM + "isLimitationOf", MECH + "network")
    assert _inferred(graph, CONCEPT + "internet-access", KSM + "isRequiredBy", MECH + "discussion-group")


def test_no_owlrl_junk_is_kept(graph) -> None:  # type: ignore[no-untyped-def]
    same_as = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
    inferred = list(graph.store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)))
    assert len(inferred) > 500
    assert not any(isinstance(q.subject, ox.Literal) for q in inferred)
    assert not any(q.predicate == same_as and q.subject == q.object for q in inferred)


def test_cached_closure_is_reused_and_invalidated(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kg.graph.dataset import open_graph
    from kg.graph.store import KnowledgeGraph

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    first = open_graph()

    def fail(_quads, **_options):  # type: ignore[no-untyped-def]
        raise AssertionError("the reasoner ran although nothing changed")

    monkeypatch.setattr(reason, "infer", fail)
    monkeypatch.setattr(fastreason, "infer", fail)
    again = open_graph()
    assert len(again) == len(first)

    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/x> a <https://w3id.org/ksm/ontology#Mechanism> .\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="reasoner ran"):
        KnowledgeGraph.from_files(resources.ontology_files() + [extra])
