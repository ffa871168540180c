"""The graph on OpenLink Virtuoso 7.2 (Debian ``virtuoso-opensource``): kg push, then the embedded answers.

A real Virtuoso is started on free loopback ports with a database in a
temporary folder (tests/virtuoso_server.py).  ``kg push`` uploads by SPARQL
Update to the digest-authenticated ``/sparql-auth`` (Virtuoso refuses blank
nodes in ``INSERT DATA``: they go as Skolem IRIs and come back as blank
nodes), then every saved query, in French and in English, runs through
``kg query --endpoint`` on the anonymous ``/sparql`` and must give the rows
of the embedded store in the same order.  A second push replaces; a push
whose server is killed mid-upload leaves the previous graphs as they were;
Virtuoso's ways of ending a query early (an error at its time limit, a 200
flagged ``X-SQL-State`` for an "anytime" answer, ``X-SPARQL-MaxRows`` for a
cut answer) all exit 4.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.remote.push as push_module
from kg.cli import main
from kg.core.errors import EnvironmentFailure
from kg.graph.dataset import open_graph
from kg.queries.catalogue import Catalogue
from kg.queries.run import run_saved as run_local
from kg.remote.endpoint import Endpoint, query, run_saved
from kg.remote.push import STAGING, push, server_counts
from tests import virtuoso_server
from tests.engines import require
from tests.queries.test_queries import EXAMPLE_PARAMS
from tests.remote.same_answers import CASES, IDS, assert_same, assert_same_answer, comparable

pytestmark = pytest.mark.server

INFERRED = "https://w3id.org/ksm/graph/inferred"
# Three graphs full of nothing: every triple with every other twice over.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
STAGED = f'ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), "{STAGING}")) }}'


@pytest.fixture(scope="module", autouse=True)
def credentials() -> Iterator[None]:
    """The database's dba account, for the digest-authenticated update endpoint."""
    require(virtuoso_server.binary(), "Virtuoso", "apt-get install virtuoso-opensource")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_ENDPOINT_USER", virtuoso_server.USER)
        patch.setenv("KG_ENDPOINT_PASSWORD", virtuoso_server.PASSWORD)
        yield


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[virtuoso_server.Virtuoso]:
    # A time limit and a result-size limit far above what the saved queries need, so that both can be hit on purpose.
    with virtuoso_server.running(tmp_path_factory.mktemp("virtuoso"), timeout_s=2, max_rows=1000) as server:
        yield server


def _push_args(server: virtuoso_server.Virtuoso) -> list[str]:
    return ["push", "--endpoint", server.sparql, "--update-endpoint", server.sparql_auth, "--no-graph-store"]


@pytest.fixture(scope="module")
def pushed(virtuoso: virtuoso_server.Virtuoso, graph) -> str:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    result = CliRunner().invoke(main, _push_args(virtuoso))
    assert result.exit_code == 0, result.output
    assert f"{graph.count(INFERRED)} triples  {INFERRED}  created" in result.output
    return virtuoso.sparql


@pytest.mark.parametrize(("name", "lang"), CASES, ids=IDS)
def test_every_saved_query_answers_as_the_embedded_store(name: str, lang: str, pushed: str, runner) -> None:  # type: ignore[no-untyped-def]
    assert_same_answer(runner, pushed, name, lang)


def test_second_push_replaces_and_leaves_no_staging(virtuoso: virtuoso_server.Virtuoso, pushed: str, graph, runner) -> None:  # type: ignore[no-untyped-def]
    endpoint = Endpoint.at(pushed)
    graphs = sorted({q.graph_name.value for q in graph.quads()})  # type: ignore[union-attr]
    before = server_counts(endpoint, graphs)
    result = runner.invoke(main, _push_args(virtuoso))
    assert result.exit_code == 0, result.output
    assert f"{graph.count(INFERRED)} triples  {INFERRED}  replaced (had {graph.count(INFERRED)})" in result.output
    assert server_counts(endpoint, graphs) == before == {g: graph.count(g) for g in graphs}
    assert query(endpoint, STAGED).boolean is False


