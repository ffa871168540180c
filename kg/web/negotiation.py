"""Content and language negotiation for the server (HTTP ``Accept`` headers).

One table maps media types to pyoxigraph's serializers, so that every
answer the server sends is written by pyoxigraph, never by hand.  Headers
are read by werkzeug (a maintained parser of ``Accept`` and
``Accept-Language``); the first of equally preferred types wins, so a
browser (which asks for ``text/html`` before ``*/*``) gets HTML and ``curl``
gets the default.
"""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox
from werkzeug.datastructures import LanguageAccept, MIMEAccept
from werkzeug.http import parse_accept_header

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


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers most, or None (406).

    werkzeug reads the header (RFC 9110: quality values, ``q=0`` meaning "not
    this", ``type/*`` and ``*/*``, the most specific range deciding); among
    equally preferred types the first offered wins.  No header means anything.

    >>> choose("text/html,application/xhtml+xml,*/*;q=0.8", ["text/turtle", "text/html"])
    'text/html'
    >>> choose("text/*", ["application/ld+json", "text/turtle"])
    'text/turtle'
    >>> choose("text/html;q=0, */*;q=0.1", ["text/html", "text/turtle"])
    'text/turtle'
    >>> choose("image/png", ["text/turtle"]) is None
    True
    """
    if not header or not header.strip():
        return offered[0] if offered else None
    if len(header) > CACHED_HEADER:
        return _best_match(header, tuple(offered))
    return _cached_best_match(header, tuple(offered))


CACHED_HEADER = 512  # clients send the same few Accept headers again and again; longer ones are read afresh each time


def _best_match(header: str, offered: tuple[str, ...]) -> str | None:
    found = parse_accept_header(header, MIMEAccept).best_match(offered)
    return str(found) if found else None


_cached_best_match = lru_cache(maxsize=256)(_best_match)  # werkzeug's matching costs tens of microseconds a request


def content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media in CHARSET_TYPES else media


def choose_language(header: str | None, explicit: str | None, supported: tuple[str, ...] = ("fr", "en")) -> str:
    """The page language: ``?lang=`` first, then ``Accept-Language`` (werkzeug's reading), else French (the source's language).

    >>> choose_language("en-GB,en;q=0.9,fr;q=0.5", None)
    'en'
    >>> choose_language("en", "fr")
    'fr'
    >>> choose_language("en;q=0, de", None)
    'fr'
    """
    if explicit and explicit.lower() in supported:
        return explicit.lower()
    if header:
        found = parse_accept_header(header, LanguageAccept).best_match(list(supported))
        if found:
            return str(found)
    return supported[0]
