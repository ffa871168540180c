"""Benchmarks of ksm-kg against raw pyoxigraph, rdflib, owlrl, pyshacl-turbo, pyshacl and Jena SHACL, in one run.

Every measurement is one fresh subprocess; the parent takes its peak memory
from ``wait4`` (that process alone).  The repetitions are interleaved: round
after round, every (task, size) pair runs once, in a shuffled order, so that
a drift of this shared machine's speed hits kg and its baselines alike.
Each figure is the median of its repetitions with the range [min-max]; each
ratio is the median and range of the ratios of the same round (paired).
A task whose first run takes more than a minute gets ``--slow-repeat`` runs
instead of ``--repeat``.

The output is Markdown (benchmarks/README.md is made from it); progress goes
to stderr.

    .venv/bin/python benchmarks/run.py                       # 1e4 1e5 1e6, about 25 min on 2 cores
    .venv/bin/python benchmarks/run.py 1e4 --repeat 3 --import-rows 1000 --quick
    .venv/bin/python benchmarks/run.py --queries-only         # the saved queries only (kg and raw pyoxigraph), with their growth tables

A task is one entry of ``TASKS``: a name, Python code (run after ``PRELUDE``;
it calls ``done(t0, ...)`` to report the time of its work since ``t0`` and
anything else), or a command (timed whole, as a user waits for it), and
which sizes it runs at.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
KG = [PY, "-m", "kg.cli", "--quiet"]
SLOW = 60.0  # seconds: a run longer than this gets --slow-repeat repetitions
QUERY_TASKS = ("kg queries", "pyoxigraph queries", "plan work")  # what --queries-only runs
GROWTH_TABLES = [("kg queries", "per"), ("kg queries", "warm"), ("pyoxigraph queries", "warm")]
WHEN = {"per": "each right after the previous query of the catalogue", "warm": "each run again at once"}
MECHANISM_PARAMETERS = {"mechanism", "first", "second"}  # a saved query with one of these is about one or two mechanisms

PRELUDE = f"""
import hashlib, json, sys, time
from pathlib import Path
sys.path.insert(0, {str(HERE)!r})
DATA, WORK = Path(sys.argv[1]), Path(sys.argv[2])
def done(t0, **extra):
    print(json.dumps({{"s": time.perf_counter() - t0, **extra}}))
def digest(triples):
    # Blank nodes get fresh labels at every parse: triples with one are counted, the others compared.
    import pyoxigraph as ox
    plain = sorted(str(t) for t in triples if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode))
    return hashlib.sha256("\\n".join(plain).encode()).hexdigest()[:12] + f"+{{len(triples) - len(plain)}}"
"""

# Saved queries: one warm-up pass, then PASSES timed passes; each query's figure is its median pass.
# The previous query's answer is freed before the clock starts: freeing the 41,000 rows of a
# whole-graph query at 1e6 inside the next query's time made a one-mechanism query look 10x slower.
# Each query runs twice in a row: "per" is its first run, right after the previous query of the
# catalogue (as a server meets it), "warm" the second.  At 1e6 a query that reads 39 solutions took
# 0.2 ms run again at once and 2-4 ms after a whole-graph query (or after Python allocated and freed
# 200 MB): caches, not its plan; the second run shows what the plan itself costs.
QUERY_PASSES = 3
# Run in the same loop as the saved queries, for scale: how fast a query that can only be linear grows
# on this engine and machine (a scan of every triple; a lookup per mechanism). Not counted in the totals.
REFERENCES = {
    "(reference) every triple, counted": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "(reference) every mechanism's label": (
        "PREFIX ksm: <https://w3id.org/ksm/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        'SELECT ?m ?l WHERE { ?m a ksm:Mechanism OPTIONAL { ?m skos:prefLabel ?l FILTER (LANG(?l) = "en") } }'),
}

KG_QUERIES = f"""
from params import params_for
from kg.graph.dataset import open_graph
from kg.queries.catalogue import Catalogue
from kg.queries.run import run_saved
saved = list(Catalogue.bundled())
graph = open_graph()
jobs = [(s.name, lambda s=s: run_saved(graph, s, params_for(s), lang="en")) for s in saved]
jobs += [(name, lambda text=text: graph.select(text)) for name, text in {REFERENCES!r}.items()]
times, rows = ({{name: [] for name, _ in jobs}}, {{name: [] for name, _ in jobs}}), {{}}
result = None
for n in range({QUERY_PASSES} + 1):
    for name, ask in jobs:
        for again in (0, 1):
            result = None  # the previous answer is freed here, not in this query's time
            start = time.perf_counter()
            result = ask()
            if n:
                times[again][name].append(time.perf_counter() - start)
        rows[name] = len(result.rows) + len(result.triples) + (result.boolean is not None)
