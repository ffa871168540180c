"""`--timeout` is a deadline for the whole answer, not a limit on each read of the socket.

A local server answers its headers at once and then one byte a second, for
ever: every read succeeds, so a per-read time limit never fires.  On
127.0.0.1 only.
"""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from kg.core.errors import EnvironmentFailure
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
