"""Dataset metadata: a VoID description and a DCAT-AP record in one graph.

Both vocabularies are read by different tools (VoID by linked-data
crawlers and SPARQL clients, DCAT-AP by data portals), so the same dataset
IRI is typed as both: the dumps are ``dcat:Distribution`` (also
``void:dataDump``), the endpoint a ``dcat:DataService`` (also
``void:sparqlEndpoint``), each named graph a ``void:subset`` with its own
triple count.  The DCAT-AP part is kg.release.dcat; this module adds the
VoID statistics and puts the two together.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from kg.core.namespaces import BASE, INFERRED_GRAPH, PREFIXES
from kg.graph.store import KnowledgeGraph
from kg.release.dcat import DATASET, LICENSE, SOURCE, record

__all__ = ["DATASET", "DUMPS", "LICENSE", "SOURCE", "metadata"]

# (file name, media type, title): asserted triples, inferred-only triples, and the quads with their graphs.
DUMPS: list[tuple[str, str, str]] = [
    *[(f"ksm-{kind}.{ext}", media, f"{kind} triples, {name}")
      for kind in ("asserted", "inferred")
      for ext, media, name in (("ttl", "text/turtle", "Turtle"), ("nt", "application/n-triples", "N-Triples"),
                               ("jsonld", "application/ld+json", "JSON-LD"), ("rdf", "application/rdf+xml", "RDF/XML"))],
    ("ksm.nq", "application/n-quads", "all triples in their named graphs, N-Quads"),
]

_V, _T = PREFIXES["void"], PREFIXES["dcterms"]
_XSD = PREFIXES["xsd"]


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(_XSD + "integer"))


def metadata(graph: KnowledgeGraph, *, dumps_url: str, endpoint: str | None, sizes: Mapping[str, int] | None = None) -> list[ox.Triple]:
    """The VoID + DCAT-AP triples for the graph, its dumps under ``dumps_url`` and an optional endpoint.

    The landing page is the folder above ``dumps_url`` (the release's or the server's home).

    >>> from kg.graph.dataset import open_graph
    >>> triples = metadata(open_graph(), dumps_url="https://example.org/dumps/", endpoint=None)
    >>> any(t.predicate.value.endswith("#dataDump") for t in triples)
    True
    """
    home = dumps_url.removesuffix("dumps/")
    ds = _n(DATASET)
    rdf_type = _n(PREFIXES["rdf"] + "type")
    triples = [
        ox.Triple(ds, rdf_type, _n(_V + "Dataset")),
        ox.Triple(ds, _n(_V + "uriSpace"), ox.Literal(BASE)),
        ox.Triple(ds, _n(_V + "vocabulary"), _n(PREFIXES["ksm"])),
        ox.Triple(ds, _n(_V + "vocabulary"), _n(PREFIXES["skos"])),
        ox.Triple(ds, _n(_V + "exampleResource"), _n(PREFIXES["mech"] + "network")),
        ox.Triple(ds, _n(_V + "triples"), _int(len(graph.triples()))),
        ox.Triple(ds, _n(_V + "distinctSubjects"), _int(len({str(q.subject) for q in graph.store}))),
    ]
    counts: dict[str, int] = {}
    for quad in graph.store:
        name = quad.graph_name.value
        counts[name] = counts.get(name, 0) + 1
    for name in sorted(counts):
        subset = _n(name)
        triples += [ox.Triple(ds, _n(_V + "subset"), subset), ox.Triple(subset, rdf_type, _n(_V + "Dataset")),
                    ox.Triple(subset, _n(_V + "triples"), _int(counts[name]))]
        if name == INFERRED_GRAPH:
            triples.append(ox.Triple(subset, _n(_T + "description"), ox.Literal("Triples derived by the OWL RL reasoner (owlrl).", language="en")))
    triples += [ox.Triple(ds, _n(_V + "dataDump"), _n(dumps_url + filename)) for filename, _, _ in DUMPS]
    if endpoint:
        triples.append(ox.Triple(ds, _n(_V + "sparqlEndpoint"), _n(endpoint)))
    return triples + record(graph, home=home, dumps=DUMPS, dumps_url=dumps_url, endpoint=endpoint, sizes=sizes)
