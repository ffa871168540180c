"""Other SPARQL 1.1 endpoints: running saved queries there (SPARQLWrapper), and
pushing the graph to a store, replacing it whole.

May import: kg.core, kg.graph, kg.queries.
"""
