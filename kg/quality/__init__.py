"""Is the data right? SHACL shapes (pyshacl) and quality-check queries that must
return no rows, with reports in French and English.

May import: kg.core, kg.reasoning, kg.graph, kg.queries.
"""
