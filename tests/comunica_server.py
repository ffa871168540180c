"""A real Comunica SPARQL endpoint (``comunica-sparql-file-http``) over RDF files, on a loopback port, for tests.

Comunica is another engine, written by other people in another language
(TypeScript on Node), and it reads the files exactly as a user downloads
them.  ``.ci/run`` installs the version pinned in ``.ci/comunica`` (package
lock included) with ``npm ci --prefix .ci/comunica``; ``$KG_COMUNICA`` may name
another ``comunica-sparql-file-http``.  Comunica listens on every interface
and has no option for the address, so ``tests/comunica_loopback.cjs`` is
preloaded into it (and its worker processes) to bind 127.0.0.1.

The server and its workers run in a process group of their own, stopped by
its id when the context ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

from tests.oxigraph_server import free_port
from tests.paths import ROOT

LOCAL = ROOT / ".ci" / "comunica" / "node_modules" / ".bin" / "comunica-sparql-file-http"
PRELOAD = Path(__file__).resolve().parent / "comunica_loopback.cjs"


def binary() -> str | None:
    """``$KG_COMUNICA``, else the project-local install of .ci/run."""
    named = os.environ.get("KG_COMUNICA")
    if named:
        return named if Path(named).is_file() else None
    if LOCAL.is_file() and shutil.which("node"):
        return str(LOCAL)
    return None


@contextlib.contextmanager
def running(files: Sequence[Path], *, timeout_s: int | None = None, union: bool = True) -> Iterator[str]:
    """Serve the files (their union is the default graph with ``union``), yield the /sparql URL, stop."""
    exe = binary()
    if exe is None:
        raise RuntimeError("comunica-sparql-file-http is missing: npm ci --prefix .ci/comunica")
    port = free_port()
    command = [exe, "--port", str(port)]
    if union:
        command.append("--unionDefaultGraph")
    if timeout_s is not None:
        command += ["--timeout", str(timeout_s)]
    command += [str(f) for f in files]
    env = {**os.environ, "NODE_OPTIONS": f"--require {PRELOAD}"}
    log = tempfile.TemporaryFile()  # a file, not a pipe: Comunica logs every request, and a full pipe would stop it
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 120  # Comunica 5 takes 15-20 s to read its configuration
        while True:
            if process.poll() is not None:
                log.seek(0)
                err = log.read().decode("utf-8", "replace")
                raise RuntimeError(f"comunica-sparql-file-http exited with {process.returncode}: {err.strip()[-400:]}")
            try:
                ask = urllib.parse.urlencode({"query": "ASK {}"}).encode()
                request = urllib.request.Request(url, data=ask, headers={"Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    if b"boolean" in response.read():
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("comunica-sparql-file-http did not answer within 120 s")
            time.sleep(0.5)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # its own group: the server and its workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
