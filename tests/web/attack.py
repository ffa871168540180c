"""Helpers for attacking a server on loopback: a listener that records who calls it, slow clients,
and a mixed attack to run in a process of its own (``python -m tests.web.attack URL SECONDS``)."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.request


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections and answers each with a malformed SPARQL result."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    body = b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": garbage'
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: "
                                 + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop = True
        self.sock.close()
        self.thread.join(2)


def fetch(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None,
          timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class SlowClients:
    """``count`` sockets that each send a request line, then one header line every ``interval`` seconds, never finishing;
    a socket the server closes is opened again, until ``stop()``.  Counts how many the server closed."""

    def __init__(self, host: str, port: int, *, count: int, interval: float, reconnect: bool = True) -> None:
        self.host, self.port, self.count, self.interval, self.reconnect = host, port, count, interval, reconnect
        self.closed_by_server = 0
        self.opened = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> SlowClients:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.thread.join(10)

    def _open(self) -> socket.socket | None:
        time.sleep(0.002)  # connect one at a time, as a dribbling client would
        try:
            sock = socket.create_connection((self.host, self.port), timeout=2)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            sock.setblocking(False)
            self.opened += 1
            return sock
        except OSError:
            return None

    def _run(self) -> None:
        socks: list[socket.socket | None] = [self._open() for _ in range(self.count)]
        line = 0
        while not self._stop.wait(self.interval):
            line += 1
            for i, sock in enumerate(socks):
                if sock is not None:
                    try:
                        if sock.recv(4096) == b"":
                            raise ConnectionResetError
                    except BlockingIOError:
                        pass
                    except OSError:
                        self.closed_by_server += 1
                        sock.close()
                        socks[i] = sock = None
                if sock is not None:
                    try:
                        sock.sendall(f"X-Slow-{line}: {'a' * 20}\r\n".encode())
                    except OSError:
                        self.closed_by_server += 1
                        sock.close()
                        socks[i] = None
                if socks[i] is None and self.reconnect:
                    socks[i] = self._open()
        for sock in socks:
            if sock is not None:
                sock.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def wait_until(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
BIG_TABLE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
BIG_ANSWER = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 2000"


def mixed_attack(url: str, seconds: float, *, slow: int = 200) -> dict[str, object]:
    """Slow clients, a runaway query in a loop and two loops of big answers, for ``seconds``; the statuses seen."""
    from urllib.parse import urlencode, urlsplit

    port = urlsplit(url).port
    assert port is not None
    stop = threading.Event()
    outcomes: dict[str, list[int]] = {"runaway": [], "table": [], "answer": []}

    def loop(name: str, path: str, accept: str) -> None:
        while not stop.is_set():
            outcomes[name].append(fetch(url + path, headers={"Accept": accept}, timeout=30)[0])

    loops = [
        threading.Thread(target=loop, args=("runaway", "sparql?" + urlencode({"query": RUNAWAY}), "text/csv")),
        threading.Thread(target=loop, args=("table", "editor?" + urlencode({"query": BIG_TABLE}), "text/html")),
        threading.Thread(target=loop, args=("answer", "sparql?" + urlencode({"query": BIG_ANSWER}), "application/sparql-results+json")),
    ]
    with SlowClients("127.0.0.1", port, count=slow, interval=0.5) as clients:
        for thread in loops:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in loops:
            thread.join(30)
    return {**outcomes, "slow_opened": clients.opened, "slow_closed_by_server": clients.closed_by_server}


if __name__ == "__main__":
    print(json.dumps(mixed_attack(sys.argv[1], float(sys.argv[2]))))
