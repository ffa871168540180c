"""Ctrl-C at any moment of a run: one line, exit 130, no traceback, not even while kg is still importing.

The child runs with ``-X importtime``, which reports each import as it ends
on stderr: once kg.cli.streams's import is reported, kg's entry point has
installed its handler, and the test interrupts from there on, at several
delays that fall into the imports (click's for ``--help``; ``kg query NAME``
runs without click, kg.cli.fastpath), the graph's loading and the query.  (The interpreter's own start-up, before kg's first
line runs, is Python's; see kg/cli/interrupts.py.)
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.paths import ROOT


def _interrupted(args: list[str], delay: float) -> tuple[int, list[str]]:
    # Ctrl-C's default action, as in a terminal: a test run started in the background
    # (`pytest &` in a script) passes SIGINT on ignored, and kg rightly keeps ignoring it then.
    with subprocess.Popen([sys.executable, "-X", "importtime", "-m", "kg.cli", *args],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) as child:
        lines: list[str] = []
        ready = threading.Event()

        def read() -> None:
            assert child.stderr is not None
            for line in child.stderr:
                lines.append(line.rstrip("\n"))
                module = line.rsplit("|", 1)[-1].strip()
                if line.startswith("import time:") and module == "kg.cli.streams":  # imported right after the handler
                    ready.set()
            ready.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert ready.wait(60), "the child never imported kg.cli.streams"
        time.sleep(delay)
        child.send_signal(signal.SIGINT)
        code = child.wait(timeout=120)
        reader.join(timeout=10)
    return code, [line for line in lines if not line.startswith("import time:")]


@pytest.mark.parametrize("args", [["query", "mechanisms-without-internet"], ["--help"]])
def test_ctrl_c_during_start_up_is_one_line_and_130(args: list[str]) -> None:
    interrupted = 0
    for delay in (0.0, 0.002, 0.005, 0.01, 0.02, 0.04, 0.07):
        code, stderr = _interrupted(args, delay)
        assert not any("Traceback" in line or "KeyboardInterrupt" in line or "Aborted" in line for line in stderr), stderr
        if code == 0:
            continue  # the command was done before the signal came
        assert (code, stderr) == (130, ["kg: interrupted"]), f"delay {delay}: exit {code}, {stderr}"
        interrupted += 1
    assert interrupted >= 3  # the early delays always fall into start-up


def test_ctrl_c_while_a_command_works_is_one_line_and_130(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("ksm_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    data = generate.write(50_000, tmp_path / "generated.nt", seed=5)  # reasoning and validation over it take seconds (5,000: 0.7 s)
    code, stderr = _interrupted(["validate", str(data)], 1.0)
    assert (code, stderr) == (130, ["kg: interrupted"])
