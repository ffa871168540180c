"""The fast reasoner (kg.reasoning.rules) entails exactly what owlrl entails.

owlrl is the reference; the fast engine closes the schema with owlrl and the
instances with its own rules, so these tests compare the two on the bundled
data and on generated data, triple for triple (after the junk filter), and
check the facts the saved queries rely on.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.core import resources
from kg.graph import rdfio
from kg.reasoning import reference as reason
from kg.reasoning import rules as fastreason
from tests.paths import ROOT

KSM = "https://w3id.org/ksm/ontology#"
ID = "https://w3id.org/ksm/id/"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("ksm_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _strings(triples: list[ox.Triple]) -> set[str]:
    return {str(t) for t in triples}


@pytest.fixture(scope="module")
def bundled_quads() -> list[ox.Quad]:
    return rdfio.read_all(resources.ontology_files() + resources.data_files())


def test_same_entailments_as_owlrl_on_bundled_data(bundled_quads: list[ox.Quad]) -> None:
    fast = _strings(fastreason.infer(bundled_quads))
    reference = _strings(reason.infer(bundled_quads))
    assert fast - reference == set()
    assert reference - fast == set()
    assert len(fast) > 1000


def test_same_entailments_as_owlrl_on_generated_data(bundled_quads: list[ox.Quad], tmp_path: Path) -> None:
    path = _generator().write(2500, tmp_path / "generated.nt", seed=7)
    quads = bundled_quads + rdfio.read_quads(path)
    fast = _strings(fastreason.infer(quads))
    reference = _strings(reason.infer(quads))
    assert fast - reference == set()
    assert reference - fast == set()
    # the generated mechanisms did give the rules work: a chain-derived dependency on internet access
    generated = [line for line in fast if line.startswith(f"<{ID}mechanism/gen-") and f"<{KSM}dependsOn> <{ID}concept/internet-access>" in line]
    assert generated


def test_chain_and_defined_class_facts(bundled_quads: list[ox.Quad]) -> None:
    """A reasoner that silently skips property chains or owl:hasValue classes fails here."""
    inferred = _strings(fastreason.infer(bundled_quads))
    depends = f"<{KSM}dependsOn>"
    assert f"<{ID}mechanism/discussion-group> {depends} <{ID}concept/internet-access>" in inferred
    members = {
        line.split()[0] for line in inferred if line.endswith(f"<{TYPE}> <{KSM}InternetDependentMechanism>")
    }
    assert members == {f"<{ID}mechanism/discussion-group>", f"<{ID}mechanism/community-of-practice>"}
    travel = {line.split()[0] for line in inferred if line.endswith(f"<{TYPE}> <{KSM}TravelDependentMechanism>")}
    assert travel == {f"<{ID}mechanism/fora-in-situ>", f"<{ID}mechanism/study-tour>"}


def test_same_as_falls_back_to_owlrl() -> None:
    """Where owlrl would merge resources (a functional property with two values), the answer is still owlrl's."""
    ex = "http://example.org/"
    text = f"""
    @prefix owl: <http://www.w3.org/2002/07/owl#> .
    <{ex}mother> a owl:ObjectProperty , owl:FunctionalProperty .
    <{ex}kim> <{ex}mother> <{ex}ann> , <{ex}anna> .
    <{ex}ann> <{ex}name> "Ann" .
    """
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(text.encode(), ox.RdfFormat.TURTLE)]
    fast = _strings(fastreason.infer(quads, use_cache=False))
    assert fast == _strings(reason.infer(quads))
    assert f'<{ex}anna> <{ex}name> "Ann"' in fast


def test_schema_closure_is_cached(bundled_quads: list[ox.Quad], monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the ontology is closed, reasoning over new instance data never runs owlrl."""
    fastreason.infer(bundled_quads)

    def owlrl_called(*args: object, **kwargs: object) -> None:
        raise AssertionError("owlrl ran although the schema closure was cached")

    monkeypatch.setattr(reason, "infer", owlrl_called)
    extra = ox.Quad(ox.NamedNode(ID + "mechanism/x"), ox.NamedNode(KSM + "usesTool"), ox.NamedNode(ID + "concept/email"))
    inferred = _strings(fastreason.infer([*bundled_quads, extra]))
    assert f"<{ID}mechanism/x> <{TYPE}> <{KSM}InternetDependentMechanism>" in inferred


def test_bundled_graph_uses_the_fast_reasoner(graph) -> None:  # type: ignore[no-untyped-def]
    """The graph every command queries holds the chain-derived facts."""
    result = graph.select(f"ASK {{ <{ID}mechanism/community-of-practice> a <{KSM}InternetDependentMechanism> }}")
    assert result.boolean is True


def test_owlrl_sees_the_schema_only_when_a_graph_is_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The path every command takes (files -> KnowledgeGraph) runs owlrl once, on the schema; the rule engine does the rest.

    Only the fast path has that property: were the engine replaced by owlrl
    (in kg.reasoning.inferred or rules.infer), or fell it back to owlrl for
    this data, owlrl would be handed the generated mechanisms, or be called twice.
    """
    from kg.graph.dataset import bundled_files
    from kg.graph.store import KnowledgeGraph

    calls: list[list[ox.Quad]] = []
    real = reason.infer

    def counted(quads, **options):  # type: ignore[no-untyped-def]
        given = list(quads)
        calls.append(given)
        return real(given, **options)

    monkeypatch.setattr(reason, "infer", counted)
    generated = _generator().write(5000, tmp_path / "generated.nt", seed=11)
    graph = KnowledgeGraph.from_files([*bundled_files(), generated], use_cache=False)
    assert len(calls) == 1
    subjects = {q.subject.value for q in calls[0] if isinstance(q.subject, ox.NamedNode)}
    assert not any(s.startswith(f"{ID}mechanism/") for s in subjects)  # no mechanism, bundled or generated, went to owlrl
    answer = graph.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{KSM}InternetDependentMechanism> FILTER(STRSTARTS(STR(?m), '{ID}mechanism/gen-')) }}")
    assert int(answer.rows[0]["n"].value) > 10  # type: ignore[union-attr]  # and the generated ones were reasoned over all the same


