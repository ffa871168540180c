"""Running SPARQL queries in worker processes that can be killed.

pyoxigraph cannot cancel a query running in a thread, so a query that
never ends would hold a core and a thread for ever.  Each query runs in a
worker process instead; when it outlives the time limit the worker is
killed and a fresh one spawned in the background, and the client gets a
clean 503 (never a 200 with a cut-off body).  The other workers keep
answering everyone else meanwhile.  The worker writes the whole answer
(pyoxigraph's serializers) before anything is sent, so a response is
either complete or an error.

Caps protect memory: a SELECT is counted first (pyoxigraph evaluates
lazily, so counting stops after ``max_rows + 1`` rows) and serialized in a
second pass only when under the cap, into a writer that stops at
``max_bytes``; over either cap the client gets a 400 asking for a LIMIT.
HTML pages instead ask for the first rows (``purpose="table"``, at most
``max_rows`` rows and ``max_bytes`` of text) and say the table is truncated.

The dataset: each worker loads every graph, and copies the union of the
named graphs into its default graph.  So a query without ``FROM`` sees the
union, a query with ``FROM``/``FROM NAMED`` gets exactly the dataset it
names (graphs of this dataset only: a graph name is never fetched), and
the protocol's ``default-graph-uri``/``named-graph-uri`` override both.

Nothing a query says can make a worker reach the network: see
kg.web.sandbox.  An engine error of any kind is an answer (the worker
lives on), never a dead worker.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import queue
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import IO, Any, cast

import pyoxigraph as ox

from kg.core.namespaces import PREFIXES
from kg.web.messages import Message
from kg.web.negotiation import GRAPH_TYPES, RESULTS_TYPES, choose
from kg.web.sandbox import federated, isolate_network

log = logging.getLogger("kg.serve")
NICENESS = 10

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Job:
    """One query to run, with what the client accepts."""

    query: str
    accept: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    purpose: str = "protocol"  # "protocol": serialized answer; "table": rows for an HTML page
    rows: int = 0  # for a table: at most this many rows (0: the endpoint's row limit)


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
    message: Message | None = None  # for errors: the same text in the page's language

    @classmethod
    def error(cls, status: int, key: str, **args: object) -> Answer:
        message = Message(key, {k: str(v) for k, v in args.items()})
        return cls(status=status, body=(message.text("en").rstrip() + "\n").encode("utf-8"), message=message)

    def error_text(self, lang: str) -> str:
        return self.message.text(lang) if self.message else self.body.decode("utf-8", "replace").strip()


class _TooLarge(Exception):
    pass


class _CappedWriter:
    """A file-like sink for pyoxigraph's serializers that gives up past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size, self.parts = limit, 0, list[bytes]()

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def execute(store: ox.Store, job: Job, *, max_rows: int, max_bytes: int = 50_000_000, isolated: bool = True) -> Answer:
    """Run one job on a store: the pure core of a worker, callable in-process by tests.

    ``isolated`` says whether this process can reach no network (kg.web.sandbox);
    when it can, every query is parsed first and refused if it has a SERVICE or
    cannot be parsed.  Every failure is an Answer, never an exception.
    """
    if not isolated:
        has_service = federated(job.query)
        if has_service is None:
            return Answer.error(400, "unchecked", detail="rdflib cannot parse it")
        if has_service:
            return Answer.error(400, "service")
    kwargs: dict[str, Any] = {}
    if job.default_graphs or job.named_graphs:  # the protocol's dataset replaces the query's (SPARQL 1.1 Protocol 2.1.4)
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs] or [ox.DefaultGraph()]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs] or None
    try:
        answer = store.query(job.query, **kwargs)
        if isinstance(answer, ox.QueryBoolean):
            return _boolean(answer, job)
        if job.purpose == "table" and job.rows:
            max_rows = min(max_rows, job.rows)
        if isinstance(answer, ox.QueryTriples):
            return _graph(answer, job, max_rows, max_bytes)
        return _solutions(store, answer, job, kwargs, max_rows, max_bytes)
    except SyntaxError as error:
        return Answer.error(400, "syntax", detail=error)
    except _TooLarge:
        return Answer.error(400, "bytes", limit=max_bytes)
    except MemoryError:
        return Answer.error(503, "memory")
    except Exception as error:  # OSError (a SERVICE that cannot connect), RuntimeError (a malformed remote answer, an unbound SERVICE)...
        kind, detail = type(error), str(error)
    # Parsed outside the except block: pyparsing's cache would otherwise keep the exception, its frames and their iterators alive.
    if federated(job.query) is not False:
        return Answer.error(400, "service")
    if issubclass(kind, OSError | ValueError | RuntimeError):
        return Answer.error(400, "failed", detail=detail)
    return Answer.error(500, "engine", detail=f"{kind.__name__}: {detail}")


def _size(term: object) -> int:
    return len(str(term))


def _not_acceptable(offered: list[str]) -> Answer:
    return Answer.error(406, "not_acceptable", offered=", ".join(offered))


