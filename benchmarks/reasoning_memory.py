"""Reasoning's peak memory and time against pyoxigraph holding the same data, in one run.

The data is the bundled ontology and data plus a generated file of about
``size`` triples (``generate.py``).  Each measurement runs in a fresh
subprocess, which reports its own wall time, CPU time and peak RSS
(``ru_maxrss``: the interpreter and its imports included); the kinds
alternate (a, b, c, d, a, b, c, d...) so that a busy machine weighs on
each alike:

- **pyoxigraph load**: an in-memory ``pyoxigraph.Store`` loading the files
  into its default graph (``Store.load``): the data held, at pyoxigraph's
  lowest cost (named graphs would cost it more).  The baseline.
- **pyoxigraph bulk_load**: the same with ``Store.bulk_load`` (faster, more memory).
- **kg reasoning**: ``kg.reasoning.rules.infer`` over the files as they are
  parsed (``kg.graph.rdfio.stream``), to the list of inferred triples.
- **kg reasoning, input held**: the same over ``rdfio.read_all``'s list of
  quads (what a caller that keeps the input pays on top).

    .venv/bin/python benchmarks/reasoning_memory.py 1e6 [--repeat 3] [--tasks "pyoxigraph load" "kg reasoning"]

Prints each kind's median and range, and the ratios of kg's reasoning to the
baseline: the median and range of the ratios of the runs made side by side.
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PRELUDE = """
import json, resource, sys, time
from pathlib import Path
from kg.core import resources
files = resources.ontology_files() + resources.data_files() + [Path(sys.argv[1])]
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
def done(t0, c0, n):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"s": time.perf_counter() - t0, "cpu": cpu() - c0, "mb": peak, "n": n}))
"""

_LOAD = """
import pyoxigraph as ox
from kg.graph import rdfio
t0, c0 = time.perf_counter(), cpu()
store = ox.Store()
for path in files:
    store.{method}(path=str(path), format=rdfio.rdf_format(path))
done(t0, c0, len(store))
"""

TASKS = {
    "pyoxigraph load": _LOAD.format(method="load"),
    "pyoxigraph bulk_load": _LOAD.format(method="bulk_load"),
    "kg reasoning": """
from kg.graph import rdfio
from kg.reasoning import rules
t0, c0 = time.perf_counter(), cpu()
inferred = rules.infer(rdfio.stream(files))
done(t0, c0, len(inferred))
""",
    "kg reasoning, input held": """
from kg.graph import rdfio
from kg.reasoning import rules
t0, c0 = time.perf_counter(), cpu()
quads = rdfio.read_all(files)
inferred = rules.infer(quads)
done(t0, c0, len(inferred))
""",
}
BASELINE = "pyoxigraph load"
GOAL = "kg reasoning"

Run = dict[str, float]


def run(task: str, data: Path, env: dict[str, str]) -> Run:
    """One measurement in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", PRELUDE + TASKS[task], str(data)], env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{task}: failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def measure(size: float, *, repeat: int = 3, tasks: list[str] | None = None) -> dict[str, list[Run]]:
    """Each task ``repeat`` times on about ``size`` generated triples, interleaved; the runs per task, in order."""
    from generate import write

    tasks = tasks or list(TASKS)
    work = Path(tempfile.mkdtemp(prefix="kg-reasoning-memory-"))
    data = write(int(size), work / f"gen-{int(size)}.nt")
    # a cache of its own (the schema's closure only: rules.infer keeps no inferred graph there)
    env = {**os.environ, "KG_CACHE_DIR": str(work / "cache")}
    runs: dict[str, list[Run]] = {task: [] for task in tasks}
    for _ in range(repeat):
        for task in tasks:
            runs[task].append(run(task, data, env))
    data.unlink()
    return runs


def _spread(values: list[float], unit: str, digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} {unit} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def report(size: float, runs: dict[str, list[Run]]) -> str:
    lines = [f"## about {size:,.0f} generated triples (+ the bundled graph), {len(next(iter(runs.values())))} interleaved runs each",
             "median (range): wall time, CPU time, peak RSS"]
    for task, results in runs.items():
        lines.append(f"  {task:26} {_spread([r['s'] for r in results], 's')}, cpu {_spread([r['cpu'] for r in results], 's')}, "
                     f"{_spread([r['mb'] for r in results], 'MB', 0)}   [{int(results[0]['n']):,} triples]")
    if BASELINE in runs:
        base = runs[BASELINE]
        for task, results in runs.items():
            if task.startswith("kg"):
                for key, what in (("mb", "peak memory"), ("s", "wall time"), ("cpu", "CPU time")):
                    ratios = [r[key] / b[key] for r, b in zip(results, base, strict=True)]
                    lines.append(f"  {task} / {BASELINE}, {what}: {_spread(ratios, 'x')}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=float, help="about how many generated triples (1e5, 1e6...)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind, interleaved (default 3)")
    parser.add_argument("--tasks", nargs="+", choices=list(TASKS), metavar="TASK", help=f"only these (of {', '.join(map(repr, TASKS))})")
    args = parser.parse_args()
    import pyoxigraph

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"pyoxigraph {pyoxigraph.__version__}, load average {os.getloadavg()[0]:.1f}")
    for size in args.sizes:
        print(report(size, measure(size, repeat=args.repeat, tasks=args.tasks)), flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
