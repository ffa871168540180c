"""The DCAT-AP 3.0 record of the graph: catalogue, dataset, distributions, service.

Data portals harvest DCAT-AP and check it with the profile's SHACL shapes,
so every class the shapes target is written out here with what they ask
for: a ``dcat:Catalog`` with its publisher; the dataset with publisher,
creator, contact point and EU data themes; each dump a
``dcat:Distribution`` with ``accessURL`` (the file itself), an IANA media
type and an EU file-type format; the endpoint, when there is one, a
``dcat:DataService``.  Objects of ranged properties carry their class
(``foaf:Agent``, ``dcterms:LicenseDocument``, ``dcterms:MediaType``…),
because the shapes check ``sh:class`` on the record alone, and concepts of
EU authority tables say which table they are in (``skos:inScheme``), as the
profile's controlled-vocabulary shapes require.  The URLs are typed
``rdfs:Resource`` too, which only the 3.0.0 shapes ask (3.0.1 dropped it).

The agent is the one of ``data/source.ttl`` (``src:ksm-kg-editors``), so
the record and the provenance of the named graphs name the same people.
Nothing here is about the mechanisms: that is the data's job.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from kg.core.namespaces import BASE, PREFIXES
from kg.graph.store import KnowledgeGraph

CATALOG = BASE + "catalog"
DATASET = BASE + "dataset"
CONTACT = BASE + "dataset/contact-point"
PUBLISHER = PREFIXES["src"] + "ksm-kg-editors"
SOURCE = PREFIXES["src"] + "mechanisms-table-fr"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"

_EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
# EU file-type authority codes of the media types we publish.
FILE_TYPES = {
    "text/turtle": "RDF_TURTLE", "application/n-triples": "RDF_N_TRIPLES", "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML", "application/n-quads": "RDF_N_QUADS", "application/sparql-query": "SPARQLQ",
}
# EU data themes (English labels as in the authority table): development cooperation is an
# international issue; sharing knowledge and learning fall under education.
THEMES = {"INTR": "International issues", "EDUC": "Education, culture and sport"}
LANGUAGES = {"FRA": "French", "ENG": "English"}

_RDF, _RDFS, _T, _D = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["dcterms"], PREFIXES["dcat"]
_FOAF, _SKOS = PREFIXES["foaf"], PREFIXES["skos"]
_VCARD = "http://www.w3.org/2006/vcard/ns#"
_XSD = PREFIXES["xsd"]


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _fr(text: str) -> ox.Literal:
    return ox.Literal(text, language="fr")


class _Record:
    """Triples under construction, with the typing the shapes check."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(_n(subject), _n(predicate), obj))

    def a(self, subject: str, *classes: str) -> None:
        for cls in classes:
            self.add(subject, _RDF + "type", _n(cls))

    def link(self, subject: str, predicate: str, obj: str, *classes: str) -> None:
        """``subject predicate obj``, with obj typed as the property's range."""
        self.add(subject, predicate, _n(obj))
        self.a(obj, *classes)

    def concept(self, iri: str, label: str, scheme: str) -> None:
        """A concept of an authority table: the shapes want its label and its table."""
        self.a(iri, _SKOS + "Concept")
        self.add(iri, _SKOS + "prefLabel", _en(label))
        self.add(iri, _SKOS + "inScheme", _n(scheme))


def _literals(graph: KnowledgeGraph, subject: str, predicate: str) -> list[ox.Literal]:
    found = graph.store.quads_for_pattern(_n(subject), _n(predicate), None, None)
    return sorted({q.object for q in found if isinstance(q.object, ox.Literal)}, key=str)


