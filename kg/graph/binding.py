"""Binding parameter values to a query as a SPARQL 1.1 ``VALUES`` block.

SPARQL 1.1 has no protocol for parameters, and engines differ in their own
(pyoxigraph's substitutions only replace projected variables).  A ``VALUES``
block at the head of the outermost ``WHERE`` group binds variables to RDF
terms in plain SPARQL 1.1, with the same meaning on every engine: the
filters of that group see the values.  The terms are written by pyoxigraph
(N-Triples syntax, escaped), never taken from the user's text, so a value
cannot add syntax to the query.

Finding the head of the ``WHERE`` group needs only a lexical scan that skips
comments, strings and IRIs; the engine then parses the result for real.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox


def _where_brace(query: str) -> int:
    """Index of the '{' opening the outermost WHERE group (-1 if none)."""
    i, n, depth = 0, len(query), 0
    seen_where = False
    construct_template_pending = False
    word = ""
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end
            word = ""
            continue
        if c in "\"'":
            quote = c * 3 if query.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not query.startswith(quote, j):
                j += 2 if query[j] == "\\" else 1
            i = j + len(quote)
            word = ""
            continue
        if c == "<":  # at any depth: a CONSTRUCT template's IRI may hold a '#'
            end = query.find(">", i)
            if end > 0 and not any(ch in query[i + 1:end] for ch in " \t\n{}\"'"):
                i = end + 1
                word = ""
                continue
        if c.isalpha():
            word += c.upper()
            i += 1
            continue
        if word == "WHERE" and depth == 0:
            seen_where = True
        elif word == "CONSTRUCT" and depth == 0:
            construct_template_pending = True
        word = ""
        if c == "{":
            if depth == 0:
                if construct_template_pending and not seen_where:
                    construct_template_pending = False
                else:
                    return i
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    return -1


def with_values(query: str, bindings: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode]) -> str:
    """The query with a VALUES block binding each variable to its term."""
    if not bindings:
        return query
    brace = _where_brace(query)
    if brace < 0:
        raise ValueError("the query has no WHERE group to bind parameters in")
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    block = f"\n  VALUES ({names}) {{ ({terms}) }}\n"
    return query[: brace + 1] + block + query[brace + 1:]
