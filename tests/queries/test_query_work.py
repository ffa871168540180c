"""What a saved query reads grows with what it is about, not with the rest of the graph.

A query about one or two mechanisms must read the same whatever else the
graph holds, and no saved query may read more than in proportion to the
graph.  Timings cannot show that reliably on a shared machine; the engine's
own account of an evaluation can: ``oxigraph query --explain-file F --stats``
(the command-line tool of the engine kg embeds, a dev dependency of the same
0.5 line) counts the solutions each step of the plan produced.  Their sum is
the work measured here.

The graph is the bundled one, then the bundled one with a renamed copy of
its mechanisms beside it: every mechanism, statement and named graph under
another IRI, with the mapping axioms and graph descriptions about them, all
pointing to the same concepts, categories and ontology (as a graph that has
grown does).  On that graph a query about a mechanism must do exactly the
work it did, and any other at most twice as much (or, where the copy makes
its answer grow more, as much more as its answer).  A part of a query that
Oxigraph evaluates without the parameter (an OPTIONAL it joins afterwards,
a subquery without the parameter's VALUES block) reads the copy too and
fails the first test; a pairing of every mechanism with every other fails
the second.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.core.namespaces import BASE, GRAPH
from kg.graph.binding import with_values
from kg.queries.catalogue import Catalogue, SavedQuery
from kg.queries.params import bind
from tests import oxigraph_server
from tests.paths import ROOT

ABOUT_MECHANISMS = {"mechanism", "first", "second"}  # as benchmarks/run.py counts them
RENAMED = (BASE + "id/mechanism/", BASE + "id/statement/", GRAPH)  # what the copy renames; concepts and schemes are shared


def _params() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("ksm_bench_params", ROOT / "benchmarks" / "params.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.FIXED)


PARAMS = _params()


def _copy(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads about our mechanisms, statements and graphs, renamed (blank nodes that point to them too): more mechanisms."""
    fresh: dict[str, ox.BlankNode] = {}

    def renamed(term: object) -> bool:
        return isinstance(term, ox.NamedNode) and term.value.startswith(RENAMED)

    def rename(term):  # type: ignore[no-untyped-def]
        if isinstance(term, ox.BlankNode):
            return fresh.setdefault(term.value, ox.BlankNode())
        return ox.NamedNode(term.value + "-copy") if renamed(term) else term

    linked = {q.subject.value for q in quads if isinstance(q.subject, ox.BlankNode) and renamed(q.object)}  # mapping axioms
    return [ox.Quad(rename(q.subject), q.predicate, rename(q.object), rename(q.graph_name)) for q in quads
            if renamed(q.subject) or (isinstance(q.subject, ox.BlankNode) and q.subject.value in linked)]


def _on_disk(quads: list[ox.Quad], folder: Path) -> Path:
    store = ox.Store(str(folder))
    store.extend(quads)
    store.flush()
    del store
    gc.collect()  # closes the database for the command-line tool
    return folder


@pytest.fixture(scope="module")
def stores(graph, tmp_path_factory) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    quads = list(graph.store)
    copy = _copy(quads)
    mechanism = ox.NamedNode(BASE + "ontology#Mechanism")

    def mechanisms(among: list[ox.Quad]) -> int:
        return len({q.subject.value for q in among if q.object == mechanism and q.predicate.value.endswith("#type")})

    assert mechanisms(copy) == mechanisms(quads) >= 6  # every mechanism, once more
    base = tmp_path_factory.mktemp("work")
    return {"bundled": _on_disk(quads, base / "bundled"), "doubled": _on_disk(quads + copy, base / "doubled")}


def _bound(graph, saved: SavedQuery) -> str:  # type: ignore[no-untyped-def]
    given = {p.name: PARAMS[p.name] for p in saved.parameters if p.required}
    return with_values(saved.text, bind(saved, given, graph=graph, lang="en"))


def _work(store: Path, query: str, folder: Path) -> tuple[int, str]:
    """(the solutions produced by every step of Oxigraph's plan, the answer as the tool wrote it)."""
    exe = oxigraph_server.binary()
    assert exe is not None, "the oxigraph command-line tool is missing: pip install -e '.[dev]'"
    (folder / "query.rq").write_text(query, encoding="utf-8")
    answer = folder / ("answer.nt" if "CONSTRUCT" in query else "answer.tsv")
    explained = folder / "explain.json"
    subprocess.run([exe, "query", "--location", str(store), "--query-file", str(folder / "query.rq"), "--union-default-graph",
                    "--results-file", str(answer), "--explain-file", str(explained), "--stats"],
                   check=True, capture_output=True)

    def total(node: dict[str, object]) -> int:
        return int(node.get("number of results", 0)) + sum(total(c) for c in node.get("children", []))  # type: ignore[arg-type, attr-defined]

    return total(json.loads(explained.read_text(encoding="utf-8"))["plan"]), answer.read_text(encoding="utf-8")


def _cases(about: bool) -> list[object]:
    return [pytest.param(s.name, id=s.name) for s in Catalogue.bundled()
            if bool(ABOUT_MECHANISMS & {p.name for p in s.parameters}) == about]


@pytest.mark.parametrize("name", _cases(about=True))
def test_a_query_about_mechanisms_reads_the_same_whatever_else_the_graph_holds(graph, catalogue, stores, tmp_path, name: str) -> None:  # type: ignore[no-untyped-def]
    query = _bound(graph, catalogue.get(name))
    work, answer = _work(stores["bundled"], query, tmp_path)
    doubled, doubled_answer = _work(stores["doubled"], query, tmp_path)
    assert work > 0 and answer.strip()
    assert doubled == work, f"{name}: {work} solutions in the plan on the bundled graph, {doubled} beside a copy of it"
    if "CONSTRUCT" not in query:  # (the card's axioms are blank nodes, labelled afresh in each answer)
        assert doubled_answer == answer


def _rows(answer: str, query: str) -> int:
    lines = [line for line in answer.splitlines() if line.strip()]
    return len(lines) if "CONSTRUCT" in query else len(lines) - 1  # a TSV answer starts with its header


@pytest.mark.parametrize("name", _cases(about=False))
def test_no_query_reads_more_than_in_proportion_to_the_graph_or_its_answer(graph, catalogue, stores, tmp_path, name: str) -> None:  # type: ignore[no-untyped-def]
    query = _bound(graph, catalogue.get(name))
    work, answer = _work(stores["bundled"], query, tmp_path)
    doubled, doubled_answer = _work(stores["doubled"], query, tmp_path)
    # A query can do no less than its answer: where the copy makes the answer grow faster than
    # the data (a category shared by two mechanisms: each has its copy now), the work may follow it.
    allowed = max(2.0, _rows(doubled_answer, query) / max(_rows(answer, query), 1))
    assert 0 < work and doubled <= allowed * work, (
        f"{name}: {work} solutions in the plan on the bundled graph, {doubled} on twice the data (at most {allowed:.1f}x allowed)")
