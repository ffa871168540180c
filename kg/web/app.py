"""``kg serve``: the graph as linked open data on one local server.

Starlette routes requests and uvicorn speaks HTTP; queries run in killable
worker processes cut off from the network (kg.web.worker, kg.web.sandbox),
pages come from kg.web.pages.  Every response goes through the security
headers, CORS, gzip and conditional-request middleware (kg.web.middleware);
connections are bounded by kg.web.connections and the log by kg.web.logs.
Routes:

    /sparql                 SPARQL 1.1 Protocol, read-only (kg.web.sparql)
    /queries, /queries/X    saved queries: form, table, .json/.csv/.tsv/.xml
    /editor                 run any read-only query
    /recommend, .json/.ttl  which mechanism for my situation (kg.web.recommend)
    /.well-known/void       VoID + DCAT-AP (kg.release.void), in the RDF format asked for
    /openapi.json           OpenAPI 3 description of /queries (kg.queries.openapi)
    BASE_PATH/context.jsonld  the JSON-LD context of every JSON-LD answer
    BASE_PATH               home, or the dataset's description for an RDF client;
                            BASE_PATH/ontology the ontology (hash IRIs)
    BASE_PATH/id/...        every resource, content-negotiated (kg.web.pages); also
                            BASE_PATH/dataset, its distributions and BASE_PATH/graph/...
    BASE_PATH/dumps/F       the dumps that the DCAT record lists

``--base`` (default ``http://HOST:PORT/ksm/``) is the URL that stands for
``https://w3id.org/ksm/``; its path is where the IRIs are served.
"""

from __future__ import annotations

import gc
import logging
import resource
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from kg.core.errors import EnvironmentFailure
from kg.graph.store import KnowledgeGraph
from kg.queries.catalogue import Parameter
from kg.release.site import TEMPLATES
from kg.web.connections import Limits, protocol_class
from kg.web.logs import log_config
from kg.web.messages import Message
from kg.web.middleware import Conditional, SecurityHeaders
from kg.web.negotiation import GRAPH_TYPES, choose, content_type
from kg.web.pages import Pages
from kg.web.recommend import RecommendPages
from kg.web.sparql import sparql, text_response
from kg.web.state import Server, Settings

log = logging.getLogger("kg.serve")


async def void(request: Request) -> Response:
    """The dataset's VoID + DCAT description, in the RDF format asked for (406 if none)."""
    pages: Pages = request.app.state.pages
    media = choose(request.headers.get("accept"), list(GRAPH_TYPES))
    if media is None:
        return text_response(406, Message("not_acceptable", {"offered": ", ".join(GRAPH_TYPES)}).text())
    return pages.rdf(pages.metadata, media, None)


async def jsonld_context(request: Request) -> Response:
    """The JSON-LD context that every JSON-LD answer names (kg.release.jsonld)."""
    from kg.release.jsonld import context_document

    server: Server = request.app.state.server
    return Response(context_document(server.graph), media_type="application/ld+json", headers={"Cache-Control": "max-age=3600"})


async def openapi(request: Request) -> Response:
    """The OpenAPI 3.1 description of the saved queries (kg.queries.openapi), examples read from the graph."""
    from urllib.parse import urlsplit

    from kg.queries.openapi import document
    from kg.web.pages import TABLE_FORMATS

    server: Server = request.app.state.server
    if server.openapi is None:
        parts = urlsplit(server.settings.public_base)
        server.openapi = document(server.site.catalogue, server=f"{parts.scheme}://{parts.netloc}", formats=TABLE_FORMATS,
                                  examples=lambda param: _example(server, param))
    return JSONResponse(server.openapi)


def _example(server: Server, param: Parameter) -> str | None:
    """A value a client can try: the first allowed value, the default, or the first member of the parameter's class."""
    from kg.core.namespaces import expand_curie, shorten

    if param.choices:
        return param.choices[0]
    if param.default is not None:
        return param.default
    if param.kind == "iri" and param.cls:
        members = server.site.subjects_of_type(expand_curie(param.cls) or param.cls)
        return shorten(members[0]) if members else None
    return None


async def dump(request: Request) -> Response:
    from kg.release.void import DUMPS

    server: Server = request.app.state.server
    name = request.path_params["name"]
    media = next((m for f, m, _ in DUMPS if f == name), None)
    if media is None:
        return text_response(404, f"no dump called {name}")
    return Response(server.dumps[name], media_type=content_type(media))


