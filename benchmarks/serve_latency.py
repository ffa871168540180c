"""Keep-alive latency of one saved query through `kg serve` against `oxigraph serve` on the same data.

Both servers run as subprocesses on loopback ports with the same quads
(asserted + inferred, union default graph, read-only).  At each concurrency
(1, 4 and 16 by default) that many client threads each keep one HTTP/1.1
connection open and send their share of the requests on it, with the same
bound query text (kg.graph.binding.with_values) and
Accept: application/sparql-results+json.  Prints median and p99 per server
and their ratios, measured in the same run.

    .venv/bin/python benchmarks/serve_latency.py [--requests 800] [--clients 1 4 16] [--query mechanisms-by-tool]
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from kg.graph.binding import with_values
from kg.graph.dataset import open_graph
from kg.queries.catalogue import Catalogue
from kg.queries.params import bind

BIN = Path(sys.executable).parent
PARAMS = {"mechanism": "mech:network", "tool": "ksmc:email", "first": "mech:network", "second": "mech:learning-group"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def measure(endpoint: str, query: str, *, requests: int, clients: int) -> list[float]:
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path + "?" + urllib.parse.urlencode({"query": query})
    headers = {"Accept": "application/sparql-results+json"}
    latencies: list[float] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        for _ in range(5):  # warm-up, on the same connection
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
        mine = []
        for _ in range(n):
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            mine.append(time.perf_counter() - start)
            assert response.status == 200 and body.startswith(b"{"), body[:200]
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(max(1, requests // clients),)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def summary(name: str, latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    median = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    print(f"{name:16} n={len(ordered)} median={median * 1000:.2f} ms p99={p99 * 1000:.2f} ms")
    return median, p99


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--query", default="mechanisms-by-tool")
    args = parser.parse_args()

    graph = open_graph()
    saved = Catalogue.bundled().get(args.query)
    given = {p.name: PARAMS[p.name] for p in saved.parameters if p.name in PARAMS}
    query = with_values(saved.text, bind(saved, given, graph=graph, lang="en"))
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            data = Path(tmp) / "data.nq"
            data.write_bytes(ox.serialize(graph.store, format=ox.RdfFormat.N_QUADS) or b"")
            subprocess.run([str(BIN / "oxigraph"), "load", "--location", f"{tmp}/db", "--file", str(data)], check=True, capture_output=True)
            ox_port, kg_port = free_port(), free_port()
            processes.append(subprocess.Popen([str(BIN / "oxigraph"), "serve-read-only", "--location", f"{tmp}/db", "--bind", f"127.0.0.1:{ox_port}",
                                               "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            processes.append(subprocess.Popen([str(BIN / "kg"), "serve", "--port", str(kg_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_up(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D")
            wait_up(f"http://127.0.0.1:{kg_port}/sparql?query=ASK%7B%7D")
            print(f"query {args.query} {given}, {args.requests} requests at each concurrency, keep-alive connections")
            for clients in args.clients:
                print(f"-- concurrency {clients}")
                ox_median, ox_p99 = summary("oxigraph serve", measure(f"http://127.0.0.1:{ox_port}/query", query, requests=args.requests, clients=clients))
                kg_median, kg_p99 = summary("kg serve", measure(f"http://127.0.0.1:{kg_port}/sparql", query, requests=args.requests, clients=clients))
                print(f"ratio kg/oxigraph at concurrency {clients}: median {kg_median / ox_median:.2f}x, p99 {kg_p99 / ox_p99:.2f}x")
        finally:
            for process in processes:
                process.terminate()
                process.wait(10)


if __name__ == "__main__":
    main()
