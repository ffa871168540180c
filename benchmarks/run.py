"""Benchmarks of ksm-kg against raw pyoxigraph, rdflib and owlrl, measured in one run.

Every measurement runs in a fresh subprocess that reports its wall time and
its own peak memory (ru_maxrss), so ratios compare like with like.

    .venv/bin/python benchmarks/run.py 1e3 1e4 1e5 [--owlrl-max 1e5] [--rdflib-max 1e5] [--validate-max 1e4]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable

PRELUDE = """
import json, resource, sys, time
from pathlib import Path
def done(t0, **extra):
    print(json.dumps({"s": time.perf_counter() - t0, "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))
"""

TASKS = {
    "kg load": "from kg import diskstore\nt0=time.perf_counter(); r = diskstore.load(Path(sys.argv[1])); done(t0, n=r.total)",
    "pyoxigraph bulk_load": "import pyoxigraph as ox, tempfile\nt0=time.perf_counter(); s = ox.Store(tempfile.mkdtemp()); "
                            "s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES); s.flush(); done(t0, n=len(s))",
    # The same work as `kg load`: a file into a named graph (named-graph indexes cost more than the default graph's).
    "pyoxigraph bulk_load to graph": "import pyoxigraph as ox, tempfile\nt0=time.perf_counter(); s = ox.Store(tempfile.mkdtemp()); "
                                     "s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode('https://example.org/g')); "
                                     "s.flush(); done(t0, n=len(s))",
    "rdflib parse": "import rdflib\nt0=time.perf_counter(); g = rdflib.Graph(); g.parse(sys.argv[1], format='nt'); done(t0, n=len(g))",
    "kg queries": """
from kg.queries.catalogue import Catalogue
from kg.graph.store import KnowledgeGraph
from kg.queries.params import bind
sys.path.insert(0, sys.argv[2]); from params import params_for
t0 = time.perf_counter()
graph = open_graph()
rows = 0
for saved in Catalogue.bundled():
    rows += len(run_saved(graph, saved, params_for(saved), lang="en").rows)
done(t0, rows=rows)
""",
    "pyoxigraph queries": """
import pyoxigraph as ox
from kg.graph import diskstore
from kg.graph.binding import with_values
from kg.queries.catalogue import Catalogue
from kg.queries.params import bind
from kg.graph.store import KnowledgeGraph
sys.path.insert(0, sys.argv[2]); from params import params_for
local = open_graph()
texts = [with_values(s.text, bind(s, params_for(s), graph=local, lang="en")) for s in Catalogue.bundled()]
t0 = time.perf_counter()
store = ox.Store.read_only(str(diskstore.live_database()))
rows = 0
for text in texts:
    rows += len(list(store.query(text, use_default_graph_as_union=True)))
done(t0, rows=rows)
""",
    "rdflib queries": """
import rdflib, pyoxigraph as ox
from kg.graph import diskstore
from kg.graph.binding import with_values
from kg.queries.catalogue import Catalogue
from kg.queries.params import bind
from kg.graph.store import KnowledgeGraph
sys.path.insert(0, sys.argv[2]); from params import params_for
local = open_graph()
texts = [with_values(s.text, bind(s, params_for(s), graph=local, lang="en")) for s in Catalogue.bundled()]
nq = ox.serialize(list(local.store), format=ox.RdfFormat.N_QUADS)
ds = rdflib.Dataset(default_union=True); ds.parse(data=nq, format="nquads")
t0 = time.perf_counter()
rows, failed = 0, 0
for text in texts:
    try:
        rows += len(list(ds.query(text)))
    except Exception:  # rdflib fails on some valid queries (e.g. GROUP_CONCAT over unbound values)
        failed += 1
done(t0, rows=rows, failed=failed)
""",
    "kg reasoning": "from kg import rdfio, resources, fastreason\n"
                    "q = rdfio.read_all(resources.ontology_files() + resources.data_files() + [Path(sys.argv[1])])\n"
                    "t0=time.perf_counter(); n = len(fastreason.infer(q)); done(t0, n=n)",
    "owlrl reasoning": "from kg import rdfio, resources, reason\n"
                       "q = rdfio.read_all(resources.ontology_files() + resources.data_files() + [Path(sys.argv[1])])\n"
                       "t0=time.perf_counter(); n = len(reason.infer(q)); done(t0, n=n)",
    "kg validate": "from kg.quality.validate import validate\nt0=time.perf_counter(); r = validate([Path(sys.argv[1])]); done(t0, conforms=r.conforms)",
}


def run(task: str, data: Path, env: dict[str, str], timeout: float = 330) -> dict[str, float] | None:
    code = PRELUDE + TASKS[task]
    try:
        out = subprocess.run([PY, "-c", code, str(data), str(HERE)], env=env, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as error:
        print(f"  {task}: failed: {error.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def cold_start(env: dict[str, str], repeat: int = 7) -> tuple[float, float]:
    def median(cmd: list[str]) -> float:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    kg = str(Path(PY).parent / "kg")
    return median([kg, "query", "mechanisms-without-internet"]), median([PY, "-c", "import pyoxigraph"])


def fmt(result: dict[str, float] | None) -> str:
    return "timeout/skipped" if result is None else f"{result['s']:.2f} s / {result['mb']:.0f} MB"


def ratio(a: dict[str, float] | None, b: dict[str, float] | None) -> str:
    return "-" if a is None or b is None else f"{a['s'] / b['s']:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", type=float)
    parser.add_argument("--owlrl-max", type=float, default=1e5)
    parser.add_argument("--rdflib-max", type=float, default=1e5)
    parser.add_argument("--validate-max", type=float, default=1e4)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from generate import write

    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    env = {**os.environ, "KG_CACHE_DIR": str(work / "cache"), "KG_STORE": str(work / "none")}
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    subprocess.run([str(Path(PY).parent / "kg"), "query", "mechanisms-without-internet"], env=env, capture_output=True, check=True)  # warm the cache
    kg_cold, bare = cold_start(env)
    print(f"cold start: kg query {kg_cold * 1000:.0f} ms, python -c 'import pyoxigraph' {bare * 1000:.0f} ms: {kg_cold / bare:.2f}x")
    for size in args.sizes:
        data = write(int(size), work / f"gen-{int(size)}.nt")
        n = sum(1 for _ in data.open())
        store_env = {**env, "KG_STORE": str(work / f"store-{int(size)}")}
        r = {task: None for task in TASKS}
        r["kg load"] = run("kg load", data, store_env)
        r["pyoxigraph bulk_load"] = run("pyoxigraph bulk_load", data, env)
        r["pyoxigraph bulk_load to graph"] = run("pyoxigraph bulk_load to graph", data, env)
        if size <= args.rdflib_max:
            r["rdflib parse"] = run("rdflib parse", data, env)
        r["kg queries"] = run("kg queries", data, store_env)
        r["pyoxigraph queries"] = run("pyoxigraph queries", data, store_env)
        if size <= args.rdflib_max:
            r["rdflib queries"] = run("rdflib queries", data, store_env, timeout=90)
        r["kg reasoning"] = run("kg reasoning", data, env)
        if size <= args.owlrl_max:
            r["owlrl reasoning"] = run("owlrl reasoning", data, env)
        if size <= args.validate_max:
            r["kg validate"] = run("kg validate", data, env)
        print(f"\n## {n} generated triples (+ the bundled graph)")
        for task, result in r.items():
            print(f"  {task:22} {fmt(result)}")
        print(f"  load: kg/pyoxigraph {ratio(r['kg load'], r['pyoxigraph bulk_load'])} (default graph), "
              f"{ratio(r['kg load'], r['pyoxigraph bulk_load to graph'])} (named graph), kg/rdflib {ratio(r['kg load'], r['rdflib parse'])}")
        print(f"  queries: kg/pyoxigraph {ratio(r['kg queries'], r['pyoxigraph queries'])}, kg/rdflib {ratio(r['kg queries'], r['rdflib queries'])}")
        print(f"  reasoning: owlrl/kg {ratio(r['owlrl reasoning'], r['kg reasoning'])}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
