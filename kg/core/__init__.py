"""The ground every part stands on: errors and their exit codes, whole-or-nothing writes,
namespaces, where the bundled files are, and the bridge from pyoxigraph terms to rdflib.

May import: nothing of kg.  Kept small on purpose: what only one part needs
lives in that part.
"""
