"""Running SPARQL queries in worker processes that can be killed.

pyoxigraph cannot cancel a query running in a thread, so a query that
never ends would hold a core and a thread for ever.  Each query runs in a
worker process instead (kg.web.answers says what it does with a job); when
it outlives the time limit the worker is killed and a spare takes its place
at once, and the client gets a clean 503 (never a 200 with a cut-off body).
The other workers keep answering everyone else meanwhile.  The worker writes
the whole answer before anything is sent, so a response is either complete
or an error.

The dataset: each worker loads every graph, and copies the union of the
named graphs into its default graph.  So a query without ``FROM`` sees the
union, a query with ``FROM``/``FROM NAMED`` gets exactly the dataset it
names (graphs of this dataset only: a graph name is never fetched), and
the protocol's ``default-graph-uri``/``named-graph-uri`` override both.

The server and a worker talk over a socket pair, one frame each way per
job: the job, pickled; then the answer in one write, as the sizes, the
pickled Answer without its body, and the body's bytes as they are (a
serialized answer is never pickled, and a small one costs the server one
read).  The server waits for it on its event loop, whichever loop that is
(asyncio's or uvloop's, which makes the socket non-blocking).

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
import socket
import struct
import threading
import time
from collections import deque
from typing import Any

import pyoxigraph as ox

from kg.web.answers import Answer, Job, execute
from kg.web.sandbox import isolate_network

__all__ = ["Answer", "Job", "QueryPool", "QueryTimeout", "execute", "load_dataset"]

log = logging.getLogger("kg.serve")
NICENESS = 10

_JOB = struct.Struct("!I")  # the size of the pickled job that follows
_ANSWER = struct.Struct("!II")  # the sizes of the pickled Answer (without its body) and of the body that follow
_ONE_WRITE = 256 * 1024  # answers up to this size go in one write (header, Answer and body joined)
_READ = 256 * 1024  # the most the server reads at once: a big answer arrives in pieces, the event loop serving others between them


def load_dataset(dataset: bytes) -> ox.Store:
    """A store of the N-Quads, with the union of its named graphs copied into the default graph (see above)."""
    store = ox.Store()
    store.load(dataset, format=ox.RdfFormat.N_QUADS)
    default = ox.DefaultGraph()
    store.extend([ox.Quad(q.subject, q.predicate, q.object, default) for q in store if q.graph_name != default])
    return store


def _frame(meta: object, body: bytes = b"") -> list[bytes]:
    """An answer frame as the pieces to write: one piece when small."""
    pickled = pickle.dumps(meta, protocol=pickle.HIGHEST_PROTOCOL)
    head = _ANSWER.pack(len(pickled), len(body))
    if len(body) <= _ONE_WRITE:
        return [head + pickled + body]
    return [head + pickled, body]


def _answer_frame(answer: Answer) -> list[bytes]:
    body, answer.body = answer.body, b""
    return _frame(answer, body)


def _recv_exactly(sock: socket.socket, size: int, deadline: float | None = None) -> bytes:
    """``size`` bytes from a socket, blocking (until ``deadline``, a time.monotonic(), if given: TimeoutError after it)."""
    chunks, missing = [], size
    while missing:
        if deadline is not None:
            sock.settimeout(max(0.0001, deadline - time.monotonic()))
        chunk = sock.recv(min(missing, _READ))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _read_frame(sock: socket.socket, deadline: float | None = None) -> tuple[bytes, bytes]:
    """An answer frame (the pickled Answer, the body), blocking."""
    meta_size, body_size = _ANSWER.unpack(_recv_exactly(sock, _ANSWER.size, deadline))
    data = _recv_exactly(sock, meta_size + body_size, deadline)
    return data[:meta_size], data[meta_size:]


async def _read_frame_async(sock: socket.socket, received: list[bytes]) -> tuple[bytes, bytes]:
    """An answer frame on the running event loop (``sock`` non-blocking); ``received`` keeps what has come so far."""
    loop = asyncio.get_running_loop()
    size = got = 0
    while not size or got < size:
        chunk = await loop.sock_recv(sock, _READ if not size else min(_READ, size - got))
        if not chunk:
            raise EOFError
        received.append(chunk)
        got += len(chunk)
        if not size and got >= _ANSWER.size:
            head = received[0] if len(received[0]) >= _ANSWER.size else b"".join(received)
            meta_size, body_size = _ANSWER.unpack_from(head)
            size = _ANSWER.size + meta_size + body_size
    data = received[0] if len(received) == 1 else b"".join(received)
    return data[_ANSWER.size:_ANSWER.size + meta_size], data[_ANSWER.size + meta_size:size]


def _worker_main(sock: socket.socket, dataset: bytes, max_rows: int, max_bytes: int, memory_bytes: int, isolate: bool) -> None:
    """A worker process: cut itself off the network, load the dataset (N-Quads), then answer jobs until the socket closes."""
    isolated = isolate and isolate_network()  # first, while the process has a single thread
    if os.getpriority(os.PRIO_PROCESS, 0) < NICENESS:  # the front process (accepting, reading, writing) goes first
        os.setpriority(os.PRIO_PROCESS, 0, NICENESS)
    if memory_bytes > 0:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    store = load_dataset(dataset)
    sock.sendall(_frame(("ready", isolated))[0])
    while True:
        try:
            (size,) = _JOB.unpack(_recv_exactly(sock, _JOB.size))
            job = pickle.loads(_recv_exactly(sock, size))
        except (EOFError, OSError):
            return
        try:
            answer = execute(store, job, max_rows=max_rows, max_bytes=max_bytes, isolated=isolated)
            pieces = _answer_frame(answer)
        except MemoryError:
            pieces = _answer_frame(Answer.error(503, "memory"))
        for piece in pieces:
            sock.sendall(piece)


class _Worker:
    def __init__(self, context: Any, dataset: bytes, max_rows: int, max_bytes: int, memory_bytes: int, isolate: bool) -> None:
        self.sock, child = socket.socketpair()
        self.isolated = False
        self.process = context.Process(target=_worker_main, args=(child, dataset, max_rows, max_bytes, memory_bytes, isolate), daemon=True)
        self.process.start()
        child.close()
        try:  # at once, so that its start-up (imports, loading the data) already yields to the front process
            os.setpriority(os.PRIO_PROCESS, self.process.pid, NICENESS)
        except OSError:
            pass

    def wait_ready(self, timeout: float) -> bool:
        try:
            meta, _ = _read_frame(self.sock, time.monotonic() + timeout)
            message = pickle.loads(meta)
        except (EOFError, OSError, pickle.UnpicklingError):
            return False
        if not (isinstance(message, tuple) and message[0] == "ready"):
            return False
        self.isolated = bool(message[1])
        return True

    def send_blocking(self, data: bytes) -> None:
        self.sock.settimeout(None)
        self.sock.sendall(data)

    def nonblocking(self) -> socket.socket:
        if self.sock.gettimeout() != 0.0:  # after a blocking use (or none yet)
            self.sock.setblocking(False)
        return self.sock

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.sock.close()


class _Waiter:
    """A request waiting for a worker: a future on an event loop, or a blocked thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self.loop = loop
        self.future: asyncio.Future[_Worker] | None = loop.create_future() if loop is not None else None
        self.event = threading.Event() if loop is None else None
        self.thread = threading.get_ident()  # the thread of its loop, when it has one
        self.worker: _Worker | None = None  # what put() handed a blocked thread


