"""`kg validate` and `kg import` of this checkout against those of another commit, and against Jena SHACL, interleaved.

A change to validation is judged by the paired ratio of the same round:
each round runs, in a shuffled order, `kg validate` of the bundled data and
a generated file with this checkout's code and with the code of ``--commit``
(``git archive`` into a temporary folder, run by the same Python), Jena SHACL
on the file this checkout's `kg validate` hands its engine and on the ontology,
data and whole OWL RL closure (what the engine read before
kg/quality/observed.py), and, if ``--rows``, `kg import` of a spreadsheet of
that many rows into a fresh store holding the bundled graph with both codes,
validated and not.  Each figure is the median [min-max] of the rounds;
progress goes to stderr, Markdown to stdout.

    .venv/bin/python benchmarks/against.py --commit ef20322 --size 1e5 --rows 10000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
sys.path.insert(0, str(HERE))

WRITE_INPUTS = """
import sys, pyoxigraph as ox, rdflib
from pathlib import Path
from kg.core import resources
from kg.graph.store import KnowledgeGraph
from kg.quality import observed
g = KnowledgeGraph.from_files(resources.ontology_files() + [Path(p) for p in sys.argv[3:]], keep=False)
ox.serialize(g.triples(), output=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
s = observed.shacl_input(g.store, observed.named(rdflib.Graph().parse(resources.shapes_file(), format="turtle")))
ox.serialize(KnowledgeGraph(store=s).triples(), output=sys.argv[2], format=ox.RdfFormat.N_TRIPLES)
"""
NOT_VALIDATED = "import sys; from pathlib import Path; from kg.tables.importing import import_table; import_table(Path(sys.argv[1]), validate=False)"


def median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s [{min(values):.2f}-{max(values):.2f}]"


def ratio(a: list[float], b: list[float]) -> str:
    r = [x / y for x, y in zip(a, b, strict=True)]
    return f"{statistics.median(r):.2f}x [{min(r):.2f}-{max(r):.2f}]"


def main() -> None:
    from generate import write
    from run import jena_command
    from store import spreadsheet

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", required=True, help="the code to compare with (a commit of this repository)")
    parser.add_argument("--size", type=float, default=1e5, help="generated triples validated (default 1e5)")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the imported spreadsheet; 0: no import (default 10000)")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-against-"))
    other = work / "other"
    other.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", options.commit], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)
    env = {**os.environ, "KG_CACHE_DIR": str(work / "cache"), "KG_STORE": str(work / "no-store")}
    data = sorted((ROOT / "data").glob("*.ttl")) + sorted((ROOT / "data" / "mappings").glob("*.ttl"))
    generated = write(int(options.size), work / "generated.nt")
    closed, observed = work / "closed.nt", work / "observed.nt"
    subprocess.run([PY, "-c", WRITE_INPUTS, str(closed), str(observed), *map(str, data), str(generated)], cwd=ROOT, env=env, check=True)
    shapes = str(ROOT / "ontology" / "shapes.ttl")
    validate = [PY, "-m", "kg.cli", "--quiet", "validate", *map(str, data), str(generated)]
    tasks: dict[str, tuple[list[str], Path, bool]] = {"kg validate (this)": (validate, ROOT, False),
                                                     f"kg validate ({options.commit})": (validate, other, False)}
    jena = jena_command(work)
    if jena is not None:
        tasks["Jena SHACL, the file kg's engine reads"] = ([*jena, "validate", "--shapes", shapes, "--data", str(observed)], ROOT, False)
        tasks["Jena SHACL, the whole closure"] = ([*jena, "validate", "--shapes", shapes, "--data", str(closed)], ROOT, False)
    if options.rows:
        table = spreadsheet(work / "mechanisms.csv", options.rows)
        seed = work / "seed.nt"
        seed.write_text('<https://example.org/seed> <http://www.w3.org/2000/01/rdf-schema#label> "seed" .\n', encoding="utf-8")
        subprocess.run([PY, "-m", "kg.cli", "--quiet", "load", str(seed)], cwd=ROOT, env={**env, "KG_STORE": str(work / "bundled" / "store")},
                       check=True, capture_output=True)
        tasks["kg import (this)"] = ([PY, "-m", "kg.cli", "--quiet", "import", str(table)], ROOT, True)
        tasks[f"kg import ({options.commit})"] = ([PY, "-m", "kg.cli", "--quiet", "import", str(table)], other, True)
        tasks["kg import, not validated (this)"] = ([PY, "-c", NOT_VALIDATED, str(table)], ROOT, True)
        tasks[f"kg import, not validated ({options.commit})"] = ([PY, "-c", NOT_VALIDATED, str(table)], other, True)
    for cwd in (ROOT, other):  # the ontology's closure, cached as a user's is
        subprocess.run([PY, "-m", "kg.cli", "--quiet", "validate", *map(str, data)], cwd=cwd, env=env, capture_output=True, check=True)
    walls: dict[str, list[float]] = {name: [] for name in tasks}
    loads: list[float] = []
    for round_ in range(options.repeat):
        order = list(tasks)
        random.shuffle(order)
        for name in order:
            argv, cwd, fresh = tasks[name]
            run_env = dict(env)
            if fresh:
                shutil.rmtree(work / "fresh", ignore_errors=True)
                shutil.copytree(work / "bundled", work / "fresh", symlinks=True)
                run_env["KG_STORE"] = str(work / "fresh" / "store")
            loads.append(os.getloadavg()[0])
            start = time.perf_counter()
            done = subprocess.run(argv, cwd=cwd, env=run_env, capture_output=True, text=True, check=False)
            walls[name].append(time.perf_counter() - start)
            if done.returncode not in (0, 1) or ("import" in name and done.returncode):
                raise SystemExit(f"{name} failed ({done.returncode}): {done.stderr.strip()[-300:]}")
            print(f"round {round_}: {name} {walls[name][-1]:.2f} s (load {loads[-1]:.1f})", file=sys.stderr, flush=True)
    print(f"{options.repeat} interleaved rounds at {options.size:g} generated triples, load average {median(loads).replace(' s', '')}:\n")
    print("| task | median [min-max] |\n|---|---|")
    for name, values in walls.items():
        print(f"| {name} | {median(values)} |")
    this, before = "kg validate (this)", f"kg validate ({options.commit})"
    print(f"\n{this} / {before}: {ratio(walls[this], walls[before])}")
    for name in [n for n in tasks if n.startswith("Jena")]:
        print(f"{this} / {name}: {ratio(walls[this], walls[name])}")
    if options.rows:
        print(f"kg import (this) / kg import ({options.commit}): {ratio(walls['kg import (this)'], walls[f'kg import ({options.commit})'])}")
        print(f"kg import (this) / not validated: {ratio(walls['kg import (this)'], walls['kg import, not validated (this)'])}")
        print(f"kg import, not validated (this) / ({options.commit}): "
              f"{ratio(walls['kg import, not validated (this)'], walls[f'kg import, not validated ({options.commit})'])}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