def _boolean(answer: ox.QueryBoolean, job: Job) -> Answer:
    if job.purpose == "table":
        return Answer(status=200, kind="ask", boolean=bool(answer))
    media = choose(job.accept, list(RESULTS_TYPES))
    if media is None:
        return _not_acceptable(list(RESULTS_TYPES))
    return Answer(status=200, media=media, kind="ask", body=answer.serialize(format=RESULTS_TYPES[media]) or b"")


def _graph(answer: ox.QueryTriples, job: Job, max_rows: int, max_bytes: int) -> Answer:
    triples: list[ox.Triple] = []
    size = 0
    for triple in answer:
        size += _size(triple)
        if len(triples) == max_rows or size > max_bytes:
            if job.purpose == "table":
                return Answer(status=200, kind="graph", triples=triples, truncated=True)
            if size > max_bytes:
                return Answer.error(400, "bytes", limit=max_bytes)
            return Answer.error(400, "triples", limit=max_rows)
        triples.append(triple)
    if job.purpose == "table":
        return Answer(status=200, kind="graph", triples=triples)
    media = choose(job.accept, list(GRAPH_TYPES))
    if media is None:
        return _not_acceptable(list(GRAPH_TYPES))
    fmt = GRAPH_TYPES[media]
    extra: dict[str, Any] = {"prefixes": PREFIXES} if fmt == ox.RdfFormat.TURTLE else {}
    sink = _CappedWriter(max_bytes)
    ox.serialize(triples, cast(IO[bytes], sink), format=fmt, **extra)
    return Answer(status=200, media=media, kind="graph", body=sink.getvalue())


def _solutions(store: ox.Store, answer: ox.QuerySolutions, job: Job, kwargs: dict[str, Any], max_rows: int, max_bytes: int) -> Answer:
    variables = [v.value for v in answer.variables]
    if job.purpose == "table":
        rows: list[dict[str, Term]] = []
        size = 0
        for solution in answer:
            row = {name: solution[name] for name in variables if solution[name] is not None}
            size += sum(_size(term) for term in row.values())
            if len(rows) == max_rows or size > max_bytes:
                return Answer(status=200, kind="select", variables=variables, rows=rows, truncated=True)
            rows.append(row)
        return Answer(status=200, kind="select", variables=variables, rows=rows)
    media = choose(job.accept, list(RESULTS_TYPES))
    if media is None:
        return _not_acceptable(list(RESULTS_TYPES))
    for count, _ in enumerate(answer, start=1):
        if count > max_rows:
            return Answer.error(400, "rows", limit=max_rows)
    again = store.query(job.query, **kwargs)
    assert isinstance(again, ox.QuerySolutions)
    sink = _CappedWriter(max_bytes)
    again.serialize(cast(IO[bytes], sink), format=RESULTS_TYPES[media])
    return Answer(status=200, media=media, kind="select", body=sink.getvalue())


def load_dataset(dataset: bytes) -> ox.Store:
    """A store of the N-Quads, with the union of its named graphs copied into the default graph (see above)."""
    store = ox.Store()
    store.load(dataset, format=ox.RdfFormat.N_QUADS)
    default = ox.DefaultGraph()
    store.extend([ox.Quad(q.subject, q.predicate, q.object, default) for q in store if q.graph_name != default])
    return store


def _worker_main(conn: Connection, dataset: bytes, max_rows: int, max_bytes: int, memory_bytes: int, isolate: bool) -> None:
    """A worker process: cut itself off the network, load the dataset (N-Quads), then answer jobs until the pipe closes."""
    isolated = isolate and isolate_network()  # first, while the process has a single thread
    if os.getpriority(os.PRIO_PROCESS, 0) < NICENESS:  # the front process (accepting, reading, writing) goes first
        os.setpriority(os.PRIO_PROCESS, 0, NICENESS)
    if memory_bytes > 0:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    store = load_dataset(dataset)
    conn.send(("ready", isolated))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = execute(store, job, max_rows=max_rows, max_bytes=max_bytes, isolated=isolated)
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(Answer.error(503, "memory"))
        conn.send(len(data))  # first the size, so that the server knows whether to read it on its event loop
        conn.send_bytes(data)


class _Worker:
    def __init__(self, context: Any, dataset: bytes, max_rows: int, max_bytes: int, memory_bytes: int, isolate: bool) -> None:
        self.conn, child = context.Pipe()
        self.isolated = False
        self.process = context.Process(target=_worker_main, args=(child, dataset, max_rows, max_bytes, memory_bytes, isolate), daemon=True)
        self.process.start()
        child.close()
        try:  # at once, so that its start-up (imports, loading the data) already yields to the front process
            os.setpriority(os.PRIO_PROCESS, self.process.pid, NICENESS)
        except OSError:
            pass

    def wait_ready(self, timeout: float) -> bool:
        if not self.conn.poll(timeout):
            return False
        message = self.conn.recv()
        if not (isinstance(message, tuple) and message[0] == "ready"):
            return False
        self.isolated = bool(message[1])
        return True

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryTimeout(Exception):
    """The query outlived the time limit (or waited too long for a free worker)."""

    def __init__(self, key: str, limit: float) -> None:
        super().__init__(key, limit)
        self.answer = Answer.error(503, key, limit=f"{limit:g}")


