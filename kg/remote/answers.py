"""An endpoint's HTTP answer read into a QueryResult, the same whatever engine wrote it.

Engines write the same answer differently, and some say only in a header
that it is incomplete; each difference met on the engines tried here is
handled once, in this module:

- Virtuoso's "anytime" answers (a time limit asked for by a ``timeout`` URL
  parameter or set by the server) are a 200 with well-formed but partial
  results, flagged by ``X-SQL-State: S1TAT``; its ``ResultSetMaxRows`` cuts
  an answer silently but for ``X-SPARQL-MaxRows``.  Both are refused
  (EnvironmentFailure, exit 4), as is a body cut off by Oxigraph's or
  Fuseki's time limit (a 200 that does not parse).
- Comunica adds a ``metadata`` member after ``results`` and QLever a
  ``meta`` member, which pyoxigraph's JSON reader refuses: only ``head``,
  ``results`` and ``boolean`` are kept, the members SPARQL 1.1 defines.
- Virtuoso labels blank nodes ``nodeID://b10000``, not a blank-node label:
  such a label is replaced by a stable valid one (the same node keeps one
  label within the answer).
- Our Skolem IRIs (kg.remote.skolem) become blank nodes again.
- A CONSTRUCT answer is a set of triples: Comunica writes a triple once per
  solution that builds it, so repeats are dropped.

The JSON document is read and written with the standard ``json`` module and
then parsed by pyoxigraph: the SPARQL parsing stays pyoxigraph's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from kg.core.errors import EnvironmentFailure
from kg.graph.results import QueryResult
from kg.remote.skolem import GENID, deskolemise_triples

CUT_OFF = "the answer was cut off or is not valid {what} (the endpoint's time limit?)"
_SPARQL_JSON = ("application/sparql-results+json", "application/json")


def check_headers(url: str, headers: Mapping[str, str]) -> None:
    """Refuse an answer that the server itself marks as partial."""
    state = headers.get("X-SQL-State")
    if state:
        message = " ".join((headers.get("X-SQL-Message") or "").split())[:160]
        raise EnvironmentFailure(f"endpoint {url}: the query hit the endpoint's time limit and the answer is incomplete "
                                 f"(X-SQL-State {state}{': ' + message if message else ''})")
    max_rows = headers.get("X-SPARQL-MaxRows")
    if max_rows:
        raise EnvironmentFailure(f"endpoint {url}: the endpoint cut the answer at {max_rows} rows (its result-size limit); "
                                 "the answer may be incomplete")


def parse_answer(url: str, body: bytes, media_type: str, *, graph_answer: bool, headers: Mapping[str, str] | None = None) -> QueryResult:
    """A QueryResult from an HTTP answer; a partial, cut-off or non-SPARQL answer is an EnvironmentFailure."""
    check_headers(url, headers or {})
    if graph_answer:
        return QueryResult(kind="graph", triples=_graph(url, body, media_type))
    if media_type in _SPARQL_JSON:
        body = _standard_json(url, body)
        media_type = _SPARQL_JSON[0]
    results_format = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
    if results_format is None:
        raise EnvironmentFailure(f"endpoint {url}: answered {media_type or 'without a media type'}, not SPARQL results (is it a SPARQL endpoint?)")
    try:
        parsed = ox.parse_query_results(body, results_format)
        if isinstance(parsed, ox.QueryBoolean):
            return QueryResult(kind="ask", boolean=bool(parsed), json=b'{"head":{},"boolean":' + (b"true" if parsed else b"false") + b"}")
        payload = parsed.serialize(format=ox.QueryResultsFormat.JSON) or b""
    except (SyntaxError, ValueError):
        raise EnvironmentFailure(f"endpoint {url}: {CUT_OFF.format(what='SPARQL results')}") from None
    if results_format != ox.QueryResultsFormat.JSON:
        payload = _standard_json(url, payload)  # Skolem IRIs back to blank nodes
    return QueryResult.from_json(payload)


def _graph(url: str, body: bytes, media_type: str) -> list[ox.Triple]:
    rdf_format = ox.RdfFormat.from_media_type(media_type) if media_type else None
    if rdf_format is None:
        raise EnvironmentFailure(f"endpoint {url}: answered {media_type or 'without a media type'}, not RDF")
    try:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, rdf_format)]
    except (SyntaxError, ValueError):
        raise EnvironmentFailure(f"endpoint {url}: {CUT_OFF.format(what=rdf_format.name)}") from None
    unique = {str(t): t for t in deskolemise_triples(triples)}  # keyed by N-Triples text, first one kept
    return list(unique.values())


def _standard_json(url: str, body: bytes) -> bytes:
    """SPARQL 1.1 JSON results with only the standard members, valid blank-node labels and no Skolem IRIs of ours."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise EnvironmentFailure(f"endpoint {url}: {CUT_OFF.format(what='SPARQL results')}") from None
    if not isinstance(document, dict) or "head" not in document:
        raise EnvironmentFailure(f"endpoint {url}: answered JSON that is not SPARQL results (is it a SPARQL endpoint?)")
    kept = {key: document[key] for key in ("head", "results", "boolean") if key in document}
    results = kept.get("results")
    if isinstance(results, dict) and isinstance(results.get("bindings"), list):
        for solution in results["bindings"]:
            if isinstance(solution, dict):
                for term in solution.values():
                    if isinstance(term, dict):
                        _normalise_term(term)
    return json.dumps(kept, ensure_ascii=False).encode("utf-8")


def _normalise_term(term: dict[str, Any]) -> None:
    value = term.get("value")
    if not isinstance(value, str):
        return
    if term.get("type") == "uri" and value.startswith(GENID) and _is_label(value[len(GENID):]):
        term["type"], term["value"] = "bnode", value[len(GENID):]
    elif term.get("type") == "bnode" and not _is_label(value):
        term["value"] = "x" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def _is_label(value: str) -> bool:
    try:
        ox.BlankNode(value)
    except ValueError:
        return False
    return True
