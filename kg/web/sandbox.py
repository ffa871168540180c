"""What a stranger's query can reach: nothing but the loaded dataset.

pyoxigraph evaluates ``SERVICE <url>`` by fetching the URL, and has no
option to turn that off.  Two guards, each enough on its own:

- ``isolate_network()``: a query worker moves itself into a new, empty
  network namespace (Linux ``unshare``, no privilege needed where user
  namespaces are allowed) before it loads any data, so no socket it opens
  can reach any host, loopback included.  Files stay readable, but a
  read-only query has no way to name a file: ``LOAD`` is an update (refused),
  and ``FROM <file:…>`` names a graph of the dataset, not a file.
- ``federated(query)``: whether rdflib's SPARQL parser finds a ``SERVICE``
  in the query's parse tree.  The worker asks it to explain a failed query
  (400 "SERVICE is not allowed"), and before every query when the namespace
  could not be made; then a query rdflib cannot parse is refused too, since
  the two parsers differ (rdflib rejects
  ``{ OPTIONAL { ?x ex:a\\# ?y } SERVICE <…> {…} }``, which pyoxigraph runs).
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable
from typing import Any

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def isolate_network() -> bool:
    """Move this (single-threaded) process into a network namespace of its own; whether it worked."""
    if not os.path.exists("/proc/self/ns/net"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0)


def federated(query: str) -> bool | None:
    """Whether the parsed query calls a SERVICE; None when rdflib cannot parse it.

    >>> federated('SELECT * WHERE { ?x ?y ?z SERVICE <http://h/> { ?s ?p ?o } }')
    True
    >>> federated('SELECT * WHERE { ?s ?p "SERVICE <http://h/>" } # SERVICE <http://h/>')
    False
    >>> federated('SELECT * WHERE {') is None
    True
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(query)
    except (ParseException, ValueError, TypeError, RecursionError):
        return None
    return _has_service(tree)


def _has_service(node: Any) -> bool:
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if getattr(item, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, Iterable) and not isinstance(item, str | bytes):
            stack.extend(item)
    return False
