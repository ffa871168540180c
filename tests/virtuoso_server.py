"""A real OpenLink Virtuoso 7 (Debian ``virtuoso-opensource``) on free loopback ports, for tests.

Each server gets its own ``virtuoso.ini`` in a folder of its own: database,
transaction log, lock and temporary files all live there, the SQL and HTTP
listeners are bound to 127.0.0.1, and nothing of the system-wide
installation (``/var/lib/virtuoso-opensource-7``) is read or written.  A
fresh database answers ``/sparql`` within a few seconds.

Virtuoso's SPARQL endpoint ``/sparql`` is read-only for anonymous users;
updates go to ``/sparql-auth`` with HTTP digest authentication (the
database's ``dba`` account, whose password is ``dba`` in a new database:
harmless on a loopback port of a throw-away database).  Its default graph is
the union of all graphs, as the saved queries expect.

A server can be stopped and started again on the same folder (the tests of
an interrupted push kill it mid-request and look at what survived).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

USER = "dba"
PASSWORD = "dba"  # the password of a new Virtuoso database


def binary() -> str | None:
    """``virtuoso-t`` on PATH (Debian installs it in /usr/bin)."""
    return shutil.which("virtuoso-t")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_ini(folder: Path, *, sql_port: int, http_port: int, timeout_s: int | None, anytime_s: int | None, max_rows: int, buffers: int) -> Path:
    """A complete virtuoso.ini whose every file is inside ``folder``."""
    db = folder / "db"
    db.mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(
        f"""; written by the ksm-kg tests: a throw-away Virtuoso on loopback ports
[Database]
DatabaseFile = {db / "virtuoso.db"}
ErrorLogFile = {db / "virtuoso.log"}
LockFile = {db / "virtuoso.lck"}
TransactionFile = {db / "virtuoso.trx"}
xa_persistent_file = {db / "virtuoso.pxa"}
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db / "virtuoso-temp.db"}
TransactionFile = {db / "virtuoso-temp.trx"}
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
MaxQueryMem = 2G
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {timeout_s or 0}
ExecutionTimeout = {anytime_s or 0}
MaxQueryCostEstimationTime = 0
""",
        encoding="utf-8",
    )
    return ini


@dataclass
class Virtuoso:
    """One Virtuoso process over a database folder; ``start()`` again after ``stop()`` reopens it."""

    folder: Path
    timeout_s: int | None = None
    anytime_s: int | None = None  # the endpoint's default 'anytime' limit: a 200 with part of the answer
    max_rows: int = 1_000_000
    buffers: int = 20_000  # 8 KB pages: 160 MB of cache
    sql_port: int = 0
    http_port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """The anonymous, read-only SPARQL endpoint."""
        return f"{self.base}/sparql"

    @property
    def sparql_auth(self) -> str:
        """The digest-authenticated SPARQL endpoint that accepts updates."""
        return f"{self.base}/sparql-auth"

    @property
    def graph_store(self) -> str:
        """The digest-authenticated Graph Store Protocol endpoint."""
        return f"{self.base}/sparql-graph-crud-auth"

    def start(self) -> Virtuoso:
        exe = binary()
        if exe is None:
            raise RuntimeError("virtuoso-t is missing: apt-get install virtuoso-opensource")
        self.sql_port, self.http_port = free_port(), free_port()
        ini = write_ini(self.folder, sql_port=self.sql_port, http_port=self.http_port,
                        timeout_s=self.timeout_s, anytime_s=self.anytime_s, max_rows=self.max_rows, buffers=self.buffers)
        log = (self.folder / "stderr.log").open("ab")
        self.process = subprocess.Popen([exe, "+foreground", "+configfile", str(ini)], cwd=self.folder,
                                        stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                tail = (self.folder / "stderr.log").read_text("utf-8", "replace").strip().splitlines()[-5:]
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}: {' / '.join(tail)}")
            try:
                with urllib.request.urlopen(f"{self.sparql}?query=ASK%7B%7D", timeout=2):
                    return self
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    self.stop(kill=True)
                    raise RuntimeError("virtuoso-t did not answer within 90 s") from None
                time.sleep(0.2)

    def stop(self, *, kill: bool = False) -> None:
        """Stop the server: SIGTERM (Virtuoso checkpoints and exits), or SIGKILL to play a crash."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        lock = self.folder / "db" / "virtuoso.lck"
        if kill and lock.exists():
            os.unlink(lock)  # a killed server leaves its lock file behind

    def isql(self, statement: str) -> str:
        """Run one SQL statement through ``isql-vt`` (bulk loading in the benchmarks)."""
        exe = shutil.which("isql-vt")
        if exe is None:
            raise RuntimeError("isql-vt is missing: apt-get install virtuoso-opensource")
        done = subprocess.run([exe, f"127.0.0.1:{self.sql_port}", USER, PASSWORD, f"exec={statement}"],
                              capture_output=True, text=True, timeout=24 * 3600, check=False)
        if done.returncode != 0 or "*** Error" in done.stdout or "*** Error" in done.stderr:
            raise RuntimeError(f"isql-vt: {statement[:80]}: {(done.stdout + done.stderr).strip()[-400:]}")
        return done.stdout


@contextlib.contextmanager
def running(folder: Path, *, timeout_s: int | None = None, max_rows: int = 1_000_000, buffers: int = 20_000) -> Iterator[Virtuoso]:
    """Start Virtuoso on a database in ``folder``, yield it, stop it (by its own process)."""
    server = Virtuoso(folder, timeout_s=timeout_s, max_rows=max_rows, buffers=buffers).start()
    try:
        yield server
    finally:
        server.stop()
