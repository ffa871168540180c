"""Publishing: the static linked-data release (dumps, VoID/DCAT, pages, ontology
docs) and the site pages that the server shares with it.

May import: kg.core, kg.graph, kg.queries.
"""
