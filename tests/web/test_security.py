"""`kg serve` attacked on loopback: no query reaches the network or a file, no IRI runs script,
slow clients are shed, big answers are capped.  Each test names the item of the issue it covers."""

from __future__ import annotations

import gc
import http.client
import logging
import socket
import statistics
import time
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

from tests.web.attack import Listener, SlowClients, fetch, wait_until

JS_QUERY = "SELECT ?x WHERE { VALUES ?x { <javascript://%0Aalert(document.domain)> <data:text/html,%3Cscript%3Ealert(1)%3C/script%3E> <http://ok.example/> } }"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def _server(graph, **settings):  # type: ignore[no-untyped-def]
    from kg.web.app import Settings, serve_in_thread

    return serve_in_thread(Settings(timeout=3.0, max_rows=500, workers=2, **settings), graph=graph)


@pytest.fixture(scope="module")
def server(graph) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with _server(graph) as url:
        yield url


@pytest.fixture(scope="module")
def parsing_only_server(graph) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Workers that keep the network: only the parse-tree guard stands between a query and the network."""
    with _server(graph, isolate=False) as url:
        yield url


# ---------------------------------------------------------------- SSRF: no query text makes the server connect anywhere

def corpus(url: str) -> list[str]:
    """Ways to spell a federated query, or a fetch of a URL or file, that a regex over the text gets wrong."""
    return [
        f"PREFIX ex: <http://ex/> SELECT * WHERE {{ OPTIONAL {{ ?x ex:a\\# ?y }} SERVICE <{url}> {{ ?s ?p ?o }} }}",  # the issue's bypass
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",  # a unicode escape, decoded before parsing
        f"SELECT * WHERE {{ \\U00000053ervice <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p '#' . SERVICE <{url}> {{ ?s ?p ?o }} }}",  # a hash in a string, then SERVICE
        f"SELECT * WHERE {{ # a comment }}\n SeRvIcE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ OPTIONAL {{ FILTER EXISTS {{ SERVICE SILENT <{url}> {{ ?a ?b ?c }} }} }} }} }}",  # nested, SILENT
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",  # in a subquery
        f"ASK {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"BASE <{url}> SELECT * WHERE {{ SERVICE <> {{ ?s ?p ?o }} }}",  # a relative IRI
        f"PREFIX r: <{url}> SELECT * WHERE {{ SERVICE r: {{ ?s ?p ?o }} }}",  # a prefixed name
        f"SELECT * WHERE {{ VALUES ?u {{ <{url}> }} SERVICE ?u {{ ?s ?p ?o }} }}",  # a variable endpoint
        f"LOAD <{url}>",
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
    ]


def _send_corpus(base: str, url: str) -> list[tuple[str, int, bytes]]:
    sent = []
    for text in corpus(url):
        encoded = urllib.parse.urlencode({"query": text})
        for status, _, body in (
            fetch(base + "sparql?" + encoded, headers={"Accept": "application/sparql-results+json"}),
            fetch(base + "sparql", data=encoded.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}),
            fetch(base + "sparql", data=text.encode(), headers={"Content-Type": "application/sparql-query"}),
            fetch(base + "editor?" + encoded + "&lang=en", headers={"Accept": "text/html"}),
        ):
            sent.append((text, status, body))
    return sent


@pytest.mark.parametrize("guard", ["network namespace", "parse tree"])
def test_no_query_makes_the_server_connect_or_read_a_file(guard, server, parsing_only_server, listener) -> None:  # type: ignore[no-untyped-def]
    base = server if guard == "network namespace" else parsing_only_server
    before = listener.connections
    for text, status, body in _send_corpus(base, listener.url):
        assert status in (200, 400), (text, status, body[:300])
        assert b"root:" not in body and b"garbage" not in body, text
        if status == 200 and "SERVICE" in text.upper():
            assert b"<http://ex" not in body  # nothing came back from elsewhere
    assert listener.connections == before, f"{listener.connections - before} connections reached the listener"
    status, _, body = fetch(server + "sparql?" + urllib.parse.urlencode({"query": "ASK {}"}))  # the workers still answer
    assert status == 200 and b"true" in body


def test_service_gets_a_clear_400(server, parsing_only_server, listener) -> None:  # type: ignore[no-untyped-def]
    query = urllib.parse.urlencode({"query": f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"})
    for base in (server, parsing_only_server):
        status, _, body = fetch(base + "sparql?" + query)
        assert status == 400 and body.startswith(b"SERVICE is not allowed"), body
    status, _, body = fetch(server + "editor?" + query + "&lang=fr", headers={"Accept": "text/html"})
    assert status == 400 and b"SERVICE n&#39;est pas permis" in body


def test_a_malformed_remote_answer_is_an_answer_not_a_dead_worker(listener) -> None:  # type: ignore[no-untyped-def]
    """The engine core's own error handling, as if both guards had failed (this test process has the network)."""
    import pyoxigraph as ox

    from kg.web.worker import Job, execute

    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    answer = execute(ox.Store(), Job(query=query, accept="application/sparql-results+json"), max_rows=10, isolated=True)
    gc.collect()  # pyoxigraph's iterators must be freed on the thread that made them (a worker process has only one)
    assert listener.connections > 0  # it did reach the listener, and got its garbage
    assert answer.status == 400 and answer.body.startswith(b"SERVICE is not allowed")


