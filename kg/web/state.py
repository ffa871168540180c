"""The state behind the routes: settings, the graph, its pages, the query workers.

Every handler module reads this; none of them is imported here, so the
handlers can be added and tested one by one.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio.to_thread
import pyoxigraph as ox

from kg.core.errors import UsageError
from kg.graph.dataset import open_graph
from kg.graph.store import KnowledgeGraph
from kg.release.site import Site
from kg.web.answers import Answer, Job
from kg.web.cache import AnswerCache
from kg.web.worker import QueryPool, QueryTimeout

if TYPE_CHECKING:
    from kg.release.publish import JsonLd


@dataclass(frozen=True)
class Settings:
    """What ``kg serve`` can be told; the limits protect a server shared by many."""

    host: str = "127.0.0.1"
    port: int = 8000
    base: str | None = None
    timeout: float = 10.0
    max_rows: int = 10_000
    max_body: int = 1_000_000
    workers: int = 4
    max_answer_bytes: int = 20_000_000
    max_connections: int = 1000
    header_timeout: float = 10.0
    keep_alive: float = 5.0
    isolate: bool = True  # tests turn it off to check the second guard (kg.web.sandbox)
    answer_cache: int = 64_000_000  # bytes of answers kept for queries asked again (kg.web.cache); 0 keeps none

    @property
    def public_base(self) -> str:
        base = self.base or f"http://{self.host}:{self.port}/ksm/"
        return base if base.endswith("/") else base + "/"


class Server:
    """The state behind the routes: graph, pages, query workers."""

    def __init__(self, settings: Settings, graph: KnowledgeGraph | None = None) -> None:
        limits = (settings.timeout, settings.max_rows, settings.max_body, settings.workers, settings.max_answer_bytes, settings.max_connections,
                  settings.header_timeout, settings.keep_alive)
        if min(limits) <= 0:
            raise UsageError("--timeout, --max-rows, --max-body, --workers, --max-answer-bytes, --max-connections, --header-timeout "
                             "and --keep-alive must be positive")
        parts = urlsplit(settings.public_base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"--base {settings.base!r}: expected an http(s) URL such as http://127.0.0.1:8000/ksm/")
        self.settings = settings
        self.graph = graph or open_graph()
        self.base_path = parts.path
        self.endpoint = f"{parts.scheme}://{parts.netloc}/sparql"
        self.site = Site(self.graph, base=settings.public_base)
        dataset = ox.serialize(self.graph.store, format=ox.RdfFormat.N_QUADS) or b""
        self.pool = QueryPool(dataset, workers=settings.workers, timeout=settings.timeout, max_rows=settings.max_rows,
                              max_bytes=settings.max_answer_bytes, isolate=settings.isolate)
        self.version = hashlib.sha256(dataset).hexdigest()[:16]  # part of every ETag: a new dataset changes them all
        self.started = time.time()  # Last-Modified of everything: the data cannot change while the server runs
        self.openapi: dict[str, Any] | None = None  # built on the first request for /openapi.json
        self.answers = AnswerCache(budget=settings.answer_cache, largest=settings.answer_cache // 16)

    async def run(self, job: Job) -> Answer:
        """A query's answer: the one sent last time the same job came, or one from a worker process."""
        answer = self.answers.get(job)
        if answer is not None:
            return answer
        try:
            answer = await self.pool.run_async(job)
        except QueryTimeout as error:
            return error.answer
        self.answers.put(job, answer)
        return answer

    @cached_property
    def render_limiter(self) -> anyio.CapacityLimiter:
        """One page rendered at a time off the event loop: rendering holds the GIL, so more would only slow the loop."""
        return anyio.CapacityLimiter(1)

    @cached_property
    def jsonld(self) -> JsonLd:
        """The JSON-LD context, served at ``BASE_PATH/context.jsonld`` and named by every JSON-LD answer."""
        from kg.release.publish import JsonLd

        return JsonLd.for_graph(self.graph, self.settings.public_base)

    @cached_property
    def dumps(self) -> dict[str, bytes]:
        from kg.release.publish import dumps

        return dumps(self.graph, self.jsonld)

    def close(self) -> None:
        self.pool.close()
