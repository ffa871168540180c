"""The least a Python SPARQL server can do per request: a reference for benchmarks/serve_latency.py.

A bare ASGI application on uvicorn (httptools, uvloop: what `kg serve`
runs on) that reads ``query`` from the URL, evaluates it in its own process
with pyoxigraph and sends the SPARQL JSON results.  Nothing else: no routing
framework, no middleware (CORS, ETag, security headers, gzip), no cache, no
time or size limit, no worker process (so a runaway query holds it for
ever, and a ``SERVICE`` reaches the network).  Not a server to run: its
latency says which part of `kg serve`'s figures any Python server pays
(HTTP parsing, percent-decoding, an event loop) and which part `kg serve`'s
own safety and manners add.

    .venv/bin/python benchmarks/python_floor_server.py DATA.nq PORT
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
import uvicorn

JSON = ox.QueryResultsFormat.JSON


def application(data: Path) -> Any:
    store = ox.Store()
    store.load(path=str(data), format=ox.RdfFormat.N_QUADS)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"))).get("query", "ASK {}")
        answer = store.query(query, use_default_graph_as_union=True)
        body = answer.serialize(format=JSON) if not isinstance(answer, ox.QueryTriples) else b""
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/sparql-results+json")]})
        await send({"type": "http.response.body", "body": body or b""})

    return app


if __name__ == "__main__":
    uvicorn.run(application(Path(sys.argv[1])), host="127.0.0.1", port=int(sys.argv[2]), http="httptools", loop="uvloop",
                access_log=False, log_level="warning", lifespan="off")
