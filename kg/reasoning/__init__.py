"""OWL RL reasoning: what the graph entails, not only what was typed.

``reference`` is owlrl itself (the reference semantics); ``rules`` gives the
same closure much faster (owlrl on the schema, ``engine``'s rules on the
instances, over triples numbered by ``coded``); ``cache`` keeps results on
disk by content; ``inferred`` is the inferred graph of a set of files.

May import: kg.core.  Works on pyoxigraph quads and triples; knows nothing of
stores, saved queries or the CLI.
"""