class _Idle:
    """The idle workers, and the requests waiting for one, first come first served.

    The worker that answered last goes next (its caches are warm).  A request
    on the event loop waits as a future there, not in a thread: handing a
    worker over costs no thread switch and no wait for the interpreter's lock
    (with 16 clients and 4 workers, waiting threads took the slowest answers to
    tens of milliseconds).  Workers come back from any thread (the event loop,
    a respawn, a drain), so the waiter's own loop always makes the hand-over.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._waiters: deque[_Waiter] = deque()

    def put(self, worker: _Worker) -> None:
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if waiter.loop is None:  # a blocked thread, still waiting: one that gave up left the queue
                    waiter.worker = worker
                    assert waiter.event is not None
                    waiter.event.set()
                    return
                assert waiter.future is not None
                if waiter.future.done():  # cancelled: its request went away
                    continue
                if waiter.thread == threading.get_ident():  # on the waiter's own loop (a job just ended there)
                    waiter.future.set_result(worker)
                    return
                try:
                    waiter.loop.call_soon_threadsafe(self._hand_over, waiter, worker)
                except RuntimeError:  # its loop is closed
                    continue
                return
            self._workers.append(worker)

    def _hand_over(self, waiter: _Waiter, worker: _Worker) -> None:
        """On the waiter's loop: the worker to the waiter, or back to the pool if the waiter went away meanwhile."""
        assert waiter.future is not None
        if waiter.future.done():
            self.put(worker)
        else:
            waiter.future.set_result(worker)

    def _free(self) -> _Worker | None:
        """An idle worker nobody waits for (under the lock): the queue goes first."""
        return self._workers.pop() if self._workers and not self._waiters else None

    def get_nowait(self) -> _Worker | None:
        with self._lock:
            return self._free()

    def get(self, timeout: float) -> _Worker | None:
        """A worker within ``timeout`` seconds (blocking), or None."""
        with self._lock:
            free = self._free()
            if free is not None:
                return free
            waiter = _Waiter(None)
            self._waiters.append(waiter)
        assert waiter.event is not None
        if waiter.event.wait(timeout):
            return waiter.worker
        with self._lock:
            if waiter.worker is None:  # still queued: put() takes a waiter out only to hand it a worker
                self._waiters.remove(waiter)
                return None
        return waiter.worker  # handed over just as the wait ended

    async def get_async(self) -> _Worker:
        """A worker, waiting on the running event loop (cancel the task to give up)."""
        with self._lock:
            free = self._free()
            if free is not None:
                return free
            waiter = _Waiter(asyncio.get_running_loop())
            self._waiters.append(waiter)
        assert waiter.future is not None
        try:
            return await waiter.future
        except asyncio.CancelledError:
            with self._lock:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            if waiter.future.done() and not waiter.future.cancelled():  # handed a worker as the wait was cancelled
                self.put(waiter.future.result())
            raise


