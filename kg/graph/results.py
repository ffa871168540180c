"""Query results and their formats.

Every answer, local or remote, becomes W3C SPARQL results (JSON) or a list
of triples first; the other formats are written by pyoxigraph's own
serializers from that, so a CSV from the embedded store and one from a
remote endpoint are made the same way.  Only the human table is ours.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.core.errors import UsageError
from kg.core.namespaces import PREFIXES, shorten

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

TABULAR_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
FORMATS = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")


class QueryResult:
    """A SELECT/ASK answer (variables, rows, boolean) or a CONSTRUCT/DESCRIBE one (triples).

    A plain class, not a dataclass: ``kg query`` must not pay for importing
    dataclasses (and inspect with it) at every start.
    """

    __slots__ = ("boolean", "json", "kind", "rows", "triples", "variables")

    def __init__(self, kind: str, variables: list[str] | None = None, rows: list[dict[str, Term]] | None = None,
                 boolean: bool | None = None, triples: list[ox.Triple] | None = None, json: bytes = b"") -> None:
        self.kind = kind  # "select", "ask" or "graph"
        self.variables: list[str] = variables if variables is not None else []
        self.rows: list[dict[str, Term]] = rows if rows is not None else []
        self.boolean = boolean
        self.triples: list[ox.Triple] = triples if triples is not None else []
        self.json = json

    def _fields(self) -> tuple[object, ...]:
        return (self.kind, self.variables, self.rows, self.boolean, self.triples, self.json)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QueryResult) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"QueryResult(kind={self.kind!r}, variables={self.variables!r}, rows=<{len(self.rows)}>, "
                f"boolean={self.boolean!r}, triples=<{len(self.triples)}>)")

    @classmethod
    def from_oxigraph(cls, answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> QueryResult:
        if isinstance(answer, ox.QueryTriples):
            return cls(kind="graph", triples=list(answer))
        return cls.from_json(answer.serialize(format=ox.QueryResultsFormat.JSON) or b"")

    @classmethod
    def from_json(cls, payload: bytes) -> QueryResult:
        """From W3C SPARQL results JSON (what every endpoint can answer)."""
        parsed = ox.parse_query_results(payload, ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            return cls(kind="ask", boolean=bool(parsed), json=payload)
        variables = [v.value for v in parsed.variables]
        rows = []
        for solution in parsed:
            row = {}
            for name in variables:
                value = solution[name]
                if value is not None:
                    row[name] = value
            rows.append(row)
        return cls(kind="select", variables=variables, rows=rows, json=payload)

    def column(self, name: str) -> list[str]:
        """The values of one column as strings (IRIs and literals alike), for tests and scripts."""
        return [row[name].value if name in row else "" for row in self.rows]  # type: ignore[union-attr]

    def serialize(self, fmt: str) -> bytes:
        """The answer in a named format; the table is plain text for people."""
        if fmt == "table":
            return render_table(self).encode("utf-8")
        if self.kind == "graph":
            if fmt not in GRAPH_FORMATS:
                raise UsageError(f"--format {fmt}: a CONSTRUCT/DESCRIBE answer is written as one of {', '.join(GRAPH_FORMATS)} or table")
            kwargs: dict[str, object] = {"prefixes": PREFIXES} if fmt == "ttl" else {}
            return ox.serialize(self.triples, format=GRAPH_FORMATS[fmt], **kwargs) or b""  # type: ignore[arg-type]
        if fmt not in TABULAR_FORMATS:
            raise UsageError(f"--format {fmt}: a SELECT/ASK answer is written as one of table, {', '.join(TABULAR_FORMATS)}")
        if fmt == "json":
            return self.json
        parsed = ox.parse_query_results(self.json, ox.QueryResultsFormat.JSON)
        return parsed.serialize(format=TABULAR_FORMATS[fmt]) or b""


def display(term: Term | None) -> str:
    """A term as a person reads it: literal text, or the CURIE of an IRI."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    return str(term)


def _terminal_columns(fallback: int = 120) -> int:
    """The width to fit, as shutil.get_terminal_size reads it ($COLUMNS, else the terminal, else ``fallback``).

    Not shutil's own: importing shutil (with bz2 and lzma) costs every
    ``kg query`` some 3 ms, for the two calls below.
    """
    import os
    import sys

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else fallback


def render_table(result: QueryResult, width: int | None = None) -> str:
    """A plain-text table that wraps long cells to fit the terminal."""
    if result.kind == "ask":
        return ("yes" if result.boolean else "no") + "\n"
    if result.kind == "graph":
        lines = [" ".join(display(t) for t in (tr.subject, tr.predicate, tr.object)) for tr in result.triples]
        return "\n".join(lines) + ("\n" if lines else "(no triples)\n")
    import textwrap

    columns = result.variables
    if not result.rows:
        return "(no results)\n"
    cells = [[display(row.get(c)) for c in columns] for row in result.rows]
    total = width or _terminal_columns()
    natural = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    budget = max(total - 3 * (len(columns) - 1), 20)
    widths = list(natural)
    while sum(widths) > budget and max(widths) > 12:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    def fmt_row(values: list[str]) -> list[str]:
        wrapped = [textwrap.wrap(v, w) or [""] for v, w in zip(values, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        return [" | ".join(w[i].ljust(widths[j]) if i < len(w) else " " * widths[j] for j, w in enumerate(wrapped)).rstrip() for i in range(height)]
    out = fmt_row(columns)
    out.append("-+-".join("-" * w for w in widths))
    for row in cells:
        out.extend(fmt_row(row))
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"
