"""The graph every command reads: the bundled files reasoned over, or the persistent store.

Where ``kg load`` has made a persistent store (``$KG_STORE`` or
``.kg/store``), that store answers instead: it holds the bundled graphs and
the loaded files, and opens without parsing anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg.core import notices, resources
from kg.graph import storefolder
from kg.graph.store import KnowledgeGraph


def bundled_files() -> list[Path]:
    """The ontology and data files shipped with ksm-kg, in load order."""
    return resources.ontology_files() + resources.data_files()


def open_graph(*, infer: bool = True, extra: Iterable[Path] = ()) -> KnowledgeGraph:
    """The bundled ontology and data (or the persistent store), plus any extra files, reasoned over.

    >>> graph = open_graph()
    >>> graph.count() > graph.asserted_count() > 2000
    True
    """
    if infer and not extra and storefolder.live_database() is not None:
        from kg.graph import diskstore  # reads and writes stores: not imported where there is none

        persistent = diskstore.open_live(on_notice=notices.note)
        if persistent is not None:
            return KnowledgeGraph(store=persistent, files=[])
    return KnowledgeGraph.from_files(bundled_files() + [Path(p) for p in extra], infer=infer)
