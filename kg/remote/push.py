"""Uploading the graph to a remote triplestore, all graphs replaced at once or not at all.

Every named graph (one per file, plus the inferred one) is first uploaded
under a staging name, ``urn:ksm-kg:staging:<graph IRI>``:

- through the Graph Store Protocol where the server takes a whole dataset
  as one N-Quads document (Oxigraph's ``/store``, Fuseki's ``/ds/data``):
  one request, blank nodes kept as they are;
- else by SPARQL Update (Virtuoso, QLever, GraphDB...): ``INSERT DATA``
  requests of at most ``OPERATION_TRIPLES`` triples an operation (Virtuoso's
  SPARQL parser gives up near 5,000) and about ``REQUEST_BYTES`` a request
  (it refuses a request text over 10 MB), with blank nodes as Skolem IRIs
  (kg.remote.skolem says why); the bundled graph goes in one request.

The staging counts are checked on the server; then a single SPARQL Update
request ``MOVE``s each staging graph onto its target, which the server runs
as one transaction (Virtuoso's too: killed mid-``MOVE`` it comes back with
every old graph).  A failed or interrupted upload therefore leaves the old
graphs untouched; its staging graphs are dropped when the server still
answers, and the next push drops any left by a push that could not (they
are named after their targets, so no search is needed).  While an upload
runs, a server whose default graph is the union of all graphs (Oxigraph
with ``--union-default-graph``, Virtuoso) also sees the staging graphs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.core.errors import EnvironmentFailure, UsageError
from kg.remote.endpoint import Endpoint, http_request, query, update
from kg.remote.skolem import GENID, skolemise

STAGING = "urn:ksm-kg:staging:"
OPERATION_TRIPLES = 1000
REQUEST_BYTES = 4_000_000


def staging_name(graph: str) -> str:
    """Where a graph is uploaded before it replaces its target.

    >>> staging_name("https://w3id.org/ksm/graph/inferred")
    'urn:ksm-kg:staging:https://w3id.org/ksm/graph/inferred'
    """
    return STAGING + graph


@dataclass(frozen=True)
class PushPlan:
    """What a push sends and where, decided before anything is sent (``kg push --dry-run`` prints it)."""

    endpoint: Endpoint
    counts: dict[str, int]  # target graph -> triples
    method: str  # "graph-store" or "update"
    requests: list[str]  # SPARQL Update texts (method "update") or one N-Quads document
    blank_nodes: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def url(self) -> str:
        return (self.endpoint.store if self.method == "graph-store" else self.endpoint.update) or ""

    def render(self) -> str:
        how = (f"one N-Quads document POSTed to the Graph Store Protocol at {self.url}" if self.method == "graph-store"
               else f"{len(self.requests)} SPARQL Update request{'s' if len(self.requests) != 1 else ''} to {self.url}")
        lines = [f"kg push --dry-run: nothing sent. {len(self.counts)} graphs, {self.total} triples, would be sent as {how}"]
        if self.blank_nodes:
            skolem = "as Skolem IRIs under " + GENID if self.method == "update" else "as they are"
            lines.append(f"{self.blank_nodes} blank nodes go {skolem}")
        lines.append(f"each graph under {STAGING}<graph IRI>, counted on {self.endpoint.query}, "
                     f"then moved onto its name by one request to {self.endpoint.update}:")
        lines += [f"{n:>8} triples  {g}" for g, n in sorted(self.counts.items())]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class PushReport:
    """Triples per named graph: on the server before the push, as uploaded and counted afterwards."""

    counts: dict[str, int]
    before: dict[str, int]
    method: str  # "graph-store" or "update"
    requests: int = 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def render(self) -> str:
        def did(graph: str) -> str:
            was = self.before.get(graph, 0)
            return f"replaced (had {was})" if was else "created"

        lines = [f"{n:>8} triples  {g}  {did(g)}" for g, n in sorted(self.counts.items())]
        plural = "s" if self.requests != 1 else ""
        via = "the Graph Store Protocol" if self.method == "graph-store" else f"SPARQL Update ({self.requests} upload request{plural})"
        lines.append(f"{self.total:>8} triples in {len(self.counts)} graphs, uploaded via {via}, swapped in one request, counts checked on the server")
        return "\n".join(lines) + "\n"


def server_counts(endpoint: Endpoint, graphs: Sequence[str]) -> dict[str, int]:
    """Triples in each of these named graphs on the server (0 for a missing one)."""
    values = " ".join(f"<{g}>" for g in graphs)
    result = query(endpoint, f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g")
    found = {str(row["g"]).strip("<>"): int(str(row["n"].value)) for row in result.rows if "g" in row and isinstance(row.get("n"), ox.Literal)}  # type: ignore[union-attr]
    return {g: found.get(g, 0) for g in graphs}


def plan(endpoint: Endpoint, quads: Sequence[ox.Quad], *, use_graph_store: bool = True) -> PushPlan:
    """Decide how to send these quads (all in named graphs) to the endpoint; nothing is sent."""
    if any(not isinstance(q.graph_name, ox.NamedNode) for q in quads):
        raise ValueError("push() takes quads in named graphs only")
    counts = Counter(q.graph_name.value for q in quads)  # type: ignore[union-attr]
    blank_nodes = len({t.value for q in quads for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)})
    staged = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(staging_name(q.graph_name.value))) for q in quads]  # type: ignore[union-attr]
    if use_graph_store and endpoint.store:
        document = (ox.serialize(staged, format=ox.RdfFormat.N_QUADS) or b"").decode("utf-8")
        return PushPlan(endpoint, dict(counts), "graph-store", [document], blank_nodes)
    if endpoint.update is None:
        raise UsageError(f"endpoint {endpoint.query}: give the SPARQL Update URL with --update-endpoint")
    return PushPlan(endpoint, dict(counts), "update", list(_requests(skolemise(staged))), blank_nodes)


def push(endpoint: Endpoint, quads: Sequence[ox.Quad], *, use_graph_store: bool = True) -> PushReport:
    """Replace, on the server, every named graph these quads are in."""
    chosen = plan(endpoint, quads, use_graph_store=use_graph_store)
    targets = sorted(chosen.counts)
    staging = [staging_name(g) for g in targets]
    before = server_counts(endpoint, targets)
    _drop(endpoint, staging)  # left by an interrupted push, if any
    try:
        if chosen.method == "graph-store":
            http_request(endpoint, "POST", chosen.url, chosen.requests[0].encode("utf-8"), "application/n-quads")
        else:
            for text in chosen.requests:
                update(endpoint, text)
        uploaded = server_counts(endpoint, staging)
        for target, name in zip(targets, staging, strict=True):
            if uploaded[name] != chosen.counts[target]:
                raise EnvironmentFailure(f"endpoint {endpoint.query}: {uploaded[name]} of {chosen.counts[target]} triples of {target} arrived; "
                                         "nothing was replaced")
        moves = " ;\n".join(f"MOVE <{name}> TO <{target}>" for target, name in zip(targets, staging, strict=True))
        try:
            update(endpoint, moves)
        except EnvironmentFailure as error:
            raise EnvironmentFailure(f"{error} (during the swap, which the server applies whole or not at all: "
                                     "push again to be sure which)") from None
    except BaseException:
        _drop_quietly(endpoint, staging)
        raise
    after = server_counts(endpoint, targets)
    for target, expected in chosen.counts.items():
        if after[target] != expected:
            raise EnvironmentFailure(f"endpoint {endpoint.query}: {target} holds {after[target]} triples after the upload, expected {expected}")
    return PushReport(counts=chosen.counts, before=before, method=chosen.method, requests=len(chosen.requests))


def _requests(quads: Sequence[ox.Quad]) -> Iterator[str]:
    """SPARQL Update texts: INSERT DATA operations of OPERATION_TRIPLES triples, about REQUEST_BYTES a request."""
    ordered = sorted(quads, key=lambda q: q.graph_name.value)  # type: ignore[union-attr]
    operations: list[str] = []
    size = 0
    for start in range(0, len(ordered), OPERATION_TRIPLES):
        operation = _insert_data(ordered[start:start + OPERATION_TRIPLES])
        if operations and size + len(operation) > REQUEST_BYTES:
            yield " ;\n".join(operations)
            operations, size = [], 0
        operations.append(operation)
        size += len(operation)
    if operations:
        yield " ;\n".join(operations)


def _insert_data(quads: Sequence[ox.Quad]) -> str:
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(q.triple)  # type: ignore[union-attr]
    blocks = [f"GRAPH <{graph}> {{\n{(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b'').decode('utf-8')}}}"
              for graph, triples in by_graph.items()]
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


def _drop(endpoint: Endpoint, graphs: Sequence[str]) -> None:
    update(endpoint, " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))


def _drop_quietly(endpoint: Endpoint, graphs: Sequence[str]) -> None:
    """Remove staging graphs after a failure; the failure itself is what the user must see."""
    try:
        _drop(endpoint, graphs)
    except Exception:
        return
