"""The state behind the routes: settings, the graph, its pages, the query workers.

Every handler module reads this; none of them is imported here, so the
handlers can be added and tested one by one.
"""

from __future__ import annotations

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
from kg.web.worker import Answer, Job, QueryPool, QueryTimeout

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
    workers: int = 2

    @property
    def public_base(self) -> str:
        base = self.base or f"http://{self.host}:{self.port}/ksm/"
        return base if base.endswith("/") else base + "/"


class Server:
    """The state behind the routes: graph, pages, query workers."""

    def __init__(self, settings: Settings, graph: KnowledgeGraph | None = None) -> None:
        if settings.timeout <= 0 or settings.max_rows <= 0 or settings.max_body <= 0 or settings.workers <= 0:
            raise UsageError("--timeout, --max-rows, --max-body and --workers must be positive")
        parts = urlsplit(settings.public_base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"--base {settings.base!r}: expected an http(s) URL such as http://127.0.0.1:8000/ksm/")
        self.settings = settings
        self.graph = graph or open_graph()
        self.base_path = parts.path
        self.endpoint = f"{parts.scheme}://{parts.netloc}/sparql"
        self.site = Site(self.graph, base=settings.public_base)
        dataset = ox.serialize(self.graph.store, format=ox.RdfFormat.N_QUADS) or b""
        self.pool = QueryPool(dataset, workers=settings.workers, timeout=settings.timeout, max_rows=settings.max_rows)
        self.openapi: dict[str, Any] | None = None  # built on the first request for /openapi.json

    async def run(self, job: Job) -> Answer:
        try:
            return await anyio.to_thread.run_sync(self.pool.run, job)
        except QueryTimeout as error:
            return Answer.error(503, str(error))

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
