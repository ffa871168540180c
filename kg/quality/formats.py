"""The validation report as data, for pipelines: JSON, and SHACL's own report in RDF (Turtle).

Text stays the default for people (:meth:`Report.render`).  The Turtle form
is pyshacl's ``sh:ValidationReport`` as it is, with one ``sh:ValidationResult``
added per row of a failed quality check: its ``sh:sourceConstraint`` is the
check, named ``https://w3id.org/ksm/queries/checks/<name>`` after its file
(``queries/checks/<name>.rq``), and ``sh:sourceConstraintComponent`` is
``sh:SPARQLConstraintComponent``, since a check is a SPARQL query that must
answer nothing.  ``sh:conforms`` then covers the checks too.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox

from kg.core.namespaces import BASE, PREFIXES
from kg.quality.validate import Report, Violation

CHECKS = BASE + "queries/checks/"
FORMATS = ("text", "json", "ttl")


def render(report: Report, fmt: str, *, lang: str = "fr") -> bytes:
    """The report in ``text`` (the language's), ``json`` or ``ttl``."""
    if fmt == "json":
        return to_json(report)
    if fmt == "ttl":
        return to_turtle(report)
    return report.render(lang).encode("utf-8")


def to_json(report: Report) -> bytes:
    """``{"conforms", "files", "checksRun", "results": [{source, kind, focus, path, severity, message: {en, fr}}]}``.

    >>> from kg.quality.validate import Report, Violation
    >>> report = Report(files=[], violations=[Violation("check:x", "mech:a", "", "Sans étiquette", "No label")])
    >>> json.loads(to_json(report))["results"][0]["message"]
    {'en': 'No label', 'fr': 'Sans étiquette'}
    """
    body = {
        "conforms": report.conforms,
        "files": [str(f) for f in report.files],
        "checksRun": report.checks_run,
        "results": [_result(v) for v in report.violations],
    }
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _result(v: Violation) -> dict[str, Any]:
    is_check = v.source.startswith("check:")
    return {
        "source": CHECKS + v.source[len("check:"):] if is_check else v.source,
        "kind": "check" if is_check else "shape",
        "focus": v.node.value if isinstance(v.node, ox.NamedNode) else v.focus,  # the whole IRI where known
        "path": v.path or None,
        "severity": v.severity,
        "message": {"en": v.message_en, "fr": v.message_fr},
    }


def to_turtle(report: Report) -> bytes:
    """pyshacl's report graph with the checks' rows added as results (see the module docstring)."""
    import rdflib

    from kg.core.convert import to_rdflib

    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    graph = rdflib.Graph()
    if report.shacl_results is not None:
        for triple in report.shacl_results:
            graph.add(triple)
    node = next(iter(graph.subjects(rdflib.RDF.type, sh.ValidationReport)), None)
    if node is None:
        node = rdflib.BNode()
        graph.add((node, rdflib.RDF.type, sh.ValidationReport))
    graph.set((node, sh.conforms, rdflib.Literal(report.conforms)))
    for v in report.violations:
        if not v.source.startswith("check:"):
            continue
        check = rdflib.URIRef(CHECKS + v.source[len("check:"):])
        result = rdflib.BNode()
        graph.add((node, sh.result, result))
        graph.add((result, rdflib.RDF.type, sh.ValidationResult))
        if v.node is not None:
            graph.add((result, sh.focusNode, to_rdflib(v.node)))
        graph.add((result, sh.resultSeverity, sh[v.severity]))
        graph.add((result, sh.sourceConstraint, check))
        graph.add((result, sh.sourceConstraintComponent, sh.SPARQLConstraintComponent))
        for lang, text in (("en", v.message_en), ("fr", v.message_fr)):
            if text:
                graph.add((result, sh.resultMessage, rdflib.Literal(text, lang=lang)))
    for prefix in ("ksm", "ksmsh", "mech", "stmt", "rdfs", "skos", "xsd"):
        graph.bind(prefix, PREFIXES[prefix])
    graph.bind("sh", str(sh))
    graph.bind("check", CHECKS)
    return graph.serialize(format="turtle", encoding="utf-8")

