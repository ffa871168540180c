"""Binding parameter values to a query as SPARQL 1.1 ``VALUES`` blocks.

SPARQL 1.1 has no protocol for parameters, and engines differ in their own
(pyoxigraph's substitutions only replace projected variables).  A ``VALUES``
block at the head of the outermost ``WHERE`` group binds variables to RDF
terms in plain SPARQL 1.1, with the same meaning on every engine: the
filters of that group, and those of its ``OPTIONAL`` groups, see the values.

Two engine differences shape the blocks:

- Each variable gets a block of its own (``VALUES ?a { ... } VALUES ?b
  { ... }``, the same one-row join as ``VALUES (?a ?b) { (...) }``):
  Virtuoso 7.2's SPARQL compiler fails on a several-variable block whose
  variable also sits in a triple pattern ("SP031: Internal error:
  ssg_print_rvr_fixed_val(): no SPART_VARR_FIXED").
- On request (``into_optionals``), every ``OPTIONAL`` group directly
  inside the ``WHERE`` group that uses a parameter gets the same block at
  its head as well.  The answer is the same (the left side of such an
  OPTIONAL already holds the value, so the join keeps what the left join
  kept), and Virtuoso 7.2 needs it: it evaluates a filter inside an
  OPTIONAL without the values of a VALUES block outside it, so
  ``OPTIONAL { ?m skos:prefLabel ?l FILTER (LANG(?l) = ?__lang) }`` found no
  label there.  It is not the default because it costs the engines that do
  not need it: the repeated variable keeps Oxigraph from looking each label
  up row by row, and it scans them all instead (50-100x slower at 1e5
  triples, measured).  kg.remote.endpoint asks for it where a probe shows
  that an endpoint needs it.  An OPTIONAL whose group is a subquery
  (``OPTIONAL { SELECT ... }``) gets none: nothing may stand beside the
  SELECT there, and its subquery has its own block.

The terms are written by pyoxigraph (N-Triples syntax, escaped), never taken
from the user's text, so a value cannot add syntax to the query.  Finding
the groups needs only a lexical scan that skips comments, strings and IRIs;
the engine then parses the result for real.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pyoxigraph as ox

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _tokens(query: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, index) of the words, variables and braces of a query, outside comments, strings and IRIs."""
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = c * 3 if query.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not query.startswith(quote, j):
                j += 2 if query[j] == "\\" else 1
            i = j + len(quote)
        elif c == "<" and (end := query.find(">", i)) > 0 and not any(ch in query[i + 1:end] for ch in " \t\n{}\"'"):
            i = end + 1  # an IRI (at any depth: a CONSTRUCT template's IRI may hold a '#')
        elif c in "?$" and i + 1 < n and query[i + 1] in _NAME_CHARS:
            j = i + 1
            while j < n and query[j] in _NAME_CHARS:
                j += 1
            yield "var", query[i + 1:j], i
            i = j
        elif c.isalpha():
            j = i
            while j < n and (query[j].isalnum() or query[j] in "_-:"):
                j += 1
            yield "word", query[i:j].upper(), i
            i = j
        else:
            if c in "{}":
                yield c, c, i
            i += 1


class _Group:
    """One ``{ ... }`` group of the query: where it opens and closes, and what it is."""

    __slots__ = ("end", "kind", "start")

    def __init__(self, start: int, end: int, kind: str) -> None:
        self.start, self.end = start, end
        self.kind = kind  # where, optional (directly inside WHERE), branch (of a UNION), subquery (a nested WHERE), other


def _groups(query: str) -> list[_Group]:
    """Every group of the query's WHERE clause (CONSTRUCT templates skipped), outermost first."""
    depth = 0
    seen_where = construct_template_pending = False
    in_template = False
    previous = ""
    opened: list[tuple[int, str, int]] = []  # (index of '{', the word before it, depth) of each open group
    closed: list[tuple[int, int, str, int]] = []
    last_closed: int | None = None  # position in ``closed`` of the group that just closed, to see a UNION after it
    union_after: set[int] = set()
    for kind, text, index in _tokens(query):
        if kind == "word":
            if depth == 0 and text == "WHERE":
                seen_where = True
            elif depth == 0 and text == "CONSTRUCT":
                construct_template_pending = True
            elif text == "UNION" and last_closed is not None:
                union_after.add(last_closed)
        elif kind == "{":
            if depth == 0 and construct_template_pending and not seen_where:
                construct_template_pending = False
                in_template = True
            opened.append((index, previous, depth))
            depth += 1
        elif kind == "}":
            depth -= 1
            if opened:
                start, before, level = opened.pop()
                if in_template and level == 0:
                    in_template = False
                elif not in_template:
                    closed.append((start, index, before, level))
                    last_closed = len(closed) - 1
                    previous = ""
                    continue
        previous = text if kind == "word" else ""
        if kind != "}":
            last_closed = None
    groups = []
    where_seen = False
    for position, (start, end, before, level) in enumerate(closed):
        if level == 0:
            if where_seen:
                continue  # a second top-level group (none in SPARQL 1.1 queries)
            where_seen, kind = True, "where"
        elif before == "UNION" or position in union_after:
            kind = "branch"
        elif before == "WHERE":
            kind = "subquery"
        elif before == "OPTIONAL" and level == 1:
            kind = "optional"
        else:
            kind = "other"
        groups.append(_Group(start, end, kind))
    return sorted(groups, key=lambda g: g.start)


