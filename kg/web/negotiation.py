"""Content and language negotiation for the server (HTTP ``Accept`` headers).

One table maps media types to pyoxigraph's serializers, so that every
answer the server sends is written by pyoxigraph, never by hand.  The
``Accept`` parsing follows RFC 9110: quality values, ``type/*`` and ``*/*``;
the first of equally preferred types wins, so a browser (which asks for
``text/html`` before ``*/*``) gets HTML and ``curl`` gets the default.
"""

from __future__ import annotations

import pyoxigraph as ox

HTML = "text/html"

# Media type -> serializer, in the order offered when the client has no preference.
RESULTS_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/xml": ox.RdfFormat.RDF_XML,
}
# File extensions of the documents that describe a resource, for links and Content-Location.
EXTENSIONS: dict[str, str] = {
    "html": HTML,
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}
CHARSET_TYPES = {HTML, "text/turtle", "text/csv", "text/tab-separated-values", "application/n-triples", "text/plain"}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """(media type, quality) pairs, best first, stable for equal qualities.

    >>> parse_accept("text/html;q=0.9, application/sparql-results+json")
    [('application/sparql-results+json', 1.0), ('text/html', 0.9)]
    """
    if not header:
        return [("*/*", 1.0)]
    items: list[tuple[str, float, int]] = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for field in fields[1:]:
            key, _, value = field.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        items.append((media, quality, index))
    items.sort(key=lambda item: (-item[1], item[2]))
    return [(media, quality) for media, quality, _ in items if quality > 0]


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers most, or None (406).

    >>> choose("text/html,application/xhtml+xml,*/*;q=0.8", ["text/turtle", "text/html"])
    'text/html'
    >>> choose("text/*", ["application/ld+json", "text/turtle"])
    'text/turtle'
    >>> choose("image/png", ["text/turtle"]) is None
    True
    """
    for media, _ in parse_accept(header):
        if media == "*/*":
            return offered[0]
        if media.endswith("/*"):
            major = media[:-1]
            found = next((o for o in offered if o.startswith(major)), None)
            if found:
                return found
        elif media in offered:
            return media
    return None


def content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media in CHARSET_TYPES else media


def choose_language(header: str | None, explicit: str | None, supported: tuple[str, ...] = ("fr", "en")) -> str:
    """The page language: ``?lang=`` first, then ``Accept-Language``, else French (the source's language).

    >>> choose_language("en-GB,en;q=0.9,fr;q=0.5", None)
    'en'
    >>> choose_language("en", "fr")
    'fr'
    """
    if explicit and explicit.lower() in supported:
        return explicit.lower()
    for media, _ in parse_accept(header):
        primary = media.split("-")[0]
        if primary in supported:
            return primary
    return supported[0]
