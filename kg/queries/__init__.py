"""Saved queries: the ``queries/*.rq`` catalogue (grlc headers), turning user values
into RDF terms, and running a saved query on a graph.

May import: kg.core, kg.graph.
"""
