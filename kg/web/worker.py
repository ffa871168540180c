"""Running SPARQL queries in worker processes that can be killed.

pyoxigraph cannot cancel a query running in a thread, so a query that
never ends would hold a core and a thread for ever.  Each query runs in a
worker process instead; when it outlives the time limit the worker is
killed and a fresh one spawned in the background, and the client gets a
clean 503 (never a 200 with a cut-off body).  The other workers keep
answering everyone else meanwhile.  The worker writes the whole answer
(pyoxigraph's serializers) before anything is sent, so a response is
either complete or an error.

A row cap protects memory: a SELECT is counted first (pyoxigraph evaluates
lazily, so counting stops after ``max_rows + 1`` rows) and serialized in a
second pass only when under the cap; over the cap the client gets a 400
asking for a LIMIT.  HTML pages instead ask for the first ``max_rows`` rows
(``purpose="table"``) and say the table is truncated.

``SERVICE`` is refused: pyoxigraph would fetch any URL a stranger names.
"""

from __future__ import annotations

import multiprocessing
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from kg.core.namespaces import PREFIXES
from kg.web.negotiation import GRAPH_TYPES, RESULTS_TYPES, choose

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Job:
    """One query to run, with what the client accepts."""

    query: str
    accept: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    purpose: str = "protocol"  # "protocol": serialized answer; "table": rows for an HTML page


@dataclass
class Answer:
    """A complete answer: status, media type and body (or rows for a page)."""

    status: int
    media: str = "text/plain"
    body: bytes = b""
    kind: str = ""  # "select", "ask", "graph" for successful answers
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    @classmethod
    def error(cls, status: int, message: str) -> Answer:
        return cls(status=status, body=(message.rstrip() + "\n").encode("utf-8"))


_HIDDEN = re.compile(r"#[^\n]*|'''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|<[^<>\"{}|^`\\\s]*>", re.S)
_SERVICE = re.compile(r"(?<![\w:$?-])SERVICE(?![\w:-])", re.I)


def uses_service(query: str) -> bool:
    """Whether the query has a SERVICE clause (outside comments, strings and IRIs).

    >>> uses_service('SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }')
    True
    >>> uses_service('SELECT * WHERE { ?s ?p "SERVICE" } # SERVICE')
    False
    """
    return bool(_SERVICE.search(_HIDDEN.sub(" ", query)))


def execute(store: ox.Store, job: Job, *, max_rows: int) -> Answer:
    """Run one job on a store: the pure core of a worker, callable in-process by tests."""
    if uses_service(job.query):
        return Answer.error(400, "SERVICE is not allowed on this endpoint (federated queries would let it fetch any URL)")
    kwargs: dict[str, Any] = {}
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        answer = store.query(job.query, **kwargs)
        if isinstance(answer, ox.QueryBoolean):
            return _boolean(answer, job)
        if isinstance(answer, ox.QueryTriples):
            return _graph(answer, job, max_rows)
        return _solutions(store, answer, job, kwargs, max_rows)
    except SyntaxError as error:
        return Answer.error(400, f"bad SPARQL query: {error}")
    except (OSError, ValueError) as error:
        return Answer.error(400, f"query failed: {error}")


def _not_acceptable(offered: list[str]) -> Answer:
    return Answer.error(406, "none of the requested media types can be produced; this answer is available as: " + ", ".join(offered))


def _boolean(answer: ox.QueryBoolean, job: Job) -> Answer:
    if job.purpose == "table":
        return Answer(status=200, kind="ask", boolean=bool(answer))
    media = choose(job.accept, list(RESULTS_TYPES))
    if media is None:
        return _not_acceptable(list(RESULTS_TYPES))
    return Answer(status=200, media=media, kind="ask", body=answer.serialize(format=RESULTS_TYPES[media]) or b"")


