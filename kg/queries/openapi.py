"""An OpenAPI 3.1 description of the saved queries as ``kg serve`` answers them.

grlc turns a folder of ``.rq`` files into an OpenAPI API; ``kg serve``
answers the same queries at ``/queries/NAME.FORMAT``, and this document
says so in the form API tools read (Swagger UI, client generators,
validators).  It is generated from the catalogue, so a query added to
``queries/`` appears in it: its summary and description, its tags, and
each parameter with its type, whether it is required, its default and
allowed values, and its help in English (French in ``x-help-fr``).  The
API's title, description, contact and licence come from the folder's
``local-api-config.ini``, the file grlc reads for the same purpose.
"""

from __future__ import annotations

import configparser
from collections.abc import Callable, Mapping
from typing import Any

from kg.queries.catalogue import Catalogue, Parameter, SavedQuery

# The JSON Schema of a SPARQL 1.1 Query Results JSON document (W3C recommendation, section 3).
SPARQL_JSON_RESULTS: dict[str, Any] = {
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}},
                                                  "link": {"type": "array", "items": {"type": "string"}}}},
        "boolean": {"type": "boolean"},
        "results": {"type": "object", "properties": {"bindings": {"type": "array", "items": {
            "type": "object", "additionalProperties": {"$ref": "#/components/schemas/RdfTerm"}}}}},
    },
}
RDF_TERM: dict[str, Any] = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {
        "type": {"type": "string", "enum": ["uri", "literal", "bnode", "triple"]},
        "value": {},
        "xml:lang": {"type": "string"},
        "datatype": {"type": "string"},
    },
}
_SCHEMAS = {"iri": {"type": "string", "format": "iri-reference"}, "integer": {"type": "integer"}, "number": {"type": "number"}}


def _info(catalogue: Catalogue, version: str) -> dict[str, Any]:
    config = configparser.ConfigParser()
    config.read(catalogue.folder / "local-api-config.ini", encoding="utf-8")
    repo = config["repo_info"] if config.has_section("repo_info") else {}
    info: dict[str, Any] = {
        "title": repo.get("repo_title", "ksm-kg saved queries"),
        "version": version,
        "description": repo.get("api_description", "Saved SPARQL queries over the ksm-kg knowledge graph.")
        + "\n\nEach query is plain SPARQL 1.1 (`queries/NAME.rq`); parameter values are bound as RDF terms, never pasted into the text."
        " A value may be an IRI, a CURIE (`mech:network`) or a label in French or English.",
    }
    if repo.get("contact_name") or repo.get("contact_url"):
        info["contact"] = {k: v for k, v in (("name", repo.get("contact_name")), ("url", repo.get("contact_url"))) if v}
    info["license"] = {"name": "CC-BY-4.0 (data), MIT (code)", "url": repo.get("licence_url", "https://creativecommons.org/licenses/by/4.0/")}
    return info


def _parameter(param: Parameter, example: str | None) -> dict[str, Any]:
    schema: dict[str, Any] = dict(_SCHEMAS.get(param.kind, {"type": "string"}))
    if param.kind == "iri":  # labels and CURIEs are accepted too, so the format is only a hint
        schema = {"type": "string", "description": "an IRI, a CURIE or a label"}
    if param.choices:
        schema["enum"] = list(param.choices)
    if param.default is not None:
        schema["default"] = int(param.default) if param.kind == "integer" and param.default.lstrip("-").isdigit() else param.default
    description = param.help_en or f"the {param.kind} bound to ?{param.variable}"
    if param.cls:
        description += f" (a {param.cls})"
    found: dict[str, Any] = {"name": param.name, "in": "query", "required": param.required, "description": description, "schema": schema}
    if param.help_fr:
        found["x-help-fr"] = param.help_fr
    if example is not None:
        found["example"] = example
    return found


def _lang_parameter(param: Parameter | None) -> dict[str, Any]:
    """``lang`` picks the labels' language (also read from ``Accept-Language`` or the page's cookie)."""
    return {
        "name": "lang", "in": "query", "required": False,
        "description": "language of the labels in the answer: fr (the source's language) or en",
        "schema": {"type": "string", "enum": ["fr", "en"], "default": (param.default if param and param.default in ("fr", "en") else "fr")},
    }


