"""`kg serve` over real HTTP: a uvicorn server on a free loopback port, real clients.

SPARQLWrapper runs every saved query against /sparql and must get what the
library gets; rdflib parses every negotiated RDF format; the W3C SPARQL 1.1
Protocol read-only cases are checked one by one (tests/web/w3c_protocol/); a
slow query hits the time limit while another client is answered.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from kg.graph.binding import with_values
from kg.queries.params import bind
from kg.queries.run import run_saved

# Fixed parameter values, by name, for running every saved query (the seed's answers are known for these).
PARAMS = {
    "mechanism": "mech:network", "first": "mech:network", "second": "mech:learning-group",
    "objective": "objcat:knowledge-sharing", "scale": "ksmc:national", "category": "limcat:language",
    "tool": "ksmc:email", "target": "sdg:17.6",
}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MECH = "https://w3id.org/ksm/id/mechanism/"


@pytest.fixture(scope="module")
def server(graph) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from kg.web.app import Settings, serve_in_thread

    with serve_in_thread(Settings(timeout=2.0, max_rows=500, max_body=20_000, workers=2), graph=graph) as url:
        yield url


def fetch(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def q(query: str) -> str:
    return urllib.parse.urlencode({"query": query})


# ---------------------------------------------------------------- saved queries, same answers as the library

def _params_for(saved) -> dict[str, str]:  # type: ignore[no-untyped-def]
    given = {}
    for param in saved.parameters:
        if param.name in PARAMS:
            given[param.name] = PARAMS[param.name]
        elif param.required:
            pytest.fail(f"{saved.name}: no test value for required parameter {param.name}")
    return given


def _unordered(value: str) -> str:
    """GROUP_CONCAT has no defined order in SPARQL: compare its parts as a set."""
    return " | ".join(sorted(value.split(" | ")))


def test_every_saved_query_answers_as_the_library(server, graph, catalogue) -> None:  # type: ignore[no-untyped-def]
    import rdflib
    from rdflib.compare import isomorphic
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    assert len(catalogue) >= 1
    for saved in catalogue:
        given = _params_for(saved)
        local = run_saved(graph, saved, given, lang="en")
        text = with_values(saved.text, bind(saved, given, graph=graph, lang="en"))
        client = SPARQLWrapper(server + "sparql")
        client.setQuery(text)
        if local.kind == "graph":
            client.setReturnFormat(TURTLE)
            remote = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
            expected = rdflib.Graph().parse(data=local.serialize("nt"), format="nt")
            assert isomorphic(remote, expected), saved.name
            assert len(remote) > 0, saved.name
            continue
        client.setReturnFormat(JSON)
        answer = client.query().convert()
        if local.kind == "ask":
            assert answer["boolean"] == local.boolean, saved.name
            continue
        assert answer["head"]["vars"] == local.variables, saved.name
        remote_rows = [{k: _unordered(v["value"]) for k, v in row.items()} for row in answer["results"]["bindings"]]
        local_rows = [{k: _unordered(t.value) for k, t in row.items()} for row in local.rows]  # type: ignore[union-attr]
        assert remote_rows == local_rows, saved.name


def test_without_internet_over_http_matches_the_seed(server, catalogue, graph) -> None:  # type: ignore[no-untyped-def]
    from SPARQLWrapper import JSON, SPARQLWrapper

    saved = catalogue.get("mechanisms-without-internet")
    client = SPARQLWrapper(server + "sparql", returnFormat=JSON)
    client.setQuery(with_values(saved.text, bind(saved, {}, graph=graph, lang="fr")))
    rows = client.query().convert()["results"]["bindings"]
    found = {row["mechanism"]["value"].rsplit("/", 1)[-1] for row in rows}
    # Discussion groups (e-mail, intranet) and communities of practice are the internet-dependent rows of the table.
    assert found == {"fora-in-situ", "network", "learning-group", "study-tour"}


def test_saved_query_page_json_and_csv_links(server) -> None:  # type: ignore[no-untyped-def]
    import json

    status, headers, body = fetch(server + "queries/mechanisms-by-tool.json?tool=ksmc:email&lang=en")
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+json")
    rows = json.loads(body)["results"]["bindings"]
    assert {r["mechanism"]["value"] for r in rows} == {MECH + "discussion-group"}
    status, headers, body = fetch(server + "queries/mechanisms-by-tool.csv?tool=e-mail")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert (MECH + "discussion-group").encode() in body
    status, _, body = fetch(server + "queries/mechanisms-by-tool.json?tool=carrier-pigeon")
    assert status == 400 and b"carrier-pigeon" in body


def test_saved_query_form_shows_the_mechanism_a_label_named(server) -> None:  # type: ignore[no-untyped-def]
    query = urllib.parse.urlencode({"mechanism": "Réseau", "lang": "fr"})
    status, _, body = fetch(server + "queries/mechanism-profile?" + query, headers={"Accept": "text/html"})
    assert status == 200
    page = body.decode("utf-8")
    assert '<option value="mech:network" selected>' in page
    assert page.count(" selected>") == 1


def test_saved_query_page_rejects_injection_as_a_value(server) -> None:  # type: ignore[no-untyped-def]
    value = "mech:network> } ; DROP ALL ; #"
    status, _, body = fetch(server + "queries/mechanism-profile?" + urllib.parse.urlencode({"mechanism": value}), headers={"Accept": "text/html"})
    assert status == 400
    assert b"parameter" in body and b"mechanism" in body


# ---------------------------------------------------------------- dereferenceable IRIs and negotiated formats

RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml", "application/n-triples": "nt"}


@pytest.mark.parametrize("media", list(RDF_FORMATS))
def test_mechanism_iri_negotiates_rdf_that_rdflib_parses(server, media: str) -> None:  # type: ignore[no-untyped-def]
    import rdflib

    status, headers, body = fetch(server + "ksm/id/mechanism/study-tour", headers={"Accept": media})
    assert status == 200 and headers["content-type"].startswith(media)
    assert "Accept" in headers["vary"]
    assert headers["content-location"].startswith("/ksm/id/mechanism/study-tour.")
    parsed = rdflib.Graph().parse(data=body, format=RDF_FORMATS[media])
    subject = rdflib.URIRef(MECH + "study-tour")
    assert (subject, rdflib.SKOS.prefLabel, rdflib.Literal("Voyage d'études", lang="fr")) in parsed
    # Inferred: a study tour depends on travel, so it is a TravelDependentMechanism.
    assert (subject, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/ksm/ontology#TravelDependentMechanism")) in parsed


def test_ontology_is_one_document_with_hash_terms(server) -> None:  # type: ignore[no-untyped-def]
    import rdflib

    status, _, body = fetch(server + "ksm/ontology", headers={"Accept": "text/turtle"})
    assert status == 200
    onto = rdflib.Graph().parse(data=body, format="turtle")
    term = rdflib.URIRef("https://w3id.org/ksm/ontology#Mechanism")
    assert (term, rdflib.RDF.type, rdflib.OWL.Class) in onto
    # the situation vocabulary shares the namespace, so its terms resolve to the same document
    assert (rdflib.URIRef("https://w3id.org/ksm/ontology#Situation"), rdflib.RDF.type, rdflib.OWL.Class) in onto
    status, _, html = fetch(server + "ksm/ontology", headers={"Accept": "text/html"})
    assert status == 200 and b'id="Mechanism"' in html
    assert "mécanisme de partage des connaissances".encode() in html and b"knowledge-sharing mechanism" in html


def test_explicit_extension_and_404(server) -> None:  # type: ignore[no-untyped-def]
    status, headers, _ = fetch(server + "ksm/id/mechanism/network.jsonld")
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    status, _, _ = fetch(server + "ksm/id/mechanism/no-such-thing", headers={"Accept": "text/turtle"})
    assert status == 404
    status, _, _ = fetch(server + "ksm/id/mechanism/network", headers={"Accept": "image/png"})
    assert status == 406


def test_mechanism_page_marks_inferred_facts_and_speaks_both_languages(server) -> None:  # type: ignore[no-untyped-def]
    status, headers, fr = fetch(server + "ksm/id/mechanism/discussion-group", headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    text = fr.decode()
    assert "Groupe de discussion" in text and "Certains acteurs n&#39;ont pas accès à internet" in text
    assert 'class="inferred"' in text and "inféré" in text
    assert 'name="viewport"' in text
    _, _, en = fetch(server + "ksm/id/mechanism/discussion-group?lang=en", headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert "Some actors have no internet access" in en.decode() and "Limitations" in en.decode()
    # Links to our own resources are mapped onto the server (--base), never to w3id.org.
    assert server + "ksm/id/statement/discussion-group-limitation-2" in en.decode()


def test_void_and_dcat(server) -> None:  # type: ignore[no-untyped-def]
    import rdflib

    status, _, body = fetch(server + ".well-known/void", headers={"Accept": "text/turtle"})
    assert status == 200
    meta = rdflib.Graph().parse(data=body, format="turtle")
    void, dcat = rdflib.Namespace("http://rdfs.org/ns/void#"), rdflib.Namespace("http://www.w3.org/ns/dcat#")
    ds = rdflib.URIRef("https://w3id.org/ksm/dataset")
    assert (ds, void.sparqlEndpoint, rdflib.URIRef(server + "sparql")) in meta
    assert (ds, rdflib.DCTERMS.license, rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")) in meta
    assert int(meta.value(ds, void.triples)) > 1000
    assert len(list(meta.subjects(rdflib.RDF.type, dcat.Distribution))) >= 9
    assert (None, rdflib.RDF.type, dcat.DataService) in meta
    for url in meta.objects(ds, void.dataDump):
        status, _, dump = fetch(str(url))
        assert status == 200 and dump, url


# ---------------------------------------------------------------- limits

def test_slow_query_times_out_cleanly_while_others_are_answered(server) -> None:  # type: ignore[no-untyped-def]
    outcome: dict[str, object] = {}

    def slow() -> None:
        start = time.monotonic()
        outcome["slow"] = fetch(server + "sparql?" + q(SLOW), headers={"Accept": "application/sparql-results+json"})
        outcome["slow_seconds"] = time.monotonic() - start

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    start = time.monotonic()
    ask = q("ASK { ?m a <https://w3id.org/ksm/ontology#Mechanism> }")
    status, _, body = fetch(server + "sparql?" + ask, headers={"Accept": "application/sparql-results+json"})
    quick = time.monotonic() - start
    thread.join(30)
    assert status == 200 and b"true" in body
    assert quick < 1.0, f"a quick query waited {quick:.2f} s behind a slow one"
    slow_status, _, slow_body = outcome["slow"]  # type: ignore[misc]
    assert slow_status == 503 and b"time limit" in slow_body
    assert 1.9 < outcome["slow_seconds"] < 6  # type: ignore[operator]
    # The killed worker is replaced: the server keeps answering.
    for _ in range(3):
        assert fetch(server + "sparql?" + q("ASK {}"))[0] == 200


def test_row_cap_refuses_instead_of_truncating(server) -> None:  # type: ignore[no-untyped-def]
    status, _, body = fetch(server + "sparql?" + q("SELECT * WHERE { ?s ?p ?o }"))
    assert status == 400 and b"500 rows" in body
    status, _, body = fetch(server + "sparql?" + q("SELECT * WHERE { ?s ?p ?o } LIMIT 500"), headers={"Accept": "text/csv"})
    assert status == 200 and body.count(b"\r\n") == 501


def test_request_body_limit(server) -> None:  # type: ignore[no-untyped-def]
    big = "ASK {} #" + "x" * 30_000
    status, _, _ = fetch(server + "sparql", data=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert status == 413


def test_service_is_refused(server) -> None:  # type: ignore[no-untyped-def]
    status, _, body = fetch(server + "sparql?" + q("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"))
    assert status == 400 and b"SERVICE" in body


# ---------------------------------------------------------------- W3C SPARQL 1.1 Protocol, read-only cases (tests/web/w3c_protocol/CHECKLIST.md)

G = "https://w3id.org/ksm/graph/"
COUNT_MECH = "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a <https://w3id.org/ksm/ontology#Mechanism> }"
LABEL_FR = "SELECT ?l WHERE { <https://w3id.org/ksm/id/mechanism/network> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
FORM = "application/x-www-form-urlencoded"
DEFAULT_MECH = "&default-graph-uri=" + urllib.parse.quote(G + "mechanisms")
TWO_DEFAULTS = "&" + urllib.parse.urlencode([("default-graph-uri", G + "mechanisms"), ("default-graph-uri", G + "translations.en")])
NAMED_FEATURES = "&named-graph-uri=" + urllib.parse.quote(G + "features")
GRAPHS = q("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
FULL = q("SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g") + DEFAULT_MECH + NAMED_FEATURES
FROM_EN = q(f"SELECT ?l FROM <{G}translations.en> WHERE {{ <https://w3id.org/ksm/id/mechanism/network> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}")
FRENCH_ONLY = r"(?s)^(?!.*Network)(?=.*R(é|\\u00E9)seau)"
RESULTS = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values")
RDF = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")

CASES = [
    # (case, method, url query, body, content type, expected status, check on body or content type)
    ("query_get", "GET", q(COUNT_MECH), None, None, 200, r'"6"'),
    ("query_post_form", "POST", "", q(COUNT_MECH).encode(), FORM, 200, r'"6"'),
    ("query_post_direct", "POST", "", COUNT_MECH.encode(), "application/sparql-query", 200, r'"6"'),
    ("query_dataset_default_graph", "GET", q(LABEL_FR) + DEFAULT_MECH, None, None, 200, FRENCH_ONLY),
    ("query_dataset_default_graphs_get", "GET", q(LABEL_FR) + TWO_DEFAULTS, None, None, 200, r"Network"),
    ("query_dataset_default_graphs_post", "POST", "", (q(LABEL_FR) + TWO_DEFAULTS).encode(), FORM, 200, r"Network"),
    ("query_dataset_named_graphs_get", "GET", GRAPHS + NAMED_FEATURES, None, None, 200, r"graph/features"),
    ("query_dataset_named_graphs_post", "POST", "", (GRAPHS + NAMED_FEATURES).encode(), FORM, 200, r"graph/features"),
    ("query_dataset_full", "GET", FULL, None, None, 200, r"graph/features"),
    ("query_multiple_dataset", "GET", FROM_EN + DEFAULT_MECH, None, None, 200, FRENCH_ONLY),
    ("query_content_type_select", "GET", q(COUNT_MECH), None, None, 200, RESULTS),
    ("query_content_type_ask", "GET", q("ASK {}"), None, None, 200, RESULTS),
    ("query_content_type_describe", "GET", q("DESCRIBE <https://w3id.org/ksm/id/mechanism/network>"), None, None, 200, RDF),
    ("query_content_type_construct", "GET", q("CONSTRUCT { ?m a ?c } WHERE { ?m a ?c } LIMIT 3"), None, None, 200, RDF),
    ("bad_query_method", "PUT", q("ASK {}"), None, None, 405, None),
    ("bad_multiple_queries", "GET", q("ASK {}") + "&" + q("ASK {}"), None, None, 400, None),
    ("bad_query_wrong_media_type", "POST", "", b"ASK {}", "text/plain", 415, None),
    ("bad_query_missing_form_type", "POST", "", q("ASK {}").encode(), None, 400, None),
    ("bad_query_missing_direct_type", "POST", "", b"ASK {}", None, 400, None),
    ("bad_query_non_utf8", "POST", "", "ASK { ?s ?p 'é' }".encode("latin-1"), "application/sparql-query; charset=ISO-8859-1", 400, None),
    ("bad_query_syntax", "GET", q("SELECT * WHERE {"), None, None, 400, r"bad SPARQL query"),
    ("update_post_form", "POST", "", urllib.parse.urlencode({"update": "CLEAR ALL"}).encode(), FORM, 403, r"read-only"),
    ("update_post_direct", "POST", "", b"CLEAR ALL", "application/sparql-update", 403, r"read-only"),
    ("bad_update_get", "GET", urllib.parse.urlencode({"update": "CLEAR ALL"}), None, None, 403, None),
    ("bad_multiple_updates", "POST", "", urllib.parse.urlencode([("update", "CLEAR ALL"), ("update", "CLEAR ALL")]).encode(), FORM, 403, None),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_w3c_protocol_case(server, case) -> None:  # type: ignore[no-untyped-def]
    _, method, query, body, ctype, expected, check = case
    headers = {"Content-Type": ctype} if ctype else {}
    if ctype is None and body is not None:
        headers["Content-Type"] = ""
    status, response_headers, content = fetch(server + "sparql" + (f"?{query}" if query else ""), data=body, headers=headers, method=method)
    assert status == expected, content
    if isinstance(check, tuple):
        assert response_headers["content-type"].split(";")[0] in check
    elif check is not None:
        assert re.search(check, content.decode()), content


def test_still_intact_after_update_attempts(server) -> None:  # type: ignore[no-untyped-def]
    fetch(server + "sparql", data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    status, _, body = fetch(server + "sparql?" + q(COUNT_MECH))
    assert status == 200 and b'"6"' in body


# ---------------------------------------------------------------- /recommend: which mechanism for my situation

def _ranked(page: str) -> list[str]:
    """The mechanisms of a /recommend page, best first (local names)."""
    return [iri.rsplit("/", 1)[-1] for iri in re.findall(r'<li class="rec[^"]*" id="rank-\d+" data-mechanism="([^"]+)"', page)]


def _recommend(server: str, query: str, lang: str = "en") -> tuple[int, str]:
    status, headers, body = fetch(server + f"recommend?{query}&lang={lang}", headers={"Accept": "text/html"})
    assert headers["content-type"].startswith("text/html")
    return status, body.decode("utf-8")


def test_recommend_form_offers_the_graphs_goals_in_both_languages(server) -> None:  # type: ignore[no-untyped-def]
    status, _, body = fetch(server + "recommend?lang=fr", headers={"Accept": "text/html"})
    fr = body.decode("utf-8")
    assert status == 200 and 'id="recommend-form"' in fr and 'id="ranking"' not in fr
    assert "Quel mécanisme pour ma situation ?" in fr and "Langues de travail" in fr and "Classer les mécanismes" in fr
    assert '<input type="checkbox" name="goal" value="policy-influence">' in fr and "Influencer les politiques" in fr
    assert '<a href="/recommend">Quel mécanisme ?</a>' in fr  # in the nav
    _, _, body = fetch(server + "recommend?lang=en", headers={"Accept": "text/html"})
    en = body.decode("utf-8")
    assert "Which mechanism for my situation?" in en and "Working languages" in en and "Policy influence" in en
    assert '<a href="/recommend">Which mechanism?</a>' in en
    # Budget levels in order, from the graph (not by label): low, medium, high.
    assert re.findall(r'<option value="(low|medium|high)"', en) == ["low", "medium", "high"]


def test_recommend_form_choices_come_from_the_graph(graph) -> None:  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    from kg.graph.store import KnowledgeGraph
    from kg.web.recommend import form_fields

    extended = KnowledgeGraph(store=ox.Store())
    extended.store.extend(graph.store)
    goal = ox.NamedNode("https://w3id.org/ksm/id/concept/goal-fundraising")
    skos = "http://www.w3.org/2004/02/skos/core#"
    extended.store.extend([
        ox.Quad(goal, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode("https://w3id.org/ksm/ontology#Goal")),
        ox.Quad(goal, ox.NamedNode(skos + "notation"), ox.Literal("fundraising")),
        ox.Quad(goal, ox.NamedNode(skos + "prefLabel"), ox.Literal("Fundraising", language="en")),
    ])
    goals = {f.name: f for f in form_fields(extended, "en")}["goal"]
    assert ("fundraising", "Fundraising") in {(c.value, c.label) for c in goals.choices}
    assert "fundraising" not in {c.value for c in {f.name: f for f in form_fields(graph, "en")}["goal"].choices}


def test_recommend_no_internet_ranks_discussion_group_and_cop_last(server) -> None:  # type: ignore[no-untyped-def]
    status, page = _recommend(server, "internet=no")
    assert status == 200
    order = _ranked(page)
    assert len(order) == 6 and set(order[-2:]) == {"discussion-group", "community-of-practice"}
    assert "depends on Internet access, which the situation lacks" in page
    assert "inferred from its use of E-mail" in page
    assert 'name="internet" value="no" checked' in page
    _, fr = _recommend(server, "internet=no", lang="fr")
    assert "dépend de « Accès à internet », qui manque à la situation" in fr and set(_ranked(fr)[-2:]) == set(order[-2:])


def test_recommend_policy_influence_puts_the_network_first(server) -> None:  # type: ignore[no-untyped-def]
    status, page = _recommend(server, "goal=policy-influence")
    assert status == 200 and _ranked(page)[0] == "network"
    assert "serves “Policy influence”" in page
    assert '<input type="checkbox" name="goal" value="policy-influence" checked>' in page


def test_recommend_json_and_turtle_links_give_the_librarys_answer(server, graph) -> None:  # type: ignore[no-untyped-def]
    import json

    import rdflib

    from kg.recommendation.engine import recommend_from_options
    from kg.recommendation.output import to_json
    from kg.recommendation.situation import Options

    _, page = _recommend(server, "internet=no&goal=policy-influence&budget=&languages=")
    link = re.search(r'<a href="([^"]+)" id="as-json"', page)
    assert link and link.group(1).startswith("/recommend.json?")
    status, headers, body = fetch(urllib.parse.urljoin(server, link.group(1).replace("&amp;", "&")))
    assert status == 200 and headers["content-type"] == "application/json"
    expected = to_json(recommend_from_options(graph, lang="en", options=Options(internet=False, goals=["policy-influence"])))
    assert json.loads(body) == expected
    ttl = re.search(r'<a href="([^"]+)" id="as-ttl"', page)
    assert ttl
    status, headers, body = fetch(urllib.parse.urljoin(server, ttl.group(1).replace("&amp;", "&")))
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    parsed = rdflib.Graph().parse(data=body, format="turtle")
    ksm = rdflib.Namespace("https://w3id.org/ksm/ontology#")
    first = next(parsed.subjects(ksm.rank, rdflib.Literal(1)))
    assert parsed.value(first, ksm.recommendedMechanism) == rdflib.URIRef(MECH + "network")


@pytest.mark.parametrize(("query", "message"), [
    ("goal=world-peace", "goal &#39;world-peace&#39;: unknown; use one of capacity-building, coordination"),
    ("formality=formal&formality=informal", "contradictory situation: ksm:prefersFormality has two values"),
    ("languages=fr,not+a+tag", "languages &#39;not a tag&#39;: not a language tag"),
    ("internet=maybe", "internet &#39;maybe&#39;: use yes or no"),
])
def test_recommend_bad_situation_is_a_400_with_the_form_again(server, query: str, message: str) -> None:  # type: ignore[no-untyped-def]
    status, page = _recommend(server, query)
    assert status == 400, page
    assert message in page and 'id="error"' in page
    assert 'id="recommend-form"' in page and 'id="ranking"' not in page
    assert "Traceback" not in page
    status, headers, body = fetch(server + f"recommend.json?{query}")
    assert status == 400 and headers["content-type"].startswith("text/plain")
    assert message.replace("&#39;", "'").encode() in body


def test_recommend_escapes_what_it_echoes(server) -> None:  # type: ignore[no-untyped-def]
    status, page = _recommend(server, urllib.parse.urlencode({"languages": '"><script>alert(1)</script>'}))
    assert status == 400
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    status, _, _ = fetch(server + "recommend.csv?goal=coordination")
    assert status == 404


def test_serve_on_a_taken_port_exits_4_with_one_line(runner) -> None:  # type: ignore[no-untyped-def]
    import socket

    from kg.cli import main

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 4, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"kg: error: cannot listen on 127.0.0.1:{port}: ")
    assert "Address already in use" in lines[0] and "serving on" not in result.output
