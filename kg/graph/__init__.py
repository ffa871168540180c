"""The graph itself: reading RDF files, the in-memory store with its union view,
the persistent on-disk store, vocabularies loaded beside ours, query results,
and binding values to a query as RDF terms.

``dataset.open_graph()`` is what every command reads.

May import: kg.core, kg.reasoning.
"""
