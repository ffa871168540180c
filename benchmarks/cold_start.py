"""Cold start of ``kg query NAME`` against ``python -c 'import pyoxigraph'``, measured in one run.

A cold start is a new process answering one saved query on the bundled
graph, with the cache warm (the reasoned snapshot and the query's parsed
header exist): what a user waits for at every ``kg query``.  The baseline
is the least any Python command on pyoxigraph can cost, the interpreter
starting and importing pyoxigraph.  Issue 16 set the goal at 3x.

The two commands run alternately, ``runs`` times each after a warm-up, so
that a busy moment of the machine falls on both; each run's wall time is
taken around the subprocess (spawning it included, on both sides).  The
cache is a temporary folder of this run's own, so that other work on the
machine neither fills nor evicts it, and the commands run in it, where no
persistent store (``.kg/store``) is found.

Both sides run with bytecode caches, as an installed package does (pip
compiles a wheel's modules; a source checkout writes ``__pycache__`` on its
first run): the warm-up compiles into a folder of this run
(``PYTHONPYCACHEPREFIX``), even where ``PYTHONDONTWRITEBYTECODE`` is set.
``--environment-bytecode`` leaves both variables as the environment has
them instead: where ``PYTHONDONTWRITEBYTECODE`` is set and the checkout has
no ``__pycache__``, kg's own modules are compiled from source at every
start (some 15 ms more here), which no installed kg pays.

    .venv/bin/python benchmarks/cold_start.py [--runs 21] [--query mechanisms-without-internet] [--environment-bytecode]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL = 3.0
DEFAULT_QUERY = "mechanisms-without-internet"


class Timing:
    """Median and range of one command's wall times, in seconds."""

    __slots__ = ("command", "times")

    def __init__(self, command: list[str], times: list[float]) -> None:
        self.command, self.times = command, times

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def low(self) -> float:
        return min(self.times)

    @property
    def high(self) -> float:
        return max(self.times)


class Measurement:
    """Both commands' timings, and the ratio of their medians with its spread."""

    __slots__ = ("baseline", "kg", "ratios")

    def __init__(self, kg: Timing, baseline: Timing) -> None:
        self.kg, self.baseline = kg, baseline
        # each kg run against the baseline run next to it: the spread of the ratio itself
        self.ratios = sorted(k / b for k, b in zip(kg.times, baseline.times, strict=True))

    @property
    def ratio(self) -> float:
        return self.kg.median / self.baseline.median

    def figures(self) -> dict[str, float]:
        """Every figure in seconds (and the ratios), for a report that gathers several benchmarks."""
        return {"kg_median": self.kg.median, "kg_low": self.kg.low, "kg_high": self.kg.high,
                "baseline_median": self.baseline.median, "baseline_low": self.baseline.low, "baseline_high": self.baseline.high,
                "ratio": self.ratio, "ratio_low": self.ratios[0], "ratio_high": self.ratios[-1]}

    def summary(self) -> str:
        def ms(timing: Timing) -> str:
            return f"median {timing.median * 1e3:6.1f} ms  (range {timing.low * 1e3:.1f} to {timing.high * 1e3:.1f})"

        quarter = len(self.ratios) // 4
        return "\n".join([
            f"{'kg ' + ' '.join(self.kg.command[1:]):40} {ms(self.kg)}",
            f"{'python -c import pyoxigraph':40} {ms(self.baseline)}",
            f"ratio of medians {self.ratio:.2f}x (goal under {GOAL:g}x); "
            f"run by run: median {statistics.median(self.ratios):.2f}x, "
            f"middle half {self.ratios[quarter]:.2f} to {self.ratios[-1 - quarter]:.2f}, "
            f"range {self.ratios[0]:.2f} to {self.ratios[-1]:.2f} ({len(self.ratios)} pairs)",
        ])


def kg_command(query: str) -> list[str]:
    """The installed console script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).parent / "kg"
    if not script.is_file():
        raise SystemExit(f"no kg console script beside {sys.executable}: install the project (pip install -e .)")
    return [str(script), "query", query]


def _time(command: list[str], env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed (exit {done.returncode}): {done.stderr.decode(errors='replace').strip()}")
    return elapsed


def measure(runs: int = 21, query: str = DEFAULT_QUERY, *, warm_bytecode: bool = True) -> Measurement:
    """Interleaved runs of ``kg query QUERY`` and of the baseline: medians, ranges and their ratio (:class:`Measurement`).

    Two warm-up pairs are not counted: the first fills the cache (and compiles the bytecode).
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    kg = kg_command(query)
    baseline = [sys.executable, "-c", "import pyoxigraph"]
    kg_times: list[float] = []
    base_times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kg-cold-") as cache:
        env = {**os.environ, "KG_CACHE_DIR": cache}
        env.pop("KG_STORE", None)  # and the folder is the cache's, so no .kg/store is found: the bundled graph
        if warm_bytecode:
            env["PYTHONPYCACHEPREFIX"] = os.path.join(cache, "bytecode")
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        for _ in range(2):  # warm-up
            _time(kg, env, cache)
            _time(baseline, env, cache)
        for index in range(runs):
            pair = [(kg, kg_times), (baseline, base_times)]
            if index % 2:
                pair.reverse()  # neither side always runs first
            for command, times in pair:
                times.append(_time(command, env, cache))
    return Measurement(Timing(kg, kg_times), Timing(baseline, base_times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (at least 15 for a fair median)")
    parser.add_argument("--query", default=DEFAULT_QUERY)
    parser.add_argument("--environment-bytecode", action="store_true",
                        help="bytecode as PYTHONDONTWRITEBYTECODE and PYTHONPYCACHEPREFIX have it, not compiled in the warm-up")
    args = parser.parse_args()
    print(measure(args.runs, args.query, warm_bytecode=not args.environment_bytecode).summary())


if __name__ == "__main__":
    main()