def _graph(answer: ox.QueryTriples, job: Job, max_rows: int) -> Answer:
    triples: list[ox.Triple] = []
    for triple in answer:
        if len(triples) == max_rows:
            if job.purpose == "table":
                return Answer(status=200, kind="graph", triples=triples, truncated=True)
            return Answer.error(400, f"the answer has more than {max_rows} triples (this endpoint's limit); narrow the query or add a LIMIT")
        triples.append(triple)
    if job.purpose == "table":
        return Answer(status=200, kind="graph", triples=triples)
    media = choose(job.accept, list(GRAPH_TYPES))
    if media is None:
        return _not_acceptable(list(GRAPH_TYPES))
    fmt = GRAPH_TYPES[media]
    extra: dict[str, Any] = {"prefixes": PREFIXES} if fmt == ox.RdfFormat.TURTLE else {}
    return Answer(status=200, media=media, kind="graph", body=ox.serialize(triples, format=fmt, **extra) or b"")


def _solutions(store: ox.Store, answer: ox.QuerySolutions, job: Job, kwargs: dict[str, Any], max_rows: int) -> Answer:
    variables = [v.value for v in answer.variables]
    if job.purpose == "table":
        rows: list[dict[str, Term]] = []
        for solution in answer:
            if len(rows) == max_rows:
                return Answer(status=200, kind="select", variables=variables, rows=rows, truncated=True)
            rows.append({name: solution[name] for name in variables if solution[name] is not None})
        return Answer(status=200, kind="select", variables=variables, rows=rows)
    media = choose(job.accept, list(RESULTS_TYPES))
    if media is None:
        return _not_acceptable(list(RESULTS_TYPES))
    for count, _ in enumerate(answer, start=1):
        if count > max_rows:
            return Answer.error(400, f"the answer has more than {max_rows} rows (this endpoint's limit); add a LIMIT (and OFFSET to page)")
    again = store.query(job.query, **kwargs)
    assert isinstance(again, ox.QuerySolutions)
    return Answer(status=200, media=media, kind="select", body=again.serialize(format=RESULTS_TYPES[media]) or b"")


def _worker_main(conn: Connection, dataset: bytes, max_rows: int, memory_bytes: int) -> None:
    """A worker process: load the dataset (N-Quads), then answer jobs until the pipe closes."""
    if memory_bytes > 0:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    store = ox.Store()
    store.load(dataset, format=ox.RdfFormat.N_QUADS)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(execute(store, job, max_rows=max_rows))
        except MemoryError:
            conn.send(Answer.error(503, "the query needed more memory than this endpoint allows"))


class _Worker:
    def __init__(self, context: Any, dataset: bytes, max_rows: int, memory_bytes: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, dataset, max_rows, memory_bytes), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> bool:
        return bool(self.conn.poll(timeout)) and self.conn.recv() == "ready"

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryTimeout(Exception):
    """The query outlived the time limit (or waited too long for a free worker)."""


class QueryPool:
    """A fixed number of query workers; ``run`` is blocking and thread-safe."""

    def __init__(self, dataset: bytes, *, workers: int = 2, timeout: float = 10.0, max_rows: int = 10_000, memory_mb: int = 2048) -> None:
        self.timeout = timeout
        self.max_rows = max_rows
        self._dataset = dataset
        self._memory = memory_mb * 1024 * 1024
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._spawn() for _ in range(max(1, workers))]
        for worker in started:
            if not worker.wait_ready(60):
                raise RuntimeError("a query worker failed to start")
            self._idle.put(worker)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self._dataset, self.max_rows, self._memory)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, dead: _Worker) -> None:
        """Kill a worker and put a fresh one in the pool, off the request's path."""
        dead.kill()
        with self._lock:
            self._all.discard(dead)

        def respawn() -> None:
            if self._closed:
                return
            worker = self._spawn()
            if worker.wait_ready(60) and not self._closed:
                self._idle.put(worker)
            else:
                worker.kill()

        threading.Thread(target=respawn, daemon=True).start()

    def run(self, job: Job) -> Answer:
        """The answer to one job, or QueryTimeout after ``timeout`` seconds in all."""
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeout(f"no query worker became free within {self.timeout:g} s; the server is busy") from None
        try:
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker)
                raise QueryTimeout(f"the query ran longer than this endpoint's time limit of {self.timeout:g} s")
            answer: Answer = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            return Answer.error(503, "the query worker stopped (out of memory?); try a smaller query")
        self._idle.put(worker)
        return answer

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
