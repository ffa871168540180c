"""Source cells as RDF: an IRI as it is, a citation in words as a resource of its own.

"Nothing is invented": every imported statement says where it comes from.
Practitioners cite web pages (an IRI) or books and workshop reports (words);
a citation becomes ``src:cite-<hash of its text>``, a ``prov:Entity`` with
its ``dcterms:bibliographicCitation``, so the same citation on two rows, or
in two imports, is one resource.
"""

from __future__ import annotations

import hashlib
import re

import pyoxigraph as ox

from kg.core.errors import InputError
from kg.core.namespaces import PREFIXES, expand_curie

_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_CITATION = ox.NamedNode(PREFIXES["dcterms"] + "bibliographicCitation")
_ENTITY = ox.NamedNode(PREFIXES["prov"] + "Entity")
IRI = re.compile(r"^(?:https?://|urn:)[^\s<>\"{}|\\^`]+$")


class Sources:
    """Source cells as RDF: IRIs as they are, citations as ``src:cite-<hash>`` resources."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.citations: dict[str, str] = {}  # IRI -> citation text

    def node(self, value: str, row: int) -> ox.NamedNode:
        iri = expand_curie(value) if ":" in value and not value.startswith(("http://", "https://", "urn:")) else None
        if iri is None and IRI.match(value):
            iri = value
        if iri is not None:
            try:
                return ox.NamedNode(iri)
            except ValueError:
                raise InputError(f"{self.file}: row {row}, column source: {value!r} is not a valid IRI") from None
        if value.startswith(("http://", "https://", "urn:")) or value.startswith("<"):
            raise InputError(f"{self.file}: row {row}, column source: {value!r} is not a valid IRI (write a citation in words, or a whole IRI)")
        digest = hashlib.sha256(" ".join(value.split()).encode()).hexdigest()[:12]
        cite = PREFIXES["src"] + f"cite-{digest}"
        self.citations[cite] = " ".join(value.split())
        return ox.NamedNode(cite)

    def triples(self) -> list[ox.Triple]:
        out = []
        for iri, text in sorted(self.citations.items()):
            node = ox.NamedNode(iri)
            out += [ox.Triple(node, _TYPE, _ENTITY), ox.Triple(node, _CITATION, ox.Literal(text))]
        return out


