"""Graph to spreadsheet: the mechanisms and their statements as CSV or xlsx in the import template.

The inverse of kg.importer: one row per statement, the mechanism's own
columns (English name, descriptions, source) on its first row only, the
categories as CURIEs.  Importing the result gives back the same triples
(tests/tables/test_import.py checks the round trip).  A cell that a spreadsheet
would run as a formula is written to CSV with a leading apostrophe, which
the importer removes again; in a workbook it is simply a text cell.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import pyoxigraph as ox

from kg.core.namespaces import KSM, PREFIXES, shorten
from kg.graph.store import KnowledgeGraph
from kg.tables.template import COLUMNS, FORMULA_START, KINDS, MATCH_COLUMNS

_ASSERTED = "GRAPH ?g {{ {pattern} }} FILTER (?g != <https://w3id.org/ksm/graph/inferred>)"
_MECHANISMS = """
PREFIX ksm: <https://w3id.org/ksm/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?m ?p ?o WHERE {
  ?m a ksm:Mechanism .
  VALUES ?p { skos:prefLabel dcterms:description prov:wasDerivedFrom ksm:interactionMode ksm:usesTool ksm:dependsOn
              ksm:offersProduct ksm:hasFormat ksm:operatesAtScale ksm:formality ksm:minimumParticipants ksm:maximumParticipants
              skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }
  """ + _ASSERTED.format(pattern="?m ?p ?o") + """
}
"""

_STATEMENTS = """
PREFIX ksm: <https://w3id.org/ksm/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?m ?kind ?s ?position ?p ?o WHERE {
  ?m a ksm:Mechanism .
  VALUES ?kind { ksm:hasObjective ksm:hasBenefit ksm:hasLimitation ksm:hasSuccessFactor }
  ?m ?kind ?s .
  ?s ksm:position ?position .
  OPTIONAL {
    VALUES ?p { rdfs:label ksm:hasCategory prov:wasDerivedFrom ksm:sourceLanguage schema:translator }
    """ + _ASSERTED.format(pattern="?s ?p ?o") + """
  }
}
"""

_CITATIONS = """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?source ?text WHERE { ?source dcterms:bibliographicCitation ?text }
"""
_FEATURES = {KSM + prop: column for column, prop in (
    ("tools", "usesTool"), ("requirements", "dependsOn"), ("products", "offersProduct"), ("formats", "hasFormat"),
    ("scale", "operatesAtScale"), ("formality", "formality"))}
_MATCHES = {PREFIXES["skos"] + prop: column for column, prop in MATCH_COLUMNS.items()}
_MODES = {PREFIXES["schema"] + "OfflineEventAttendanceMode": "in-person", PREFIXES["schema"] + "OnlineEventAttendanceMode": "online",
          PREFIXES["schema"] + "MixedEventAttendanceMode": "hybrid"}


def _safe(value: str) -> str:
    return "'" + value if value[:1] in FORMULA_START else value


def _first(values: set[str]) -> str:
    return min(values) if values else ""


def _joined(values: set[str]) -> str:
    return "; ".join(sorted(values))


def rows(graph: KnowledgeGraph) -> list[dict[str, str]]:
    """The template's rows for every mechanism in the ``mech:`` namespace, in IRI then statement order.

    Only asserted triples are written: what the reasoner derives from them
    comes back by itself when the spreadsheet is imported again.
    """
    mech = PREFIXES["mech"]
    citations = {row["source"].value: row["text"].value for row in graph.select(_CITATIONS).rows}  # type: ignore[union-attr]

    def source_text(iri: str) -> str:
        return citations.get(iri) or shorten(iri)

    about: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in graph.select(_MECHANISMS).rows:
        obj, prop = row["o"], row["p"].value  # type: ignore[union-attr]
        lang = obj.language if isinstance(obj, ox.Literal) and obj.language else ""
        if prop == PREFIXES["prov"] + "wasDerivedFrom":
            value = source_text(obj.value)  # type: ignore[union-attr]
        elif prop == KSM + "interactionMode":
            value = _MODES.get(obj.value, shorten(obj.value))  # type: ignore[union-attr]
        else:
            value = shorten(obj.value) if isinstance(obj, ox.NamedNode) else obj.value  # type: ignore[union-attr]
        about[row["m"].value][(shorten(prop), lang)].add(value)  # type: ignore[union-attr]
    kind_of = {KSM + prop: kind for kind, (_, prop, _) in KINDS.items()}
    statements: dict[str, dict[tuple[str, str], dict[str, set[str]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    columns = {KSM + "hasCategory": "categories", PREFIXES["prov"] + "wasDerivedFrom": "source",
               KSM + "sourceLanguage": "source_language", PREFIXES["schema"] + "translator": "translated_by"}
    for row in graph.select(_STATEMENTS).rows:
        m, s = row["m"].value, row["s"].value  # type: ignore[union-attr]
        entry = statements[m][(kind_of[row["kind"].value], s)]  # type: ignore[union-attr]
        entry["position"].add(row["position"].value)  # type: ignore[union-attr]
        if "p" in row:
            obj, prop = row["o"], row["p"].value  # type: ignore[union-attr]
            column = columns.get(prop) or f"text_{obj.language}"  # type: ignore[union-attr]
            text = source_text(obj.value) if column == "source" else shorten(obj.value) if isinstance(obj, ox.NamedNode) else obj.value  # type: ignore[union-attr]
            entry[column].add(text)
    out: list[dict[str, str]] = []
    for m in sorted(about):
        if not m.startswith(mech):
            continue
        props = about[m]
        base = {"mechanism_id": m[len(mech):], "mechanism_fr": _first(props[("skos:prefLabel", "fr")])}
        first = {
            "mechanism_en": _first(props[("skos:prefLabel", "en")]),
            "description_fr": _first(props[("dcterms:description", "fr")]),
            "description_en": _first(props[("dcterms:description", "en")]),
            "mode": _joined(props[("ksm:interactionMode", "")]),
            "group_size": _group_size(props),
        }
        for prop, column in {**_FEATURES, **_MATCHES}.items():
            first[column] = _joined(props[(shorten(prop), "")])
        ordered = sorted(statements[m].items(), key=lambda item: (list(KINDS).index(item[0][0]), int(_first(item[1]["position"]) or 0)))
        covered = set().union(*(entry["source"] for _, entry in ordered)) if ordered else set()
        own = props[("prov:wasDerivedFrom", "")] - covered
        if own or not ordered:
            out.append({**base, **first, "source": _joined(own)})
            first = {}
        for (kind, _), entry in ordered:
            out.append({
                **base,
                **first,
                "kind": kind,
                "position": _first(entry["position"]),
                "text_fr": _first(entry["text_fr"]),
                "text_en": _first(entry["text_en"]),
                "categories": _joined(entry["categories"]),
                "source": _joined(entry["source"]),
                "source_language": _first(entry["source_language"]),
                "translated_by": _first(entry["translated_by"]),
            })
            first = {}
    return out


def _group_size(props: dict[tuple[str, str], set[str]]) -> str:
    low, high = _first(props[("ksm:minimumParticipants", "")]), _first(props[("ksm:maximumParticipants", "")])
    if not low:
        return ""
    return low if high == low else f"{low}-{high}"  # "3-" is at least three


def to_csv(graph: KnowledgeGraph) -> bytes:
    """The spreadsheet of the graph, UTF-8, in the import template's columns.

    >>> from kg.graph.dataset import open_graph
    >>> text = to_csv(open_graph()).decode("utf-8")
    >>> text.splitlines()[0].split(",")[:8]
    ['mechanism_id', 'mechanism_fr', 'mechanism_en', 'description_fr', 'description_en', 'kind', 'position', 'text_fr']
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows(graph):
        writer.writerow({k: _safe(row.get(k, "")) for k in COLUMNS})
    return buffer.getvalue().encode("utf-8")


def to_xlsx(graph: KnowledgeGraph) -> bytes:
    """The spreadsheet of the graph as the bytes of an .xlsx workbook (kg.tables.workbook), same columns and rows as to_csv."""
    from kg.tables import workbook

    return workbook.write(COLUMNS, rows(graph))
