"""A resource's documents are usable by a client: no empty types, JSON-LD compacted with a published context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

BASE = "https://example.org/ksm/"


@pytest.fixture(scope="module")
def release(graph, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    from kg.release.publish import publish

    out = tmp_path_factory.mktemp("descriptions") / "site"
    publish(out, graph=graph, base=BASE)
    return out


def _resources(release: Path) -> list[Path]:
    found = sorted(p for p in (release / "id").rglob("*.ttl")) + sorted((release / "graph").rglob("*.ttl"))
    assert len(found) > 100
    return found


def test_no_resource_says_it_is_a_thing_or_an_anonymous_class(release: Path) -> None:
    import rdflib

    for path in _resources(release):
        described = rdflib.Graph().parse(path, format="turtle")
        for subject, _, cls in described.triples((None, rdflib.RDF.type, None)):
            assert not isinstance(cls, rdflib.BNode), (path, subject)
            assert cls not in (rdflib.OWL.Thing, rdflib.RDFS.Resource), (path, subject)
        assert not any(isinstance(term, rdflib.BNode) for triple in described for term in triple), path
    # The inferred classes that do say something stay.
    # (The discussion group: the network's bias of jargon and languages only hinders it, since issue 14.)
    group = rdflib.Graph().parse(release / "id/mechanism/discussion-group.ttl", format="turtle")
    assert (None, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/ksm/ontology#LanguageDependentMechanism")) in group


def _read_jsonld(path: Path, context: dict) -> object:  # type: ignore[type-arg]
    """A JSON-LD document read as a client with the published context cached would read it."""
    import rdflib

    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["@context"] == BASE + "context.jsonld", path
    data["@context"] = context
    return rdflib.Graph().parse(data=json.dumps(data), format="json-ld")


def test_json_ld_is_compact_and_says_the_same_as_turtle(release: Path) -> None:
    import rdflib
    from rdflib.compare import isomorphic

    context = json.loads((release / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    for ttl in _resources(release):
        jsonld = ttl.with_suffix(".jsonld")
        assert isomorphic(_read_jsonld(jsonld, context), rdflib.Graph().parse(ttl, format="turtle")), jsonld  # type: ignore[arg-type]
    network = json.loads((release / "id/mechanism/network.jsonld").read_text(encoding="utf-8"))
    assert network["@id"] == "mech:network"
    assert "ksm:Mechanism" in network["@type"]
    assert "stmt:network-limitation-1" in network["hasLimitation"]  # an object property is a term whose values are IRIs
    assert not any(key.startswith("http") for key in network)  # no key left expanded
    onto = release / "ontology.jsonld"
    assert isomorphic(_read_jsonld(onto, context), rdflib.Graph().parse(release / "ontology.ttl", format="turtle"))  # type: ignore[arg-type]


def test_the_context_has_the_prefixes_and_the_ontology_terms(release: Path, graph) -> None:  # type: ignore[no-untyped-def]
    from kg.core.namespaces import PREFIXES
    from kg.release.site import Site

    context = json.loads((release / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    for prefix, namespace in PREFIXES.items():
        assert context[prefix] == namespace
    object_properties = Site(graph).ontology_terms()["object_properties"]
    for iri in object_properties:
        name = iri.split("#")[1]
        assert context[name] == {"@id": "ksm:" + name, "@type": "@id"}, name
    assert context["position"] == {"@id": "ksm:position", "@type": "xsd:integer"}


def test_the_dumps_carry_their_context(release: Path) -> None:
    """A dump is read offline: its JSON-LD holds the context instead of naming it."""
    import rdflib
    from rdflib.compare import isomorphic

    dump = json.loads((release / "dumps/ksm-asserted.jsonld").read_text(encoding="utf-8"))
    assert isinstance(dump["@context"], dict) and dump["@context"]["mech"] == "https://w3id.org/ksm/id/mechanism/"
    parsed = rdflib.Graph().parse(release / "dumps/ksm-asserted.jsonld", format="json-ld")
    assert isomorphic(parsed, rdflib.Graph().parse(release / "dumps/ksm-asserted.nt", format="nt"))
