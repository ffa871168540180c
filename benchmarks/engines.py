"""The saved queries on Oxigraph server and on Virtuoso, against the embedded store, at scale, in one run.

The data is what a portal that outgrows the embedded store holds: the
bundled graph (asserted and inferred, in its named graphs) plus a large
generated SKOS vocabulary (concepts with labels in five languages, an
alternative label, definitions in two languages, a notation and a broader
concept), and links from our mechanisms and limitation categories to some
of its concepts, up to the total number of triples asked for.  The same
N-Quads file is loaded, each engine with its own bulk loader, into:

- the embedded store: a pyoxigraph ``Store`` on disk (``bulk_load``), asked
  by ``kg.queries.run.run_saved`` as ``kg query`` does;
- Oxigraph server (``oxigraph load``, then ``oxigraph serve
  --union-default-graph`` on a loopback port);
- Virtuoso 7.2 (its bulk loader, ``ld_dir`` and ``rdf_loader_run``, through
  ``isql-vt``), asked on ``/sparql``;

and every saved query (French, the parameters of ``params.py``) is timed
through ``kg`` (``kg.remote.endpoint.run_saved`` for the servers: HTTP,
parsing and all): one warm-up, then the median of ``--repeat`` runs.  The
answers of the three are compared as the tests compare them (same rows, same
order).  Not part of the test suite.

    .venv/bin/python benchmarks/engines.py 1e6 1e7 [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import pyoxigraph as ox  # noqa: E402
from params import params_for  # noqa: E402

from kg.graph.dataset import open_graph  # noqa: E402
from kg.graph.results import QueryResult  # noqa: E402
from kg.graph.store import KnowledgeGraph  # noqa: E402
from kg.queries.catalogue import Catalogue  # noqa: E402
from kg.queries.run import run_saved as run_local  # noqa: E402
from kg.remote.endpoint import Endpoint  # noqa: E402
from kg.remote.endpoint import run_saved as run_remote  # noqa: E402
from tests import oxigraph_server, virtuoso_server  # noqa: E402

VOCAB = "https://example.org/generated-vocabulary/"
VOCAB_GRAPH = "<https://example.org/graph/generated-vocabulary>"
LINKS_GRAPH = "<https://example.org/graph/generated-vocabulary-links>"
SKOS = "http://www.w3.org/2004/02/skos/core#"
LANGS = ("en", "fr", "es", "ru", "ar")


def _literal(text: str, lang: str) -> str:
    return str(ox.Literal(text, language=lang))


def _concept(i: int) -> Iterator[str]:
    """Twelve quads (eleven for the top concept) about generated concept i."""
    c = f"<{VOCAB}c{i}>"

    def q(p: str, o: str) -> str:
        return f"{c} <{p}> {o} {VOCAB_GRAPH} .\n"

    yield q("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"<{SKOS}Concept>")
    yield q(SKOS + "inScheme", f"<{VOCAB}scheme>")
    for lang in LANGS:
        yield q(SKOS + "prefLabel", _literal(f"concept {i} ({lang})", lang))
    yield q(SKOS + "altLabel", _literal(f"term {i}", "en"))
    yield q(SKOS + "definition", _literal(f"The generated concept number {i}.", "en"))
    yield q(SKOS + "definition", _literal(f"Le concept généré numéro {i}.", "fr"))
    yield q(SKOS + "notation", ox.Literal(f"G{i}").__str__())
    if i:
        yield q(SKOS + "broader", f"<{VOCAB}c{(i - 1) // 10}>")


def write_dataset(path: Path, total: int) -> int:
    """The bundled graph, links to the vocabulary, and the vocabulary up to ``total`` quads; the number written."""
    graph = open_graph()
    bundled = ox.serialize(graph.quads(), format=ox.RdfFormat.N_QUADS) or b""
    written = len(graph.quads())
    linked = sorted({str(q.subject) for q in graph.quads() if str(q.subject).startswith(
        ("<https://w3id.org/ksm/id/mechanism/", "<https://w3id.org/ksm/id/limitation-category/"))})
    with path.open("wb") as out:
        out.write(bundled)
        for n, subject in enumerate(linked):
            for k in range(3):
                out.write(f"{subject} <{SKOS}relatedMatch> <{VOCAB}c{n * 7 + k + 1}> {LINKS_GRAPH} .\n".encode())
                written += 1
        i = 0
        while written < total:
            for line in _concept(i):
                out.write(line.encode())
                written += 1
            i += 1
    return written


def timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def comparable(result: QueryResult) -> object:
    def term(t: object) -> str | None:
        return None if t is None else "_:" if isinstance(t, ox.BlankNode) else str(t)

    if result.kind == "graph":
        return sorted((term(t.subject), term(t.predicate), term(t.object)) for t in result.triples)
    if result.kind == "ask":
        return result.boolean
    return result.variables, [tuple(term(row.get(v)) for v in result.variables) for row in result.rows]


def time_queries(run: Callable[[str], QueryResult], repeat: int) -> tuple[dict[str, float], dict[str, object]]:
    """Median seconds and answer of every saved query."""
    seconds, answers = {}, {}
    for saved in Catalogue.bundled():
        answers[saved.name] = comparable(run(saved.name))  # warm-up, and the answer compared across engines
        seconds[saved.name] = statistics.median(timed(lambda name=saved.name: run(name)) for _ in range(repeat))
    return seconds, answers


def bench_size(total: int, work: Path, repeat: int) -> dict[str, object]:
    catalogue = Catalogue.bundled()
    labels = open_graph()  # resolves the labels and CURIEs of parameters, as `kg query --endpoint` does
    data = work / "data.nq"
    print(f"\n== {total:.0e} triples: writing {data}", flush=True)
    written = write_dataset(data, total)
    row: dict[str, object] = {"triples": written, "bytes": data.stat().st_size}

    # The embedded store: pyoxigraph on disk, asked through kg.
    row["embedded load s"], row["embedded"], local_answers = _embedded(data, work / "embedded", repeat)

    # Oxigraph server.
    oxi_dir = work / "oxigraph"
    exe = oxigraph_server.binary()
    assert exe, "the oxigraph binary is missing: pip install oxigraph"
    row["oxigraph load s"] = timed(lambda: subprocess.run([exe, "load", "--location", str(oxi_dir), "--file", str(data)],
                                                          check=True, capture_output=True))
    print(f"oxigraph: loaded in {row['oxigraph load s']:.1f} s", flush=True)
    with oxigraph_server.running(oxi_dir) as base:
        endpoint = Endpoint.at(f"{base}/query", timeout=3600)
        oxi_s, oxi_answers = time_queries(
            lambda name: run_remote(endpoint, catalogue.get(name), params_for(catalogue.get(name)), lang="fr", labels_from=labels), repeat)
    row["oxigraph"] = oxi_s
    shutil.rmtree(oxi_dir)

    # Virtuoso, with a cache sized for the data (8 KB pages, about 200 bytes a quad).
    virt_dir = work / "virtuoso"
    virt_dir.mkdir()
    buffers = max(20_000, written * 200 // 8192)
    with virtuoso_server.running(virt_dir, max_rows=1_000_000, buffers=buffers) as server:
        data.rename(virt_dir / data.name)  # the bulk loader reads only from DirsAllowed
        row["virtuoso load s"] = timed(lambda: server.isql(
            f"ld_dir('{virt_dir}', '{data.name}', 'urn:ksm-kg:unused'); rdf_loader_run(); checkpoint;"))
        print(f"virtuoso: loaded in {row['virtuoso load s']:.1f} s", flush=True)
        endpoint = Endpoint.at(server.sparql, timeout=3600)
        virt_s, virt_answers = time_queries(
            lambda name: run_remote(endpoint, catalogue.get(name), params_for(catalogue.get(name)), lang="fr", labels_from=labels), repeat)
        (virt_dir / data.name).rename(data)
    row["virtuoso"] = virt_s
    row["same answers"] = {"oxigraph": [n for n in local_answers if oxi_answers[n] != local_answers[n]],
                           "virtuoso": [n for n in local_answers if virt_answers[n] != local_answers[n]]}
    shutil.rmtree(virt_dir)
    shutil.rmtree(work / "embedded")
    return row


def _embedded(data: Path, folder: Path, repeat: int) -> tuple[float, dict[str, float], dict[str, object]]:
    """Load time, query times and answers of the embedded store (closed when this returns)."""
    catalogue = Catalogue.bundled()
    store = ox.Store(str(folder))
    load = timed(lambda: (store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS), store.flush()))
    print(f"embedded: loaded {len(store)} quads in {load:.1f} s", flush=True)
    embedded = KnowledgeGraph(store=store, files=[])
    seconds, answers = time_queries(lambda name: run_local(embedded, catalogue.get(name), params_for(catalogue.get(name)), lang="fr"), repeat)
    return load, seconds, answers


def report(rows: list[dict[str, object]]) -> str:
    lines = [
        "| triples | load: embedded / Oxigraph server / Virtuoso | saved queries (19, total): embedded | Oxigraph server | Virtuoso | "
        "slowest query: embedded / Oxigraph / Virtuoso | same answers |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        totals = {e: sum(row[e].values()) for e in ("embedded", "oxigraph", "virtuoso")}  # type: ignore[attr-defined]
        slowest = {e: max(row[e].items(), key=lambda kv: kv[1]) for e in totals}  # type: ignore[attr-defined]
        same = row["same answers"]
        lines.append(
            f"| {row['triples']:.1e} | {row['embedded load s']:.0f} s / {row['oxigraph load s']:.0f} s / {row['virtuoso load s']:.0f} s "
            f"| {totals['embedded']:.2f} s | {totals['oxigraph']:.2f} s ({totals['oxigraph'] / totals['embedded']:.2f}x) "
            f"| {totals['virtuoso']:.2f} s ({totals['virtuoso'] / totals['embedded']:.2f}x) "
            f"| {' / '.join(f'{name} {s:.2f} s' for name, s in slowest.values())} "
            f"| {'yes' if not any(same.values()) else json.dumps(same)} |")  # type: ignore[attr-defined]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=float, help="total triples, e.g. 1e6 1e7")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each query (median)")
    parser.add_argument("--json", type=Path, help="also write the figures, query by query, to this file")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {platform.python_version()}, pyoxigraph {ox.__version__}", flush=True)
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="kg-engines-") as work:
            rows.append(bench_size(int(size), Path(work), args.repeat))
        print(report(rows[-1:]), flush=True)
    print("\n" + report(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
