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
from kg.tables.template import COLUMNS, FORMULA_START, KINDS

_MECHANISMS = """
PREFIX ksm: <https://w3id.org/ksm/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?m ?p ?o WHERE {
  ?m a ksm:Mechanism .
  VALUES ?p { skos:prefLabel dcterms:description prov:wasDerivedFrom }
  ?m ?p ?o .
}
"""

_STATEMENTS = """
PREFIX ksm: <https://w3id.org/ksm/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?m ?kind ?s ?position ?p ?o WHERE {
  ?m a ksm:Mechanism .
  VALUES ?kind { ksm:hasObjective ksm:hasBenefit ksm:hasLimitation ksm:hasSuccessFactor }
  ?m ?kind ?s .
  ?s ksm:position ?position .
  OPTIONAL { VALUES ?p { rdfs:label ksm:hasCategory } ?s ?p ?o . }
}
"""


def _safe(value: str) -> str:
    return "'" + value if value[:1] in FORMULA_START else value


def _first(values: set[str]) -> str:
    return min(values) if values else ""


def rows(graph: KnowledgeGraph) -> list[dict[str, str]]:
    """The template's rows for every mechanism in the ``mech:`` namespace, in IRI then statement order."""
    mech = PREFIXES["mech"]
    about: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in graph.select(_MECHANISMS).rows:
        obj = row["o"]
        lang = obj.language if isinstance(obj, ox.Literal) and obj.language else ""
        value = shorten(obj.value) if isinstance(obj, ox.NamedNode) else obj.value  # type: ignore[union-attr]
        about[row["m"].value][(shorten(row["p"].value), lang)].add(value)  # type: ignore[union-attr]
    kind_of = {KSM + prop: kind for kind, (_, prop, _) in KINDS.items()}
    statements: dict[str, dict[tuple[str, str], dict[str, set[str]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    for row in graph.select(_STATEMENTS).rows:
        m, s = row["m"].value, row["s"].value  # type: ignore[union-attr]
        entry = statements[m][(kind_of[row["kind"].value], s)]  # type: ignore[union-attr]
        entry["position"].add(row["position"].value)  # type: ignore[union-attr]
        if "p" in row:
            obj = row["o"]
            key = "categories" if row["p"].value == KSM + "hasCategory" else f"text_{obj.language}"  # type: ignore[union-attr]
            entry[key].add(shorten(obj.value) if isinstance(obj, ox.NamedNode) else obj.value)  # type: ignore[union-attr]
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
            "source": _first(props[("prov:wasDerivedFrom", "")]),
        }
        ordered = sorted(statements[m].items(), key=lambda item: (list(KINDS).index(item[0][0]), int(_first(item[1]["position"]) or 0)))
        if not ordered:
            out.append({**base, **first})
        for i, ((kind, _), entry) in enumerate(ordered):
            out.append({
                **base,
                **(first if i == 0 else {}),
                "kind": kind,
                "position": _first(entry["position"]),
                "text_fr": _first(entry["text_fr"]),
                "text_en": _first(entry["text_en"]),
                "categories": "; ".join(sorted(entry["categories"])),
            })
    return out


def to_csv(graph: KnowledgeGraph) -> bytes:
    """The spreadsheet of the graph, UTF-8, in the import template's columns.

    >>> from kg.graph.dataset import open_graph
    >>> text = to_csv(open_graph()).decode("utf-8")
    >>> text.splitlines()[0]
    'mechanism_id,mechanism_fr,mechanism_en,description_fr,description_en,kind,position,text_fr,text_en,categories,source'
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