per, warm = ({{k: sorted(v)[len(v) // 2] for k, v in t.items()}} for t in times)
print(json.dumps({{"s": sum(per[s.name] for s in saved), "per": per, "warm": warm, "rows": sum(rows[s.name] for s in saved), "rows_per": rows}}))
"""

RAW_QUERIES = f"""
import pyoxigraph as ox
from params import params_for
from kg.graph import storefolder
from kg.graph.binding import with_values
from kg.graph.dataset import open_graph
from kg.queries.catalogue import Catalogue
from kg.queries.params import bind
local = open_graph()
texts = {{s.name: with_values(s.text, bind(s, params_for(s), graph=local, lang="en")) for s in Catalogue.bundled()}}
saved = list(texts)
texts.update({REFERENCES!r})
del local
store = ox.Store.read_only(str(storefolder.live_database()))
times, rows = ({{k: [] for k in texts}}, {{k: [] for k in texts}}), {{}}
answer = None
for n in range({QUERY_PASSES} + 1):
    for name, text in texts.items():
        for again in (0, 1):
            answer = None
            start = time.perf_counter()
            answer = store.query(text, use_default_graph_as_union=True)
            count = int(bool(answer)) if isinstance(answer, ox.QueryBoolean) else len(list(answer))
            if n:
                times[again][name].append(time.perf_counter() - start)
        rows[name] = count
per, warm = ({{k: sorted(v)[len(v) // 2] for k, v in t.items()}} for t in times)
print(json.dumps({{"s": sum(per[k] for k in saved), "per": per, "warm": warm, "rows": sum(rows[k] for k in saved), "rows_per": rows}}))
"""

# What each saved query's plan does, as the engine counts it: Oxigraph's command-line tool (the same 0.5
# line as pyoxigraph, a dev dependency) evaluates the bound text on the store of that size with
# --explain --stats; the work is the sum of the solutions every step of the plan produced (as
# tests/queries/test_query_work.py counts it).  Deterministic, so run once per size.  Time can grow
# faster than the work (each solution costs more when the indexes outgrow the caches: the reference
# queries show it); the work cannot hide a plan that pairs every mechanism with every other.
PLAN_WORK = f"""
import os, subprocess, tempfile
from params import params_for
from kg.graph import storefolder
from kg.graph.binding import with_values
from kg.graph.dataset import open_graph
from kg.queries.catalogue import Catalogue
from kg.queries.params import bind
local = open_graph()
texts = {{s.name: with_values(s.text, bind(s, params_for(s), graph=local, lang="en")) for s in Catalogue.bundled()}}
texts.update({REFERENCES!r})
del local
exe = os.path.join(os.path.dirname(sys.executable), "oxigraph")
def total(node):
    return int(node.get("number of results", 0)) + sum(total(c) for c in node.get("children", []))
work, rows = {{}}, {{}}
t0 = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    query, answer, plan = (os.path.join(tmp, n) for n in ("q.rq", "answer.tsv", "plan.json"))
    for name, text in texts.items():
        Path(query).write_text(text, encoding="utf-8")
        subprocess.run([exe, "query", "--location", str(storefolder.live_database()), "--query-file", query, "--union-default-graph",
                        "--results-file", answer, "--results-format", "tsv" if "CONSTRUCT" not in text else "nt",
                        "--explain-file", plan, "--stats"], check=True, capture_output=True)
        work[name] = total(json.loads(Path(plan).read_text(encoding="utf-8"))["plan"])
        lines = [line for line in Path(answer).read_text(encoding="utf-8").splitlines() if line.strip()]
        rows[name] = len(lines) - ("CONSTRUCT" not in text)
done(t0, work=work, rows_per=rows)
"""

RDFLIB_QUERIES = """
import rdflib, pyoxigraph as ox
from params import params_for
from kg.graph.binding import with_values
from kg.graph.dataset import open_graph
from kg.queries.catalogue import Catalogue
from kg.queries.params import bind
local = open_graph()
texts = {s.name: with_values(s.text, bind(s, params_for(s), graph=local, lang="en")) for s in Catalogue.bundled()}
ds = rdflib.Dataset(default_union=True)
ds.parse(data=ox.serialize(list(local.store), format=ox.RdfFormat.N_QUADS), format="nquads")
del local
t0 = time.perf_counter()
rows, failed = 0, []
for name, text in texts.items():
    try:
        rows += len(list(ds.query(text)))
    except Exception:  # rdflib fails on some valid queries (e.g. GROUP_CONCAT over unbound values)
        failed.append(name)
done(t0, rows=rows, failed=failed)
"""

READ_INPUT = """
from kg.core import resources
from kg.graph import rdfio
quads = rdfio.read_all(resources.ontology_files() + resources.data_files() + [DATA])
asserted = {str(q.triple) for q in quads}  # by text: equal pyoxigraph terms did not always meet in a set
"""

KG_REASONING = READ_INPUT + """
from kg.reasoning.rules import infer
t0 = time.perf_counter()
found = infer(quads)
elapsed = time.perf_counter() - t0
new = list({str(t): t for t in found if str(t) not in asserted}.values())
print(json.dumps({"s": elapsed, "n": len(new), "closure": digest(new)}))
"""

# owlrl on rdflib's SimpleMemory store (about 1.2x faster than the default Memory store, same closure),
# from the same quads to the same list of new triples as kg.reasoning.reference.infer.
OWLRL_REASONING = READ_INPUT + """
import owlrl, rdflib, pyoxigraph as ox
from kg.core.convert import to_rdflib
from kg.reasoning.reference import is_junk
t0 = time.perf_counter()
graph = rdflib.Graph(store="SimpleMemory")
for q in quads:
    graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
kept = rdflib.Graph(store="SimpleMemory")
for triple in graph:
    if not is_junk(*triple):
        kept.add(triple)
found = [q.triple for q in ox.parse(kept.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)]
elapsed = time.perf_counter() - t0
new = list({str(t): t for t in found if str(t) not in asserted}.values())
print(json.dumps({"s": elapsed, "n": len(new), "closure": digest(new)}))
"""

# The validation baselines read the file kg validate hands its SHACL engine: the ontology, the data and the part of
# its OWL RL closure the shapes can see (kg.quality.observed; setup writes it).
SHAPES = "from kg.core import resources\nshapes = str(resources.shapes_file())\n"

PYSHACL_TURBO = SHAPES + """
import pyshacl_turbo
conforms, results, _ = pyshacl_turbo.validate(str(WORK / "shacl-input.nt"), shacl_graph=shapes, data_graph_format="nt", shacl_graph_format="turtle",
                                              inference="none", advanced=True, allow_warnings=True)
from rdflib import Namespace, RDF
print(json.dumps({"conforms": bool(conforms), "results": len(set(results.subjects(RDF.type, Namespace("http://www.w3.org/ns/shacl#").ValidationResult)))}))
"""

PYSHACL = PYSHACL_TURBO.replace("pyshacl_turbo", "pyshacl")

IMPORT_NO_VALIDATION = """
from kg.tables.importing import import_table
result = import_table(DATA, validate=False)
print(json.dumps({"n": len(result.triples)}))
"""

LOAD = "from kg.graph import diskstore\nt0 = time.perf_counter(); r = diskstore.load(DATA); done(t0, n=r.total)"
BULK_LOAD = ("import pyoxigraph as ox\nt0 = time.perf_counter(); s = ox.Store(str(WORK / 'scratch')); "
             "s.bulk_load(path=str(DATA), format=ox.RdfFormat.N_TRIPLES{}); s.flush(); done(t0, n=len(s))")
RDFLIB_PARSE = "import rdflib\nt0 = time.perf_counter(); g = rdflib.Graph(); g.parse(DATA, format='nt'); done(t0, n=len(g))"


@dataclass(frozen=True)
class Task:
    """One row of the benchmark.

    ``code`` runs in a fresh ``python -c`` after PRELUDE with ``DATA`` (the
    generated file, or the spreadsheet) and ``WORK`` (a folder of that size)
    and prints one JSON line; its ``s`` is the time of the work itself
    (imports and set-up excluded); without ``s``, the process's wall time is
    the figure.  ``command`` gives an argv instead, timed whole.  ``when``
    says at which sizes it runs (0: the size-free tasks); ``store`` asks for
    ``$KG_STORE``: "shared" (the store of that size, read only) or "fresh" (a
    copy of a store holding only the bundled graph, thrown away after).
    """

    name: str
    code: str = ""
    command: Callable[[Setup, int], list[str] | None] | None = None
    when: Callable[[argparse.Namespace, float], bool] = lambda options, size: size > 0
    store: str = ""
    data: Callable[[Setup, int], Path] | None = None  # DATA, if not the generated file
    note: str = ""
    once: bool = False  # deterministic figures (no time): one run is enough


@dataclass
class Setup:
    work: Path
    env: dict[str, str]
    bundled: Path  # a store folder holding the bundled graph only
    files: dict[int, Path] = field(default_factory=dict)
    triples: dict[int, int] = field(default_factory=dict)
    spreadsheet: Path | None = None
    jena: list[str] | None = None

    def folder(self, size: int) -> Path:
        return self.work / f"size-{size}"


def _jena(setup: Setup, size: int) -> list[str] | None:
    if setup.jena is None:
        return None
    return [*setup.jena, "validate", "--shapes", _shapes(), "--data", str(setup.folder(size) / "shacl-input.nt")]


def _shapes() -> str:
    from kg.core import resources

    return str(resources.shapes_file())


def _validated(setup: Setup, size: int) -> list[Path]:
    """What is validated: the bundled data and the generated file (which links to bundled mechanisms)."""
    from kg.core import resources

    return [*resources.data_files(), setup.files[size]]


def _validation(options: argparse.Namespace, size: float) -> bool:
    return bool(0 < size <= options.validate_max)


TASKS: list[Task] = [
    Task("kg load", LOAD, store="fresh", note="into a store holding the bundled graph; re-reasoned incrementally"),
    Task("pyoxigraph bulk_load", BULK_LOAD.format("")),
    Task("pyoxigraph bulk_load to graph", BULK_LOAD.format(", to_graph=ox.NamedNode('https://example.org/g')")),
    Task("rdflib parse", RDFLIB_PARSE, when=lambda o, s: 0 < s <= o.rdflib_max),
    Task("kg queries", KG_QUERIES, store="shared"),
    Task("pyoxigraph queries", RAW_QUERIES, store="shared"),
    Task("plan work", PLAN_WORK, store="shared", once=True),
    Task("rdflib queries", RDFLIB_QUERIES, store="shared", when=lambda o, s: 0 < s <= o.rdflib_max),
    Task("kg reasoning", KG_REASONING),
    Task("owlrl reasoning", OWLRL_REASONING, when=lambda o, s: 0 < s <= o.owlrl_max),
    Task("kg validate", command=lambda setup, size: [*KG, "validate", *map(str, _validated(setup, size))], when=_validation),
    Task("pyshacl-turbo", PYSHACL_TURBO, when=_validation),
    Task("Jena SHACL", command=_jena, when=_validation),
    Task("pyshacl", PYSHACL, when=lambda o, s: 0 < s <= min(o.validate_max, o.pyshacl_max)),
    # Size-free tasks (size 0).
    Task("kg import", command=lambda setup, size: [*KG, "import", str(setup.spreadsheet)], store="fresh",
         when=lambda o, s: s == 0 and o.import_rows > 0),
    Task("kg import, not validated", IMPORT_NO_VALIDATION, store="fresh", data=lambda setup, size: setup.spreadsheet or Path(),
         when=lambda o, s: s == 0 and o.import_rows > 0),
    Task("kg query (cold)", command=lambda setup, size: [str(Path(PY).parent / "kg"), "query", "mechanisms-without-internet"],
         when=lambda o, s: s == 0),
    Task("python -c 'import pyoxigraph'", command=lambda setup, size: [PY, "-c", "import pyoxigraph"], when=lambda o, s: s == 0),
]


# --- running -----------------------------------------------------------------------------------

@dataclass
class Outcome:
    runs: list[dict[str, object]] = field(default_factory=list)  # one per round: {"round", "s", "mb", ...}
    failed: str = ""
    target: int = 0


def run_once(task: Task, size: int, setup: Setup, timeout: float) -> dict[str, object] | str:
    """One fresh process: its figures, or why it failed."""
    folder = setup.folder(size)
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(setup.env)
    fresh = None
    if task.store == "shared":
        env["KG_STORE"] = str(folder / "store")
    elif task.store == "fresh":
        fresh = setup.work / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(setup.bundled, fresh, symlinks=True)
        env["KG_STORE"] = str(fresh / "store")
    data = task.data(setup, size) if task.data else setup.files.get(size, Path())
    if task.command is not None:
        argv = task.command(setup, size)
        if argv is None:
            return "not available"
    else:
        argv = [PY, "-c", PRELUDE + task.code, str(data), str(folder)]
    out, err = setup.work / "out.txt", setup.work / "err.txt"
    try:
        with out.open("wb") as stdout, err.open("wb") as stderr:
            start = time.perf_counter()
            process = subprocess.Popen(argv, env=env, stdout=stdout, stderr=stderr, start_new_session=True)
            timer = threading.Timer(timeout, lambda: os.killpg(process.pid, 9))
            timer.start()
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        shutil.rmtree(folder / "scratch", ignore_errors=True)
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
    if process.returncode < 0:
        return f"killed after {timeout:.0f} s" if wall >= timeout else f"signal {-process.returncode}"
    lines = out.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    if process.returncode not in (0, 1) or (task.command is None and process.returncode != 0):
        last = err.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:] or ["no message"]
        return f"exit {process.returncode}: {last[0][:200]}"
    figures: dict[str, object] = {"wall": wall, "mb": usage.ru_maxrss / 1024, "exit": process.returncode}
    if task.command is None and lines:
        figures.update(json.loads(lines[-1]))
    elif task.name == "Jena SHACL":
        text = "\n".join(lines)
        figures["conforms"] = "sh:conforms  true" in text or "sh:conforms true" in text
        figures["results"] = text.count("sh:ValidationResult")
    figures.setdefault("s", wall)
    return figures


def run_all(jobs: list[tuple[Task, int]], setup: Setup, options: argparse.Namespace) -> dict[tuple[str, int], Outcome]:
    results = {(task.name, size): Outcome(target=1 if task.once else options.repeat) for task, size in jobs}
    rng = random.Random(16)
    for round_ in range(options.repeat):
        order = list(jobs)
        rng.shuffle(order)
        for task, size in order:
            outcome = results[(task.name, size)]
            if outcome.failed or len(outcome.runs) >= outcome.target:
                continue
            print(f"  round {round_ + 1}: {task.name} at {size or '-'}", file=sys.stderr, flush=True)
            got = run_once(task, size, setup, options.timeout)
            if isinstance(got, str):
                outcome.failed = got
                print(f"    {task.name} at {size}: {got}", file=sys.stderr, flush=True)
                continue
            got["round"] = round_
            outcome.runs.append(got)
            print(f"    {float(got['s']):.2f} s, {float(got['mb']):.0f} MB", file=sys.stderr, flush=True)  # type: ignore[arg-type]
            if round_ == 0 and float(got["s"]) > SLOW:  # type: ignore[arg-type]
                outcome.target = min(options.repeat, options.slow_repeat)
    return results


# --- reporting ----------------------------------------------------------------------------------

def seconds(values: list[float]) -> str:
    if not values:
        return "-"
    scale, unit = (1000, "ms") if statistics.median(values) < 1 else (1, "s")
    scaled = [v * scale for v in values]
    digits = 0 if unit == "ms" and statistics.median(scaled) >= 10 else (1 if unit == "ms" else 2)
    med = statistics.median(scaled)
    if len(scaled) == 1:
        return f"{med:.{digits}f} {unit} (1 run)"
    return f"{med:.{digits}f} {unit} [{min(scaled):.{digits}f}-{max(scaled):.{digits}f}]"


def paired(a: Outcome | None, b: Outcome | None, key: Callable[[dict[str, object]], float]) -> list[float]:
    """Ratios a/b of the runs of the same round (interleaved, so they met the same machine)."""
    if a is None or b is None:
        return []
    bs = {r["round"]: key(r) for r in b.runs}
    return [key(r) / bs[r["round"]] for r in a.runs if r["round"] in bs and bs[r["round"]] > 0]


def ratio(values: list[float]) -> str:
    if not values:
        return "-"
    med = statistics.median(values)
    return f"{med:.2f}x" if len(values) == 1 else f"{med:.2f}x [{min(values):.2f}-{max(values):.2f}]"


def figure(outcome: Outcome | None, what: str = "s") -> str:
    if outcome is None:
        return "not run"
    if outcome.failed and not outcome.runs:
        return outcome.failed
    return seconds([float(r[what]) for r in outcome.runs])  # type: ignore[arg-type]


def memory(outcome: Outcome | None) -> str:
    if outcome is None or not outcome.runs:
        return "-"
    values = [float(r["mb"]) for r in outcome.runs]  # type: ignore[arg-type]
    return f"{statistics.median(values):.0f} MB"


def secs(r: dict[str, object]) -> float:
    return float(r["s"])  # type: ignore[arg-type]


def label(size: int) -> str:
    exponent = len(str(size)) - 1
    return f"1e{exponent}" if size == 10**exponent else f"{size:,}"


def report(results: dict[tuple[str, int], Outcome], setup: Setup, sizes: list[int], options: argparse.Namespace) -> None:
    def get(name: str, size: int = 0) -> Outcome | None:
        return results.get((name, size))

    print("\n## Load, queries, reasoning\n")
    print("Median [min-max] of the runs; peak memory is the median of the processes' peak RSS; ratios are paired by round.\n")
    print("| task | " + " | ".join(f"{label(s)} ({setup.triples[s]:,} triples)" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    ran = {name for name, _ in results}
    for task in TASKS:
        if task.when(options, 0) or task.once or task.name in ("pyshacl-turbo", "Jena SHACL", "pyshacl", "kg validate") or task.name not in ran:
            continue
        cells = []
        for s in sizes:
            o = get(task.name, s)
            cells.append("not run" if o is None else f"{figure(o)}, {memory(o)} ({len(o.runs)} runs)")
        print(f"| {task.name} | " + " | ".join(cells) + " |")
    rows = [
        ("kg load / bulk_load (default graph)", "kg load", "pyoxigraph bulk_load"),
        ("kg load / bulk_load into a named graph", "kg load", "pyoxigraph bulk_load to graph"),
        ("kg load / rdflib parse", "kg load", "rdflib parse"),
        ("queries: kg / raw pyoxigraph", "kg queries", "pyoxigraph queries"),
        ("queries: rdflib / kg", "rdflib queries", "kg queries"),
        ("reasoning: owlrl (SimpleMemory) / kg", "owlrl reasoning", "kg reasoning"),
    ]
    print("\n| ratio | " + " | ".join(label(s) for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for title, a, b in rows:
        if a in ran and b in ran:
            print(f"| {title} | " + " | ".join(ratio(paired(get(a, s), get(b, s), secs)) for s in sizes) + " |")
    memories = [(title, a, b) for title, a, b in [("reasoning: kg / owlrl", "kg reasoning", "owlrl reasoning"),
                                                  ("kg load / bulk_load into a named graph", "kg load", "pyoxigraph bulk_load to graph")]
                if a in ran and b in ran]
    if memories:
        print("\n| memory (peak RSS) | " + " | ".join(label(s) for s in sizes) + " |")
        print("|---|" + "---|" * len(sizes))
    for title, a, b in memories:
        print(f"| {title} | " + " | ".join(ratio(paired(get(a, s), get(b, s), lambda r: float(r["mb"]))) for s in sizes) + " |")  # type: ignore[arg-type]
    skipped = [label(s) for s in sizes if s > options.owlrl_max]
    if skipped and "kg reasoning" in ran:
        print(f"\nowlrl not run at {', '.join(skipped)} (--owlrl-max {options.owlrl_max:g}: a run at 1e5 takes 2 to 7 minutes on this machine).")
    skipped = [label(s) for s in sizes if s > options.rdflib_max]
    if skipped and "rdflib queries" in ran:
        print(f"rdflib not run at {', '.join(skipped)} (--rdflib-max {options.rdflib_max:g}).")
    print()
    for s in sizes:
        kg, ow = get("kg reasoning", s), get("owlrl reasoning", s)
        if kg and ow and kg.runs and ow.runs:
            same = {r["closure"] for r in kg.runs} == {r["closure"] for r in ow.runs} and len({r["closure"] for r in kg.runs}) == 1
            print(f"Entailments at {label(s)}: kg {kg.runs[0]['n']:,} new triples, owlrl {ow.runs[0]['n']:,}: "
                  f"{'the same set' if same else '**different sets**'} (digest of the sorted N-Triples).")
        kq, rq, xq = get("kg queries", s), get("pyoxigraph queries", s), get("rdflib queries", s)
        if kq and rq and kq.runs and rq.runs:
            note = f"; rdflib {xq.runs[0]['rows']:,} (failed: {', '.join(xq.runs[0]['failed']) or 'none'})" if xq and xq.runs else ""  # type: ignore[arg-type]
            print(f"Rows (CONSTRUCT triples included) at {label(s)}: kg {kq.runs[0]['rows']:,}, raw pyoxigraph {rq.runs[0]['rows']:,}{note}.")
    work = plan_work(results, sizes)
    for task, key in GROWTH_TABLES:
        growth(results, sizes, task, key, work)
    validation(results, setup, sizes, options)
    if not options.queries_only:
        fixed(results, options)


def plan_work(results: dict[tuple[str, int], Outcome], sizes: list[int]) -> dict[int, dict[str, int]]:
    """The work table (solutions produced by each query's plan at each size, and its rows); the work per size, for the time tables."""
    got = {s: results[("plan work", s)].runs[0] for s in sizes if ("plan work", s) in results and results[("plan work", s)].runs}
    present = sorted(got)
    if len(present) < 2:
        return {}
    work: dict[int, dict[str, int]] = {s: got[s]["work"] for s in present}  # type: ignore[misc]
    rows: dict[int, dict[str, int]] = {s: got[s]["rows_per"] for s in present}  # type: ignore[misc]
    from kg.queries.catalogue import Catalogue

    about = {s.name: bool(MECHANISM_PARAMETERS & {p.name for p in s.parameters}) for s in Catalogue.bundled()}
    steps = list(itertools.pairwise(present))
    data_growth = {(a, b): sum_triples(b) / sum_triples(a) for a, b in steps}
    print("\n## The work of each saved query's plan as the graph grows (Oxigraph's `query --explain-file --stats`: "
          "solutions produced by every step of the plan, summed; one run, the count is deterministic)\n")
    print("Goal: a query about one or two mechanisms does the same work at every size; no query's work grows faster than "
          "the data, or than its own answer where the answer grows faster.\n")
    print("| query | about 1-2 mechanisms | " + " | ".join(f"work {label(s)}" for s in present) + " | "
          + " | ".join(f"{label(a)}→{label(b)}" for a, b in steps) + " | rows " + " / ".join(label(s) for s in present) + " | flag |")
    print("|---|---|" + "---|" * (len(present) + len(steps) + 1) + "---|")
    flagged = []
    for name in sorted(work[present[0]], key=lambda n: (n in REFERENCES, n)):
        counts = [work[s][name] for s in present]
        factors = [work[b][name] / max(work[a][name], 1) for a, b in steps]
        flags = []
        if about.get(name) and len(set(counts)) > 1:
            flags.append("**work changes with the graph**")
        for (a, b), f in zip(steps, factors, strict=True):
            answer = rows[b][name] / max(rows[a][name], 1)
            if f > max(data_growth[(a, b)], answer) * 1.05:
                flags.append(f"**work faster than the data {label(a)}→{label(b)}**")
        if flags and name not in REFERENCES:
            flagged.append(name)
        print(f"| {name} | {'yes' if about.get(name) else ''} | " + " | ".join(f"{c:,}" for c in counts) + " | "
              + " | ".join(f"{f:.1f}x" for f in factors) + " | " + " / ".join(f"{rows[s][name]:,}" for s in present)
              + f" | {'; '.join(flags) or 'ok'} |")
    print("\nData growth per step: " + ", ".join(f"{label(a)}→{label(b)} {g:.1f}x" for (a, b), g in data_growth.items())
          + f" (5% allowed for the bundled graph's share). Queries flagged: {', '.join(flagged) or 'none'}.")
    return work


def growth(results: dict[tuple[str, int], Outcome], sizes: list[int], task: str, key: str,
           work: dict[int, dict[str, int]] | None = None) -> None:
    runs = {s: results.get((task, s)) for s in sizes}
    present = [s for s in sizes if runs[s] is not None and runs[s].runs]  # type: ignore[union-attr]
    if len(present) < 2:
        return
    from kg.queries.catalogue import Catalogue

    about = {s.name: bool(MECHANISM_PARAMETERS & {p.name for p in s.parameters}) for s in Catalogue.bundled()}
    first, last = present[0], present[-1]
    data_growth = {(a, b): sum_triples(b) / sum_triples(a) for a, b in itertools.pairwise(present)}
    print(f"\n## Each saved query as the graph grows (`{task}`, {WHEN[key]}: median of {QUERY_PASSES} passes in a process, "
          "then median [min-max] of the processes)\n")
    if (task, key) == GROWTH_TABLES[0]:
        print("Goal: a query about one or two mechanisms (parameter `mechanism`, `first` or `second`) at most 2x from "
              f"{label(first)} to {label(last)}; no query growing faster than the data (growth over a step at most the data's).\n")
    head = " | ".join(label(s) for s in present)
    steps = " | ".join(f"{label(a)}→{label(b)}" for a, b in itertools.pairwise(present))
    print(f"| query | about 1-2 mechanisms | {head} | {steps} | {label(first)}→{label(last)} | flag |")
    print("|---|---|" + "---|" * (2 * len(present)) + "---|")
    broken = []
    every = runs[first].runs[0][key]  # type: ignore[union-attr, index]
    names = sorted(n for n in every if n not in REFERENCES)  # type: ignore[union-attr]
    references = [n for n in REFERENCES if n in every]

    def medians(name: str) -> tuple[dict[int, list[float]], dict[int, float]]:
        per = {s: [float(r[key][name]) for r in runs[s].runs] for s in present}  # type: ignore[union-attr, index]
        return per, {s: statistics.median(v) for s, v in per.items()}

    # The fastest growth of a reference query over each step: what "linear" costs here.
    floor = {(a, b): max((medians(n)[1][b] / medians(n)[1][a] for n in references), default=0.0) for a, b in itertools.pairwise(present)}

    def row(name: str, mark: str) -> None:
        per, med = medians(name)
        factors = [med[b] / med[a] for a, b in itertools.pairwise(present)]
        total = med[last] / med[first]
        flags = []
        if about.get(name) and total > 2:
            flags.append(f"**{total:.1f}x > 2x**")
        for (a, b), f in zip(itertools.pairwise(present), factors, strict=True):
            if f > data_growth[(a, b)] and name not in REFERENCES:
                why = []
                if f <= floor[(a, b)]:
                    why.append("no faster than a reference")
                if work and a in work and b in work and name in work[a]:
                    why.append(f"work {work[b][name] / max(work[a][name], 1):.1f}x")
                flags.append(f"**faster than the data {label(a)}→{label(b)}**" + (f" ({'; '.join(why)})" if why else ""))
        if flags:
            broken.append(name)
        cells = " | ".join(seconds(per[s]) for s in present)
        print(f"| {name} | {mark} | {cells} | " + " | ".join(f"{f:.1f}x" for f in factors)
              + f" | {total:.1f}x | {'; '.join(flags) or 'ok'} |")

    for name in names:
        row(name, "yes" if about.get(name) else "")
    totals = {s: [sum(float(r[key][n]) for n in names) for r in runs[s].runs] for s in present}  # type: ignore[union-attr, index]
    print(f"| **all {len(names)}** | | " + " | ".join(seconds(totals[s]) for s in present) + " | "
          + " | ".join(f"{statistics.median(totals[b]) / statistics.median(totals[a]):.1f}x" for a, b in itertools.pairwise(present))
          + f" | {statistics.median(totals[last]) / statistics.median(totals[first]):.1f}x | |")
    for name in references:
        row(name, "")
    print("\nData growth per step: " + ", ".join(f"{label(a)}→{label(b)} {g:.1f}x" for (a, b), g in data_growth.items())
          + f". Queries flagged: {', '.join(broken) or 'none'}.")
    if references:
        print("The reference rows are not saved queries: " + "; ".join(f"*{n.removeprefix('(reference) ')}* is `{REFERENCES[n]}`" for n in references)
              + ". Each can only be linear in the data; how fast they grow here is what linear costs on this engine and machine.")


_TRIPLES: dict[int, int] = {}


def sum_triples(size: int) -> int:
    return _TRIPLES[size]


def validation(results: dict[tuple[str, int], Outcome], setup: Setup, sizes: list[int], options: argparse.Namespace) -> None:
    present = [s for s in sizes if s <= options.validate_max]
    if not present:
        return
    print("\n## Validation\n")
    print("`kg validate FILE` (the command, timed whole: reasoning, shapes and the quality-check queries) against the SHACL engines "
          "run directly on the file it hands its engine (ontology, data and the entailments the shapes can see, N-Triples, written by the set-up), "
          "each a whole process as a user waits for it.\n")
    print("| engine | " + " | ".join(f"{label(s)} (file: {setup.triples.get(-s, 0):,} triples)" for s in present) + " |")
    print("|---|" + "---|" * len(present))
    for name in ("kg validate", "pyshacl-turbo", "Jena SHACL", "pyshacl"):
        cells = []
        for s in present:
            o = results.get((name, s))
            if o is None:
                cells.append("not run")
            elif not o.runs:
                cells.append(o.failed)
            else:
                r = o.runs[0]
                verdict = ("conforms" if r.get("exit") == 0 else "does not conform") if name == "kg validate" else \
                    f"{'conforms' if r.get('conforms') else 'does not conform'}, {r.get('results')} results"
                cells.append(f"{figure(o, 'wall')}, {memory(o)} ({len(o.runs)} runs; {verdict})")
        print(f"| {name} | " + " | ".join(cells) + " |")
    wall = lambda r: float(r["wall"])  # noqa: E731
    for title, a, b in [("kg validate / Jena SHACL", "kg validate", "Jena SHACL"), ("kg validate / pyshacl-turbo", "kg validate", "pyshacl-turbo"),
                        ("pyshacl-turbo / Jena SHACL", "pyshacl-turbo", "Jena SHACL"), ("pyshacl / kg validate", "pyshacl", "kg validate")]:
        print(f"| {title} | " + " | ".join(ratio(paired(results.get((a, s)), results.get((b, s)), wall)) for s in present) + " |")
    if setup.jena is None:
        print("\nJena SHACL: not found (neither a `shacl` command nor Debian's libapache-jena-java).")
    skipped = [label(s) for s in present if s > options.pyshacl_max]
    if skipped:
        print(f"\npyshacl not run at {', '.join(skipped)} (--pyshacl-max {options.pyshacl_max:g}: minutes a run).")
    target = results.get(("kg validate", 100_000))
    if target and target.runs:
        med = statistics.median(float(r["wall"]) for r in target.runs)  # type: ignore[arg-type]
        jena = paired(target, results.get(("Jena SHACL", 100_000)), wall)
        print(f"\nGoal `kg validate` at 1e5 under 15 s: {'met' if med < 15 else '**not met**'} ({med:.1f} s). "
              f"Within 1.5x of Jena SHACL: " + (f"{'met' if statistics.median(jena) <= 1.5 else '**not met**'} ({ratio(jena)})." if jena else "not measured."))


def fixed(results: dict[tuple[str, int], Outcome], options: argparse.Namespace) -> None:
    print("\n## Import and cold start\n")
    print("| task | wall time | peak memory |")
    print("|---|---|---|")
    for task in TASKS:
        if task.when(options, 0):
            o = results.get((task.name, 0))
            print(f"| {task.name} | {figure(o, 'wall')} ({len(o.runs) if o else 0} runs) | {memory(o)} |")
    imp = results.get(("kg import", 0))
    if imp and imp.runs:
        med = statistics.median(float(r["wall"]) for r in imp.runs)  # type: ignore[arg-type]
        share = paired(imp, results.get(("kg import, not validated", 0)), lambda r: float(r["wall"]))  # type: ignore[arg-type]
        goal = "met" if med < 10 else "**not met**"
        print(f"\n`kg import` of a {options.import_rows:,}-row spreadsheet ({options.import_rows // 5:,} mechanisms) into a store holding the bundled graph, "
              f"validated: {med:.1f} s (goal: under 10 s for 10,000 rows: {goal if options.import_rows >= 10_000 else 'not measured at that size'}); "
              f"with validation / without: {ratio(share)}.")
    cold = paired(results.get(("kg query (cold)", 0)), results.get(("python -c 'import pyoxigraph'", 0)), lambda r: float(r["wall"]))  # type: ignore[arg-type]
    if cold:
        print(f"Cold start, `kg query mechanisms-without-internet` / `python -c 'import pyoxigraph'`: {ratio(cold)} (goal 3x).")


# --- set-up --------------------------------------------------------------------------------------

def jena_command(work: Path) -> list[str] | None:
    """How to run Jena's SHACL validator here: a `shacl` command, else Debian's jars (with a repair), else None.

    Debian's libapache-jena-java 4.5 moves the classes of Jena's shaded Xerces
    to the package ``xerces`` but leaves its message bundles under
    ``org/apache/jena/ext/xerces``, so Jena fails at start-up ("internal
    error" in XSSimpleTypeDecl); a folder with the bundles copied where the
    classes look for them, put on the class path, repairs it.
    """
    if shutil.which("shacl"):
        return ["shacl"]
    java, jars = shutil.which("java"), Path("/usr/share/java")  # Debian's fixed location, not a path of this machine
    if java is None or not (jars / "jena-shacl.jar").is_file():
        return None
    names = ["jena-arq", "jena-base", "jena-cmds", "jena-core", "jena-iri", "jena-shacl", "jena-shex", "jena-dboe-base", "jena-dboe-storage",
             "jena-dboe-transaction", "jena-dboe-trans-data", "jena-dboe-index", "jena-tdb", "jena-tdb2", "jena-rdfconnection", "caffeine",
             "commons-cli", "commons-codec", "commons-compress", "commons-io", "commons-lang3", "commons-csv", "commons-text", "dexx.collection",
             "gson", "jsonld-java", "jackson-core", "jackson-databind", "jackson-annotations", "httpclient", "httpcore", "slf4j-api", "slf4j-nop",
             "thrift", "protobuf", "titanium-json-ld", "jakarta.json-api", "guava", "failureaccess"]
    path = [str(jars / f"{n}.jar") for n in names if (jars / f"{n}.jar").is_file()]
    bundles = work / "jena-bundles"
    with zipfile.ZipFile(jars / "jena-core.jar") as core:
        prefix = "org/apache/jena/ext/xerces/"
        if "xerces/impl/dv/xs/XSSimpleTypeDecl.class" in core.namelist():
            for name in core.namelist():
                if name.startswith(prefix) and name.endswith(".properties"):
                    target = bundles / "xerces" / name[len(prefix):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(core.read(name))
            path.append(str(bundles))
    return [java, "-cp", os.pathsep.join(path), "shacl.shacl"]


def kg_run(args: list[str], env: dict[str, str], store: Path | None = None) -> None:
    run_env = {**env, **({"KG_STORE": str(store)} if store else {})}
    done = subprocess.run([*KG, *args], env=run_env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"set-up: kg {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")


def prepare(options: argparse.Namespace, sizes: list[int]) -> Setup:
    sys.path.insert(0, str(HERE))
    from generate import write
    from store import spreadsheet

    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    env = {**os.environ, "KG_CACHE_DIR": str(work / "cache"), "KG_STORE": str(work / "no-store")}
    seed = work / "seed.nt"
    seed.write_text('<https://example.org/seed> <http://www.w3.org/2000/01/rdf-schema#label> "seed" .\n', encoding="utf-8")
    bundled = work / "bundled"
    print("set-up: the bundled store", file=sys.stderr, flush=True)
    kg_run(["load", str(seed)], env, bundled / "store")
    kg_run(["query", "mechanisms-without-internet"], env)  # warms the reasoning cache, as a user's is
    setup = Setup(work=work, env=env, bundled=bundled, jena=jena_command(work) if sizes and options.validate_max >= min(sizes) else None)
    for size in sizes:
        folder = setup.folder(size)
        folder.mkdir(parents=True)
        print(f"set-up: {label(size)}", file=sys.stderr, flush=True)
        data = write(size, folder / f"gen-{size}.nt")
        setup.files[size] = data
        setup.triples[size] = _TRIPLES[size] = sum(1 for _ in data.open(encoding="utf-8"))
        shutil.copytree(bundled, folder, symlinks=True, dirs_exist_ok=True)
        # The library's load, without the shapes check `kg load` runs on a file naming our resources (minutes at 1e6): the data is known good.
        subprocess.run([PY, "-c", "import sys; from pathlib import Path; from kg.graph import diskstore; diskstore.load(Path(sys.argv[1]))", str(data)],
                       env={**env, "KG_STORE": str(folder / "store")}, check=True)
        if size <= options.validate_max:
            setup.triples[-size] = shacl_input_file(_validated(setup, size), folder / "shacl-input.nt", env)
    if options.import_rows > 0:
        setup.spreadsheet = spreadsheet(work / "mechanisms.csv", options.import_rows)
    return setup


def shacl_input_file(files: list[Path], target: Path, env: dict[str, str]) -> int:
    """What kg validate hands its SHACL engine for ``files``: the ontology, the files and the observed entailments, as N-Triples."""
    code = ("import sys, pyoxigraph as ox, rdflib\nfrom pathlib import Path\nfrom kg.core import resources\nfrom kg.graph.store import KnowledgeGraph\n"
            "from kg.quality import observed\n"
            "g = KnowledgeGraph.from_files(resources.ontology_files() + [Path(p) for p in sys.argv[2:]], keep=False)\n"
            "s = observed.shacl_input(g.store, observed.named(rdflib.Graph().parse(resources.shapes_file(), format='turtle')))\n"
            "t = KnowledgeGraph(store=s).triples()\nox.serialize(t, output=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)\nprint(len(t))\n")
    done = subprocess.run([PY, "-c", code, str(target), *map(str, files)], env=env, capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=float, default=[1e4, 1e5, 1e6], help="generated triples (default 1e4 1e5 1e6)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each task at each size (default 5)")
    parser.add_argument("--slow-repeat", type=int, default=3, help=f"runs of a task whose first run took over {SLOW:.0f} s (default 3)")
    parser.add_argument("--owlrl-max", type=float, default=1e4, help="largest size owlrl runs at (default 1e4: a run at 1e5 takes 2 to 7 minutes here)")
    parser.add_argument("--rdflib-max", type=float, default=1e4, help="largest size rdflib parses and queries at (default 1e4)")
    parser.add_argument("--validate-max", type=float, default=1e5, help="largest size validated (default 1e5)")
    parser.add_argument("--pyshacl-max", type=float, default=1e4, help="largest size pyshacl validates (default 1e4)")
    parser.add_argument("--import-rows", type=int, default=10_000, help="rows of the imported spreadsheet; 0: no import (default 10000)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a run is killed (default 600)")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument("--queries-only", action="store_true",
                        help=f"run only {' and '.join(QUERY_TASKS)} (no validation, import or cold start), for the growth tables")
    options = parser.parse_args()
    if options.queries_only:
        options.validate_max, options.import_rows = 0, 0
    sizes = sorted({int(s) for s in options.sizes})
    started = time.time()
    load_before = os.getloadavg()
    setup = prepare(options, sizes)
    jobs = [(task, size) for size in [*sizes, 0] for task in TASKS if task.when(options, size)
            and (not options.queries_only or task.name in QUERY_TASKS)]
    results = run_all(jobs, setup, options)
    load_after = os.getloadavg()
    import pyoxigraph
    import rdflib

    versions = {name: _version(name) for name in ("owlrl", "pyshacl", "pyshacl-turbo")}
    jena = "" if setup.jena is None else f", Jena SHACL {_jena_version()}"
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB, "
          f"{platform.system()}, Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}, "
          + ", ".join(f"{k} {v}" for k, v in versions.items()) + jena
          + f". Load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; {time.time() - started:.0f} s in all.\n")
    print(f"Command: `.venv/bin/python benchmarks/run.py {' '.join(sys.argv[1:])}`".replace("run.py `", "run.py`"))
    report(results, setup, sizes, options)
    if options.json:
        options.json.write_text(json.dumps({f"{n}@{s}": {"runs": o.runs, "failed": o.failed} for (n, s), o in results.items()}, indent=1))
    shutil.rmtree(setup.work, ignore_errors=True)


def _jena_version() -> str:
    found = sorted(Path("/usr/share/java").glob("jena-shacl-*.jar"))
    return f"{found[-1].stem.removeprefix('jena-shacl-')} (Debian's libapache-jena-java)" if found else "(shacl command)"


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    main()
