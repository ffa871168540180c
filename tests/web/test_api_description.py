"""What `kg serve` tells a client about itself: an OpenAPI 3.1 document of the saved queries, the JSON-LD context.

The document is validated with openapi-spec-validator, then used as a client
would: every operation is called with the example values it gives, and must
answer in the media type it promises.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

# Values for required parameters the document gives no example for (no class to draw one from).
EXTRA = {"target": "sdg:17.6"}


@pytest.fixture(scope="module")
def server(graph) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from kg.web.app import Settings, serve_in_thread

    with serve_in_thread(Settings(timeout=5.0, workers=1), graph=graph) as url:
        yield url


def fetch(url: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.fixture(scope="module")
def openapi(server: str) -> dict:  # type: ignore[type-arg]
    status, headers, body = fetch(server + "openapi.json")
    assert status == 200 and headers["content-type"].startswith("application/json")
    return json.loads(body)  # type: ignore[no-any-return]


def test_the_document_is_valid_openapi(openapi: dict, catalogue) -> None:  # type: ignore[no-untyped-def, type-arg]
    from openapi_spec_validator import validate

    validate(openapi)
    assert openapi["openapi"].startswith("3.1")
    assert {path.split("/")[2].split(".")[0] for path in openapi["paths"]} == set(catalogue.names)


def test_the_document_says_what_the_catalogue_says(openapi: dict, catalogue) -> None:  # type: ignore[no-untyped-def, type-arg]
    profile = openapi["paths"]["/queries/mechanism-profile.{format}"]["get"]
    saved = catalogue.get("mechanism-profile")
    assert profile["summary"] == saved.summary and saved.summary_fr in profile["description"]
    mechanism = next(p for p in profile["parameters"] if p["name"] == "mechanism")
    assert mechanism["required"] is True and mechanism["in"] == "query" and mechanism["example"].startswith("mech:")
    lang = next(p for p in profile["parameters"] if p["name"] == "lang")
    assert lang["schema"]["enum"] == ["fr", "en"] and lang["required"] is False
    card = openapi["paths"]["/queries/mechanism-card.{format}"]["get"]
    assert set(card["responses"]["200"]["content"]) == {"application/ld+json", "application/rdf+xml"}  # a CONSTRUCT query
    assert openapi["info"]["license"]["url"] == "https://creativecommons.org/licenses/by/4.0/"


def test_every_operation_answers_as_documented(server: str, openapi: dict) -> None:  # type: ignore[type-arg]
    from urllib.parse import urlencode

    root = openapi["servers"][0]["url"]
    assert server.startswith(root)
    for path, item in openapi["paths"].items():
        operation = item["get"]
        params = {p["name"]: p.get("example", EXTRA.get(p["name"])) for p in operation["parameters"] if p["in"] == "query" and p["required"]}
        assert all(v is not None for v in params.values()), (path, params)
        formats = next(p for p in operation["parameters"] if p["name"] == "format")["schema"]["enum"]
        promised = list(operation["responses"]["200"]["content"])
        for fmt in formats:
            status, headers, body = fetch(root + path.replace("{format}", fmt) + "?" + urlencode({**params, "lang": "en"}))
            assert status == 200, (path, fmt, body[:300])
            assert headers["content-type"].split(";")[0] in promised, (path, fmt, headers["content-type"])
            if fmt == "json" and "application/sparql-results+json" in headers["content-type"]:
                assert "head" in json.loads(body)


def test_pages_link_to_the_document(server: str) -> None:
    status, _, page = fetch(server + "queries", "text/html")
    assert status == 200 and b'href="/openapi.json"' in page


def test_json_ld_answers_are_compacted_with_the_served_context(server: str) -> None:
    import rdflib

    status, headers, body = fetch(server + "ksm/context.jsonld")
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    context = json.loads(body)["@context"]
    assert context["mech"] == "https://w3id.org/ksm/id/mechanism/"
    status, _, body = fetch(server + "ksm/id/mechanism/network", "application/ld+json")
    doc = json.loads(body)
    assert status == 200 and doc["@context"] == server + "ksm/context.jsonld" and doc["@id"] == "mech:network"
    doc["@context"] = context
    parsed = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    _, _, turtle = fetch(server + "ksm/id/mechanism/network", "text/turtle")
    from rdflib.compare import isomorphic

    assert isomorphic(parsed, rdflib.Graph().parse(data=turtle, format="turtle"))
