"""Compacted JSON-LD with one published context, for clients that read JSON.

pyoxigraph writes JSON-LD in expanded form only: every key a full IRI, no
``@context``, which a JavaScript client can hardly use.  We publish one
context at ``BASE/context.jsonld`` (the prefixes of kg.core.namespaces,
plus a term for each property of our ontology, object properties coerced
to IRIs, datatype properties to their XSD range) and compact every JSON-LD
document we write with rdflib's JSON-LD serializer against it.  A
resource's document then names the context by its URL instead of repeating
it; the dumps, meant to be loaded offline, carry it inline.

rdflib walks its graph in an order that changes from one process to the
next (hash seeds), so the compacted document is put in a fixed order
afterwards: node objects by ``@id``, the values of each property by their
JSON text.  Only sets are sorted: the members of an ``@list`` keep their order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg.core.convert import to_rdflib_graph
from kg.core.namespaces import KSM, PREFIXES
from kg.graph.store import KnowledgeGraph

CONTEXT_FILE = "context.jsonld"
_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_RANGE = ox.NamedNode(PREFIXES["rdfs"] + "range")
_OWL = PREFIXES["owl"]
_XSD = PREFIXES["xsd"]


def _properties(graph: KnowledgeGraph, kind: str) -> list[str]:
    found = {q.subject.value for q in graph.store.quads_for_pattern(None, _RDF_TYPE, ox.NamedNode(_OWL + kind), None)
             if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(KSM)}
    return sorted(found)


def context(graph: KnowledgeGraph) -> dict[str, Any]:
    """The JSON-LD context of the graph: prefixes, and a term per ontology property.

    >>> from kg.graph.dataset import open_graph
    >>> ctx = context(open_graph())
    >>> ctx["skos"], ctx["hasLimitation"]
    ('http://www.w3.org/2004/02/skos/core#', {'@id': 'ksm:hasLimitation', '@type': '@id'})
    """
    terms: dict[str, Any] = dict(sorted(PREFIXES.items()))
    for iri in _properties(graph, "ObjectProperty"):
        name = iri[len(KSM):]
        if name not in terms:
            terms[name] = {"@id": "ksm:" + name, "@type": "@id"}
    for iri in _properties(graph, "DatatypeProperty"):
        name = iri[len(KSM):]
        ranges = {q.object.value for q in graph.store.quads_for_pattern(ox.NamedNode(iri), _RANGE, None, None)
                  if isinstance(q.object, ox.NamedNode)}
        if name not in terms:
            term: dict[str, str] = {"@id": "ksm:" + name}
            if len(ranges) == 1 and next(iter(ranges)).startswith(_XSD):
                term["@type"] = "xsd:" + next(iter(ranges))[len(_XSD):]
            terms[name] = term
    return terms


def context_document(graph: KnowledgeGraph) -> bytes:
    """The file published at ``BASE/context.jsonld``."""
    return _dump({"@context": context(graph)})


def _dump(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _ordered(value: Any, *, in_list: bool = False) -> Any:
    """The same JSON-LD with every set in a fixed order (lists left alone)."""
    if isinstance(value, dict):
        return {key: _ordered(item, in_list=key == "@list") for key, item in value.items()}
    if isinstance(value, list):
        items = [_ordered(item) for item in value]
        return items if in_list else sorted(items, key=lambda item: json.dumps(item, ensure_ascii=False, sort_keys=True))
    return value


def compact(triples: Iterable[ox.Triple], *, ctx: dict[str, Any], context_url: str | None) -> bytes:
    """Compacted JSON-LD of the triples, naming ``context_url`` as its context (or holding ``ctx`` itself if None).

    A document that names its context by URL is small, but a reader must fetch the
    context (or have it cached); the dumps, read offline, hold theirs.

    >>> mech = ox.NamedNode("https://w3id.org/ksm/id/mechanism/network")
    >>> doc = compact([ox.Triple(mech, ox.NamedNode(KSM + "hasLimitation"), ox.NamedNode("https://w3id.org/ksm/id/statement/x"))],
    ...               ctx={"ksm": KSM, "stmt": "https://w3id.org/ksm/id/statement/",
    ...                    "hasLimitation": {"@id": "ksm:hasLimitation", "@type": "@id"}},
    ...               context_url="https://w3id.org/ksm/context.jsonld")
    >>> json.loads(doc)
    {'@context': 'https://w3id.org/ksm/context.jsonld', '@id': 'https://w3id.org/ksm/id/mechanism/network', 'hasLimitation': 'stmt:x'}
    """
    graph = to_rdflib_graph(triples)
    data = json.loads(graph.serialize(format="json-ld", context=ctx, auto_compact=True))
    if isinstance(data, list):  # an empty graph
        data = {"@graph": data}
    data["@context"] = context_url or ctx
    return _dump(_ordered(data))
