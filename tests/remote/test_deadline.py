"""`--timeout` is a deadline for the whole answer, not a limit on each read of the socket.

A local server answers its headers at once and then one byte a second, for
ever: every read succeeds, so a per-read time limit never fires.  On
127.0.0.1 only.
"""

from __future__ import annotations

import gc
import http.server
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator

import pytest

from kg.core.errors import EnvironmentFailure
from kg.remote.deadline import within
from kg.remote.endpoint import Endpoint, query


class _Trickle(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        try:
            while True:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass  # the client went away

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def trickle() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def test_the_library_gives_up_at_the_deadline(trickle: str) -> None:
    start = time.monotonic()
    with pytest.raises(EnvironmentFailure, match=r"no whole answer within 2 s"):
        query(Endpoint.at(trickle, timeout=2.0), "SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - start < 5


def test_the_command_exits_4_at_the_deadline(trickle: str) -> None:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "kg.cli", "query", "mechanisms-without-internet", "--endpoint", trickle, "--timeout", "2"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 4, done.stderr
    assert "no whole answer within 2 s (--timeout)" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert time.monotonic() - start < 10


class _Held(Exception):
    """An error that holds something, as urllib's HTTPError holds the connection it answered on."""

    def __init__(self, held: object) -> None:
        super().__init__("failed")
        self.held = held


class _Connection:
    pass


def _failing(delay: float, held: list[weakref.ref[_Connection]]) -> Callable[[threading.Event], bytes]:
    def call(cancelled: threading.Event) -> bytes:
        connection = _Connection()
        held.append(weakref.ref(connection))
        time.sleep(delay)
        raise _Held(connection)

    return call


@pytest.mark.parametrize("delay", [0.0, 0.3], ids=["answered in time", "answered after the deadline"])
def test_a_failed_request_leaves_nothing_for_the_garbage_collector(delay: float) -> None:
    """What the request held is freed when its error is dropped, without a collection.

    Left to the collector, a connection is finalised at any moment and in any
    order, and Python warns of an unclosed socket wherever that happens.
    """
    held: list[weakref.ref[_Connection]] = []
    gc.disable()
    try:
        with pytest.raises((_Held, EnvironmentFailure)):
            within(0.1, _failing(delay, held), late=lambda: EnvironmentFailure("timed out"))
        deadline = time.monotonic() + 5
        while (not held or held[0]() is not None) and time.monotonic() < deadline:
            time.sleep(0.05)  # the late worker finishes on its own
        assert held and held[0]() is None
    finally:
        gc.enable()