def test_a_stream_read_once_gives_owlrl_s_closure(tmp_path: Path) -> None:
    """The reasoner reads its input once (a parser's stream, nothing of it held) and still entails what owlrl does."""
    path = _generator().write(3000, tmp_path / "generated.nt", seed=3)
    quads = list(rdfio.stream([*resources.ontology_files(), *resources.data_files(), path]))  # one parse: the same blank nodes
    streamed = fastreason.infer(iter(quads))  # read once, as a parser's stream is
    assert _strings(streamed) == _strings(reason.infer(quads))
    assert len(streamed) == len(_strings(streamed))  # each inferred triple once


def test_a_triple_stated_twice_changes_nothing(bundled_quads: list[ox.Quad], tmp_path: Path) -> None:
    """The same triple in several graphs (schema and instance triples alike) is one triple, as for owlrl."""
    path = _generator().write(1500, tmp_path / "generated.nt", seed=5)
    quads = bundled_quads + rdfio.read_quads(path)
    twice = quads + [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(ID + "graph/copy")) for q in quads[::3]]
    fast = fastreason.infer(twice)
    assert _strings(fast) == _strings(reason.infer(quads))
    assert len(fast) == len(_strings(fast))
    asserted = {str(q.triple) for q in quads}
    assert not asserted & _strings(fast)  # nothing asserted comes back as inferred


def test_schema_closure_is_found_again_by_another_parse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The parser names blank nodes at random; the cached closure of the schema serves the next process all the same.

    Its blank nodes (restrictions, lists) come back under this parse's names:
    the defined classes' members are typed with the restrictions the graph holds.
    """
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    files = resources.ontology_files() + resources.data_files()
    fastreason.infer(rdfio.read_all(files))  # fills the cache
    again = rdfio.read_all(files)  # as another process would: other blank node names
    expected = _strings(reason.infer(again))

    def owlrl_called(*args: object, **kwargs: object) -> None:
        raise AssertionError("owlrl ran although the schema closure was cached")

    monkeypatch.setattr(reason, "infer", owlrl_called)
    inferred = fastreason.infer(again)
    assert _strings(inferred) == expected
    blanks = {t.object for t in inferred if isinstance(t.object, ox.BlankNode)}
    assert blanks and blanks <= {q.subject for q in again if isinstance(q.subject, ox.BlankNode)}


def test_a_warm_cache_spares_reasoning_owlrl_and_rdflib(tmp_path: Path) -> None:
    """Once the schema's closure and owlrl's datatype tables are cached, another process reasons without importing either."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from kg.core import resources\n"
        "from kg.graph import rdfio\n"
        "from kg.reasoning import rules\n"
        "n = len(rules.infer(rdfio.stream(resources.ontology_files() + resources.data_files())))\n"
        "print(n, sorted({m.split('.')[0] for m in sys.modules} & {'owlrl', 'rdflib'}))\n"
    )
    env = {**os.environ, "KG_CACHE_DIR": str(tmp_path / "cache")}
    cold, warm = (subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT).stdout.split(maxsplit=1)
                  for _ in range(2))
    assert cold[1].strip() == "['owlrl', 'rdflib']"  # the first run reads owlrl's tables and closes the schema with it
    assert warm == [cold[0], "[]\n"]  # the same closure, from the cache


def test_cached_datatype_tables_are_owlrl_s(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kg.reasoning import datatypes

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    read = datatypes.tables()
    assert read == datatypes.tables() == datatypes._read_owlrl()
    assert "http://www.w3.org/2001/XMLSchema#integer" in read[0]
    for entry in (tmp_path / "cache").glob("schema-datatypes-*.json"):
        entry.write_text('{"damaged": true}', encoding="utf-8")  # a damaged entry is read from owlrl again
    assert datatypes.tables() == read
