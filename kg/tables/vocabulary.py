"""Finding a concept of our schemes from what a spreadsheet cell says: CURIE, IRI or label.

The concepts are read from the graph the import joins (bundled schemes plus
whatever earlier imports added) and from the import's own concepts sheet,
so a category a user adds in one file can be used by the next file, or by
the rows of the same one.
"""

from __future__ import annotations

import difflib

import pyoxigraph as ox

from kg.core.namespaces import PREFIXES, expand_curie, shorten
from kg.graph.store import KnowledgeGraph
from kg.tables.template import Cell

_MEMBERS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?concept ?scheme ?label WHERE {
  ?concept skos:inScheme ?scheme .
  FILTER (STRSTARTS(STR(?scheme), STR(?base)))
  OPTIONAL { ?concept skos:prefLabel|skos:altLabel|skos:notation ?label }
}
"""


def key(text: str) -> str:
    """Case- and space-blind form of a name, with typographic apostrophes made straight."""
    return " ".join(text.casefold().replace("’", "'").split())


class Vocabulary:
    """The members of each of our schemes, by every name a cell may use."""

    def __init__(self) -> None:
        self.by_scheme: dict[str, dict[str, str]] = {}

    @classmethod
    def of(cls, graph: KnowledgeGraph) -> Vocabulary:
        found = cls()
        base = ox.Literal(PREFIXES["scheme"])
        for row in graph.select(_MEMBERS, {"base": base}).rows:
            scheme = row["scheme"].value[len(PREFIXES["scheme"]):]  # type: ignore[union-attr]
            label = row.get("label")
            found.add(scheme, row["concept"].value, [label.value] if label is not None else [])  # type: ignore[union-attr]
        return found

    def add(self, scheme: str, iri: str, labels: list[str]) -> None:
        names = self.by_scheme.setdefault(scheme, {})
        names[key(iri)] = iri
        names[key(shorten(iri))] = iri
        for label in labels:
            names.setdefault(key(label), iri)

    def has(self, scheme: str, iri: str) -> bool:
        return iri in self.by_scheme.get(scheme, {}).values()

    def resolve(self, scheme: str, token: str, cell: Cell, *, what: str | None = None) -> str:
        names = self.by_scheme.get(scheme, {})
        found = names.get(key(token))
        if found is None:
            expanded = expand_curie(token.strip())
            found = names.get(key(expanded)) if expanded else None
        if found is None:
            known = sorted({shorten(i) for i in names.values()})
            close = difflib.get_close_matches(key(token), list(names), n=1, cutoff=0.6)
            hint = f"; did you mean {shorten(names[close[0]])}?" if close else f" (known: {', '.join(known)})"
            label = what or scheme
            raise cell.error(f"unknown {label} {token.strip()!r}{hint}; a new one goes in the concepts sheet")
        return found
