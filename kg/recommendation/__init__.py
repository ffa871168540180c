"""Which mechanism for my situation: the situation as RDF, the ranking by SPARQL
over the reasoned graph with reasons that cite triples, and its outputs.

May import: kg.core, kg.graph, kg.queries.
"""
