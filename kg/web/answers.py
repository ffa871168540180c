"""One query, one answer: what a query worker does with a job (kg.web.worker runs it in a process).

A SELECT is evaluated once when its answer is small.  pyoxigraph's serializer
writes the answer into a sink that gives up past ``max_bytes``; each row takes
at least one byte in every result format, so an answer shorter than
``max_rows + 1`` bytes has at most ``max_rows`` rows and needs no count.  When
the answer grows past that size, the sink counts the rows once, on a second,
lazy evaluation of the query that stops after ``max_rows + 1`` rows (as every
answer was counted before), and either refuses the answer at once or lets it
be written to the end.  Over either cap the client gets a 400 asking for a
LIMIT.  (Counting on the serialized answer instead, by reading it back with a
parser, cost three times the second evaluation for a 1 MB answer of a simple
query: the parser builds an object per row.)

HTML pages instead ask for the first rows (``purpose="table"``, at most
``max_rows`` rows and ``max_bytes`` of text) and say the table is truncated.

Nothing a query says can make this code reach the network when the process
is isolated (kg.web.sandbox); when it is not, every query is parsed first and
refused if it has a SERVICE.  An engine error of any kind is an answer, never
an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, cast

import pyoxigraph as ox

from kg.core.namespaces import PREFIXES
from kg.web.messages import Message
from kg.web.negotiation import GRAPH_TYPES, RESULTS_TYPES, choose
from kg.web.sandbox import federated

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Job:
    """One query to run, with what the client accepts (hashable: the server caches answers by job)."""

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


class _TooManyRows(Exception):
    pass


class _CappedWriter:
    """A file-like sink for pyoxigraph's serializers that gives up past ``limit`` bytes.

    ``too_many()``, when given, is asked once, when ``check_at`` bytes have been
    written: whether the answer has too many rows.
    """

    def __init__(self, limit: int, too_many: Callable[[], bool] | None = None, check_at: int = 0) -> None:
        self.limit, self.size, self.parts = limit, 0, list[bytes]()
        self.too_many, self.check_at = too_many, check_at

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.parts.append(bytes(data))
        if self.too_many is not None and self.size >= self.check_at:
            too_many, self.too_many = self.too_many, None
            if too_many():
                raise _TooManyRows
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
    except _TooManyRows:
        return Answer.error(400, "rows", limit=max_rows)
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

    def too_many() -> bool:
        again = store.query(job.query, **kwargs)
        assert isinstance(again, ox.QuerySolutions)
        return any(count > max_rows for count, _ in enumerate(again, start=1))  # lazy: stops at the row after the cap

    sink = _CappedWriter(max_bytes, too_many, check_at=max_rows + 1)  # a row takes at least a byte: fewer bytes, fewer rows
    answer.serialize(cast(IO[bytes], sink), format=RESULTS_TYPES[media])
    return Answer(status=200, media=media, kind="select", body=sink.getvalue())
