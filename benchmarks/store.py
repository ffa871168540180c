"""The living store: what a user waits for when the graph grows, against a full rebuild, in one run.

Three things a user does, each in a fresh process, repeated and interleaved:

- **load**: `kg load` a 100,000-triple SKOS vocabulary into a store that holds
  the bundled graph (re-reasoned incrementally; not validated: it names none
  of our IRIs);
- **import**: `kg import` a 1,000-row spreadsheet (200 mechanisms of five
  statements) into a store that holds the bundled graph and that vocabulary
  (re-reasoned incrementally, then the shapes and checks on the whole union);
- **rebuild**: what it costs without a living store: a fresh store built with
  the same vocabulary and the same spreadsheet (the baseline).

    .venv/bin/python benchmarks/store.py [--repeat 3] [--triples 100000] [--rows 1000] [--baseline DIR]

Prints the median and the range of each, and the ratios to the rebuild.
``--baseline DIR`` (a checkout of another version of ksm-kg, e.g. from
``git worktree add``) runs the same tasks with that version's ``kg`` too,
in the same rounds, so that before and after are measured side by side.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KG = [sys.executable, "-m", "kg.cli", "--quiet"]


def vocabulary(path: Path, triples: int) -> Path:
    """A SKOS thesaurus of about ``triples`` triples: concepts with two labels, a notation and a broader concept."""
    lines = []
    concepts = max(1, triples // 5)
    for i in range(concepts):
        c = f"<https://example.org/thesaurus/c{i}>"
        lines.append(f"{c} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2004/02/skos/core#Concept> .")
        lines.append(f'{c} <http://www.w3.org/2004/02/skos/core#prefLabel> "concept {i}"@en .')
        lines.append(f'{c} <http://www.w3.org/2004/02/skos/core#prefLabel> "concept {i}"@fr .')
        lines.append(f'{c} <http://www.w3.org/2004/02/skos/core#notation> "C{i}" .')
        lines.append(f"{c} <http://www.w3.org/2004/02/skos/core#broader> <https://example.org/thesaurus/c{i // 10}> .")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def spreadsheet(path: Path, rows: int) -> Path:
    """``rows`` rows of the import template: mechanisms of five statements each, every one conforming."""
    header = "mechanism_id,mechanism_fr,mechanism_en,description_fr,description_en,kind,text_fr,text_en,categories,source\n"
    lines = [header]
    source = "https://example.org/toolkit"
    for i in range(max(1, rows // 5)):
        m = f"gen-{i},Mécanisme {i},Mechanism {i}"
        lines.append(f"{m},Description {i},About {i},objective,Objectif {i},Objective {i},objcat:debate,{source}\n")
        for kind, cat in (("benefit", "bencat:networking"), ("benefit", "bencat:pooling"), ("limitation", "limcat:cost"), ("limitation", "limcat:logistics")):
            lines.append(f"{m},,,{kind},Énoncé {kind} {i},Statement {kind} {i},{cat},{source}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def run(args: list[str], store: Path, source: Path | None = None) -> float:
    env = {**os.environ, "KG_STORE": str(store)}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    # run from the checkout measured (or from outside any): `python -m` puts the current folder first on the path
    where = source if source is not None else store.parent
    where.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    done = subprocess.run([*KG, *args], env=env, cwd=where, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--baseline", type=Path, help="another checkout of ksm-kg, measured in the same rounds")
    options = parser.parse_args()
    versions: dict[str, Path | None] = {"this": None}
    if options.baseline is not None:
        versions["baseline"] = options.baseline.resolve()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-store-"))
    os.environ.setdefault("KG_CACHE_DIR", str(work / "cache"))
    vocab = vocabulary(work / "thesaurus.nt", options.triples)
    table = spreadsheet(work / "mechanisms.csv", options.rows)
    seed = work / "seed.ttl"
    seed.write_text("<https://example.org/seed> <http://www.w3.org/2000/01/rdf-schema#label> \"seed\" .\n", encoding="utf-8")
    # The templates every repetition starts from (copied, so that no run pays for another's set-up).
    bundled, with_vocabulary = work / "bundled", work / "with-vocabulary"
    run(["load", str(seed)], bundled / "store")
    shutil.copytree(bundled, with_vocabulary, symlinks=True)
    run(["load", str(vocab)], with_vocabulary / "store")
    times: dict[tuple[str, str], list[float]] = {(v, t): [] for v in versions for t in ("load", "import", "rebuild")}
    for n in range(-1, options.repeat):  # round -1 warms the reasoner's cache (the schema's closure) for each version; not counted
        for version, source in versions.items():
            for task in ("load", "import", "rebuild"):  # interleaved: a drift of the machine's speed hits all of them
                folder = work / f"{version}-{task}-{n}"
                if task == "load":
                    shutil.copytree(bundled, folder, symlinks=True)
                    times[version, task].append(run(["load", str(vocab)], folder / "store", source))
                elif task == "import":
                    shutil.copytree(with_vocabulary, folder, symlinks=True)
                    times[version, task].append(run(["import", str(table)], folder / "store", source))
                else:
                    start = time.perf_counter()
                    run(["load", str(vocab)], folder / "store", source)
                    run(["import", str(table)], folder / "store", source)
                    times[version, task].append(time.perf_counter() - start)
                shutil.rmtree(folder, ignore_errors=True)
                if n < 0:
                    times[version, task].pop()
    print(f"{options.triples:,}-triple vocabulary, {options.rows:,}-row spreadsheet, {options.repeat} interleaved runs each (wall s, fresh processes)")
    for version in versions:
        if len(versions) > 1:
            print(f"{version}{'' if versions[version] is None else f' ({versions[version]})'}:")
        base = statistics.median(times[version, "rebuild"])
        for task, label in (("load", "kg load of the vocabulary"), ("import", "kg import of the spreadsheet"),
                            ("rebuild", "full rebuild (fresh store, both)")):
            values = times[version, task]
            median = statistics.median(values)
            print(f"  {label:34} median {median:6.2f} s  range {min(values):.2f}-{max(values):.2f}  ratio to rebuild {median / base:.2f}")
    if len(versions) > 1:
        for task in ("load", "import", "rebuild"):
            ratios = [a / b for a, b in zip(times["this", task], times["baseline", task], strict=True)]
            print(f"  {task}: this / baseline, same rounds: median {statistics.median(ratios):.2f}  range {min(ratios):.2f}-{max(ratios):.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