def record(graph: KnowledgeGraph, *, home: str, dumps: list[tuple[str, str, str]], dumps_url: str,
           endpoint: str | None, sizes: Mapping[str, int] | None = None) -> list[ox.Triple]:
    """The DCAT-AP triples for the catalogue of this graph, its dumps and an optional endpoint.

    ``dumps`` lists (file name, media type, title); ``home`` is the landing page.

    >>> from kg.graph.dataset import open_graph
    >>> triples = record(open_graph(), home="https://example.org/", dumps=[("a.ttl", "text/turtle", "all")],
    ...                  dumps_url="https://example.org/dumps/", endpoint=None)
    >>> ox.Triple(ox.NamedNode(DATASET + "/distribution/a-ttl"), ox.NamedNode(_D + "accessURL"),
    ...           ox.NamedNode("https://example.org/dumps/a.ttl")) in triples
    True
    """
    r = _Record()
    agent_names = _literals(graph, PUBLISHER, _FOAF + "name") or [ox.Literal("ksm-kg editors")]
    r.a(PUBLISHER, _FOAF + "Agent")
    for name in agent_names:
        r.add(PUBLISHER, _FOAF + "name", name)
    r.a(CONTACT, _VCARD + "Kind", _VCARD + "Organization")
    r.add(CONTACT, _VCARD + "fn", agent_names[0])
    r.add(CONTACT, _VCARD + "hasURL", _n(home))
    r.a(LICENSE, _T + "LicenseDocument")
    r.add(LICENSE, _T + "title", _en("Creative Commons Attribution 4.0 International"))
    r.link(LICENSE, _T + "type", "http://purl.org/adms/licencetype/Attribution")
    r.concept("http://purl.org/adms/licencetype/Attribution", "Attribution", "http://purl.org/adms/licencetype/1.0")
    r.a(home, _FOAF + "Document")

    r.a(CATALOG, _D + "Catalog")
    r.add(CATALOG, _T + "title", _fr("Catalogue des mécanismes de partage des connaissances"))
    r.add(CATALOG, _T + "title", _en("Catalogue of knowledge-sharing mechanisms"))
    r.add(CATALOG, _T + "description", _fr("Le graphe de connaissances ksm-kg, ses téléchargements et son point d'accès SPARQL."))
    r.add(CATALOG, _T + "description", _en("The ksm-kg knowledge graph, its downloads and its SPARQL endpoint."))
    r.add(CATALOG, _T + "publisher", _n(PUBLISHER))
    r.add(CATALOG, _T + "license", _n(LICENSE))
    r.add(CATALOG, _FOAF + "homepage", _n(home))
    r.link(CATALOG, _D + "themeTaxonomy", _EU + "data-theme", _SKOS + "ConceptScheme")
    r.add(_EU + "data-theme", _T + "title", _en("Data theme"))
    r.add(CATALOG, _D + "dataset", _n(DATASET))

    ds = DATASET
    r.a(ds, _D + "Dataset")
    r.add(ds, _T + "title", _fr("Mécanismes de partage des connaissances"))
    r.add(ds, _T + "title", _en("Knowledge-sharing mechanisms"))
    r.add(ds, _T + "description", _fr(
        "Six mécanismes de partage des connaissances utilisés dans le développement international (forums, groupes de discussion, "
        "communautés de pratique, réseaux, groupes d'apprentissage, voyages d'études), avec leurs objectifs, avantages, limites "
        "et ce dont ils dépendent."))
    r.add(ds, _T + "description", _en(
        "Six knowledge-sharing mechanisms used in international development (forums, discussion groups, communities of practice, "
        "networks, learning groups, study tours) with their objectives, benefits, limitations and what they depend on."))
    r.add(ds, _T + "license", _n(LICENSE))
    r.add(ds, _T + "creator", _n(PUBLISHER))
    r.add(ds, _T + "publisher", _n(PUBLISHER))
    r.add(ds, _D + "contactPoint", _n(CONTACT))
    r.add(ds, _D + "landingPage", _n(home))
    r.add(ds, _D + "keyword", _en("knowledge sharing"))
    r.add(ds, _D + "keyword", _fr("partage des connaissances"))
    for code, label in THEMES.items():
        r.link(ds, _D + "theme", _EU + "data-theme/" + code)
        r.concept(_EU + "data-theme/" + code, label, _EU + "data-theme")
    for code, label in LANGUAGES.items():
        for described in (CATALOG, ds):
            r.link(described, _T + "language", _EU + "language/" + code, _T + "LinguisticSystem")
        r.concept(_EU + "language/" + code, label, _EU + "language")
    # Derived from the source table (data/source.ttl describes it); not dcterms:source, whose range in
    # DCAT-AP is a dcat:Dataset with a publisher, contact point and themes that nobody recorded for the table.
    r.add(ds, PREFIXES["prov"] + "wasDerivedFrom", _n(SOURCE))

    for filename, media, title in dumps:
        url, dist = dumps_url + filename, f"{DATASET}/distribution/{filename.replace('.', '-')}"
        r.add(ds, _D + "distribution", _n(dist))
        r.a(dist, _D + "Distribution")
        r.add(dist, _T + "title", _en(title))
        r.add(dist, _T + "description", _en(f"The file {filename}: {title}."))
        r.link(dist, _D + "accessURL", url, _RDFS + "Resource")
        r.add(dist, _D + "downloadURL", _n(url))
        r.link(dist, _D + "mediaType", IANA + media, _T + "MediaType")
        _format(r, dist, media)
        r.add(dist, _T + "license", _n(LICENSE))
        if sizes and filename in sizes:
            r.add(dist, _D + "byteSize", ox.Literal(str(sizes[filename]), datatype=_n(_XSD + "nonNegativeInteger")))
    if endpoint:
        service, dist = f"{DATASET}/sparql-service", f"{DATASET}/distribution/sparql"
        r.add(CATALOG, _D + "service", _n(service))
        r.a(service, _D + "DataService")
        r.add(service, _T + "title", _en("SPARQL endpoint of the knowledge-sharing mechanisms"))
        r.add(service, _T + "description", _en("SPARQL 1.1 Protocol, read-only; without a query it answers its service description."))
        r.link(service, _D + "endpointURL", endpoint, _RDFS + "Resource")
        r.link(service, _D + "endpointDescription", endpoint, _RDFS + "Resource")
        r.add(service, _D + "servesDataset", _n(ds))
        r.link(service, _T + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/", _T + "Standard")
        r.add(service, _T + "license", _n(LICENSE))
        r.add(service, _T + "publisher", _n(PUBLISHER))
        r.add(service, _D + "contactPoint", _n(CONTACT))
        r.add(service, _D + "keyword", _en("SPARQL"))
        for code in THEMES:
            r.add(service, _D + "theme", _n(_EU + "data-theme/" + code))
        r.add(ds, _D + "distribution", _n(dist))
        r.a(dist, _D + "Distribution")
        r.add(dist, _T + "title", _en("SPARQL endpoint"))
        r.add(dist, _T + "description", _en("The whole graph, asserted and inferred, through the SPARQL endpoint."))
        r.link(dist, _D + "accessURL", endpoint, _RDFS + "Resource")
        r.add(dist, _D + "accessService", _n(service))
        _format(r, dist, "application/sparql-query")
        r.add(dist, _T + "license", _n(LICENSE))
    return _unique(r.triples)


def _format(r: _Record, dist: str, media: str) -> None:
    fmt = _EU + "file-type/" + FILE_TYPES[media]
    r.link(dist, _T + "format", fmt, _T + "MediaTypeOrExtent")
    r.add(fmt, _SKOS + "inScheme", _n(_EU + "file-type"))


def _unique(triples: list[ox.Triple]) -> list[ox.Triple]:
    return list(dict.fromkeys(triples))