async def stylesheet(request: Request) -> Response:
    return Response((TEMPLATES / "style.css").read_bytes(), media_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=3600"})


def create_app(server: Server) -> Starlette:
    """The ASGI application for one Server: routes, then the HTTP manners of kg.web.middleware, CORS and gzip."""
    pages, prefix = Pages(server), server.base_path
    recommend = RecommendPages(server, pages)
    routes = [
        Route("/", pages.home),
        Route("/sparql", sparql, methods=["GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]),
        Route("/queries", pages.queries),
        Route("/queries/{name}", pages.saved_query),
        Route("/editor", pages.editor),
        Route("/recommend", recommend.page),
        Route("/recommend.{fmt}", recommend.document),
        Route("/.well-known/void", void),
        Route("/openapi.json", openapi),
        Route(f"{prefix}context.jsonld", jsonld_context),
        Route("/static/style.css", stylesheet),
        Route(f"{prefix}static/style.css", stylesheet),
        Route(f"{prefix}dumps/{{name}}", dump),
        Route(prefix, pages.home),
        Route(f"{prefix}{{rest:path}}", pages.resource),
    ]
    if prefix != "/":
        routes.append(Route(prefix.rstrip("/"), lambda request: RedirectResponse(prefix, status_code=301)))

    async def not_found(request: Request, exc: Exception) -> Response:
        return pages.error(request, 404, Message("not_found", {"path": request.url.path}))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        response = text_response(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    middleware = [
        Middleware(SecurityHeaders),
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
                   allow_headers=["Accept", "Accept-Language", "Content-Type", "If-None-Match", "If-Modified-Since"],
                   expose_headers=["Content-Location", "ETag", "Last-Modified", "Vary"], max_age=86400),
        Middleware(GZipMiddleware, minimum_size=1000),
        Middleware(Conditional, last_modified=server.started),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={404: not_found, HTTPException: http_error})
    app.state.server = server
    app.state.pages = pages
    return app


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket, or EnvironmentFailure (exit 4) if the port is taken."""
    try:
        sock = socket.create_server((host, port), reuse_port=False, backlog=1024)
    except OSError as error:
        raise EnvironmentFailure(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return sock


def raise_open_files_limit(wanted: int) -> int:
    """Raise this process's soft limit on open files towards ``wanted`` (capped by the hard limit); the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def uvicorn_config(server: Server, *, log_level: str, access_log: bool) -> Any:
    """uvicorn's configuration with the connection limits of kg.web.connections and the bounded log of kg.web.logs.

    The connection cap leaves room, under the open-files limit, for the
    worker pipes, the files being served and the sockets being accepted.
    """
    import uvicorn

    settings = server.settings
    files = raise_open_files_limit(settings.max_connections + 256)
    max_connections = max(1, min(settings.max_connections, files - 128))
    limits = Limits(max_connections=max_connections, header_timeout=settings.header_timeout)
    return uvicorn.Config(
        create_app(server), http=protocol_class(limits), lifespan="off", log_config=log_config(log_level, access_log=access_log),
        access_log=access_log, timeout_keep_alive=max(1, round(settings.keep_alive)), timeout_graceful_shutdown=5,
        backlog=1024, server_header=False,  # loop "auto": uvloop where it is installed (a dependency, but not on Windows)
    )


def serve(settings: Settings, *, graph: KnowledgeGraph | None = None, on_ready: Callable[[], None] | None = None) -> None:
    """Run the server until interrupted (what ``kg serve`` does); ``on_ready`` runs once the port is ours."""
    import uvicorn

    sock = bind_socket(settings.host, settings.port)
    if on_ready is not None:
        on_ready()
    sys.setswitchinterval(0.001)  # the event loop waits at most 1 ms (not 5) for the lock held by a thread rendering a big page
    server = Server(settings, graph)
    config = uvicorn_config(server, log_level="info", access_log=True)
    gc.collect()
    gc.freeze()  # the graph and its pages, read once, never again scanned by the collector: no long pauses of the event loop
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        server.close()
        sock.close()


@contextmanager
def serve_in_thread(settings: Settings | None = None, *, graph: KnowledgeGraph | None = None) -> Iterator[str]:
    """A running server on a free loopback port, for tests; yields its root URL (``http://127.0.0.1:PORT/``)."""
    import uvicorn

    settings = settings or Settings()
    sock = bind_socket(settings.host, 0)
    port = sock.getsockname()[1]
    settings = Settings(**{**settings.__dict__, "port": port})
    server = Server(settings, graph)
    runner = uvicorn.Server(uvicorn_config(server, log_level="warning", access_log=False))
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not runner.started:
            if not thread.is_alive():
                raise EnvironmentFailure("the test server failed to start")
            threading.Event().wait(0.02)
        yield f"http://{settings.host}:{port}/"
    finally:
        runner.should_exit = True
        thread.join(10)
        server.close()
        sock.close()
