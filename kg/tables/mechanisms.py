"""The mechanisms sheet to RDF: mechanisms, their statements and features, with the source of each.

Practitioners keep such tables in spreadsheets; like ROBOT's ``template``
command, a documented column template (kg.tables.template, ``kg import
--help``) turns into Turtle that conforms to our ontology.

Mechanism columns may be repeated on every row of a mechanism or given
once; two different values are an error.  IRIs are stable: the mechanism is
``mech:<id>`` and a statement ``stmt:<id>-<kind>-<position>``, so importing
the same file twice gives the same triples.  Each statement carries its own
source (``prov:wasDerivedFrom`` and ``dcterms:source``): an IRI as given, or
a citation in words, which becomes a ``src:cite-<hash>`` resource with its
``dcterms:bibliographicCitation``; a row without a source takes its
mechanism's (given on its row without a kind, else on its first row), and
the mechanism derives from every source of its rows.

In a CSV file, a cell that starts like a formula (``=``, ``+``, ``-``,
``@``) is refused (CSV injection); start it with an apostrophe to mean the
text itself.  In a workbook the cells are typed (kg.tables.workbook).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core.errors import InputError, UsageError
from kg.core.namespaces import KSM, PREFIXES, expand_curie
from kg.tables import csvfile, workbook
from kg.tables.sources import IRI as _IRI
from kg.tables.sources import Sources
from kg.tables.template import (
    FEATURE_COLUMNS,
    KIND_ALIASES,
    KINDS,
    MATCH_COLUMNS,
    MECHANISM_COLUMNS,
    MECHANISMS,
    MODES,
    SUFFIXES,
    Cell,
    Sheet,
    column_letter,
    slug,
    split,
)
from kg.tables.vocabulary import Vocabulary

_SKOS = PREFIXES["skos"]
_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_RDFS_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
_PREF = ox.NamedNode(_SKOS + "prefLabel")
_IN_SCHEME = ox.NamedNode(_SKOS + "inScheme")
_TOP = ox.NamedNode(_SKOS + "topConceptOf")
_DESCRIPTION = ox.NamedNode(PREFIXES["dcterms"] + "description")
_DERIVED = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")
_TRANSLATOR = ox.NamedNode(PREFIXES["schema"] + "translator")
_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_SIZE = re.compile(r"^\s*(\d{1,6})\s*(?:(-)\s*(\d{1,6})?)?\s*$")


@dataclass
class Statement:
    kind: str
    position: int
    text_fr: str
    text_en: str
    categories: list[str]
    sources: list[str]  # as written; resolved by to_triples
    source_language: str
    translated_by: str
    row: int


@dataclass
class Mechanism:
    slug: str
    name_fr: str
    row: int
    values: dict[str, tuple[str, int]] = field(default_factory=dict)  # column -> (value, row)
    statements: list[Statement] = field(default_factory=list)
    own_sources: list[tuple[str, int]] = field(default_factory=list)  # sources of its rows without a kind
    first_sources: list[tuple[str, int]] = field(default_factory=list)  # sources of its first row with one
    letters: dict[str, str] = field(default_factory=dict)  # column -> spreadsheet letter, for messages


def read_rows(path: Path, *, sheet: str | None = None, template: Sheet = MECHANISMS) -> tuple[list[str], Iterable[tuple[int, dict[str, str]]]]:
    """The header and the rows (numbered as a spreadsheet shows them) of a table, chosen by its extension.

    Every value is already the cell's text: a CSV cell that starts like a
    formula is refused here, an xlsx cell by its type (kg.tables.workbook).
    """
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(f"{path}: unknown spreadsheet type {suffix or '(no extension)'!r}; `kg import` reads {' and '.join(SUFFIXES)} files")
    if suffix == ".xlsx":
        return workbook.read_rows(Path(path), sheet=sheet, template=template)
    if sheet is not None:
        raise UsageError(f"--sheet {sheet!r}: only an .xlsx workbook has sheets, and {Path(path).name} is a CSV file")
    return csvfile.read_rows(Path(path), template=template)


def parse(path: Path, *, sheet: str | None = None) -> list[Mechanism]:
    """The mechanisms of a spreadsheet (CSV, or a worksheet of an xlsx workbook) in the template, checked cell by cell.

    Categories and features stay as written here; :func:`to_triples` resolves
    them against the graph the import joins.
    """
    header, rows = read_rows(path, sheet=sheet)
    letters = {name: column_letter(i) for i, name in enumerate(header)}
    name = Path(path).name
    mechanisms: dict[str, Mechanism] = {}
    seen_rows = 0
    for number, values in rows:
        seen_rows += 1

        def cell(column: str, n: int = number) -> Cell:
            return Cell(name, n, column, letters.get(column, "?"))

        name_fr = values.get("mechanism_fr", "")
        if not name_fr:
            raise cell("mechanism_fr").error("empty; every row names its mechanism in French")
        ident = values.get("mechanism_id", "") or slug(name_fr)
        if not _SLUG.match(ident):
            raise cell("mechanism_id").error(f"{ident!r} is not a slug (lowercase letters, digits and '-')")
        mechanism = mechanisms.setdefault(ident, Mechanism(ident, name_fr, number, letters=letters))
        if mechanism.name_fr != name_fr:
            raise cell("mechanism_fr").error(f"{name_fr!r} differs from {mechanism.name_fr!r} (row {mechanism.row}) for mech:{ident}")
        for column in MECHANISM_COLUMNS:
            value = values.get(column, "")
            if not value:
                continue
            previous = mechanism.values.setdefault(column, (value, number))
            if previous[0] != value:
                raise cell(column).error(f"differs from row {previous[1]} for the same mechanism")
        sources = split(values.get("source", ""))
        kind_text = values.get("kind", "").lower()
        if sources and not mechanism.first_sources:
            mechanism.first_sources = [(s, number) for s in sources]
        if not kind_text:
            for column in ("text_fr", "text_en", "categories", "position", "source_language", "translated_by"):
                if values.get(column):
                    raise cell("kind").error(f"empty, but the row has a statement's {column} (give objective, benefit, limitation or success-factor)")
            mechanism.own_sources.extend((s, number) for s in sources)
            continue
        kind = KIND_ALIASES.get(kind_text, kind_text)
        if kind not in KINDS:
            raise cell("kind").error(f"{kind_text!r} is not one of {', '.join(KINDS)}")
        text_fr = values.get("text_fr", "")
        if not text_fr:
            raise cell("text_fr").error("empty; a statement needs its French text")
        taken = [s.position for s in mechanism.statements if s.kind == kind]
        position_text = values.get("position", "")
        if position_text:
            if not re.fullmatch(r"[1-9]\d{0,5}", position_text):
                raise cell("position").error(f"{position_text!r} is not a whole number from 1")
            position = int(position_text)
        else:
            position = max(taken, default=0) + 1
        if position in taken:
            raise cell("position").error(f"{kind} {position} of mech:{ident} is given twice")
        categories = split(values.get("categories", ""))
        if categories and KINDS[kind][2] is None:
            raise cell("categories").error(f"a {kind} has no category")
        language = values.get("source_language", "").lower()
        if language and language not in ("fr", "en"):
            raise cell("source_language").error(f"{language!r}: give fr or en, the language the source is written in")
        mechanism.statements.append(Statement(
            kind=kind, position=position, text_fr=text_fr, text_en=values.get("text_en", ""), categories=categories,
            sources=sources, source_language=language, translated_by=values.get("translated_by", ""), row=number,
        ))
    if not seen_rows:
        raise InputError(f"{path}: no rows under the header; nothing to import")
    return list(mechanisms.values())


def _size(value: str, cell: Cell) -> tuple[int, int | None]:
    found = _SIZE.match(value)
    if found is None:
        raise cell.error(f"{value!r} is not a group size: give N, N-M or N- (at least N)")
    low = int(found.group(1))
    high = int(found.group(3)) if found.group(3) else (None if found.group(2) else low)
    if low < 1 or (high is not None and high < low):
        raise cell.error(f"{value!r}: the size must be at least 1 and the maximum not below the minimum")
    return low, high


def to_triples(mechanisms: list[Mechanism], path: Path, vocabulary: Vocabulary) -> tuple[list[ox.Triple], dict[str, int]]:
    """The triples of the mechanisms, in a stable order, and the row each subject came from."""
    mech, stmt, ksm = PREFIXES["mech"], PREFIXES["stmt"], KSM
    scheme = ox.NamedNode(PREFIXES["scheme"] + "mechanisms")
    name = Path(path).name
    sources = Sources(name)
    triples: list[ox.Triple] = []
    rows: dict[str, int] = {}
    add = triples.append
    for m in mechanisms:
        node = ox.NamedNode(mech + m.slug)
        rows[node.value] = m.row

        def cell(column: str, mechanism: Mechanism = m) -> Cell:
            return Cell(name, mechanism.values[column][1], column, mechanism.letters.get(column, "?"))

        default = m.own_sources or m.first_sources
        add(ox.Triple(node, _RDF_TYPE, ox.NamedNode(ksm + "Mechanism")))
        add(ox.Triple(node, _IN_SCHEME, scheme))
        add(ox.Triple(node, _TOP, scheme))
        add(ox.Triple(node, _PREF, ox.Literal(m.name_fr, language="fr")))
        if "mechanism_en" in m.values:
            add(ox.Triple(node, _PREF, ox.Literal(m.values["mechanism_en"][0], language="en")))
        for column, lang in (("description_fr", "fr"), ("description_en", "en")):
            if column in m.values:
                add(ox.Triple(node, _DESCRIPTION, ox.Literal(m.values[column][0], language=lang)))
        for column, scheme_name in FEATURE_COLUMNS.items():
            if column in m.values:
                prop = ox.NamedNode(ksm + str(_feature_property(scheme_name)))
                for token in split(m.values[column][0]):
                    add(ox.Triple(node, prop, ox.NamedNode(vocabulary.resolve(scheme_name, token, cell(column), what=column))))
        if "mode" in m.values:
            for token in split(m.values["mode"][0]):
                mode = MODES.get(token.casefold())
                if mode is None:
                    raise cell("mode").error(f"{token!r} is not in-person, online or hybrid")
                add(ox.Triple(node, ox.NamedNode(ksm + "interactionMode"), ox.NamedNode(PREFIXES["schema"] + mode)))
        if "group_size" in m.values:
            low, high = _size(m.values["group_size"][0], cell("group_size"))
            add(ox.Triple(node, ox.NamedNode(ksm + "minimumParticipants"), ox.Literal(str(low), datatype=_INTEGER)))
            if high is not None:
                add(ox.Triple(node, ox.NamedNode(ksm + "maximumParticipants"), ox.Literal(str(high), datatype=_INTEGER)))
        for column, match in MATCH_COLUMNS.items():
            if column in m.values:
                for token in split(m.values[column][0]):
                    iri = expand_curie(token) or (token[1:-1] if token.startswith("<") and token.endswith(">") else token)
                    if not _IRI.match(iri):
                        raise cell(column).error(f"{token!r} is not an IRI or a known CURIE")
                    add(ox.Triple(node, ox.NamedNode(_SKOS + match), ox.NamedNode(iri)))
        ordered = sorted(m.statements, key=lambda s: (list(KINDS).index(s.kind), s.position))
        for s in ordered:
            add(ox.Triple(node, ox.NamedNode(ksm + KINDS[s.kind][1]), ox.NamedNode(f"{stmt}{m.slug}-{s.kind}-{s.position}")))
        mechanism_sources: list[ox.NamedNode] = []
        for s in ordered:
            subject = ox.NamedNode(f"{stmt}{m.slug}-{s.kind}-{s.position}")
            rows[subject.value] = s.row
            add(ox.Triple(subject, _RDF_TYPE, ox.NamedNode(ksm + KINDS[s.kind][0])))
            add(ox.Triple(subject, _RDFS_LABEL, ox.Literal(s.text_fr, language="fr")))
            if s.text_en:
                add(ox.Triple(subject, _RDFS_LABEL, ox.Literal(s.text_en, language="en")))
            add(ox.Triple(subject, ox.NamedNode(ksm + "position"), ox.Literal(str(s.position), datatype=_INTEGER)))
            category_scheme = KINDS[s.kind][2]
            for token in s.categories:
                assert category_scheme is not None
                where = Cell(name, s.row, "categories", m.letters.get("categories", "?"))
                add(ox.Triple(subject, ox.NamedNode(ksm + "hasCategory"),
                              ox.NamedNode(vocabulary.resolve(category_scheme, token, where, what=f"{s.kind} category"))))
            for value, row in ([(v, s.row) for v in s.sources] or default):
                source = sources.node(value, row)
                add(ox.Triple(subject, _DERIVED, source))
                if source not in mechanism_sources:
                    mechanism_sources.append(source)
            if s.source_language:
                add(ox.Triple(subject, ox.NamedNode(ksm + "sourceLanguage"), ox.Literal(s.source_language)))
            if s.translated_by:
                add(ox.Triple(subject, _TRANSLATOR, ox.Literal(s.translated_by)))
        for value, row in default:
            source = sources.node(value, row)
            if source not in mechanism_sources:
                mechanism_sources.append(source)
        for source in mechanism_sources:
            add(ox.Triple(node, _DERIVED, source))
    return list(dict.fromkeys(triples + sources.triples())), rows


def _feature_property(scheme_name: str) -> str:
    from kg.tables.template import SCHEMES

    prop = SCHEMES[scheme_name][2]
    assert prop is not None
    return prop


def to_turtle(triples: list[ox.Triple], source_name: str) -> bytes:
    """Turtle with our prefixes and a header naming the spreadsheet (no date: re-import is byte-identical)."""
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used_prefixes(triples)) or b""
    head = f"# Imported by `kg import` from {source_name} (template: `kg import --help`).\n\n".encode()
    return head + body


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """Our prefixes that some IRI of the triples uses, sorted, so the Turtle declares no more."""
    iris = {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object) if isinstance(t, ox.NamedNode)}
    iris |= {t.datatype.value for triple in triples for t in (triple.object,) if isinstance(t, ox.Literal)}
    return {p: ns for p, ns in sorted(PREFIXES.items()) if any(i.startswith(ns) for i in iris)}
