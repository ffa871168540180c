"""Dataset metadata: a VoID description and a DCAT record in one graph.

Both vocabularies are read by different tools (VoID by linked-data
crawlers and SPARQL clients, DCAT by data portals), so the same dataset
IRI is typed as both: the dumps are ``dcat:Distribution`` (also
``void:dataDump``), the endpoint a ``dcat:DataService`` (also
``void:sparqlEndpoint``), each named graph a ``void:subset`` with its own
triple count.  License and provenance come from the ontology header and
``data/source.ttl``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from kg.core.namespaces import BASE, INFERRED_GRAPH, PREFIXES
from kg.graph.store import KnowledgeGraph

DATASET = BASE + "dataset"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
SOURCE = PREFIXES["src"] + "mechanisms-table-fr"
# (file name, media type, title): asserted triples, inferred-only triples, and the quads with their graphs.
DUMPS: list[tuple[str, str, str]] = [
    *[(f"ksm-{kind}.{ext}", media, f"{kind} triples, {name}")
      for kind in ("asserted", "inferred")
      for ext, media, name in (("ttl", "text/turtle", "Turtle"), ("nt", "application/n-triples", "N-Triples"),
                               ("jsonld", "application/ld+json", "JSON-LD"), ("rdf", "application/rdf+xml", "RDF/XML"))],
    ("ksm.nq", "application/n-quads", "all triples in their named graphs, N-Quads"),
]

_V, _D, _T, _P = PREFIXES["void"], PREFIXES["dcat"], PREFIXES["dcterms"], PREFIXES["prov"]
_XSD = PREFIXES["xsd"]


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(_XSD + "integer"))


def metadata(graph: KnowledgeGraph, *, dumps_url: str, endpoint: str | None, sizes: Mapping[str, int] | None = None) -> list[ox.Triple]:
    """The VoID + DCAT triples for the graph, its dumps under ``dumps_url`` and an optional endpoint.

    >>> from kg.graph.dataset import open_graph
    >>> triples = metadata(open_graph(), dumps_url="https://example.org/dumps/", endpoint=None)
    >>> any(t.predicate.value.endswith("#dataDump") for t in triples)
    True
    """
    ds = _n(DATASET)
    rdf_type = _n(PREFIXES["rdf"] + "type")
    triples = [
        ox.Triple(ds, rdf_type, _n(_V + "Dataset")),
        ox.Triple(ds, rdf_type, _n(_D + "Dataset")),
        ox.Triple(ds, _n(_T + "title"), ox.Literal("Mécanismes de partage des connaissances", language="fr")),
        ox.Triple(ds, _n(_T + "title"), ox.Literal("Knowledge-sharing mechanisms", language="en")),
        ox.Triple(ds, _n(_T + "description"), ox.Literal(
            "Six knowledge-sharing mechanisms used in international development (forums, discussion groups, communities of practice, "
            "networks, learning groups, study tours) with their objectives, benefits, limitations and what they depend on.", language="en")),
        ox.Triple(ds, _n(_T + "license"), _n(LICENSE)),
        ox.Triple(ds, _n(_T + "creator"), ox.Literal("ksm-kg contributors")),
        ox.Triple(ds, _n(_P + "wasDerivedFrom"), _n(SOURCE)),
        ox.Triple(ds, _n(_T + "source"), _n(SOURCE)),
        ox.Triple(ds, _n(_D + "keyword"), ox.Literal("knowledge sharing", language="en")),
        ox.Triple(ds, _n(_D + "keyword"), ox.Literal("partage des connaissances", language="fr")),
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
    for filename, media, title in DUMPS:
        url = _n(dumps_url + filename)
        dist = _n(f"{DATASET}/distribution/{filename.replace('.', '-')}")
        triples += [
            ox.Triple(ds, _n(_V + "dataDump"), url),
            ox.Triple(ds, _n(_D + "distribution"), dist),
            ox.Triple(dist, rdf_type, _n(_D + "Distribution")),
            ox.Triple(dist, _n(_T + "title"), ox.Literal(title, language="en")),
            ox.Triple(dist, _n(_D + "downloadURL"), url),
            ox.Triple(dist, _n(_D + "mediaType"), _n("https://www.iana.org/assignments/media-types/" + media)),
            ox.Triple(dist, _n(_T + "license"), _n(LICENSE)),
        ]
        if sizes and filename in sizes:
            triples.append(ox.Triple(dist, _n(_D + "byteSize"), ox.Literal(str(sizes[filename]), datatype=_n(_XSD + "nonNegativeInteger"))))
    if endpoint:
        service, dist = _n(f"{DATASET}/sparql-service"), _n(f"{DATASET}/distribution/sparql")
        triples += [
            ox.Triple(ds, _n(_V + "sparqlEndpoint"), _n(endpoint)),
            ox.Triple(service, rdf_type, _n(_D + "DataService")),
            ox.Triple(service, _n(_D + "endpointURL"), _n(endpoint)),
            ox.Triple(service, _n(_D + "servesDataset"), ds),
            ox.Triple(service, _n(_T + "conformsTo"), _n("https://www.w3.org/TR/sparql11-protocol/")),
            ox.Triple(service, _n(_T + "license"), _n(LICENSE)),
            ox.Triple(ds, _n(_D + "distribution"), dist),
            ox.Triple(dist, rdf_type, _n(_D + "Distribution")),
            ox.Triple(dist, _n(_D + "accessURL"), _n(endpoint)),
            ox.Triple(dist, _n(_D + "accessService"), service),
        ]
    return triples