# The answer's media type for each path suffix, by the form of the query (what kg serve gives).
GRAPH_FORMATS = {"json": "application/ld+json", "xml": "application/rdf+xml"}


def query_form(saved: SavedQuery) -> str:
    """"graph" for CONSTRUCT and DESCRIBE, "boolean" for ASK, "solutions" for SELECT: pyoxigraph's parser decides.

    The query runs on an empty store, which costs nothing and reads only the query's form.
    """
    import pyoxigraph as ox

    answer = ox.Store().query(saved.text)
    if isinstance(answer, ox.QueryTriples):
        return "graph"
    return "boolean" if isinstance(answer, ox.QueryBoolean) else "solutions"


def _content(media: str) -> dict[str, Any]:
    if media == "application/sparql-results+json":
        return {"schema": {"$ref": "#/components/schemas/SparqlResults"}}
    if media == "application/ld+json":
        return {"schema": {"type": "object"}}
    return {"schema": {"type": "string"}}


def _operation(saved: SavedQuery, formats: Mapping[str, str], example: Callable[[Parameter], str | None]) -> dict[str, Any]:
    form = query_form(saved)
    if form == "graph":
        formats = GRAPH_FORMATS
    elif form == "boolean":
        formats = {k: v for k, v in formats.items() if k in ("json", "xml")}
    parameters = [{"name": "format", "in": "path", "required": True, "description": "the format of the answer",
                   "schema": {"type": "string", "enum": list(formats)}}]
    parameters += [_parameter(p, example(p)) for p in saved.parameters if p.name != "lang"]
    parameters.append(_lang_parameter(saved.parameter("lang")))
    description = saved.description
    if saved.description_fr:
        description += f"\n\n*{saved.summary_fr}* — {saved.description_fr}" if saved.summary_fr else f"\n\n{saved.description_fr}"
    operation: dict[str, Any] = {
        "operationId": saved.name.replace("-", "_"),
        "summary": saved.summary or saved.name,
        "description": description.strip() or saved.summary or saved.name,
        "parameters": parameters,
        "responses": {
            "200": {"description": "the answer, in the format the path names: " + ", ".join(f".{k} {v}" for k, v in formats.items()),
                    "content": {media: _content(media) for media in dict.fromkeys(formats.values())}},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "404": {"$ref": "#/components/responses/NotFound"},
            "406": {"$ref": "#/components/responses/NotAcceptable"},
            "503": {"$ref": "#/components/responses/TimedOut"},
        },
    }
    if saved.tags:
        operation["tags"] = list(saved.tags)
    return operation


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ksm-kg")
    except PackageNotFoundError:  # running from a source folder that was never installed
        return "0.0.0"


def document(catalogue: Catalogue, *, server: str, formats: Mapping[str, str], version: str | None = None,
             examples: Callable[[Parameter], str | None] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``catalogue`` served at ``server`` (scheme and host, no path).

    ``formats`` maps a path suffix to the media type it gives (``{"json": "application/sparql-results+json"}``);
    ``examples`` may give an example value for a parameter (the server reads one from the graph).

    >>> doc = document(Catalogue.bundled(), server="http://127.0.0.1:8000", formats={"csv": "text/csv"})
    >>> doc["openapi"], sorted(doc["paths"])[0]
    ('3.1.0', '/queries/compare-mechanisms.{format}')
    """
    example = examples or (lambda param: None)
    paths = {f"/queries/{saved.name}.{{format}}": {"get": _operation(saved, formats, example)} for saved in catalogue}
    tags = sorted({tag for saved in catalogue for tag in saved.tags})
    return {
        "openapi": "3.1.0",
        "info": _info(catalogue, version or _version()),
        "servers": [{"url": server.rstrip("/")}],
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": {"SparqlResults": SPARQL_JSON_RESULTS, "RdfTerm": RDF_TERM},
            "responses": {
                "BadRequest": _error("a parameter is missing or its value is not valid (the message names it)"),
                "NotFound": _error("no such query, or an unknown format"),
                "NotAcceptable": _error("this query's answer cannot be given in this format (a CONSTRUCT query gives .json and .xml only)"),
                "TimedOut": _error("the query ran past the server's time limit"),
            },
        },
    }
