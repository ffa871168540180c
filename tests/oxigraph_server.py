"""A real ``oxigraph serve`` (PyPI package ``oxigraph``) on a free loopback port, for tests.

The server keeps its data in a temporary folder, answers queries over the
union of its named graphs (``--union-default-graph``, as the embedded store
does) and is stopped, by its own process id, when the context ends.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def binary() -> str | None:
    """The ``oxigraph`` executable beside this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    return shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(location: Path, *, timeout_s: int | None = None, union: bool = True) -> Iterator[str]:
    """Start the server, wait until it answers, yield its base URL (``http://127.0.0.1:PORT``), stop it."""
    exe = binary()
    if exe is None:
        raise RuntimeError("the oxigraph server binary is missing: pip install oxigraph")
    port = free_port()
    command = [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union:
        command.append("--union-default-graph")
    if timeout_s is not None:
        command += ["--timeout-s", str(timeout_s)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                err = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
                raise RuntimeError(f"oxigraph serve exited with {process.returncode}: {err.strip()}")
            try:
                with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not answer within 30 s") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
