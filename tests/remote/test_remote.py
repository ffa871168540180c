"""Saved queries on a real remote triplestore (oxigraph serve) give the local answers.

A real ``oxigraph serve`` is started on a free loopback port with a
temporary store; ``kg push`` uploads the graph, then every saved query runs
remotely and locally and the answers are compared, row by row and in order
(tests/remote/same_answers.py; the same comparison runs on Virtuoso and
Comunica in test_virtuoso.py and test_comunica.py).  Failure modes (refused
connection, HTTP error, cut-off or non-SPARQL 200 answers, time-outs) are
played by a tiny HTTP server in a thread, since a real server cannot be made
to misbehave on demand.
"""

from __future__ import annotations

import gc
import http.server
import threading
import time
import urllib.parse
import warnings
from collections.abc import Callable, Iterator

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.core.errors import EnvironmentFailure, KgError
from kg.remote.endpoint import Endpoint, query
from kg.remote.push import push, server_counts
from tests import oxigraph_server
from tests.remote.same_answers import CASES, IDS, assert_same_answer

pytestmark = pytest.mark.server

INFERRED = "https://w3id.org/ksm/graph/inferred"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server.running(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@pytest.fixture(scope="module")
def pushed(server: str, graph) -> Endpoint:  # type: ignore[no-untyped-def]
    endpoint = Endpoint.at(f"{server}/query")
    push(endpoint, graph.quads())
    return endpoint


@pytest.mark.parametrize(("name", "lang"), CASES, ids=IDS)
def test_every_saved_query_answers_the_same_remotely(name: str, lang: str, pushed: Endpoint, runner) -> None:  # type: ignore[no-untyped-def]
    assert_same_answer(runner, pushed.query, name, lang)


def test_remote_answer_from_the_cli_matches_the_seed(pushed: Endpoint, runner) -> None:  # type: ignore[no-untyped-def]
    """Study tours and fora in situ need no internet (the seed's limits); discussion groups do."""
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", pushed.query, "--lang", "en", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "Study tour" in result.output
    assert "Discussion group" not in result.output


def test_push_from_the_cli_reports_and_checks_counts(server: str, graph, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["push", "--endpoint", f"{server}/query"])
    assert result.exit_code == 0, result.output
    inferred = graph.count(INFERRED)
    assert f"{inferred} triples  {INFERRED}" in result.output
    assert server_counts(Endpoint.at(f"{server}/query"), [INFERRED]) == {INFERRED: inferred}


def test_push_with_update_only_replaces_the_graph(server: str) -> None:
    endpoint = Endpoint.at(f"{server}/query")
    g = ox.NamedNode("https://example.org/graph/replaced")
    a, p = ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p")
    push(endpoint, [ox.Quad(a, p, ox.Literal("old 1"), g), ox.Quad(a, p, ox.Literal("old 2"), g)], use_graph_store=False)
    push(endpoint, [ox.Quad(a, p, ox.Literal("new"), g)], use_graph_store=False)
    values = query(endpoint, "SELECT ?o WHERE { GRAPH <https://example.org/graph/replaced> { ?s ?p ?o } }").column("o")
    assert values == ["new"]


def test_failed_push_leaves_the_old_graph(server: str) -> None:
    g = ox.NamedNode("https://example.org/graph/kept")
    a, p = ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p")
    push(Endpoint.at(f"{server}/query"), [ox.Quad(a, p, ox.Literal("before"), g)])
    broken = Endpoint.at(f"{server}/query", update=f"{server}/no-such-update-service")
    with pytest.raises(EnvironmentFailure, match="HTTP 404"):
        push(broken, [ox.Quad(a, p, ox.Literal("after"), g)])
    values = query(Endpoint.at(f"{server}/query"), "SELECT ?o WHERE { GRAPH <https://example.org/graph/kept> { ?s ?p ?o } }").column("o")
    assert values == ["before"]


def test_unreachable_endpoint_is_exit_4(runner) -> None:  # type: ignore[no-untyped-def]
    port = oxigraph_server.free_port()
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", f"http://127.0.0.1:{port}/query"])
    assert result.exit_code == 4
    assert "unreachable" in result.output
    assert "Traceback" not in result.output


def test_http_error_is_exit_4(server: str, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", f"{server}/no-such-path"])
    assert result.exit_code == 4
    assert "404" in result.output


class _Fake(http.server.BaseHTTPRequestHandler):
    """Plays one misbehaving endpoint; ``behave`` writes the answer."""

    behave: Callable[[http.server.BaseHTTPRequestHandler], None]
    seen_auth: list[str | None]

    def do_POST(self) -> None:
        self.request_body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).seen_auth.append(self.headers.get("Authorization"))
        type(self).behave(self)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture()
def fake() -> Iterator[Callable[[Callable[[http.server.BaseHTTPRequestHandler], None]], tuple[str, list[str | None]]]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(behave: Callable[[http.server.BaseHTTPRequestHandler], None]) -> tuple[str, list[str | None]]:
        handler = type("Handler", (_Fake,), {"behave": staticmethod(behave), "seen_auth": []})
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}/sparql", handler.seen_auth

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def _answer(media_type: str, body: bytes, *, length: int | None = None, headers: dict[str, str] | None = None,
            seen: list[str] | None = None) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    """A 200 with this body; ``seen`` collects the Accept header of each request."""

    def behave(handler: http.server.BaseHTTPRequestHandler) -> None:
        if seen is not None:
            seen.append(handler.headers.get("Accept") or "")
        handler.send_response(200)
        handler.send_header("Content-Type", media_type)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body) if length is None else length))
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True

    return behave


