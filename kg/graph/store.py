"""The embedded knowledge graph: pyoxigraph holding asserted and inferred graphs.

Each input file is a named graph of its own (so provenance shows which file
a triple came from) and the OWL RL inferred triples are one more named
graph; queries see the union of all of them as their default graph.
pyoxigraph answers queries and parses far faster than rdflib (see
benchmarks/), so rdflib and owlrl are only imported to reason, when the
cached inferred graph is stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from kg.core.errors import InputError
from kg.core.namespaces import INFERRED_GRAPH, PREFIXES
from kg.graph import rdfio
from kg.graph.binding import with_values
from kg.graph.results import QueryResult
from kg.reasoning import cache


class KnowledgeGraph:
    """An in-memory store of the graph, with the files it was read from.

    A plain class, not a dataclass: ``kg query`` must not pay for importing
    dataclasses (and inspect with it) at every start.
    """

    __slots__ = ("files", "store")

    def __init__(self, store: ox.Store, files: list[Path] | None = None) -> None:
        self.store = store
        self.files: list[Path] = files if files is not None else []

    def __repr__(self) -> str:
        return f"KnowledgeGraph(store=<{len(self.store)} quads>, files={self.files!r})"

    @classmethod
    def from_files(cls, files: Iterable[Path], *, infer: bool = True, use_cache: bool = True, keep: bool = True) -> KnowledgeGraph:
        """Load files into their named graphs and add the (cached) OWL RL closure.

        The whole dataset, asserted and inferred, is cached as one N-Quads
        file beside the inferred graph (same key): a warm start parses that
        single file natively instead of a score of Turtle files.  ``keep=False``
        caches neither (a user's file validated once is not worth a snapshot
        in the cache); the ontology's closure is cached still.
        """
        files = [Path(f) for f in files]
        for path in files:
            if not path.is_file():
                raise InputError(f"{path}: {'is a folder, not an RDF file' if path.is_dir() else 'no such file'}")
        store = ox.Store()
        key = cache.cache_key(files) if infer and use_cache and keep else None
        if key is not None and cache.load_snapshot(key, store):
            return cls(store=store, files=files)
        quads = rdfio.read_all(files)
        store.extend(quads)
        if infer:
            from kg.reasoning import inferred  # the rule engine, only when the snapshot is stale

            store.extend(inferred.inferred_quads(files, quads, use_cache=use_cache, keep=keep))
        if key is not None:
            cache.save_snapshot(key, store)
        return cls(store=store, files=files)

    def __len__(self) -> int:
        return len(self.store)

    def count(self, graph: str | None = None) -> int:
        """Triples in one named graph, or in all of them."""
        if graph is None:
            return len(self.store)
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def asserted_count(self) -> int:
        return len(self.store) - self.count(INFERRED_GRAPH)

    def select(self, query: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> QueryResult:
        """Run any SPARQL query text, with variables bound to RDF terms (never pasted)."""
        try:
            text = with_values(query, bindings or {})
            answer = self.store.query(text, use_default_graph_as_union=True)
        except (SyntaxError, ValueError) as error:
            raise InputError(f"query: bad SPARQL syntax: {error}") from None
        return QueryResult.from_oxigraph(answer)

    def quads(self, *, include_inferred: bool = True) -> list[ox.Quad]:
        inferred = ox.NamedNode(INFERRED_GRAPH)
        return [q for q in self.store if include_inferred or q.graph_name != inferred]

    def triples(self, *, include_inferred: bool = True) -> list[ox.Triple]:
        """The distinct triples of the default-graph view (a triple in several graphs counts once).

        Keyed by their N-Triples text: equal pyoxigraph terms did not always meet in a set here.
        """
        unique = {str(q.triple): q.triple for q in self.quads(include_inferred=include_inferred)}
        return list(unique.values())

    def serialize(self, fmt: ox.RdfFormat, *, include_inferred: bool = True) -> bytes:
        """All triples (default-graph view) in one RDF format, with our prefixes."""
        triples = self.triples(include_inferred=include_inferred)
        kwargs: dict[str, object] = {}
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
            kwargs["prefixes"] = PREFIXES
        return ox.serialize(triples, format=fmt, **kwargs) or b""  # type: ignore[arg-type]
