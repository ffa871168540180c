"""`kg serve` as a good citizen of the web: the protocol, HTTP caching, CORS, gzip, negotiation,
IRIs that resolve, and the pages' formats, language and errors."""

from __future__ import annotations

import gzip
import http.client
import re
import urllib.parse
from collections.abc import Iterator

import pytest

from tests.web.attack import fetch

G = "https://w3id.org/ksm/graph/"
NETWORK = "https://w3id.org/ksm/id/mechanism/network"
LABEL = f"SELECT ?l WHERE {{ <{NETWORK}> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} ORDER BY ?l"
JSON = {"Accept": "application/sparql-results+json"}
PARAMS = {"mechanism": "mech:network", "first": "mech:network", "second": "mech:learning-group", "objective": "objcat:knowledge-sharing",
          "scale": "ksmc:national", "category": "limcat:language", "tool": "ksmc:email", "target": "sdg:17.6"}


@pytest.fixture(scope="module")
def server(graph) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from kg.web.app import Settings, serve_in_thread

    with serve_in_thread(Settings(timeout=3.0, max_rows=2000, workers=2), graph=graph) as url:
        yield url


def q(query: str) -> str:
    return urllib.parse.urlencode({"query": query})


def values(body: bytes, name: str) -> list[str]:
    import json

    return [row[name]["value"] for row in json.loads(body)["results"]["bindings"]]


# ---------------------------------------------------------------- SPARQL protocol

