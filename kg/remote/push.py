"""Uploading the graph to a remote triplestore, all graphs replaced at once or not at all.

Every named graph (one per file, plus the inferred one) is first uploaded
under a staging name: as one N-Quads document through the Graph Store
Protocol where the server offers it (so blank nodes shared between the
ontology and the inferred graph stay one node), else as one SPARQL Update
``INSERT DATA``.  The staging counts are checked on the server; then a
single SPARQL Update request ``MOVE``s each staging graph onto its target,
which the server runs as one transaction.  A failed or interrupted upload
therefore leaves the old graphs untouched (its staging graphs are dropped
when possible), and the counts are checked again after the swap.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.core.errors import EnvironmentFailure
from kg.remote.endpoint import Endpoint, http_request, query, update

_STAGING = "urn:ksm-kg:staging:"


@dataclass(frozen=True)
class PushReport:
    """Triples per named graph, as uploaded and as counted on the server afterwards."""

    counts: dict[str, int]
    method: str  # "graph-store" or "update"

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def render(self) -> str:
        lines = [f"{n:>8} triples  {g}" for g, n in sorted(self.counts.items())]
        lines.append(f"{self.total:>8} triples in {len(self.counts)} graphs, replaced via {self.method}, counts checked on the server")
        return "\n".join(lines) + "\n"


def server_counts(endpoint: Endpoint, graphs: Sequence[str]) -> dict[str, int]:
    """Triples in each of these named graphs on the server (0 for a missing one)."""
    values = " ".join(f"<{g}>" for g in graphs)
    result = query(endpoint, f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g")
    found = {str(row["g"]).strip("<>"): int(str(row["n"].value)) for row in result.rows if "g" in row and isinstance(row.get("n"), ox.Literal)}  # type: ignore[union-attr]
    return {g: found.get(g, 0) for g in graphs}


def push(endpoint: Endpoint, quads: Sequence[ox.Quad], *, use_graph_store: bool = True) -> PushReport:
    """Replace, on the server, every named graph these quads are in."""
    counts = Counter(_name(q) for q in quads if isinstance(q.graph_name, ox.NamedNode))
    if len(counts) != len({q.graph_name for q in quads}):
        raise ValueError("push() takes quads in named graphs only")
    token = uuid.uuid4().hex
    staging = {g: f"{_STAGING}{token}:{i}" for i, g in enumerate(sorted(counts))}
    staged = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(staging[_name(q)])) for q in quads]
    method = "graph-store" if use_graph_store and endpoint.store else "update"
    try:
        if method == "graph-store":
            body = ox.serialize(staged, format=ox.RdfFormat.N_QUADS) or b""
            http_request(endpoint, "POST", endpoint.store or "", body, "application/n-quads")
        else:
            update(endpoint, _insert_data(staged))
        uploaded = server_counts(endpoint, list(staging.values()))
        for target, name in staging.items():
            if uploaded[name] != counts[target]:
                raise EnvironmentFailure(f"endpoint {endpoint.query}: {uploaded[name]} of {counts[target]} triples of {target} arrived; nothing was replaced")
        update(endpoint, " ;\n".join(f"MOVE <{name}> TO <{target}>" for target, name in staging.items()))
    except BaseException:
        _drop_quietly(endpoint, list(staging.values()))
        raise
    after = server_counts(endpoint, list(counts))
    for target, expected in counts.items():
        if after[target] != expected:
            raise EnvironmentFailure(f"endpoint {endpoint.query}: {target} holds {after[target]} triples after the upload, expected {expected}")
    return PushReport(counts=dict(counts), method=method)


def _name(quad: ox.Quad) -> str:
    graph = quad.graph_name
    return graph.value if isinstance(graph, ox.NamedNode | ox.BlankNode) else ""


def _insert_data(quads: Sequence[ox.Quad]) -> str:
    """One INSERT DATA for all graphs (one request keeps blank nodes shared between graphs)."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in quads:
        by_graph.setdefault(_name(q), []).append(q.triple)
    blocks = []
    for graph, triples in by_graph.items():
        body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        blocks.append(f"GRAPH <{graph}> {{\n{body}}}")
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


def _drop_quietly(endpoint: Endpoint, graphs: Sequence[str]) -> None:
    """Remove staging graphs after a failure; the failure itself is what the user must see."""
    try:
        update(endpoint, " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
    except Exception:
        return
