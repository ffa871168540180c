"""Queries that are not saved: a ``.rq`` file or stdin, run like a saved query, never as an update.

``kg query my.rq`` and ``kg query -`` read SPARQL text with the same grlc
header and BASIL parameters as a saved query (both optional), so ``-p``,
``--lang`` and every output format work the same.  They only read: a SPARQL
Update (``INSERT``, ``DELETE``, ``LOAD``, ``DROP``...) is refused, decided
by parsing the text with rdflib's SPARQL Update grammar, not by looking for
keywords.  (The local engine could not apply one anyway: its query entry
point does not parse updates, and the persistent store is opened read-only.)
"""

from __future__ import annotations

from kg.core.errors import UsageError
from kg.queries.catalogue import SavedQuery

SUFFIXES = (".rq", ".sparql")


def names_a_file(name: str) -> bool:
    """Whether ``kg query NAME`` means a file (``-``, a path, a ``.rq`` name) rather than a saved query.

    >>> [names_a_file(n) for n in ("mechanisms-overview", "-", "my.rq", "q/x", "x.sparql")]
    [False, True, True, True, True]
    """
    return name == "-" or "/" in name or name.lower().endswith(SUFFIXES)


def is_update(text: str) -> bool:
    """True when ``text`` is a SPARQL 1.1 Update request (one or more operations), by rdflib's grammar."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parsed = parseUpdate(text)
    except Exception:  # pyparsing's ParseException, or TypeError on a request without operations
        return False
    return bool(getattr(parsed, "request", None))


def refuse_update(query: SavedQuery, *, shown: str) -> None:
    """A UsageError (exit 2) if the query is an update: ``kg query`` reads, it never changes a graph."""
    if is_update(query.text):
        raise UsageError(f"{shown}: this is a SPARQL Update; kg query only reads (refused; `kg load` changes the store)")