# ---------------------------------------------------------------- XSS: IRIs with script schemes are never links

class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value or "" for name, value in attrs if name in ("href", "src", "action")]


def test_result_tables_link_only_safe_schemes(server) -> None:  # type: ignore[no-untyped-def]
    for page in (f"sparql?{urllib.parse.urlencode({'query': JS_QUERY})}", f"editor?{urllib.parse.urlencode({'query': JS_QUERY})}"):
        status, _, body = fetch(server + page, headers={"Accept": "text/html"})
        assert status == 200
        parser = Links()
        parser.feed(body.decode())
        schemes = {urllib.parse.urlsplit(href).scheme for href in parser.hrefs}
        assert schemes <= {"", "http", "https"}, schemes
        assert "http://ok.example/" in parser.hrefs  # a safe IRI is still a link
        assert "javascript://%0Aalert(document.domain)" in body.decode()  # shown as text


def test_every_response_carries_the_security_headers(server) -> None:  # type: ignore[no-untyped-def]
    cases = ["", "ksm/id/mechanism/network", "sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE {"}), "no/such/page",
             "ksm/id/mechanism/network.ttl", "static/style.css", ".well-known/void"]
    for path in cases:
        status, headers, _ = fetch(server + path, headers={"Accept": "text/html"})
        assert status in (200, 400, 404, 406), path
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY", path
    parts = urllib.parse.urlsplit(server)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.putrequest("POST", "/sparql")
    conn.putheader("Content-Type", "application/sparql-query")
    conn.putheader("Content-Length", "2000000")  # declared, never sent: refused before reading
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413 and response.getheader("x-content-type-options") == "nosniff"
    conn.close()


