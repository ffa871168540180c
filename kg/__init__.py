"""ksm-kg: a knowledge graph of knowledge-sharing mechanisms in development work.

The public API is five functions; everything else lives in the subpackage
that names its part (see the README's architecture section):

>>> import kg
>>> graph = kg.open_graph()
>>> result = kg.run_query("mechanisms-without-internet", graph=graph, lang="en")
>>> "Study tour" in [row["mechanismLabel"].value for row in result.rows]
True
>>> kg.validate().conforms
True
>>> ranking = kg.recommend(graph=graph, internet=False, lang="en")
>>> [r.label for r in ranking.recommendations][-2:]  # they need the internet
['Discussion group', 'Community of practice']

The functions import what they need when called, so that ``import kg``
stays as cheap as the command line needs it to be.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing alone costs the start-up some 5 ms
if TYPE_CHECKING:  # annotations only: `import kg` must cost nothing, for the command line's start-up
    from collections.abc import Iterable, Mapping
    from pathlib import Path
    from typing import Any

    import pyoxigraph

    from kg.graph.results import QueryResult
    from kg.graph.store import KnowledgeGraph
    from kg.quality.validate import Report
    from kg.recommendation.engine import Ranking

__version__ = "0.1.0"
__all__ = ["open_graph", "reason", "recommend", "run_query", "validate"]


def open_graph(*, infer: bool = True, extra: Iterable[Path] = ()) -> KnowledgeGraph:
    """The bundled graph (or the persistent store), reasoned over, with any extra RDF files."""
    from kg.graph.dataset import open_graph as _open

    return _open(infer=infer, extra=extra)


def run_query(name: str, params: Mapping[str, str] | None = None, *, graph: KnowledgeGraph | None = None, lang: str | None = None) -> QueryResult:
    """Run the saved query ``name`` (a file of ``queries/``), its parameters given as IRIs, CURIEs or labels."""
    from kg.queries.catalogue import Catalogue
    from kg.queries.run import run_saved

    return run_saved(graph or open_graph(), Catalogue.bundled().get(name), params, lang=lang)


def validate(files: list[Path] | None = None) -> Report:
    """SHACL shapes and quality checks over the bundled data, or over the given files with the ontology."""
    from kg.quality.validate import validate as _validate

    return _validate(files)


def reason(quads: Iterable[pyoxigraph.Quad]) -> list[pyoxigraph.Triple]:
    """The triples the OWL RL closure adds to these quads (owlrl's answer, computed faster)."""
    from kg.reasoning.rules import infer

    return infer(quads)


def recommend(*, graph: KnowledgeGraph | None = None, lang: str = "fr", **situation: Any) -> Ranking:
    """Rank the mechanisms for a situation given as ``kg recommend``'s options (internet=False, goals=[...])."""
    from kg.recommendation.engine import recommend_from_options
    from kg.recommendation.situation import Options

    return recommend_from_options(graph or open_graph(), lang=lang, options=Options(**situation))
