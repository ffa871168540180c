"""The SPARQL 1.1 Protocol endpoint (``/sparql``), read-only.

Follows the W3C SPARQL 1.1 Protocol: a query by GET ``?query=``, by POST
form-encoded or by POST ``application/sparql-query``; ``default-graph-uri``
and ``named-graph-uri`` set the dataset (else the default graph is the
union of all graphs).  Anything that is not exactly one query is a 400;
updates are refused with 403 (this endpoint is read-only); a request body
over the size limit is a 413; a query over the time limit a 503.  With no
query, GET (and HEAD) answer the service description, and a POST is a 400.
The query's own ``FROM``/``FROM NAMED`` are honoured (kg.web.worker).  A ``format`` parameter
(json, xml, csv, tsv, ttl, nt, jsonld, rdf) overrides ``Accept`` for links
that people click; values it does not know are ignored (``Accept`` rules).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from kg.core.namespaces import PREFIXES
from kg.web.answers import Job
from kg.web.negotiation import GRAPH_TYPES, HTML, RESULTS_TYPES, choose, content_type
from kg.web.pages import Pages
from kg.web.state import Server

FORMAT_PARAM = {
    "json": "application/sparql-results+json, application/ld+json;q=0.9",
    "xml": "application/sparql-results+xml, application/rdf+xml;q=0.9",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "turtle": "text/turtle",
    "json-ld": "application/ld+json",
}


class BodyTooLarge(Exception):
    pass


def text_response(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status_code=status, media_type="text/plain; charset=utf-8")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) any over ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _charset_ok(header: str) -> bool:
    for field in header.split(";")[1:]:
        key, _, value = field.strip().partition("=")
        if key.lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


CACHED_URL = 32 * 1024  # query strings up to this length are parsed once and remembered


@lru_cache(maxsize=128)
def _cached_url_params(query_string: bytes) -> tuple[tuple[str, str], ...]:
    return tuple(QueryParams(query_string).multi_items())


def url_params(query_string: bytes) -> list[tuple[str, str]]:
    """The parameters of a URL's query string, as Starlette reads them; a query asked again is not parsed again
    (decoding a percent-encoded query of a few kilobytes takes Python's parser about 0.1 ms).

    >>> url_params(b"query=ASK%7B%7D&format=json")
    [('query', 'ASK{}'), ('format', 'json')]
    """
    if len(query_string) > CACHED_URL:
        return list(QueryParams(query_string).multi_items())
    return list(_cached_url_params(query_string))


async def protocol_params(request: Request, limit: int) -> list[tuple[str, str]] | Response:
    """The protocol parameters of a request (URL and body), or the error response."""
    params = url_params(request.scope["query_string"])
    if request.method != "POST":
        return params
    media_header = request.headers.get("content-type", "")
    media = media_header.split(";")[0].strip().lower()
    try:
        body = await read_body(request, limit)
    except BodyTooLarge:
        return text_response(413, f"request body larger than this endpoint's limit of {limit} bytes")
    if not media:
        return text_response(400, "a POST needs a Content-Type: application/x-www-form-urlencoded or application/sparql-query")
    if media == "application/sparql-update":
        return text_response(403, "this endpoint is read-only: SPARQL updates are refused")
    if not _charset_ok(media_header):
        return text_response(400, "the request body must be UTF-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return text_response(400, "the request body is not valid UTF-8")
    if media == "application/x-www-form-urlencoded":
        try:
            return params + parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
        except (ValueError, UnicodeDecodeError):
            return text_response(400, "the form body is not valid URL-encoded UTF-8")
    if media == "application/sparql-query":
        return [*params, ("query", text)]
    return text_response(415, f"unsupported Content-Type {media!r}: use application/x-www-form-urlencoded or application/sparql-query")


def service_description(endpoint: str) -> list[ox.Triple]:
    sd = "http://www.w3.org/ns/sparql-service-description#"
    node = ox.NamedNode(endpoint)
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
    triples = [
        ox.Triple(node, rdf_type, ox.NamedNode(sd + "Service")),
        ox.Triple(node, ox.NamedNode(sd + "endpoint"), node),
        ox.Triple(node, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
        ox.Triple(node, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")),
    ]
    formats = {
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML",
    }
    triples += [ox.Triple(node, ox.NamedNode(sd + "resultFormat"), ox.NamedNode("http://www.w3.org/ns/formats/" + f)) for f in sorted(formats)]
    return triples


ALLOW = "GET, HEAD, POST, OPTIONS"


async def sparql(request: Request) -> Response:
    server: Server = request.app.state.server
    pages: Pages = request.app.state.pages
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ALLOW})
    if request.method not in ("GET", "HEAD", "POST"):
        response = text_response(405, "use GET or POST")
        response.headers["Allow"] = ALLOW
        return response
    params = await protocol_params(request, server.settings.max_body)
    if isinstance(params, Response):
        return params
    names = [name for name, _ in params]
    if "update" in names or "using-graph-uri" in names or "using-named-graph-uri" in names:
        return text_response(403, "this endpoint is read-only: SPARQL updates are refused")
    queries = [value for name, value in params if name == "query"]
    accept = request.headers.get("accept")
    formats = [value for name, value in params if name == "format"]
    formats = [f for f in formats if f in FORMAT_PARAM]  # clients such as SPARQLWrapper add their own; Accept still rules then
    if formats:
        accept = FORMAT_PARAM[formats[0]]
    if not queries:
        if request.method == "POST":
            return text_response(400, "a POST to the SPARQL endpoint needs a 'query' parameter (form field or application/sparql-query body)")
        if choose(accept, [*GRAPH_TYPES, HTML]) == HTML:
            return await pages.editor(request, "")
        media = choose(accept, list(GRAPH_TYPES)) or "text/turtle"
        body = ox.serialize(service_description(server.endpoint), format=GRAPH_TYPES[media]) or b""
        return Response(body, media_type=content_type(media), headers={"Vary": "Accept"})
    if len(queries) > 1:
        return text_response(400, "exactly one 'query' parameter is allowed")
    if not formats and choose(accept, [*RESULTS_TYPES, *GRAPH_TYPES, HTML]) == HTML and request.method != "POST":
        return await pages.editor(request, queries[0])
    job = Job(
        query=queries[0], accept=accept,
        default_graphs=tuple(v for n, v in params if n == "default-graph-uri"),
        named_graphs=tuple(v for n, v in params if n == "named-graph-uri"),
    )
    answer = await server.run(job)
    return Response(answer.body, status_code=answer.status, media_type=content_type(answer.media), headers={"Vary": "Accept"})
