"""Saved queries on a remote SPARQL 1.1 endpoint, through SPARQLWrapper.

The same saved query, with the same parameters bound the same way (a
``VALUES`` block written by ``kg.binding.with_values``), runs on Oxigraph,
Fuseki, GraphDB, Virtuoso or QLever; the answer becomes the same
``QueryResult`` as a local one, so every output format is written the same
way.  Credentials come from ``KG_ENDPOINT_USER`` / ``KG_ENDPOINT_PASSWORD``
only, never from the command line (where ``ps`` and shell history would show
it): queries send them as HTTP basic auth; updates and Graph Store requests
answer the server's own challenge, basic or digest (Virtuoso's
``/sparql-auth`` asks for digest).

Answers are asked for in the formats SPARQL 1.1 defines
(``application/sparql-results+json``, N-Triples), never plain
``application/json``, which Comunica answers with a JSON of its own; how
each engine's answer is read, and what makes one incomplete, is in
kg.remote.answers.  Everything that can go wrong on the way (refused
connection, HTTP error, time-out, a 200 whose body is cut off as Oxigraph and
Fuseki do on their time limit, a partial answer flagged in a header as
Virtuoso does, an answer that is not SPARQL results) is an EnvironmentFailure
(exit 4) with a one-line message naming the endpoint.
"""

from __future__ import annotations

import base64
import http.client
import os
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.core.errors import EnvironmentFailure, UsageError
from kg.graph.binding import with_values
from kg.graph.results import QueryResult
from kg.queries.catalogue import SavedQuery
from kg.remote.answers import parse_answer
from kg.remote.deadline import read_all, within

USER_VARIABLE = "KG_ENDPOINT_USER"
PASSWORD_VARIABLE = "KG_ENDPOINT_PASSWORD"
DEFAULT_TIMEOUT = 60.0
# What SPARQL 1.1 defines, nothing engine-specific: JSON results (XML if that is all
# the server writes), and N-Triples for graphs (the simplest to read, and cut off
# visibly mid-line).
ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.5"


class QueryRejected(EnvironmentFailure):
    """The endpoint answered HTTP 400: it could not parse or run the query (exit 4 like any endpoint failure)."""


def credentials() -> tuple[str, str] | None:
    """(user, password) from the environment, or None for no authentication."""
    user = os.environ.get(USER_VARIABLE)
    if not user:
        return None
    return user, os.environ.get(PASSWORD_VARIABLE, "")