def test_templates_have_no_inline_script_or_style() -> None:
    from kg.release.site import TEMPLATES

    class Inline(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            names = {name for name, _ in attrs}
            if tag in ("script", "style") or "style" in names or any(name.startswith("on") for name in names):
                self.found.append(tag)

    for template in TEMPLATES.glob("*.html"):
        parser = Inline()
        parser.feed(template.read_text())
        assert parser.found == [], template.name


# ---------------------------------------------------------------- slow clients

@pytest.fixture(scope="module")
def guarded(graph) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with _server(graph, header_timeout=1.0, max_connections=30, keep_alive=1.0) as url:
        yield url


def test_headers_must_arrive_in_time(guarded) -> None:  # type: ignore[no-untyped-def]
    port = urllib.parse.urlsplit(guarded).port
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        sock.settimeout(0.25)
        start, closed = time.monotonic(), False
        while time.monotonic() - start < 5:
            try:
                sock.sendall(b"X-Dribble: a\r\n")  # a header line every 0.25 s: a keep-alive timer alone never fires
                if sock.recv(100) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break
        assert closed and 0.9 < time.monotonic() - start < 2.5


def test_headers_past_16_kib_close_the_connection(guarded) -> None:  # type: ignore[no-untyped-def]
    """The header lines of a request are bounded in size as well as in time, however they are cut into packets."""
    port = urllib.parse.urlsplit(guarded).port
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        sock.settimeout(0.5)
        sent, closed, reply = 0, False, b""
        while sent < 200_000 and not closed:
            try:
                sock.sendall(b"X-Pad: " + b"a" * 990 + b"\r\n")  # 1 kB lines, well apart: each read holds one
                sent += 1000
                time.sleep(0.005)
                sock.setblocking(False)
                chunk = sock.recv(1000)
                reply += chunk
                closed = chunk == b"" or reply.startswith(b"HTTP/1.1 400")
            except BlockingIOError:
                pass
            except OSError:
                closed = True
            finally:
                sock.setblocking(True)
        assert closed and 16_000 <= sent <= 40_000, (sent, reply[:100])
    assert fetch(guarded + "sparql?query=ASK%7B%7D", timeout=5)[0] == 200


def test_slow_clients_beyond_the_connection_limit_make_room_for_ordinary_ones(graph) -> None:  # type: ignore[no-untyped-def]
    with _server(graph, header_timeout=60.0, max_connections=30) as url:
        port = urllib.parse.urlsplit(url).port
        assert port is not None
        with SlowClients("127.0.0.1", port, count=40, interval=0.2, reconnect=False) as slow:
            assert wait_until(lambda: slow.opened >= 40 and slow.closed_by_server >= 10, 10), (slow.opened, slow.closed_by_server)
            statuses = [fetch(url + "sparql?query=ASK%7B%7D", timeout=5)[0] for _ in range(15)]
            assert statuses == [200] * 15  # each one closed the slow client that had waited longest
            assert wait_until(lambda: slow.closed_by_server >= 25, 3), slow.closed_by_server


def test_slow_clients_are_shed_and_ordinary_clients_served_meanwhile(guarded) -> None:  # type: ignore[no-untyped-def]
    port = urllib.parse.urlsplit(guarded).port
    assert port is not None
    with SlowClients("127.0.0.1", port, count=20, interval=0.3) as slow:
        assert wait_until(lambda: slow.opened >= 20, 10)
        statuses = []
        for _ in range(30):
            statuses.append(fetch(guarded + "sparql?query=ASK%7B%7D", timeout=5)[0])
            time.sleep(0.05)
        assert statuses == [200] * 30
        assert wait_until(lambda: slow.closed_by_server >= 20, 3)  # each was closed after the header timeout


def test_log_volume_is_bounded() -> None:
    from kg.web.logs import RateLimit

    limit = RateLimit(per_second=10, burst=20)
    records = [logging.LogRecord("uvicorn.error", logging.WARNING, __file__, 1, "Invalid HTTP request received.", None, None) for _ in range(5000)]
    start = time.monotonic()
    passed = [r for r in records if limit.filter(r)]
    assert len(passed) <= 20 + 10 * (time.monotonic() - start) + 1
    time.sleep(0.2)
    record = logging.LogRecord("uvicorn.error", logging.WARNING, __file__, 1, "later", None, None)
    assert limit.filter(record) and "dropped" in str(record.msg)


def test_keep_alive_responses_are_not_delayed_by_nagle(server) -> None:  # type: ignore[no-untyped-def]
    """TCP_NODELAY on accepted sockets: without it, each request after the first on a connection waited ~40 ms."""
    parts = urllib.parse.urlsplit(server)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    latencies = []
    for _ in range(15):
        start = time.perf_counter()
        conn.request("GET", "/ksm/id/mechanism/network", headers={"Accept": "text/turtle"})
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        assert response.status == 200
    conn.close()
    assert statistics.median(latencies[1:]) < 0.030, latencies


# ---------------------------------------------------------------- big answers

def test_answers_are_capped_by_bytes_as_well_as_rows(graph) -> None:  # type: ignore[no-untyped-def]
    long = "x" * 2000
    values = " ".join(str(n) for n in range(100))
    query = f'SELECT ?n ?big WHERE {{ VALUES ?n {{ {values} }} BIND(CONCAT(STR(?n), "{long}") AS ?big) }}'  # 100 rows, 200 kB
    with _server(graph, max_answer_bytes=50_000) as url:
        status, _, body = fetch(url + "sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": "text/csv"})
        assert status == 400 and b"larger than 50000 bytes" in body
        construct = (f'CONSTRUCT {{ ?s <http://ex/p> ?big }} WHERE {{ VALUES ?n {{ {values} }} '
                     f'BIND(IRI(CONCAT("http://ex/", STR(?n))) AS ?s) BIND(CONCAT(STR(?n), "{long}") AS ?big) }}')
        status, _, body = fetch(url + "sparql?" + urllib.parse.urlencode({"query": construct}), headers={"Accept": "text/turtle"})
        assert status == 400 and b"larger than 50000 bytes" in body
        status, _, body = fetch(url + "editor?" + urllib.parse.urlencode({"query": query, "lang": "en"}), headers={"Accept": "text/html"})
        assert status == 200 and b"Table truncated" in body and len(body) < 200_000
        small = query.replace("{ " + values + " }", "{ 1 2 3 }")
        status, _, body = fetch(url + "sparql?" + urllib.parse.urlencode({"query": small}), headers={"Accept": "text/csv"})
        assert status == 200 and body.count(b"\r\n") == 4


def test_html_tables_are_capped(server) -> None:  # type: ignore[no-untyped-def]
    from kg.web.pages import TABLE_ROWS

    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    status, _, body = fetch(server + "editor?" + urllib.parse.urlencode({"query": query, "lang": "en"}), headers={"Accept": "text/html"})
    assert status == 200 and body.count(b"<tr>") <= min(TABLE_ROWS, 500) + 1 and b"Table truncated" in body
