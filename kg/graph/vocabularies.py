"""External vocabularies (UNESCO Thesaurus, SDG KOS, ...) beside the graph, unreasoned.

The saved queries that cross the mappings need the labels of the concepts
we map to, in every language the vocabulary has.  Those dumps are big (the
UNESCO Thesaurus is 3 MB, ~96,000 triples with the SDG KOS) and owlrl would
take minutes over them, yet nothing in them needs our reasoning: their
labels are asserted.  So a vocabulary is parsed with pyoxigraph (a fraction
of a second) and added as it is, in a named graph of its own
(``graph/vocabulary/<stem>``), to a graph whose own files were reasoned
over as usual.  The persistent store (``kg load``) can reuse
:func:`add_vocabulary` for the same job.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.core.namespaces import GRAPH
from kg.graph import rdfio
from kg.graph.dataset import open_graph
from kg.graph.store import KnowledgeGraph

VOCABULARY_GRAPH = GRAPH + "vocabulary/"


def graph_name(path: Path) -> str:
    """The named graph of an external vocabulary file.

    >>> graph_name(Path("/x/unesco-thesaurus.ttl"))
    'https://w3id.org/ksm/graph/vocabulary/unesco-thesaurus'
    """
    path = Path(path)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return VOCABULARY_GRAPH + stem


def add_vocabulary(store: ox.Store, path: Path, *, graph: str | None = None) -> int:
    """Add one vocabulary file to a store, without reasoning; the number of triples added.

    A missing or malformed file is an InputError naming it (and the line).
    """
    quads = rdfio.read_quads(Path(path), graph or graph_name(Path(path)))
    before = len(store)
    store.extend(quads)
    return len(store) - before


def bundled_with(vocabularies: Iterable[Path], *, infer: bool = True) -> KnowledgeGraph:
    """The bundled graph (reasoned, from the cache) with external vocabularies added raw.

    >>> kg = bundled_with([])
    >>> kg.count() == open_graph().count()
    True
    """
    graph = open_graph(infer=infer)
    for path in vocabularies:
        add_vocabulary(graph.store, Path(path))
        graph.files.append(Path(path))
    return graph
