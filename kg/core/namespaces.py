"""Namespaces of ksm-kg and of the vocabularies it reuses.

One table of prefixes serves parameter CURIEs, Turtle output and the web
pages, so that a prefix means the same thing everywhere.
"""

from __future__ import annotations

BASE = "https://w3id.org/ksm/"
KSM = BASE + "ontology#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
INFERRED_GRAPH = GRAPH + "inferred"

PREFIXES: dict[str, str] = {
    "bencat": ID + "benefit-category/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "ksm": KSM,
    "ksmc": ID + "concept/",
    "ksmsh": BASE + "shapes#",
    "limcat": ID + "limitation-category/",
    "mech": ID + "mechanism/",
    "objcat": ID + "objective-category/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "scheme": ID + "scheme/",
    "sdg": "http://metadata.un.org/sdg/",
    "sioc": "http://rdfs.org/sioc/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "src": ID + "source/",
    "stmt": ID + "statement/",
    "unesco": "http://vocabularies.unesco.org/thesaurus/",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def expand_curie(value: str) -> str | None:
    """The IRI a ``prefix:local`` CURIE stands for, or None if the prefix is unknown."""
    prefix, sep, local = value.partition(":")
    if not sep or prefix not in PREFIXES or local.startswith("//"):
        return None
    return PREFIXES[prefix] + local


def shorten(iri: str) -> str:
    """The CURIE of an IRI where a known prefix covers it, else the IRI itself."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            local = iri[len(ns):]
            if local and all(c.isalnum() or c in "-_." for c in local):
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri
