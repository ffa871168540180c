"""Latency of one saved query through `kg serve` against `oxigraph serve` on the same data.

Both servers run as subprocesses on loopback ports with the same quads
(asserted + inferred, union default graph, read-only); 4 client threads
send a bounded number of requests each with the same bound query text
(kg.binding.with_values) and Accept: application/sparql-results+json.
Prints median and p99 per server and their ratio.

    .venv/bin/python benchmarks/serve_latency.py [--requests 400] [--clients 4] [--query mechanisms-by-tool]
"""

from __future__ import annotations

import argparse
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
    url = endpoint + "?" + urllib.parse.urlencode({"query": query})
    latencies: list[float] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        for _ in range(n):
            request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
            elapsed = time.perf_counter() - start
            assert response.status == 200 and body.startswith(b"{"), body[:200]
            with lock:
                latencies.append(elapsed)

    for _ in range(20):  # warm-up
        urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})).read()
    threads = [threading.Thread(target=client, args=(requests // clients,)) for _ in range(clients)]
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
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
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
            print(f"query {args.query} {given}, {args.requests} requests from {args.clients} clients each server")
            ox_median, ox_p99 = summary("oxigraph serve", measure(f"http://127.0.0.1:{ox_port}/query", query, requests=args.requests, clients=args.clients))
            kg_median, kg_p99 = summary("kg serve", measure(f"http://127.0.0.1:{kg_port}/sparql", query, requests=args.requests, clients=args.clients))
            print(f"ratio kg/oxigraph: median {kg_median / ox_median:.2f}x, p99 {kg_p99 / ox_p99:.2f}x")
        finally:
            for process in processes:
                process.terminate()
                process.wait(10)


if __name__ == "__main__":
    main()
