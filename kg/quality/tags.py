"""Language tags as the files write them, for validation.

pyoxigraph lowercases language tags when it parses ("FR" becomes "fr"), as
RDF 1.1 allows; Jena and rdflib keep them as written, and then
``FILTER (LANG(?l) = "fr")`` misses the text.  So a tag written "FR" is a
mistake the store cannot show.  The shapes compare tags exactly
(``ksmsh:languageTag``); this module finds, with rdflib's parser (which keeps
the case), the literals whose tag is not written in lowercase, so that
validation can give pyshacl those literals as written.

It works from files: ``kg validate FILE...`` and the bundled data.  A graph
already in the persistent store (``kg load``) keeps only the lowercased tag,
so there the tag as written is lost; and literals on blank nodes are left as
the store has them, since their labels differ from one parser to the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.core.errors import InputError

# Where a file can hold a tag with a capital: after a quote in the Turtle family, in
# xml:lang in RDF/XML, anywhere in JSON-LD ("@language").  A file with no such place is
# not parsed a second time.
_RDFLIB_FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig",
                   ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".jsonld": "json-ld"}
_TURTLE_FAMILY = {".ttl", ".nt", ".nq", ".trig"}
_CAPITAL_TAG = re.compile(rb"[\"']@[A-Za-z0-9-]*[A-Z]")

Key = tuple[str, str, str, str]  # subject IRI, predicate IRI, lexical form, tag in lowercase


def _may_hold_a_capital_tag(path: Path, data: bytes) -> bool:
    if path.suffix.lower() in _TURTLE_FAMILY:
        return _CAPITAL_TAG.search(data) is not None
    return re.search(rb"[A-Z]", data) is not None  # RDF/XML and JSON-LD: parse unless there is no capital at all


def written_tags(files: Iterable[Path]) -> dict[Key, str]:
    """The tags not written in lowercase, keyed by the literal as the store holds it.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.ttl"
    >>> _ = p.write_text('<http://ex/s> <http://ex/p> "Bonjour"@FR , "Salut"@fr .', encoding="utf-8")
    >>> written_tags([p])
    {('http://ex/s', 'http://ex/p', 'Bonjour', 'fr'): 'FR'}
    """
    import rdflib

    found: dict[Key, str] = {}
    for path in files:
        path = Path(path)
        fmt = _RDFLIB_FORMATS.get(path.suffix.lower())
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(f"{path}: unreadable: {error}") from None
        if fmt is None or not _may_hold_a_capital_tag(path, data):
            continue
        graph = rdflib.Dataset() if fmt in ("nquads", "trig") else rdflib.Graph()
        try:
            graph.parse(data=data, format=fmt)
        except Exception as error:  # rdflib raises several unrelated types; pyoxigraph already parsed the file
            raise InputError(f"{path}: bad {fmt} syntax: {error}") from None
        facts: Iterable[Any] = graph.quads((None, None, None, None)) if isinstance(graph, rdflib.Dataset) else graph
        for s, p, o, *_ in facts:
            if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.Literal) and o.language and o.language != o.language.lower():
                found[(str(s), str(p), str(o), o.language.lower())] = o.language
    return found


def restore_written_tags(graph: Any, tags: dict[Key, str]) -> None:
    """Put back, in an rdflib graph built from the store, each literal with its tag as written."""
    import rdflib

    for (s, p, value, lower), written in tags.items():
        subject, predicate = rdflib.URIRef(s), rdflib.URIRef(p)
        if (subject, predicate, rdflib.Literal(value, lang=lower)) in graph:
            graph.remove((subject, predicate, rdflib.Literal(value, lang=lower)))
            graph.add((subject, predicate, rdflib.Literal(value, lang=written)))
