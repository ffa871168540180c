"""Spreadsheets in and out: the ``kg import`` template read from CSV or xlsx, turned
into Turtle and validated; the graph exported in the same template; and the
reader of the seed table as received.

May import: kg.core, kg.graph, kg.queries, kg.quality.
"""