def _variables(query: str, start: int, end: int, *, skip: list[_Group] | None = None) -> set[str]:
    """The variables named between ``start`` and ``end``, but not inside the groups of ``skip``."""
    holes = [(g.start, g.end) for g in skip or ()]
    return {text for kind, text, index in _tokens(query[start:end]) if kind == "var"
            and not any(a < start + index < b for a, b in holes)}


def _is_subquery(query: str, group: _Group) -> bool:
    """Whether the group is ``{ SELECT ... }``, a subquery and nothing else."""
    first = next(_tokens(query[group.start + 1:group.end]), None)
    return first is not None and first[:2] == ("word", "SELECT")


def with_values(query: str, bindings: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode], *, into_optionals: bool = False) -> str:
    """The query with one-variable VALUES blocks binding each variable to its term.

    The blocks go at the head of the WHERE group, and of each UNION branch and
    subquery that uses the variable (see the module docstring).

    >>> text = "SELECT ?s ?l WHERE { ?s ?p ?o OPTIONAL { ?s ?q ?l FILTER (LANG(?l) = ?lang) } }"
    >>> print(with_values(text, {"lang": ox.Literal("fr")}))
    SELECT ?s ?l WHERE {
      VALUES ?lang { "fr" }
     ?s ?p ?o OPTIONAL { ?s ?q ?l FILTER (LANG(?l) = ?lang) } }
    >>> print(with_values(text, {"lang": ox.Literal("fr")}, into_optionals=True))
    SELECT ?s ?l WHERE {
      VALUES ?lang { "fr" }
     ?s ?p ?o OPTIONAL { VALUES ?lang { "fr" } ?s ?q ?l FILTER (LANG(?l) = ?lang) } }
    >>> print(with_values("SELECT * WHERE { ?m a ?c { ?m ?p ?o } UNION { ?x ?p ?m } }", {"m": ox.NamedNode("http://e/m")}))
    SELECT * WHERE {
      VALUES ?m { <http://e/m> }
     ?m a ?c { VALUES ?m { <http://e/m> } ?m ?p ?o } UNION { VALUES ?m { <http://e/m> } ?x ?p ?m } }
    >>> print(with_values("SELECT * WHERE { { ?m ?p ?o } UNION { ?n ?p ?o } }", {"m": ox.NamedNode("http://e/m")}))
    SELECT * WHERE { { VALUES ?m { <http://e/m> } ?m ?p ?o } UNION { ?n ?p ?o } }
    """
    if not bindings:
        return query
    groups = _groups(query)
    where = next((g for g in groups if g.kind == "where"), None)
    if where is None:
        raise ValueError("the query has no WHERE group to bind parameters in")
    scopes = [where] + [g for g in groups if g.kind in ("branch", "subquery")]
    inserts = []
    for group in scopes:
        inner = [g for g in scopes if group.start < g.start and g.end < group.end]
        nested = [g for g in inner if not any(o.start < g.start and g.end < o.end for o in inner)]
        direct = _variables(query, group.start, group.end, skip=nested)
        below = set().union(*(_variables(query, g.start, g.end) for g in nested)) if group is where else set()
        # A block where the group uses the variable itself, not only in its own
        # branches and subqueries (which get theirs): Virtuoso 7.2 answers
        # nothing where the blocks of two parameters stand at the head of a
        # group and each is used in another branch of a UNION inside it.  The
        # WHERE group binds every variable that no branch or subquery uses.
        names = [name for name in bindings if name in direct
                 or (group is where and name not in below)]
        if names and group is where:
            inserts.append((group.start, "".join(f"\n  VALUES ?{name} {{ {bindings[name]} }}" for name in names) + "\n"))
        elif names:
            inserts.append((group.start, " " + " ".join(f"VALUES ?{name} {{ {bindings[name]} }}" for name in names)))
    for group in groups if into_optionals else []:
        if group.kind == "optional" and not _is_subquery(query, group):
            used = _variables(query, group.start, group.end)
            blocks = " ".join(f"VALUES ?{name} {{ {term} }}" for name, term in bindings.items() if name in used)
            if blocks:
                inserts.append((group.start, f" {blocks}"))
    for index, text in sorted(inserts, reverse=True):
        query = query[: index + 1] + text + query[index + 1:]
    return query
