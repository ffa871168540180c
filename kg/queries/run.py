"""Running a saved query on a graph: bind the user's values as RDF terms, then ask."""

from __future__ import annotations

from collections.abc import Mapping

from kg.core.errors import InputError
from kg.graph.results import QueryResult
from kg.graph.store import KnowledgeGraph
from kg.queries.catalogue import SavedQuery
from kg.queries.params import bind


def run_saved(graph: KnowledgeGraph, saved: SavedQuery, params: Mapping[str, str] | None = None, *, lang: str | None = None) -> QueryResult:
    """Run a saved query with user-given parameter values (IRI, CURIE or label).

    >>> from kg.graph.dataset import open_graph
    >>> from kg.queries.catalogue import Catalogue
    >>> result = run_saved(open_graph(), Catalogue.bundled().get("mechanisms-by-tool"), {"tool": "E-mail"}, lang="en")
    >>> [row["mechanismLabel"].value for row in result.rows]
    ['Discussion group']
    """
    bindings = bind(saved, dict(params or {}), graph=graph, lang=lang)
    try:
        return graph.select(saved.text, bindings)
    except InputError as error:
        raise InputError(f"{saved.path}: {error}") from None