def test_dry_run_sends_nothing(virtuoso: virtuoso_server.Virtuoso, pushed: str, runner) -> None:  # type: ignore[no-untyped-def]
    marker = ox.NamedNode("https://w3id.org/ksm/graph/inferred")
    before = server_counts(Endpoint.at(pushed), [marker.value])
    result = runner.invoke(main, [*_push_args(virtuoso), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "nothing sent" in result.output and virtuoso.sparql_auth in result.output
    assert "as Skolem IRIs" in result.output  # Virtuoso takes no blank node in INSERT DATA
    assert server_counts(Endpoint.at(pushed), [marker.value]) == before


def test_blank_nodes_shared_by_two_graphs_come_back_as_one_blank_node(virtuoso: virtuoso_server.Virtuoso) -> None:
    endpoint = Endpoint.at(virtuoso.sparql, update=virtuoso.sparql_auth)
    first, second = ox.NamedNode("https://example.org/graph/first"), ox.NamedNode("https://example.org/graph/second")
    node, a, p, q = ox.BlankNode(), ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"), ox.NamedNode("https://example.org/q")
    push(endpoint, [ox.Quad(a, p, node, first), ox.Quad(node, q, ox.Literal("shared", language="FR"), second)], use_graph_store=False)
    answer = query(endpoint, "SELECT ?x ?label WHERE { GRAPH <https://example.org/graph/first> { ?a ?p ?x } "
                             "GRAPH <https://example.org/graph/second> { ?x ?q ?label } }")
    assert len(answer.rows) == 1
    assert isinstance(answer.rows[0]["x"], ox.BlankNode)
    assert answer.rows[0]["label"] == ox.Literal("shared", language="fr")  # @FR arrives as @fr, as LANG() = "fr" expects
    graph = query(endpoint, "CONSTRUCT { ?a ?p ?x } WHERE { GRAPH <https://example.org/graph/first> { ?a ?p ?x } }")
    assert [type(t.object) for t in graph.triples] == [ox.BlankNode]


def test_data_we_did_not_write_with_capital_language_tags(tmp_path: Path) -> None:
    """Two mechanisms of public KM toolkits, tagged "@FR" and "@EN": every saved query still answers as the embedded store."""
    local = open_graph(extra=[Path(__file__).parent / "data" / "km-toolkit-mechanisms.ttl"])
    with virtuoso_server.running(tmp_path / "db") as server:
        endpoint = Endpoint.at(server.sparql, update=server.sparql_auth)
        push(endpoint, local.quads(), use_graph_store=False)
        for saved in Catalogue.bundled():
            for lang in ("fr", "en"):
                params = EXAMPLE_PARAMS.get(saved.name, {})
                assert_same(saved.name, comparable(run_local(local, saved, params, lang=lang)),
                            comparable(run_saved(endpoint, saved, params, lang=lang, labels_from=local)))
        overview = run_saved(endpoint, Catalogue.bundled().get("mechanisms-overview"), lang="en", labels_from=local)
    assert {"After action review", "Peer assist"} <= set(overview.column("mechanismLabel"))


def _ask(runner, tmp_path: Path, endpoint: str, text: str):  # type: ignore[no-untyped-def]
    """``kg query`` of an ad-hoc query file on the endpoint."""
    path = tmp_path / "query.rq"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(main, ["query", str(path), "--endpoint", endpoint, "-f", "csv"])


def test_time_limit_error_is_exit_4(pushed: str, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """MaxQueryExecutionTime: Virtuoso answers HTTP 500 "SR171: Transaction timed out"."""
    result = _ask(runner, tmp_path, pushed, HEAVY)
    assert result.exit_code == 4
    assert "SR171: Transaction timed out" in result.output and "Traceback" not in result.output


def test_anytime_answer_is_refused_with_exit_4(pushed: str, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A ``timeout`` parameter (as DBpedia's form adds) makes an "anytime" answer: a 200, well formed, incomplete."""
    result = _ask(runner, tmp_path, f"{pushed}?timeout=300", HEAVY)
    assert result.exit_code == 4
    assert "time limit and the answer is incomplete" in result.output


def test_answer_cut_at_the_row_limit_is_exit_4(pushed: str, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = _ask(runner, tmp_path, pushed, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1500")
    assert result.exit_code == 4
    assert "cut the answer at 1000 rows" in result.output
    result = _ask(runner, tmp_path, pushed, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 999")
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 1000  # the header and 999 rows


def test_wrong_password_is_exit_4(virtuoso: virtuoso_server.Virtuoso, runner, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "not-the-password")
    result = runner.invoke(main, _push_args(virtuoso))
    assert result.exit_code == 4
    assert "401" in result.output and "KG_ENDPOINT_PASSWORD" in result.output


# ------------------------------------------------------------------ a push that dies midway


MECHANISMS = "https://w3id.org/ksm/graph/mechanisms"
TRANSLATIONS = "https://w3id.org/ksm/graph/translations.en"


def _versions(graph) -> tuple[list[ox.Quad], list[ox.Quad]]:  # type: ignore[no-untyped-def]
    """The bundled quads, and the same with every label of two graphs changed (French ones, English ones)."""
    old = graph.quads()

    def changed(q: ox.Quad) -> ox.Quad:
        if q.graph_name.value in (MECHANISMS, TRANSLATIONS) and isinstance(q.object, ox.Literal) and q.object.language:  # type: ignore[union-attr]
            return ox.Quad(q.subject, q.predicate, ox.Literal(q.object.value + " (v2)", language=q.object.language), q.graph_name)
        return q

    return old, [changed(q) for q in old]


def _labels(endpoint: Endpoint) -> list[str]:
    """The network's names in the two changed graphs, French then English."""
    return [query(endpoint, f"SELECT ?l WHERE {{ GRAPH <{g}> {{ <https://w3id.org/ksm/id/mechanism/network> "
                            f"<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} }}").column("l")[0]
            for g in (MECHANISMS, TRANSLATIONS)]


def test_server_killed_mid_upload_leaves_the_previous_graphs(tmp_path: Path, graph, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    old, new = _versions(graph)
    targets = sorted({q.graph_name.value for q in old})  # type: ignore[union-attr]
    with virtuoso_server.running(tmp_path / "db") as server:
        endpoint = Endpoint.at(server.sparql, update=server.sparql_auth)
        push(endpoint, old, use_graph_store=False)
        counts = server_counts(endpoint, targets)
        # Many small requests, and the server killed (SIGKILL, a crash) after the third upload request.
        monkeypatch.setattr(push_module, "REQUEST_BYTES", 20_000)
        real_update, sent = push_module.update, []

        def update_then_crash(target: Endpoint, text: str) -> None:
            real_update(target, text)
            sent.append(text)
            if len(sent) == 4:  # the staging drop, then three upload requests
                server.stop(kill=True)

        monkeypatch.setattr(push_module, "update", update_then_crash)
        with pytest.raises(EnvironmentFailure, match="unreachable"):
            push(endpoint, new, use_graph_store=False)
        assert len(sent) == 4 and len(push_module.plan(endpoint, new, use_graph_store=False).requests) > 3  # stopped mid-upload
        server.start()
        endpoint = Endpoint.at(server.sparql, update=server.sparql_auth)
        assert server_counts(endpoint, targets) == counts
        assert _labels(endpoint) == ["Réseau", "Network"]
        monkeypatch.setattr(push_module, "update", real_update)
        push(endpoint, new, use_graph_store=False)  # the next push clears what the crashed one left
        assert _labels(endpoint) == ["Réseau (v2)", "Network (v2)"]
        assert query(endpoint, STAGED).boolean is False


def test_server_killed_during_the_swap_leaves_all_old_or_all_new(tmp_path: Path, graph, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    old, new = _versions(graph)
    with virtuoso_server.running(tmp_path / "db") as server:
        endpoint = Endpoint.at(server.sparql, update=server.sparql_auth)
        push(endpoint, old, use_graph_store=False)
        real_update = push_module.update

        def crash_during_move(target: Endpoint, text: str) -> None:
            if text.startswith("MOVE"):
                threading.Timer(0.05, server.stop, kwargs={"kill": True}).start()
            real_update(target, text)

        monkeypatch.setattr(push_module, "update", crash_during_move)
        try:
            push(endpoint, new, use_graph_store=False)
        except EnvironmentFailure:
            pass  # killed before the answer: the swap may or may not have happened, but whole
        server.stop(kill=True)
        server.start()
        endpoint = Endpoint.at(server.sparql, update=server.sparql_auth)
        assert _labels(endpoint) in (["Réseau", "Network"], ["Réseau (v2)", "Network (v2)"])
