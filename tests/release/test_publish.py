"""`kg publish OUTDIR`: a static release, written atomically."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def release(graph, tmp_path_factory):  # type: ignore[no-untyped-def]
    from kg.release.publish import publish

    out = tmp_path_factory.mktemp("pub") / "site"
    publish(out, graph=graph, base="https://example.org/ksm/")
    return out


@pytest.mark.parametrize("name,fmt", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_dumps_parse_and_split_asserted_from_inferred(release: Path, name: str, fmt: str) -> None:
    import rdflib

    asserted = rdflib.Graph().parse(release / f"dumps/ksm-asserted.{name}", format=fmt)
    inferred = rdflib.Graph().parse(release / f"dumps/ksm-inferred.{name}", format=fmt)
    ksm, mech = rdflib.Namespace("https://w3id.org/ksm/ontology#"), rdflib.Namespace("https://w3id.org/ksm/id/mechanism/")
    # The chain-derived dependency is inferred, not asserted.
    fact = (mech["discussion-group"], ksm.dependsOn, rdflib.URIRef("https://w3id.org/ksm/id/concept/internet-access"))
    assert fact in inferred and fact not in asserted
    assert (mech["network"], rdflib.SKOS.prefLabel, rdflib.Literal("Réseau", lang="fr")) in asserted


def test_void_lists_the_dumps_with_sizes(release: Path) -> None:
    import rdflib

    meta = rdflib.Graph().parse(release / "void.ttl", format="turtle")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    urls = {str(u) for u in meta.objects(None, dcat.downloadURL)}
    assert "https://example.org/ksm/dumps/ksm-asserted.ttl" in urls
    for url in urls:
        assert (release / url.removeprefix("https://example.org/ksm/")).is_file()
    sizes = [int(s) for s in meta.objects(None, dcat.byteSize)]
    assert len(sizes) == len(urls) and all(s > 0 for s in sizes)


def test_ontology_docs_have_both_languages_for_every_term(release: Path, graph) -> None:  # type: ignore[no-untyped-def]
    from kg.release.site import Site

    html = (release / "ontology.html").read_text(encoding="utf-8")
    site = Site(graph)
    terms = [t for group in site.ontology_terms().values() for t in group]
    assert len(terms) > 30
    for term in terms:
        anchor = term.split("#")[1]
        assert f'id="{anchor}"' in html, term
        assert site.labels[term].get("fr") and site.labels[term].get("en"), term
    assert "voyage d" in html.lower() or "Voyage d" in html
    assert "mécanisme de partage des connaissances" in html and "knowledge-sharing mechanism" in html


def test_ontology_docs_include_the_situation_vocabulary(release: Path, graph) -> None:  # type: ignore[no-untyped-def]
    """ontology/situation.ttl is a module of the ontology (its own header, imported by the core): documented with the rest."""
    import rdflib

    from kg.release.site import Site

    html = (release / "ontology.html").read_text(encoding="utf-8")
    terms = {name: {t.split("#")[1] for t in group} for name, group in Site(graph).ontology_terms().items()}
    assert {"Situation", "Goal", "Recommendation", "Hindrance"} <= terms["classes"]
    assert {"seeksGoal", "hinderedWithout", "signalsObstacle"} <= terms["object_properties"]
    assert {"hindranceCount", "verbatimSha256", "maximumParticipants"} <= terms["datatype_properties"]  # the practice module too
    assert terms["annotation_properties"] == {"constrainsMechanismProperty"}
    for anchor in ("Situation", "constrainsMechanismProperty", "hinderedWithout"):
        assert f'id="{anchor}"' in html
    document = rdflib.Graph().parse(release / "ontology.ttl", format="turtle")
    ksm = rdflib.Namespace("https://w3id.org/ksm/ontology#")
    for term, kind in ((ksm.Situation, rdflib.OWL.Class), (ksm.Mechanism, rdflib.OWL.Class), (ksm.constrainsMechanismProperty, rdflib.OWL.AnnotationProperty),
                       (ksm.maximumParticipants, rdflib.OWL.DatatypeProperty)):
        assert (term, rdflib.RDF.type, kind) in document


def test_static_pages_link_relatively(release: Path) -> None:
    page = (release / "id/mechanism/study-tour.html").read_text(encoding="utf-8")
    assert "Voyage d&#39;études" in page or "Voyage d'études" in page
    assert 'href="../../static/style.css"' in page
    assert 'href="../../id/statement/study-tour-limitation-1.html"' in page
    assert (release / "id/mechanism/study-tour.en.html").is_file() and (release / "id/mechanism/study-tour.ttl").is_file()
    assert "https://w3id.org/ksm/id/mechanism/study-tour" in (release / "index.html").read_text(encoding="utf-8") or \
        'href="id/mechanism/study-tour.html"' in (release / "index.html").read_text(encoding="utf-8")


def test_failure_leaves_the_previous_release(graph, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kg.release import publish as publish_module

    out = tmp_path / "site"
    publish_module.publish(out, graph=graph)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish_module, "build", broken)
    from kg.core.errors import EnvironmentFailure

    with pytest.raises(EnvironmentFailure):
        publish_module.publish(out, graph=graph)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging folder left behind


def test_cli_publish(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kg.cli import main

    result = runner.invoke(main, ["publish", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "index.html").is_file() and (tmp_path / "out" / ".well-known" / "void").is_file()
