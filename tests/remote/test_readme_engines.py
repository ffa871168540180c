"""The README's commands for Oxigraph and Virtuoso, run as written (on free ports, in a temporary folder).

Each block follows an ``<!-- engine: NAME -->`` comment in README.md.  Its
first line that starts a server runs in the background (in a process group
of its own, stopped by its id); the other lines run in one bash, with the
virtualenv's ``kg`` and ``oxigraph`` first on PATH.  The only change made to
the commands is the port numbers (in Virtuoso's case also in the copied
``virtuoso.ini``), so that the test can run beside anything.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import virtuoso_server
from tests.engines import require
from tests.oxigraph_server import free_port
from tests.paths import ROOT

pytestmark = pytest.mark.server

SERVERS = ("oxigraph serve", "virtuoso-t")


def _block(engine: str) -> list[str]:
    """The lines of the shell block after ``<!-- engine: NAME -->`` in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    marker = f"<!-- engine: {engine} -->"
    assert marker in text, f"README.md has no {marker}"
    block = text.split(marker, 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


@contextlib.contextmanager
def _server(line: str, cwd: Path, ready: str) -> Iterator[None]:
    process = subprocess.Popen(["bash", "-c", line], cwd=cwd, env=_env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"{line!r} exited with {process.returncode}"
            try:
                with urllib.request.urlopen(ready, timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                assert time.monotonic() < deadline, f"{line!r}: no answer at {ready} within 90 s"
                time.sleep(0.3)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _run(lines: list[str], cwd: Path, stdin: str = "") -> str:
    done = subprocess.run(["bash", "-c", "set -e\n" + "\n".join(lines)], cwd=cwd, env=_env(), input=stdin,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout


def test_oxigraph_commands_as_written(tmp_path: Path) -> None:
    lines = _block("oxigraph")
    port = free_port()
    lines = [line.replace("127.0.0.1:7878", f"127.0.0.1:{port}") for line in lines]
    start = next(i for i, line in enumerate(lines) if line.startswith(SERVERS))
    with _server(lines[start], tmp_path, f"http://127.0.0.1:{port}/query?query=ASK%7B%7D"):
        output = _run(lines[start + 1:], tmp_path)
    assert "https://w3id.org/ksm/graph/inferred  created" in output
    assert "Study tour" in output and "Discussion group" not in output  # no internet needed: the seed's limits


def test_virtuoso_commands_as_written(tmp_path: Path) -> None:
    require(virtuoso_server.binary(), "Virtuoso", "apt-get install virtuoso-opensource")
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # the commands run from a checkout
    lines = _block("virtuoso")
    ports = {"127.0.0.1:1111": f"127.0.0.1:{free_port()}", "127.0.0.1:8890": f"127.0.0.1:{free_port()}"}

    def ported(text: str) -> str:
        for written, free in ports.items():
            text = text.replace(written, free)
        return text

    start = next(i for i, line in enumerate(lines) if SERVERS[1] in line)
    _run(lines[:start], tmp_path)
    ini = next(tmp_path.glob("*/virtuoso.ini"))
    ini.write_text(ported(ini.read_text(encoding="utf-8")), encoding="utf-8")
    http = ports["127.0.0.1:8890"]
    with _server(lines[start], tmp_path, f"http://{http}/sparql?query=ASK%7B%7D"):
        output = _run([ported(line) for line in lines[start + 1:]], tmp_path, stdin="CHANGE-ME\n")
    assert "https://w3id.org/ksm/graph/inferred  created" in output
    assert "Study tour" in output and "Discussion group" not in output
