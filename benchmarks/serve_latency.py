"""Keep-alive latency of one saved query through `kg serve` against `oxigraph serve` on the same data.

Both servers run as subprocesses on loopback ports with the same quads
(asserted + inferred, union default graph, read-only).  At each concurrency
(1, 4 and 16 by default) that many client *processes* (not threads, whose
wait for the GIL would add the client's own queueing to every figure) each
keep one HTTP/1.1 connection open and send their share of the requests on it,
with Accept: application/sparql-results+json and the same bound query text
(kg.graph.binding.with_values), in two workloads:

- ``same``: the same text every time, as a page or a dashboard asks it again;
  `kg serve` answers it from its cache of answers (kg.web.cache), oxigraph
  evaluates it each time (it keeps no answers);
- ``distinct``: every request's text differs by a trailing comment, so no
  cache can answer it and each server parses and evaluates every request.

Measurements are interleaved: round after round, every (workload,
concurrency, server) runs once, the servers in a shuffled order, so that a
change of the machine's load hits all alike.  A server's figure is the median
over rounds of its median latency in the round, with the range; a ratio is
the median and range of the ratios of the same round.  ``--kg NAME=PATH`` adds
another `kg` executable (another checkout's venv, say) as one more server,
for a before/after in the same run.

A third server, ``python floor`` (benchmarks/python_floor_server.py), is
the least any Python server does per request: uvicorn as `kg serve` runs it,
the query decoded and evaluated in-process, no framework, no middleware, no
cache, no limits, no worker process.  Its latency is the part of `kg serve`'s
that comes with Python and its HTTP stack; the rest is what `kg serve` adds
to be safe on the open internet (killable, network-less query workers) and
a good citizen of the web (CORS, ETag, security headers, gzip).  Each line
also gives the mean, as the median alone rewards a server that lets some
requests overtake others (a fair queue has a higher median and a far lower
tail at concurrency 16).

The clients share the machine's cores with the servers: at concurrency 16 on
a 2-core machine the figures are as much about CPU per request as about
latency, for every server alike.

The clients run at ``--client-nice`` (0 by default); 19 lets both servers
go first, as clients on other machines would (kg's query workers run at 10).

    .venv/bin/python benchmarks/serve_latency.py [--requests 400] [--rounds 5] [--clients 1 4 16] [--client-nice 0]
                     [--workloads same distinct] [--query mechanisms-by-tool] [--kg before=../other/.venv/bin/kg] [--no-floor]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from kg.graph.binding import with_values
from kg.graph.dataset import open_graph
from kg.queries.catalogue import Catalogue
from kg.queries.params import bind

BIN = Path(sys.executable).parent
PARAMS = {"mechanism": "mech:network", "tool": "ksmc:email", "first": "mech:network", "second": "mech:learning-group"}
HEADERS = {"Accept": "application/sparql-results+json"}


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


def _client(endpoint: str, paths: list[str], out: Connection, nice: int) -> None:
    """One client process: warm up its connection, then time each request on it."""
    os.nice(nice)
    parts = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    for path in paths[:5]:
        conn.request("GET", path, headers=HEADERS)
        conn.getresponse().read()
    latencies = []
    for path in paths[5:]:
        start = time.perf_counter()
        conn.request("GET", path, headers=HEADERS)
        response = conn.getresponse()
        body = response.read()
        latencies.append(time.perf_counter() - start)
        if response.status != 200 or not body.startswith(b"{"):
            out.send(f"{endpoint}: {response.status} {body[:200]!r}")
            return
    conn.close()
    out.send(latencies)


def measure(endpoint: str, query: str, *, requests: int, clients: int, distinct: bool, salt: str, nice: int = 0) -> list[float]:
    """Latencies of ``requests`` requests (plus 5 warm-ups a client) sent by ``clients`` processes at once."""
    each = max(1, requests // clients) + 5
    texts = [f"{query}\n# {salt} {c} {i}\n" if distinct else query for c in range(clients) for i in range(each)]
    paths = [urllib.parse.urlsplit(endpoint).path + "?" + urllib.parse.urlencode({"query": text}) for text in texts]
    context = multiprocessing.get_context("fork")
    pipes, processes = [], []
    for c in range(clients):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_client, args=(endpoint, paths[c * each:(c + 1) * each], sender, nice))
        pipes.append(receiver)
        processes.append(process)
    for process in processes:
        process.start()
    latencies: list[float] = []
    for receiver in pipes:
        found = receiver.recv()
        if isinstance(found, str):
            raise SystemExit(found)
        latencies.extend(found)
    for process in processes:
        process.join()
    return latencies


def _spread(values: list[float], scale: float = 1000) -> str:
    return f"{statistics.median(values) * scale:.2f} [{min(values) * scale:.2f}-{max(values) * scale:.2f}]"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400, help="requests per server, workload and concurrency in each round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--workloads", nargs="+", default=["same", "distinct"], choices=["same", "distinct"])
    parser.add_argument("--query", default="mechanisms-by-tool")
    parser.add_argument("--client-nice", type=int, default=0, help="niceness of the client processes (19: the servers go first)")
    parser.add_argument("--no-floor", action="store_true", help="leave out the bare Python server (benchmarks/python_floor_server.py)")
    parser.add_argument("--kg", action="append", default=[], metavar="NAME=PATH", help="another kg executable to measure as well")
    args = parser.parse_args()

    graph = open_graph()
    saved = Catalogue.bundled().get(args.query)
    given = {p.name: PARAMS[p.name] for p in saved.parameters if p.name in PARAMS}
    query = with_values(saved.text, bind(saved, given, graph=graph, lang="en"))
    kgs = {"kg serve": str(BIN / "kg")} | {name: path for name, _, path in (spec.partition("=") for spec in args.kg)}
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            data = Path(tmp) / "data.nq"
            data.write_bytes(ox.serialize(graph.store, format=ox.RdfFormat.N_QUADS) or b"")
            subprocess.run([str(BIN / "oxigraph"), "load", "--location", f"{tmp}/db", "--file", str(data)], check=True, capture_output=True)
            endpoints = {}
            port = free_port()
            processes.append(subprocess.Popen([str(BIN / "oxigraph"), "serve-read-only", "--location", f"{tmp}/db", "--bind", f"127.0.0.1:{port}",
                                               "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            endpoints["oxigraph serve"] = f"http://127.0.0.1:{port}/query"
            if not args.no_floor:
                port = free_port()
                processes.append(subprocess.Popen([sys.executable, str(Path(__file__).with_name("python_floor_server.py")), str(data), str(port)],
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                endpoints["python floor"] = f"http://127.0.0.1:{port}/sparql"
            for name, path in kgs.items():
                port = free_port()
                processes.append(subprocess.Popen([path, "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                endpoints[name] = f"http://127.0.0.1:{port}/sparql"
            for endpoint in endpoints.values():
                wait_up(f"{endpoint}?query=ASK%7B%7D")
            print(f"query {args.query} {given}; {args.rounds} interleaved rounds of {args.requests} requests per server, workload and "
                  f"concurrency; keep-alive connections, one client process each")
            medians: dict[tuple[str, int, str], list[float]] = {}
            p99s: dict[tuple[str, int, str], list[float]] = {}
            means: dict[tuple[str, int, str], list[float]] = {}
            for round_ in range(args.rounds):
                for workload in args.workloads:
                    for clients in args.clients:
                        order = list(endpoints)
                        random.shuffle(order)
                        for name in order:
                            found = sorted(measure(endpoints[name], query, requests=args.requests, clients=clients,
                                                   distinct=workload == "distinct", salt=f"{round_} {name}", nice=args.client_nice))
                            medians.setdefault((workload, clients, name), []).append(statistics.median(found))
                            p99s.setdefault((workload, clients, name), []).append(found[min(len(found) - 1, round(0.99 * len(found)) - 1)])
                            means.setdefault((workload, clients, name), []).append(statistics.fmean(found))
                print(f"round {round_ + 1} done", file=sys.stderr)
            for workload in args.workloads:
                for clients in args.clients:
                    print(f"-- {workload} query text, concurrency {clients}: median latency, ms (median [range] over rounds); p99; mean")
                    base = medians[(workload, clients, "oxigraph serve")]
                    for name in endpoints:
                        mine = medians[(workload, clients, name)]
                        line = f"{name:16} {_spread(mine)}  p99 {_spread(p99s[(workload, clients, name)])}  mean {_spread(means[(workload, clients, name)])}"
                        if name != "oxigraph serve":
                            line += f"  ratio to oxigraph {_spread([m / b for m, b in zip(mine, base, strict=True)], 1)}x"
                        print(line)
        finally:
            for process in processes:
                process.terminate()
                process.wait(10)


if __name__ == "__main__":
    main()