def test_post_form_without_query_is_a_400(server) -> None:  # type: ignore[no-untyped-def]
    status, _, body = fetch(server + "sparql", data=b"format=json", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and b"needs a 'query'" in body


def test_from_and_from_named_are_honoured(server) -> None:  # type: ignore[no-untyped-def]
    status, _, body = fetch(server + "sparql?" + q(LABEL), headers=JSON)
    assert status == 200 and {"Réseau", "Network"} <= set(values(body, "l"))  # no FROM: the union
    with_from = LABEL.replace("WHERE", f"FROM <{G}translations.en> WHERE")
    status, _, body = fetch(server + "sparql?" + q(with_from), headers=JSON)
    assert status == 200 and values(body, "l") == ["Network"]
    named = f"SELECT DISTINCT ?g FROM NAMED <{G}features> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    status, _, body = fetch(server + "sparql?" + q(named), headers=JSON)
    assert status == 200 and values(body, "g") == [G + "features"]
    status, _, body = fetch(server + "sparql?" + q("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"), headers=JSON)
    assert status == 200 and values(body, "s") == []  # a graph name, not a file
    # The protocol's dataset overrides the query's (SPARQL 1.1 Protocol).
    override = "&" + urllib.parse.urlencode({"default-graph-uri": G + "mechanisms"})
    status, _, body = fetch(server + "sparql?" + q(with_from) + override, headers=JSON)
    assert status == 200 and values(body, "l") == ["Réseau"]


def test_head_and_options(server) -> None:  # type: ignore[no-untyped-def]
    for path in ("sparql", "sparql?" + q("ASK {}"), "ksm/id/mechanism/network", ""):
        status, headers, body = fetch(server + path, method="HEAD")
        assert status == 200 and body == b"", path
    status, headers, _ = fetch(server + "sparql", method="OPTIONS")
    assert status == 204 and "HEAD" in headers["allow"] and "POST" in headers["allow"]
    status, headers, _ = fetch(server + "sparql?" + q("ASK {}"), method="PUT")
    assert status == 405 and "GET" in headers["allow"]


def test_cors_on_the_endpoint_and_the_data(server) -> None:  # type: ignore[no-untyped-def]
    origin = {"Origin": "https://yasgui.example"}
    for path in ("sparql?" + q("ASK {}"), "ksm/id/mechanism/network.ttl", ".well-known/void"):
        status, headers, _ = fetch(server + path, headers=origin)
        assert status == 200 and headers["access-control-allow-origin"] == "*", path
    preflight = {**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, accept"}
    status, headers, _ = fetch(server + "sparql", method="OPTIONS", headers=preflight)
    assert status == 200 and "POST" in headers["access-control-allow-methods"]
    assert "content-type" in headers["access-control-allow-headers"].lower()


def test_etag_last_modified_and_304(server) -> None:  # type: ignore[no-untyped-def]
    for path, accept in (("ksm/id/mechanism/network", "text/turtle"), ("ksm/ontology", "text/html"), ("sparql?" + q("ASK {}"), "text/csv")):
        status, headers, body = fetch(server + path, headers={"Accept": accept})
        assert status == 200 and headers["etag"].startswith('W/"') and "max-age" in headers["cache-control"]
        assert headers["last-modified"].endswith("GMT")
        status, again, body = fetch(server + path, headers={"Accept": accept, "If-None-Match": headers["etag"]})
        assert status == 304 and body == b"" and again["etag"] == headers["etag"], path
        status, _, body = fetch(server + path, headers={"Accept": accept, "If-Modified-Since": headers["last-modified"]})
        assert status == 304 and body == b""
        status, _, body = fetch(server + path, headers={"Accept": accept, "If-None-Match": 'W/"other"'})
        assert status == 200 and body


def test_gzip(server) -> None:  # type: ignore[no-untyped-def]
    status, headers, body = fetch(server + "ksm/ontology", headers={"Accept": "text/turtle", "Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    plain = fetch(server + "ksm/ontology", headers={"Accept": "text/turtle"})[2]
    assert gzip.decompress(body) == plain and len(body) < len(plain) / 2


def test_accept_with_q_zero_is_honoured(server) -> None:  # type: ignore[no-untyped-def]
    no_html = {"Accept": "text/html;q=0, */*;q=0.1"}
    status, headers, _ = fetch(server + "ksm/id/mechanism/network", headers=no_html)
    assert status == 200 and not headers["content-type"].startswith("text/html")
    status, headers, _ = fetch(server + "sparql?" + q("ASK {}"), headers=no_html)
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+json")
    status, _, body = fetch(server + "ksm/id/mechanism/network", headers={"Accept": "text/html", "Accept-Language": "fr;q=0, en"})
    assert status == 200 and b"<h1>Network</h1>" in body
    status, _, body = fetch(server + "ksm/id/mechanism/network", headers={"Accept": "text/html", "Accept-Language": "en;q=0, de"})
    assert status == 200 and "<h1>Réseau</h1>".encode() in body


def test_dataset_root_and_void_negotiate(server) -> None:  # type: ignore[no-untyped-def]
    import rdflib

    status, headers, body = fetch(server + "ksm/", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert (rdflib.URIRef("https://w3id.org/ksm/dataset"), rdflib.RDF.type, rdflib.URIRef("http://rdfs.org/ns/void#Dataset")) in \
        rdflib.Graph().parse(data=body, format="turtle")
    status, headers, body = fetch(server + "ksm/", headers={"Accept": "application/ld+json"})
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    assert fetch(server + "ksm/", headers={"Accept": "text/html"})[1]["content-type"].startswith("text/html")
    for path in ("ksm/", "", ".well-known/void"):
        assert fetch(server + path, headers={"Accept": "image/png"})[0] == 406, path
    status, headers, _ = fetch(server + ".well-known/void", headers={"Accept": "application/rdf+xml"})
    assert status == 200 and headers["content-type"].startswith("application/rdf+xml")


def test_every_iri_the_metadata_mints_resolves(server, graph) -> None:  # type: ignore[no-untyped-def]
    import rdflib

    meta = rdflib.Graph().parse(data=fetch(server + ".well-known/void", headers={"Accept": "text/turtle"})[2], format="turtle")
    ours = {str(t) for triple in meta for t in triple if isinstance(t, rdflib.URIRef) and str(t).startswith("https://w3id.org/ksm/")}
    onto = rdflib.Graph().parse(data=fetch(server + "ksm/ontology", headers={"Accept": "text/turtle"})[2], format="turtle")
    ours |= {str(v) for v in onto.objects(None, rdflib.OWL.versionIRI)}
    graphs = {str(g.value) for g in graph.store.named_graphs()}
    assert graphs <= ours and "https://w3id.org/ksm/dataset" in ours and "https://w3id.org/ksm/ontology/0.1.0" in ours
    for iri in sorted(ours):
        url = server + "ksm/" + iri.removeprefix("https://w3id.org/ksm/").split("#")[0]
        status, _, body = fetch(url, headers={"Accept": "text/turtle"})
        assert status == 200 and body, iri
        assert fetch(url, headers={"Accept": "text/html"})[0] == 200, iri
    # A named graph's IRI gives its triples.
    status, _, body = fetch(server + "ksm/graph/mechanisms", headers={"Accept": "application/n-triples"})
    count = sum(1 for _ in graph.store.quads_for_pattern(None, None, None, __import__("pyoxigraph").NamedNode(G + "mechanisms")))
    assert status == 200 and body.count(b"\n") == count


# ---------------------------------------------------------------- pages

def _links(page: str, prefix: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="(' + re.escape(prefix) + r'[^"]*)"', page)]


def test_saved_queries_offer_the_formats_their_answers_have(server, catalogue) -> None:  # type: ignore[no-untyped-def]
    kinds = set()
    for saved in catalogue:
        given = {p.name: PARAMS[p.name] for p in saved.parameters if p.name in PARAMS}
        status, _, body = fetch(server + f"queries/{saved.name}?" + urllib.parse.urlencode({**given, "lang": "en"}), headers={"Accept": "text/html"})
        assert status == 200, saved.name
        links = _links(body.decode(), f"/queries/{saved.name}.")
        assert links, saved.name
        formats = {link.split("?")[0].rsplit(".", 1)[1] for link in links}
        kinds.add(frozenset(formats))
        for link in links:
            status, _, answer = fetch(urllib.parse.urljoin(server, link))
            assert status == 200 and answer, (link, answer[:200])
    assert {frozenset({"json", "csv", "tsv", "xml"}), frozenset({"ttl", "nt", "jsonld", "rdf"})} <= kinds


@pytest.mark.parametrize(("query", "formats"), [
    ("SELECT ?s WHERE { ?s a <https://w3id.org/ksm/ontology#Mechanism> }", {"json", "csv", "tsv", "xml"}),
    ("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 5", {"ttl", "nt", "jsonld", "rdf"}),
])
def test_editor_offers_the_formats_of_the_query_type(server, query: str, formats: set[str]) -> None:  # type: ignore[no-untyped-def]
    status, _, body = fetch(server + "editor?" + q(query), headers={"Accept": "text/html"})
    links = _links(body.decode(), "/sparql?")
    assert status == 200 and {urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["format"][0] for link in links} == formats
    for link in links:
        assert fetch(urllib.parse.urljoin(server, link))[0] == 200, link


def test_unknown_paths_get_the_page_in_the_readers_language(server) -> None:  # type: ignore[no-untyped-def]
    status, headers, body = fetch(server + "no/such/page", headers={"Accept": "text/html", "Accept-Language": "fr"})
    page = body.decode()
    assert status == 404 and headers["content-type"].startswith("text/html") and '<html lang="fr">' in page
    assert "cette page n&#39;existe pas ici" in page and 'class="lang"' in page
    status, _, body = fetch(server + "no/such/page?lang=en", headers={"Accept": "text/html"})
    assert status == 404 and "there is no such page here" in body.decode()
    status, headers, body = fetch(server + "no/such/page")
    assert status == 404 and headers["content-type"].startswith("text/plain")


def test_errors_are_in_french_on_french_pages(server) -> None:  # type: ignore[no-untyped-def]
    status, _, body = fetch(server + "editor?" + q("SELECT * WHERE {") + "&lang=fr", headers={"Accept": "text/html"})
    assert status == 400 and "requête SPARQL invalide" in body.decode()
    status, _, body = fetch(server + "editor?" + q("SELECT * WHERE {") + "&lang=en", headers={"Accept": "text/html"})
    assert status == 400 and "bad SPARQL query" in body.decode()
    status, _, body = fetch(server + "ksm/id/nothing-here?lang=fr", headers={"Accept": "text/html"})
    assert status == 404 and "rien n&#39;est connu de cet IRI" in body.decode()


def test_language_switch_keeps_the_pages_parameters(server) -> None:  # type: ignore[no-untyped-def]
    status, _, body = fetch(server + "recommend?internet=no&goal=policy-influence&lang=en", headers={"Accept": "text/html"})
    switch = re.search(r'<a class="lang" href="([^"]+)"', body.decode())
    assert status == 200 and switch
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(switch.group(1).replace("&amp;", "&")).query)
    assert params == {"internet": ["no"], "goal": ["policy-influence"], "lang": ["fr"]}


def test_links_to_our_own_resources_stay_on_the_server(server, graph) -> None:  # type: ignore[no-untyped-def]
    from kg.release.site import Site

    site = Site(graph)
    pages = ["ksm/ontology", *["ksm/" + iri.removeprefix("https://w3id.org/ksm/") for iri in site.resources()]]
    for path in pages:
        status, _, body = fetch(server + path, headers={"Accept": "text/html"})
        assert status == 200 and b'href="https://w3id.org/ksm/' not in body, path


def test_pages_have_a_skip_link_and_a_labelled_editor(server) -> None:  # type: ignore[no-untyped-def]
    _, _, body = fetch(server + "editor?lang=en", headers={"Accept": "text/html"})
    page = body.decode()
    assert '<a class="skip" href="#main">Skip to content</a>' in page and '<main id="main"' in page
    assert '<label for="query">' in page and 'id="query"' in page


def test_keep_alive_connection_serves_many_requests(server) -> None:  # type: ignore[no-untyped-def]
    parts = urllib.parse.urlsplit(server)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    for _ in range(5):
        conn.request("GET", "/sparql?" + q("ASK {}"), headers=JSON)
        response = conn.getresponse()
        assert response.status == 200 and b"true" in response.read()
    conn.close()
