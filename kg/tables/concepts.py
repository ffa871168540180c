"""The concepts sheet to RDF: categories, tools and requirements a user adds to our schemes.

A practitioner whose webinar is limited by "needs a facilitator" should not
have to file it under "Logistics": the concepts sheet (a worksheet named
``concepts`` in a workbook, or a CSV file given with ``--concepts``) adds a
limitation category, with its labels in French and English, its definition,
its place in the scheme and the requirement it signals, and the mechanisms
sheet can then use it like any bundled one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.core.namespaces import ID, KSM, PREFIXES
from kg.tables.sources import Sources
from kg.tables.template import CONCEPTS, SCHEMES, Cell, column_letter, split
from kg.tables.vocabulary import Vocabulary

_SKOS = PREFIXES["skos"]
_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Concept:
    iri: str
    scheme: str
    values: dict[str, str]
    row: int
    letters: dict[str, str]

    def cell(self, file: str, column: str) -> Cell:
        return Cell(file, self.row, column, self.letters.get(column, "?"))


def parse(path: Path, *, sheet: str | None = None) -> list[Concept]:
    """The concepts of a concepts sheet, checked cell by cell (their links are resolved by :func:`to_triples`)."""
    from kg.tables.mechanisms import read_rows

    header, rows = read_rows(path, sheet=sheet, template=CONCEPTS)
    letters = {name: column_letter(i) for i, name in enumerate(header)}
    name = Path(path).name
    found: dict[str, Concept] = {}
    for number, values in rows:
        def cell(column: str, n: int = number) -> Cell:
            return Cell(name, n, column, letters.get(column, "?"))

        ident = values.get("concept_id", "")
        if not _SLUG.match(ident):
            raise cell("concept_id").error(f"{ident!r} is not a slug (lowercase letters, digits and '-')")
        scheme = values.get("scheme", "")
        if scheme not in SCHEMES:
            raise cell("scheme").error(f"{scheme!r} is not one of {', '.join(SCHEMES)}")
        for column in ("label_fr", "label_en"):
            if not values.get(column):
                raise cell(column).error("empty; a concept is named in French and in English")
        iri = ID + SCHEMES[scheme][1] + ident
        if iri in found:
            raise cell("concept_id").error(f"{ident!r} in {scheme} is given twice (row {found[iri].row})")
        if scheme != "limitation-categories":
            for column in ("signals_requirement", "signals_obstacle"):
                if values.get(column):
                    raise cell(column).error(f"only a limitation category signals a requirement or an obstacle, not a member of {scheme}")
        if values.get("requires") and scheme != "tools":
            raise cell("requires").error("only a tool requires something (requirements of a mechanism go in its requirements column)")
        found[iri] = Concept(iri=iri, scheme=scheme, values=values, row=number, letters=letters)
    return list(found.values())


def register(concepts: list[Concept], vocabulary: Vocabulary) -> None:
    """Make the new concepts findable by their labels, before any link is resolved."""
    for c in concepts:
        vocabulary.add(c.scheme, c.iri, [c.values["label_fr"], c.values["label_en"]])


def to_triples(concepts: list[Concept], path: Path, vocabulary: Vocabulary, sources: Sources) -> tuple[list[ox.Triple], dict[str, int]]:
    """The triples of the concepts (a skos:Concept of its scheme, typed by the scheme's class)."""
    name = Path(path).name
    triples: list[ox.Triple] = []
    rows: dict[str, int] = {}
    add = triples.append
    for c in concepts:
        node = ox.NamedNode(c.iri)
        scheme = ox.NamedNode(PREFIXES["scheme"] + c.scheme)
        rows[c.iri] = c.row
        add(ox.Triple(node, _TYPE, ox.NamedNode(KSM + SCHEMES[c.scheme][0])))
        add(ox.Triple(node, _TYPE, ox.NamedNode(_SKOS + "Concept")))
        add(ox.Triple(node, ox.NamedNode(_SKOS + "inScheme"), scheme))
        broader = c.values.get("broader", "")
        if broader:
            target = vocabulary.resolve(c.scheme, broader, c.cell(name, "broader"), what=f"broader concept in {c.scheme}")
            if target == c.iri:
                raise c.cell(name, "broader").error("a concept is not broader than itself")
            add(ox.Triple(node, ox.NamedNode(_SKOS + "broader"), ox.NamedNode(target)))
        else:
            add(ox.Triple(node, ox.NamedNode(_SKOS + "topConceptOf"), scheme))
        add(ox.Triple(node, ox.NamedNode(_SKOS + "prefLabel"), ox.Literal(c.values["label_fr"], language="fr")))
        add(ox.Triple(node, ox.NamedNode(_SKOS + "prefLabel"), ox.Literal(c.values["label_en"], language="en")))
        for column, lang in (("definition_fr", "fr"), ("definition_en", "en")):
            if c.values.get(column):
                add(ox.Triple(node, ox.NamedNode(_SKOS + "definition"), ox.Literal(c.values[column], language=lang)))
        for column, prop in (("signals_requirement", "signalsRequirement"), ("signals_obstacle", "signalsObstacle")):
            if c.values.get(column):
                target = vocabulary.resolve("requirements", c.values[column], c.cell(name, column), what="requirement")
                add(ox.Triple(node, ox.NamedNode(KSM + prop), ox.NamedNode(target)))
        for token in split(c.values.get("requires", "")):
            target = vocabulary.resolve("requirements", token, c.cell(name, "requires"), what="requirement")
            add(ox.Triple(node, ox.NamedNode(KSM + "requires"), ox.NamedNode(target)))
        if c.values.get("source"):
            for value in split(c.values["source"]):
                add(ox.Triple(node, ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom"), sources.node(value, c.row)))
    return triples, rows