class QueryPool:
    """A fixed number of query workers, plus a spare one ready to replace a killed worker at once
    (so that killing a runaway query never leaves the others short of a worker while a new one starts).

    ``run_async`` is what the server awaits: it waits for the worker's answer on the event loop
    (no thread), and reads a big answer in a thread so that the loop keeps serving meanwhile.
    ``run`` is the same, blocking, for callers without an event loop.
    """

    BIG = 256 * 1024  # answers larger than this are read and unpickled off the event loop

    def __init__(self, dataset: bytes, *, workers: int = 4, timeout: float = 10.0, max_rows: int = 10_000, max_bytes: int = 50_000_000,
                 memory_mb: int = 2048, isolate: bool = True) -> None:
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.isolate = isolate
        self._dataset = dataset
        self._memory = memory_mb * 1024 * 1024
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._spare: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._spawn() for _ in range(max(1, workers) + 1)]
        for worker in started:
            if not worker.wait_ready(60):
                raise RuntimeError("a query worker failed to start")
        for worker in started[1:]:
            self._idle.put(worker)
        self._spare.put(started[0])
        self.isolated = all(worker.isolated for worker in started)
        if isolate and not self.isolated:
            log.warning("query workers could not get a network namespace of their own (user namespaces disallowed?): "
                        "every query is parsed and refused if it has a SERVICE or cannot be parsed")

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self._dataset, self.max_rows, self.max_bytes, self._memory, self.isolate)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, dead: _Worker) -> None:
        """Kill a worker; the spare takes its place now, and a new spare starts, off the request's path."""
        dead.kill()
        with self._lock:
            self._all.discard(dead)
        try:
            self._idle.put(self._spare.get_nowait())
            ready = self._spare
        except queue.Empty:  # no spare ready (several kills at once): the new worker goes straight to work
            ready = self._idle

        def respawn() -> None:
            if self._closed:
                return
            worker = self._spawn()
            if worker.wait_ready(60) and not self._closed:
                ready.put(worker)
            else:
                worker.kill()

        threading.Thread(target=respawn, daemon=True).start()

    def _take(self) -> _Worker:
        try:
            return self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeout("busy", self.timeout) from None

    def run(self, job: Job) -> Answer:
        """The answer to one job, or QueryTimeout after ``timeout`` seconds in all (blocking)."""
        deadline = time.monotonic() + self.timeout
        worker = self._take()
        try:
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker)
                raise QueryTimeout("timeout", self.timeout)
            worker.conn.recv()  # the answer's size
            answer: Answer = pickle.loads(worker.conn.recv_bytes())
        except (EOFError, OSError):
            self._replace(worker)
            return Answer.error(503, "stopped")
        self._idle.put(worker)
        return answer

    async def run_async(self, job: Job) -> Answer:
        """The answer to one job, or QueryTimeout after ``timeout`` seconds in all, waiting on the event loop."""
        import anyio.to_thread

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            worker = await anyio.to_thread.run_sync(self._take)
        try:
            worker.conn.send(job)
            try:
                readable = await self._readable(worker, deadline - loop.time())
            except asyncio.CancelledError:  # the request went away: the worker finishes (or is killed) off to the side
                threading.Thread(target=self._drain, args=(worker, time.monotonic() + deadline - loop.time()), daemon=True).start()
                raise
            if not readable:
                self._replace(worker)
                raise QueryTimeout("timeout", self.timeout)
            size: int = worker.conn.recv()
            data = worker.conn.recv_bytes() if size <= self.BIG else await anyio.to_thread.run_sync(worker.conn.recv_bytes)
            answer: Answer = pickle.loads(data) if size <= self.BIG else await anyio.to_thread.run_sync(pickle.loads, data)
        except (EOFError, OSError):
            self._replace(worker)
            return Answer.error(503, "stopped")
        self._idle.put(worker)
        return answer

    def _drain(self, worker: _Worker, deadline: float) -> None:
        """Wait for the answer nobody wants any more, then give the worker back (or kill it at the deadline)."""
        try:
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                worker.conn.recv()
                worker.conn.recv_bytes()
                self._idle.put(worker)
                return
        except (EOFError, OSError):
            pass
        self._replace(worker)

    @staticmethod
    async def _readable(worker: _Worker, seconds: float) -> bool:
        """Whether the worker has written (its answer, or its death) within ``seconds``."""
        if worker.conn.poll():
            return True
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = worker.conn.fileno()
        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await asyncio.wait_for(ready, max(0.0, seconds))
            return True
        except TimeoutError:
            return False
        finally:
            loop.remove_reader(fd)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
