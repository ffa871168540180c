"""ksm-kg: a knowledge graph of knowledge-sharing mechanisms in development work.

The library API lives in small modules, one job each; ``kg.cli`` is a thin
command-line face over it.

>>> from kg.store import KnowledgeGraph
>>> from kg.catalogue import Catalogue
>>> graph = KnowledgeGraph.bundled()
>>> result = graph.run(Catalogue.bundled().get("mechanisms-without-internet"), lang="en")
>>> "Study tour" in [row["mechanismLabel"].value for row in result.rows]
True
"""

__version__ = "0.1.0"
