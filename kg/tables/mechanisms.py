"""Spreadsheet (CSV or xlsx) to Turtle: mechanisms and their statements from a table.

Practitioners keep such tables in spreadsheets; like ROBOT's ``template``
command, a documented column template turns into Turtle that conforms to
our ontology, checked with the SHACL shapes before anything is written.

The column template (a UTF-8 CSV file, comma- or semicolon-separated, or
the first worksheet of an ``.xlsx`` workbook, or the one ``--sheet`` names;
a header row with these names, in any order; one row per statement):

=================  ========  ===============================================
column             required  meaning
=================  ========  ===============================================
``mechanism_fr``   yes       French name of the mechanism (its skos:prefLabel)
``mechanism_id``   no        IRI slug: ``mech:<id>``; default: slug of the
                             French name (``Webinaire`` -> ``mech:webinaire``)
``mechanism_en``   no        English name
``description_fr`` no        "De quoi s'agit-il", in French
``description_en`` no        the same in English
``kind``           yes       objective, benefit, limitation or success-factor
                             (or objectif, avantage, limite, facteur de
                             succès); empty on a row that only describes the
                             mechanism
``position``       no        rank of the statement in its cell (1, 2, ...);
                             default: the order of the rows
``text_fr``        yes       the statement, in French (may be empty on a
                             mechanism-only row)
``text_en``        no        the statement in English
``categories``     no        categories of the statement, separated by
                             ``;``, each a CURIE (``limcat:language``) or a
                             label in French or English (``Langue de
                             travail``), from the scheme of its kind
``source``         no        IRI or CURIE the mechanism and its statements
                             derive from (prov:wasDerivedFrom)
=================  ========  ===============================================

Mechanism columns may be repeated on every row of a mechanism or given
once; two different values are an error.  IRIs are stable: the mechanism
is ``mech:<id>`` and a statement ``stmt:<id>-<kind>-<position>``, so
importing the same file twice gives the same triples.  Errors name the
row (as a spreadsheet shows it, the header being row 1) and the column,
by name and letter.  The file type comes from the extension (``.csv``,
``.xlsx``); another extension is a usage error.

In a CSV file, a cell that starts like a formula (``=``, ``+``, ``-``,
``@``) is refused (CSV injection); start it with an apostrophe to mean the
text itself.  In a workbook the cells are typed (kg.tables.workbook): a text cell
is its text, whatever its first character; a formula cell is refused
(paste the values instead); a number becomes its digits (``position``
may be a number); a date, TRUE/FALSE or error cell is refused.
``data/seed-table.csv`` is the seed table in this template; ``kg export
--format csv`` (or ``xlsx``) writes the graph in it (kg.tables.export).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core import resources
from kg.core.errors import InputError, UsageError
from kg.core.namespaces import KSM, PREFIXES, expand_curie, shorten
from kg.tables import csvfile, workbook
from kg.tables.template import KIND_ALIASES, KINDS, MECHANISM_COLUMNS, SUFFIXES, Cell, column_letter, slug

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_PREF = ox.NamedNode(_SKOS + "prefLabel")
_IN_SCHEME = ox.NamedNode(_SKOS + "inScheme")
_TOP = ox.NamedNode(_SKOS + "topConceptOf")
_DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")
_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Mechanism:
    slug: str
    name_fr: str
    row: int
    values: dict[str, tuple[str, int]] = field(default_factory=dict)  # column -> (value, row)
    statements: list[tuple[str, int, str, str, list[str], int]] = field(default_factory=list)  # kind, pos, fr, en, cats, row


def read_rows(path: Path, *, sheet: str | None = None) -> tuple[list[str], Iterable[tuple[int, dict[str, str]]]]:
    """The header and the rows (numbered as a spreadsheet shows them) of a table, chosen by its extension.

    Every value is already the cell's text: a CSV cell that starts like a
    formula is refused here, an xlsx cell by its type (kg.tables.workbook).
    """
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(f"{path}: unknown spreadsheet type {suffix or '(no extension)'!r}; `kg import` reads {' and '.join(SUFFIXES)} files")
    if suffix == ".xlsx":
        return workbook.read_rows(Path(path), sheet=sheet)
    if sheet is not None:
        raise UsageError(f"--sheet {sheet!r}: only an .xlsx workbook has sheets, and {Path(path).name} is a CSV file")
    return csvfile.read_rows(Path(path))


class Categories:
    """The categories of each scheme, found by CURIE, IRI or French/English label."""

    def __init__(self) -> None:
        store = ox.Store()
        store.extend(ox.parse(path=str(resources.root() / "ontology" / "concepts.ttl"), format=ox.RdfFormat.TURTLE))
        self.by_scheme: dict[str, dict[str, str]] = {}
        for quad in store.quads_for_pattern(None, _IN_SCHEME, None):
            scheme = quad.object.value.rsplit("/", 1)[-1]  # type: ignore[union-attr]
            iri = quad.subject.value  # type: ignore[union-attr]
            names = self.by_scheme.setdefault(scheme, {})
            names[_key(iri)] = iri
            names[_key(shorten(iri))] = iri
            for label in store.quads_for_pattern(quad.subject, _PREF, None):
                names[_key(label.object.value)] = iri  # type: ignore[union-attr]

    def resolve(self, scheme: str, token: str, cell: Cell) -> str:
        names = self.by_scheme.get(scheme, {})
        found = names.get(_key(token))
        if found is None:
            expanded = expand_curie(token.strip())
            found = names.get(_key(expanded)) if expanded else None
        if found is None:
            import difflib

            known = sorted({shorten(i) for i in names.values()})
            close = difflib.get_close_matches(_key(token), list(names), n=1, cutoff=0.6)
            hint = f"; did you mean {shorten(names[close[0]])}?" if close else f" (known: {', '.join(known)})"
            raise cell.error(f"unknown {scheme.replace('-categories', '')} category {token.strip()!r}{hint}")
        return found


def _key(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split())


def parse(path: Path, *, sheet: str | None = None) -> list[Mechanism]:
    """The mechanisms of a spreadsheet (CSV, or a worksheet of an xlsx workbook) in the template, checked cell by cell."""
    header, rows = read_rows(path, sheet=sheet)
    letters = {name: column_letter(i) for i, name in enumerate(header)}
    name = Path(path).name
    categories = Categories()
    mechanisms: dict[str, Mechanism] = {}
    seen_rows = 0
    for number, row in rows:
        seen_rows += 1

        def cell(column: str, n: int = number) -> Cell:
            return Cell(name, n, column, letters.get(column, "?"))

        values = row
        name_fr = values.get("mechanism_fr", "")
        if not name_fr:
            raise cell("mechanism_fr").error("empty; every row names its mechanism in French")
        ident = values.get("mechanism_id", "") or slug(name_fr)
        if not _SLUG.match(ident):
            raise cell("mechanism_id").error(f"{ident!r} is not a slug (lowercase letters, digits and '-')")
        mechanism = mechanisms.setdefault(ident, Mechanism(ident, name_fr, number))
        if mechanism.name_fr != name_fr:
            raise cell("mechanism_fr").error(f"{name_fr!r} differs from {mechanism.name_fr!r} (row {mechanism.row}) for mech:{ident}")
        for column in MECHANISM_COLUMNS:
            value = values.get(column, "")
            if not value:
                continue
            previous = mechanism.values.setdefault(column, (value, number))
            if previous[0] != value:
                raise cell(column).error(f"differs from row {previous[1]} for the same mechanism")
        kind_text = values.get("kind", "").lower()
        if not kind_text:
            if values.get("text_fr") or values.get("text_en") or values.get("categories"):
                raise cell("kind").error("empty, but the row has a statement (objective, benefit, limitation or success-factor)")
            continue
        kind = KIND_ALIASES.get(kind_text, kind_text)
        if kind not in KINDS:
            raise cell("kind").error(f"{kind_text!r} is not one of {', '.join(KINDS)}")
        text_fr = values.get("text_fr", "")
        if not text_fr:
            raise cell("text_fr").error("empty; a statement needs its French text")
        taken = [s[1] for s in mechanism.statements if s[0] == kind]
        position_text = values.get("position", "")
        if position_text:
            if not re.fullmatch(r"[1-9]\d{0,5}", position_text):
                raise cell("position").error(f"{position_text!r} is not a whole number from 1")
            position = int(position_text)
        else:
            position = max(taken, default=0) + 1
        if position in taken:
            raise cell("position").error(f"{kind} {position} of mech:{ident} is given twice")
        scheme = KINDS[kind][2]
        cats: list[str] = []
        for token in (t for t in values.get("categories", "").split(";") if t.strip()):
            if scheme is None:
                raise cell("categories").error(f"a {kind} has no category")
            iri = categories.resolve(scheme, token, cell("categories"))
            if iri not in cats:
                cats.append(iri)
        mechanism.statements.append((kind, position, text_fr, values.get("text_en", ""), cats, number))
    if not seen_rows:
        raise InputError(f"{path}: no rows under the header; nothing to import")
    return list(mechanisms.values())


def _source(mechanism: Mechanism, path: Path) -> ox.NamedNode | None:
    value, row = mechanism.values.get("source", ("", 0))
    if not value:
        return None
    iri = expand_curie(value) or (value if re.match(r"^https?://\S+$", value) else None)
    try:
        return ox.NamedNode(iri or "")
    except ValueError:
        raise InputError(f"{Path(path).name}: row {row}, column source: {value!r} is not a valid IRI or a known CURIE") from None


def to_triples(mechanisms: list[Mechanism], path: Path) -> tuple[list[ox.Triple], dict[str, int]]:
    """The triples of the mechanisms, in a stable order, and the row each subject came from."""
    mech, stmt, ksm = PREFIXES["mech"], PREFIXES["stmt"], KSM
    scheme = ox.NamedNode(PREFIXES["scheme"] + "mechanisms")
    triples: list[ox.Triple] = []
    rows: dict[str, int] = {}
    for m in mechanisms:
        node = ox.NamedNode(mech + m.slug)
        rows[node.value] = m.row
        source = _source(m, path)
        add = triples.append
        add(ox.Triple(node, _RDF_TYPE, ox.NamedNode(ksm + "Mechanism")))
        add(ox.Triple(node, _IN_SCHEME, scheme))
        add(ox.Triple(node, _TOP, scheme))
        add(ox.Triple(node, _PREF, ox.Literal(m.name_fr, language="fr")))
        if "mechanism_en" in m.values:
            add(ox.Triple(node, _PREF, ox.Literal(m.values["mechanism_en"][0], language="en")))
        for column, lang in (("description_fr", "fr"), ("description_en", "en")):
            if column in m.values:
                add(ox.Triple(node, _DESCRIPTION, ox.Literal(m.values[column][0], language=lang)))
        ordered = sorted(m.statements, key=lambda s: (list(KINDS).index(s[0]), s[1]))
        for kind, position, _, _, _, _ in ordered:
            add(ox.Triple(node, ox.NamedNode(ksm + KINDS[kind][1]), ox.NamedNode(f"{stmt}{m.slug}-{kind}-{position}")))
        if source is not None:
            add(ox.Triple(node, _DERIVED, source))
        for kind, position, text_fr, text_en, cats, row in ordered:
            s = ox.NamedNode(f"{stmt}{m.slug}-{kind}-{position}")
            rows[s.value] = row
            add(ox.Triple(s, _RDF_TYPE, ox.NamedNode(ksm + KINDS[kind][0])))
            add(ox.Triple(s, _RDFS_LABEL, ox.Literal(text_fr, language="fr")))
            if text_en:
                add(ox.Triple(s, _RDFS_LABEL, ox.Literal(text_en, language="en")))
            add(ox.Triple(s, ox.NamedNode(ksm + "position"), ox.Literal(str(position), datatype=_INTEGER)))
            for category in cats:
                add(ox.Triple(s, ox.NamedNode(ksm + "hasCategory"), ox.NamedNode(category)))
            if source is not None:
                add(ox.Triple(s, _DERIVED, source))
    return triples, rows


def to_turtle(triples: list[ox.Triple], source_name: str) -> bytes:
    """Turtle with our prefixes and a header naming the spreadsheet (no date: re-import is byte-identical)."""
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used_prefixes(triples)) or b""
    head = f"# Imported by `kg import` from {source_name} (template: kg/tables/template.py).\n\n".encode()
    return head + body


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """Our prefixes that some IRI of the triples uses, sorted, so the Turtle declares no more."""
    iris = {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object) if isinstance(t, ox.NamedNode)}
    iris |= {t.datatype.value for triple in triples for t in (triple.object,) if isinstance(t, ox.Literal)}
    return {p: ns for p, ns in sorted(PREFIXES.items()) if any(i.startswith(ns) for i in iris)}