CUT = b'{"head":{"vars":["mechanism","mechanismLabel"]},"results":{"bindings":[{"mechanism":{"type":"uri","value":"https://w3id.org/ksm/id/mech'


def test_cut_off_200_answer_is_exit_4(fake, runner) -> None:  # type: ignore[no-untyped-def]
    """Oxigraph and Fuseki answer 200 and then stop writing when their time limit hits."""
    url, _ = fake(_answer("application/sparql-results+json", CUT))
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", url])
    assert result.exit_code == 4
    assert "cut off" in result.output


def test_body_shorter_than_announced_is_exit_4(fake, runner) -> None:  # type: ignore[no-untyped-def]
    url, _ = fake(_answer("application/sparql-results+json", CUT, length=len(CUT) + 500))
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", url])
    assert result.exit_code == 4
    assert "cut off" in result.output


def test_non_sparql_answer_is_exit_4(fake, runner) -> None:  # type: ignore[no-untyped-def]
    url, _ = fake(_answer("text/html", b"<html><body>Welcome</body></html>"))
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", url])
    assert result.exit_code == 4
    assert "not SPARQL results" in result.output


def test_slow_endpoint_times_out_with_exit_4(fake, runner) -> None:  # type: ignore[no-untyped-def]
    def slow(handler: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(3)

    url, _ = fake(slow)
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", url, "--timeout", "1"])
    assert result.exit_code == 4
    assert "timed out" in result.output


def test_basic_auth_comes_from_the_environment(fake, runner, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    empty = b'{"head":{"vars":["mechanism","mechanismLabel","description"]},"results":{"bindings":[]}}'
    url, seen = fake(_answer("application/sparql-results+json", empty))
    monkeypatch.setenv("KG_ENDPOINT_USER", "alice")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "s3cret")
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", url])
    assert result.exit_code == 0, result.output
    assert seen and set(seen) == {"Basic YWxpY2U6czNjcmV0"}  # base64 of alice:s3cret, on every request
    assert "(no results)" in result.output


# ------------------------------------------------------------------ what engines write (played by the fake)

ONE_ROW = (b'{"head":{"vars":["mechanism","mechanismLabel","description"]},"results":{"bindings":['
           b'{"mechanism":{"type":"uri","value":"https://w3id.org/ksm/id/mechanism/network"},'
           b'"mechanismLabel":{"type":"literal","xml:lang":"en","value":"Network"}}]}')


def test_asks_for_sparql_results_not_plain_json(fake, runner) -> None:  # type: ignore[no-untyped-def]
    """Comunica answers ``application/json`` with a JSON of its own: kg never asks for it."""
    accepts: list[str] = []
    url, _ = fake(_answer("application/sparql-results+json", ONE_ROW + b"}", seen=accepts))
    assert runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", url]).exit_code == 0
    accepts_graph: list[str] = []
    url, _ = fake(_answer("application/n-triples", b"", seen=accepts_graph))
    assert runner.invoke(main, ["query", "mechanism-card", "-p", "mechanism=mech:network", "--endpoint", url]).exit_code == 0
    offered = [part.split(";")[0].strip() for part in accepts[0].split(",")]
    assert offered[0] == "application/sparql-results+json" and "application/json" not in offered
    assert accepts_graph[0].split(",")[0] == "application/n-triples"


def test_members_beyond_sparql_json_are_ignored(fake, runner) -> None:  # type: ignore[no-untyped-def]
    """Comunica adds "metadata" after "results" (QLever "meta"), which pyoxigraph alone would refuse."""
    url, _ = fake(_answer("application/sparql-results+json", ONE_ROW + b',"metadata":{"httpRequests":0}}'))
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", url, "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "https://w3id.org/ksm/id/mechanism/network,Network,"


def test_an_answer_in_some_other_json_is_exit_4(fake, runner) -> None:  # type: ignore[no-untyped-def]
    url, _ = fake(_answer("application/json", b'[{"mechanism":"https://w3id.org/ksm/id/mechanism/network"}]'))
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", url])
    assert result.exit_code == 4
    assert "not SPARQL results" in result.output


def test_virtuoso_blank_node_labels_and_our_skolem_iris_become_blank_nodes(fake) -> None:  # type: ignore[no-untyped-def]
    body = (b'{"head":{"vars":["a","b","c"]},"results":{"bindings":[{'
            b'"a":{"type":"bnode","value":"nodeID://b10000"},"b":{"type":"bnode","value":"nodeID://b10000"},'
            b'"c":{"type":"uri","value":"https://w3id.org/ksm/.well-known/genid/f17f9d8656ab9daec4f98d80263a7492"}}]}}')
    url, _ = fake(_answer("application/sparql-results+json", body))
    row = query(Endpoint.at(url), "SELECT ?a ?b ?c WHERE { ?a ?b ?c }").rows[0]
    assert isinstance(row["a"], ox.BlankNode) and row["a"] == row["b"]  # one node, one label
    assert row["c"] == ox.BlankNode("f17f9d8656ab9daec4f98d80263a7492")


def test_a_constructed_graph_is_a_set(fake) -> None:  # type: ignore[no-untyped-def]
    """Comunica writes a triple once per solution that builds it."""
    line = b'<https://example.org/a> <https://example.org/p> "x"@fr .\n'
    url, _ = fake(_answer("application/n-triples", line * 3))
    assert len(query(Endpoint.at(url), "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples) == 1


@pytest.mark.parametrize(
    ("headers", "says"),
    [({"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results, query interrupted by result timeout."}, "incomplete"),
     ({"X-SPARQL-MaxRows": "10000"}, "cut the answer at 10000 rows")],
    ids=["virtuoso-anytime", "virtuoso-max-rows"],
)
def test_a_well_formed_answer_marked_partial_is_exit_4(fake, runner, headers: dict[str, str], says: str) -> None:  # type: ignore[no-untyped-def]
    url, _ = fake(_answer("application/sparql-results+json", ONE_ROW + b"}", headers=headers))
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--endpoint", url])
    assert result.exit_code == 4
    assert says in result.output and "Traceback" not in result.output


def test_dry_run_prints_what_and_where_and_sends_nothing(fake, runner, graph) -> None:  # type: ignore[no-untyped-def]
    url, seen = fake(_answer("application/sparql-results+json", b"{}"))
    update = url.replace("/sparql", "/update")
    result = runner.invoke(main, ["push", "--endpoint", url, "--update-endpoint", update, "--no-graph-store", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert seen == []  # not one request
    assert f"nothing sent. {len({q.graph_name for q in graph.quads()})} graphs, {len(graph.quads())} triples" in result.output
    assert f"SPARQL Update request to {update}" in result.output
    assert f"{graph.count(INFERRED):>8} triples  {INFERRED}" in result.output


def test_values_are_repeated_in_optionals_only_where_the_endpoint_needs_it(server: str, fake, runner) -> None:  # type: ignore[no-untyped-def]
    """Oxigraph sees an outer VALUES in an OPTIONAL's filter; an endpoint that does not (Virtuoso 7) gets the block repeated."""
    from kg.remote.endpoint import optional_filters_see_values

    assert optional_filters_see_values(Endpoint.at(f"{server}/query")) is True
    sent: list[bytes] = []

    def blind(handler: http.server.BaseHTTPRequestHandler) -> None:  # answers the probe as Virtuoso does: "seen" unbound
        sent.append(handler.request_body)  # type: ignore[attr-defined]
        _answer("application/sparql-results+json", b'{"head":{"vars":["seen"]},"results":{"bindings":[{}]}}')(handler)

    url, _ = fake(blind)
    assert optional_filters_see_values(Endpoint.at(url)) is False
    runner.invoke(main, ["query", "mechanisms-by-scale", "-p", "scale=ksmc:local", "--endpoint", url])
    query_text = urllib.parse.parse_qs(sent[-1].decode())["query"][0]
    assert "OPTIONAL { VALUES ?__lang" in query_text


def _status(code: int) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def behave(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(code)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", "5")
        handler.end_headers()
        handler.wfile.write(b"nope\n")

    return behave


@pytest.mark.parametrize("code", [400, 404, 414, 500, 503])
def test_an_error_answer_leaves_no_connection_to_the_garbage_collector(fake, code: int) -> None:  # type: ignore[no-untyped-def]
    """The error's response is closed when kg reports it: an open one is a socket (and a warning) for the collector."""
    url, _ = fake(_status(code))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with pytest.raises(KgError, match=str(code)):
            query(Endpoint.at(url), "SELECT * WHERE { ?s ?p ?o }")
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