@dataclass(frozen=True)
class Endpoint:
    """The URLs of one SPARQL service: query, update and Graph Store Protocol.

    ``update`` and ``store`` default to Oxigraph's layout (``/query``,
    ``/update``, ``/store``) when the query URL ends in ``/query``; give
    them explicitly for other servers (Fuseki: ``/ds/query``, ``/ds/update``,
    ``/ds/data``).

    >>> Endpoint.at("http://127.0.0.1:7878/query").store
    'http://127.0.0.1:7878/store'
    """

    query: str
    update: str | None = None
    store: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def at(cls, url: str, *, update: str | None = None, store: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> Endpoint:
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"--endpoint {url!r}: expected an http:// or https:// URL")
        base, _, last = url.rstrip("/").rpartition("/")
        if last == "query":
            update = update or f"{base}/update"
            store = store or f"{base}/store"
        return cls(query=url, update=update, store=store, timeout=timeout)

    def headers(self) -> dict[str, str]:
        found = credentials()
        if found is None:
            return {}
        token = base64.b64encode(f"{found[0]}:{found[1]}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}


def failure(endpoint: str, error: BaseException) -> EnvironmentFailure:
    """One line for anything that went wrong talking to an endpoint."""
    if isinstance(error, urllib.error.HTTPError):
        reason = f"HTTP {error.code} {error.reason}"
        try:
            detail = error.read(300).decode("utf-8", "replace").strip().splitlines()
        except (OSError, http.client.HTTPException):
            detail = []
        finally:
            error.close()
        if detail:
            reason += f": {detail[0][:200]}"
    elif isinstance(error, urllib.error.URLError):
        inner = error.reason
        reason = "timed out" if isinstance(inner, (TimeoutError, socket.timeout)) else f"unreachable ({inner})"
    elif isinstance(error, (TimeoutError, socket.timeout)):
        reason = "timed out"
    elif isinstance(error, http.client.IncompleteRead):
        reason = "the answer was cut off (the endpoint's time limit?)"
    else:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return EnvironmentFailure(f"endpoint {endpoint}: {reason}")


_NETWORK_ERRORS = (urllib.error.URLError, OSError, http.client.HTTPException, socket.timeout)


def query(endpoint: Endpoint, text: str) -> QueryResult:
    """Run any query text on the endpoint (POST), as a QueryResult."""
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    client = SPARQLWrapper(endpoint.query)
    client.setQuery(text)
    # SPARQLWrapper guesses the type with a regex that reads comments too (a "load" in a
    # description made a SELECT an update); a real parser decides instead.
    client.queryType = _query_type(text)
    client.setMethod(POST)
    client.setTimeout(max(1, int(endpoint.timeout)))
    graph_answer = client.queryType in ("CONSTRUCT", "DESCRIBE")
    client.setReturnFormat(TURTLE if graph_answer else JSON)
    client.addCustomHttpHeader("Accept", ACCEPT_GRAPH if graph_answer else ACCEPT_RESULTS)  # replaces SPARQLWrapper's list
    for name, value in endpoint.headers().items():
        client.addCustomHttpHeader(name, value)
    def ask(cancelled: threading.Event) -> tuple[str, dict[str, str], bytes]:
        with client.query().response as response:  # closed: Virtuoso keeps connections alive
            media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            found = {name: str(response.headers[name]) for name in ("X-SQL-State", "X-SQL-Message", "X-SPARQL-MaxRows") if response.headers.get(name)}
            return media, found, read_all(response, cancelled)

    try:
        media_type, headers, body = within(endpoint.timeout, ask, late=lambda: _late(endpoint.query, endpoint.timeout))
    except SPARQLWrapperException as error:
        kind = QueryRejected if type(error).__name__ == "QueryBadFormed" else EnvironmentFailure
        raise kind(f"endpoint {endpoint.query}: {_explain(error)}") from None
    except _NETWORK_ERRORS as error:
        raise failure(endpoint.query, error) from None
    return parse_answer(endpoint.query, body, media_type, graph_answer=graph_answer, headers=headers)


def _late(url: str, seconds: float) -> EnvironmentFailure:
    return EnvironmentFailure(f"endpoint {url}: timed out: no whole answer within {seconds:g} s (--timeout); the endpoint is too slow or stalled")


def _query_type(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, from pyoxigraph's parse of the text (run on an empty store)."""
    try:
        answer = ox.Store().query(text)
    except (SyntaxError, ValueError):
        return "SELECT"  # the endpoint's own parser will say what is wrong
    if isinstance(answer, ox.QueryTriples):
        return "CONSTRUCT"  # or DESCRIBE: both answer a graph, which is all that is asked of the type here
    return "ASK" if isinstance(answer, ox.QueryBoolean) else "SELECT"


_STATUS = {
    "QueryBadFormed": "HTTP 400: the endpoint rejected the query",
    "Unauthorized": f"HTTP 401: not authorised (set {USER_VARIABLE} and {PASSWORD_VARIABLE})",
    "EndPointNotFound": "HTTP 404: no SPARQL service at this URL",
    "URITooLong": "HTTP 414: request too long",
    "EndPointInternalError": "HTTP 500: the endpoint failed",
}


def _explain(error: Exception) -> str:
    """SPARQLWrapper's exception as a status line plus the server's first words."""
    status = _STATUS.get(type(error).__name__, type(error).__name__)
    detail = " ".join(str(error).split("Response:", 1)[-1].split())[:200] if "Response:" in str(error) else ""
    return f"{status}{': ' + detail if detail else ''}"


def run_saved(
    endpoint: Endpoint,
    saved: SavedQuery,
    params: Mapping[str, str] | None = None,
    *,
    lang: str | None = None,
    labels_from: object | None = None,
) -> QueryResult:
    """Run a saved query remotely, binding parameters exactly as the local store does.

    ``labels_from`` is the local KnowledgeGraph that resolves labels and
    CURIE classes of IRI parameters (the remote endpoint is not asked); by
    default the bundled graph, loaded only when an IRI parameter is given.
    """
    from kg.graph.dataset import open_graph
    from kg.queries.params import bind

    given = dict(params or {})
    graph = labels_from
    needs_lookup = any(p.kind == "iri" and (p.name in given or p.default is not None) for p in saved.parameters)
    if graph is None and needs_lookup:
        graph = open_graph()
    bindings = bind(saved, given, graph=graph, lang=lang)  # type: ignore[arg-type]
    text = with_values(saved.text, bindings)
    repeated = with_values(saved.text, bindings, into_optionals=True)
    if repeated != text and not optional_filters_see_values(endpoint):
        text = repeated
    return query(endpoint, text)


# In SPARQL 1.1 a filter inside an OPTIONAL is the condition of the left join,
# so it sees the values the left side binds, a VALUES block included.  Virtuoso
# 7.2 evaluates it inside the OPTIONAL alone, where such a value is unbound:
# "yes" is the answer everywhere else, nothing on Virtuoso.
# (A VALUES inside the OPTIONAL, not a BIND: Comunica cannot left-join a BIND alone.)
PROBE = 'SELECT ?seen WHERE { VALUES ?probe { "kg" } OPTIONAL { VALUES ?seen { "yes" } FILTER (?probe = "kg") } }'
_SEES_VALUES: dict[str, bool] = {}


def optional_filters_see_values(endpoint: Endpoint) -> bool:
    """Whether the endpoint's OPTIONAL filters see an outer VALUES block (asked once per URL; see kg.graph.binding).

    An endpoint that refuses the probe is taken at the word of the standard.
    """
    if endpoint.query not in _SEES_VALUES:
        try:
            rows = query(endpoint, PROBE).rows
            _SEES_VALUES[endpoint.query] = bool(rows) and "seen" in rows[0]
        except QueryRejected:
            _SEES_VALUES[endpoint.query] = True
    return _SEES_VALUES[endpoint.query]


class _Closing:
    """Closes the 401 answer that urllib's auth handlers leave open once they have answered its challenge."""

    def http_error_401(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any) -> Any:
        try:
            answer = super().http_error_401(req, fp, code, msg, headers)  # type: ignore[misc]
        except urllib.error.HTTPError as error:  # a wrong password: the retry was refused too
            if error.fp is not fp:
                fp.close()
            raise
        if answer is not None:
            fp.close()
        return answer


class _Basic(_Closing, urllib.request.HTTPBasicAuthHandler):
    pass


class _Digest(_Closing, urllib.request.HTTPDigestAuthHandler):
    pass


def opener(url: str) -> urllib.request.OpenerDirector:
    """An opener that answers the server's basic or digest challenge with the environment's credentials."""
    found = credentials()
    if found is None:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, found[0], found[1])
    return urllib.request.build_opener(_Basic(passwords), _Digest(passwords))


def http_request(endpoint: Endpoint, method: str, url: str, body: bytes, content_type: str, accept: str = "*/*") -> bytes:
    """One plain HTTP request (Graph Store Protocol, SPARQL Update) with the endpoint's credentials and time limit."""
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type, "Accept": accept})

    def send(cancelled: threading.Event) -> bytes:
        with opener(url).open(request, timeout=endpoint.timeout) as response:
            return read_all(response, cancelled)

    try:
        return within(endpoint.timeout, send, late=lambda: _late(url, endpoint.timeout))
    except urllib.error.HTTPError as error:
        if error.code == 401:
            error.close()
            raise EnvironmentFailure(f"endpoint {url}: HTTP 401: not authorised (set {USER_VARIABLE} and {PASSWORD_VARIABLE})") from None
        raise failure(url, error) from None
    except _NETWORK_ERRORS as error:
        raise failure(url, error) from None


def update(endpoint: Endpoint, text: str) -> None:
    """Run a SPARQL 1.1 Update request (one request: one transaction on Oxigraph and Fuseki, and on Virtuoso if it crashes)."""
    if endpoint.update is None:
        raise UsageError(f"endpoint {endpoint.query}: give the SPARQL Update URL with --update-endpoint")
    http_request(endpoint, "POST", endpoint.update, text.encode("utf-8"), "application/sparql-update")