class QueryTimeout(Exception):
    """The query outlived the time limit (or waited too long for a free worker)."""

    def __init__(self, key: str, limit: float) -> None:
        super().__init__(key, limit)
        self.answer = Answer.error(503, key, limit=f"{limit:g}")


class QueryPool:
    """A fixed number of query workers, plus a spare one ready to replace a killed worker at once
    (so that killing a runaway query never leaves the others short of a worker while a new one starts).

    ``run_async`` is what the server awaits: it waits for a free worker and for the worker's answer on
    the event loop (no thread; a request that goes away while queued leaves its place and takes no
    worker with it), and unpickles a big answer in a thread so that the loop keeps serving meanwhile.
    ``run`` is the same, blocking, for callers without an event loop.
    """

    BIG = 256 * 1024  # pickled answers (rows for a page) larger than this are unpickled off the event loop

    def __init__(self, dataset: bytes, *, workers: int = 4, timeout: float = 10.0, max_rows: int = 10_000, max_bytes: int = 50_000_000,
                 memory_mb: int = 2048, isolate: bool = True) -> None:
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.isolate = isolate
        self._dataset = dataset
        self._memory = memory_mb * 1024 * 1024
        self._context = multiprocessing.get_context("spawn")
        self._idle = _Idle()
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
        ready: queue.Queue[_Worker] | _Idle
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
        worker = self._idle.get(self.timeout)
        if worker is None:
            raise QueryTimeout("busy", self.timeout)
        return worker

    @staticmethod
    def _job_frame(job: Job) -> bytes:
        pickled = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        return _JOB.pack(len(pickled)) + pickled

    @staticmethod
    def _answer(meta: bytes, body: bytes) -> Answer:
        answer: Answer = pickle.loads(meta)
        answer.body = body
        return answer

    def run(self, job: Job) -> Answer:
        """The answer to one job, or QueryTimeout after ``timeout`` seconds in all (blocking)."""
        deadline = time.monotonic() + self.timeout
        worker = self._take()
        try:
            worker.send_blocking(self._job_frame(job))
            meta, body = _read_frame(worker.sock, deadline)
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeout("timeout", self.timeout) from None
        except (EOFError, OSError):
            self._replace(worker)
            return Answer.error(503, "stopped")
        self._idle.put(worker)
        return self._answer(meta, body)

    async def run_async(self, job: Job) -> Answer:
        """The answer to one job, or QueryTimeout after ``timeout`` seconds in all, waiting on the event loop."""
        import anyio.to_thread

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        worker = self._idle.get_nowait()
        if worker is None:
            try:
                async with asyncio.timeout_at(deadline):
                    worker = await self._idle.get_async()
            except TimeoutError:
                raise QueryTimeout("busy", self.timeout) from None
        received: list[bytes] = []
        sent = False
        try:
            async with asyncio.timeout_at(deadline):
                sock = worker.nonblocking()
                frame = self._job_frame(job)
                try:  # the worker's socket is empty between jobs: a job of up to its buffer's size goes at once
                    written = sock.send(frame)
                except BlockingIOError:
                    written = 0
                if written < len(frame):
                    await loop.sock_sendall(sock, memoryview(frame)[written:])
                sent = True
                meta, body = await _read_frame_async(sock, received)
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeout("timeout", self.timeout) from None
        except asyncio.CancelledError:  # the request went away: the worker finishes (or is killed) off to the side
            if sent and not received:
                threading.Thread(target=self._drain, args=(worker, time.monotonic() + deadline - loop.time()), daemon=True).start()
            else:  # cut off in the middle of a frame: no way to find the next one
                self._replace(worker)
            raise
        except (EOFError, OSError):
            self._replace(worker)
            return Answer.error(503, "stopped")
        self._idle.put(worker)
        if len(meta) > self.BIG:
            return await anyio.to_thread.run_sync(self._answer, meta, body)
        return self._answer(meta, body)

    def _drain(self, worker: _Worker, deadline: float) -> None:
        """Wait for the answer nobody wants any more, then give the worker back (or kill it at the deadline)."""
        try:
            _read_frame(worker.sock, deadline)
        except (EOFError, OSError):  # TimeoutError included
            self._replace(worker)
            return
        self._idle.put(worker)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
