"""The pages and dereferenceable IRIs of the server.

IRIs under ``https://w3id.org/ksm/`` are served under the path of
``--base``.  The ontology uses hash IRIs: ``ksm:Mechanism`` is
``https://w3id.org/ksm/ontology#Mechanism``, so a client fetches
``/ontology`` and finds the term in it.  Instances (mechanisms, statements,
concepts) use **direct content negotiation**, not 303 redirects: one request
gives HTML to a browser and Turtle, JSON-LD, RDF/XML or N-Triples to a
machine, with ``Vary: Accept`` and a ``Content-Location`` naming the
format-specific document (``/ksm/id/mechanism/network.ttl``), as the Cool
URIs note allows; it saves the extra round trip of a 303 on the slow
connections of the people this graph is for.  Appending ``.ttl``,
``.jsonld``, ``.rdf``, ``.nt`` or ``.html`` asks for one format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kg.core.errors import UsageError
from kg.core.namespaces import BASE, expand_curie, shorten
from kg.web.negotiation import EXTENSIONS, GRAPH_TYPES, HTML, choose, choose_language, content_type
from kg.web.worker import Answer, Job

if TYPE_CHECKING:
    from kg.release.site import Site
    from kg.web.state import Server

DOCUMENT_TYPES = [HTML, "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
EXAMPLE_QUERY = """PREFIX ksm: <https://w3id.org/ksm/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?mechanism ?label ?requirement WHERE {
  ?mechanism a ksm:Mechanism ;
             skos:prefLabel ?label ;
             ksm:dependsOn ?requirement .
  FILTER (LANG(?label) = "en")
}
ORDER BY ?label ?requirement
"""
TABLE_FORMATS = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values", "xml": "application/sparql-results+xml"}
# What each suffix asks the worker for: a CONSTRUCT query's .json is JSON-LD, its .xml RDF/XML (kg.queries.openapi says so).
FORMAT_ACCEPT = {**TABLE_FORMATS, "json": "application/sparql-results+json, application/ld+json;q=0.9",
                 "xml": "application/sparql-results+xml, application/rdf+xml;q=0.9"}


class Pages:
    """Request handlers for everything a person (or a linked-data client) browses."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.site: Site = server.site
        self.prefix = server.base_path

    def lang(self, request: Request) -> str:
        return choose_language(request.headers.get("accept-language"), request.query_params.get("lang") or request.cookies.get("lang"))

    def html(self, request: Request, body: str, status: int = 200) -> Response:
        response = HTMLResponse(body, status_code=status, headers={"Vary": "Accept, Accept-Language, Cookie"})
        explicit = request.query_params.get("lang")
        if explicit in ("fr", "en"):
            response.set_cookie("lang", explicit, max_age=365 * 24 * 3600, samesite="lax")
        return response

    def error(self, request: Request, status: int, message: str) -> Response:
        if choose(request.headers.get("accept"), [HTML, "text/plain"]) != HTML:
            return Response(message + "\n", status_code=status, media_type="text/plain; charset=utf-8")
        return self.html(request, self.site.render("error.html", lang=self.lang(request), status=status, message=message), status)

    # ------------------------------------------------------------ linked data

    async def home(self, request: Request) -> Response:
        return self.html(request, self.site.home(self.lang(request)))

    def _negotiate(self, request: Request, rest: str) -> tuple[str, str | None]:
        """(path without extension, chosen media type or None for 406)."""
        for ext, media in EXTENSIONS.items():
            if rest.endswith("." + ext):
                return rest[: -len(ext) - 1], media
        fmt = request.query_params.get("format")
        if fmt in EXTENSIONS:
            return rest, EXTENSIONS[fmt]
        return rest, choose(request.headers.get("accept"), DOCUMENT_TYPES)

    def _rdf(self, triples: list[ox.Triple], media: str, location: str) -> Response:
        """An RDF document; JSON-LD compacted against the published context (kg.release.jsonld)."""
        from kg.release.publish import serialize

        body = serialize(triples, GRAPH_TYPES[media], self.server.jsonld)
        return Response(body, media_type=content_type(media), headers={"Vary": "Accept", "Content-Location": location})

    async def resource(self, request: Request) -> Response:
        rest, media = self._negotiate(request, request.path_params["rest"])
        iri = BASE + rest
        known = rest == "ontology" or (iri in self.site.facts and "#" not in iri)
        if not known:
            return self.error(request, 404, f"{iri}: nothing is known about this IRI")
        if media is None:
            return self.error(request, 406, "available as: " + ", ".join(DOCUMENT_TYPES))
        ext = next(e for e, m in EXTENSIONS.items() if m == media)
        location = f"{self.prefix}{rest}.{ext}"
        if media == HTML:
            lang = self.lang(request)
            page = self.site.ontology(lang) if rest == "ontology" else self.site.resource(iri, lang)
            response = self.html(request, page or "")
            response.headers["Content-Location"] = location
            return response
        triples = self.site.ontology_triples() if rest == "ontology" else self.site.describe(iri)
        return self._rdf(triples, media, location)

    # ------------------------------------------------------------ saved queries

    async def queries(self, request: Request) -> Response:
        return self.html(request, self.site.render("queries.html", lang=self.lang(request)))

    def _fields(self, saved: Any, given: dict[str, str], lang: str) -> list[dict[str, Any]]:
        fields = []
        for param in saved.parameters:
            if param.name == "lang":
                continue  # the page's own language
            choices: list[tuple[str, str]] = [(c, c) for c in param.choices]
            if param.kind == "iri" and param.cls and not choices:
                cls = expand_curie(param.cls) or param.cls
                choices = sorted(((shorten(m), self.site.label(m, lang)) for m in self.site.subjects_of_type(cls)), key=lambda c: c[1].casefold())
            value = given.get(param.name, param.default or "")
            if choices and value and value not in {c[0] for c in choices}:
                value = self._resolved(param, value)  # a label or full IRI: select the option it names
            fields.append({
                "name": param.name, "required": param.required, "value": value,
                "help": param.help_fr if lang == "fr" and param.help_fr else param.help_en, "choices": choices,
            })
        return fields

    def _resolved(self, param: Any, raw: str) -> str:
        """The CURIE a label or IRI resolves to, or the raw value when it resolves to nothing."""
        from kg.queries.params import to_term

        try:
            return shorten(to_term(param, raw, self.site.graph).value)
        except UsageError:
            return raw

    def cells(self, answer: Answer, lang: str) -> list[list[Any]]:
        if answer.kind == "graph":
            return [[self.site.value(t, lang) for t in (tr.subject, tr.predicate, tr.object)] for tr in answer.triples]
        return [[self.site.value(row[v], lang) if v in row else None for v in answer.variables] for row in answer.rows]

    async def saved_query(self, request: Request) -> Response:
        from kg.queries.params import bind

        name, fmt = request.path_params["name"], None
        if "." in name:
            name, fmt = name.rsplit(".", 1)
            if fmt not in TABLE_FORMATS:
                return self.error(request, 404, f"unknown format .{fmt}: use .json, .csv, .tsv or .xml")
        try:
            saved = self.site.catalogue.get(name)
        except UsageError as error:
            return self.error(request, 404, str(error))
        lang = self.lang(request)
        names = {p.name for p in saved.parameters}
        given = {k: v for k, v in request.query_params.items() if k in names and k != "lang" and v.strip()}
        context: dict[str, Any] = {"saved": saved, "fields": self._fields(saved, given, lang), "formats": list(TABLE_FORMATS)}
        ready = all(p.name in given or not p.required for p in saved.parameters)
        if ready:
            try:
                bindings = bind(saved, given, graph=self.site.graph, lang=lang)
                from kg.graph.binding import with_values

                text = with_values(saved.text, bindings)
            except (UsageError, ValueError) as error:
                if fmt:
                    return Response(f"{error}\n", status_code=400, media_type="text/plain; charset=utf-8")
                context["error"] = str(error)
                return self.html(request, self.site.render("query.html", lang=lang, **context), 400)
            if fmt:
                answer = await self.server.run(Job(query=text, accept=FORMAT_ACCEPT[fmt]))
                return Response(answer.body, status_code=answer.status, media_type=content_type(answer.media))
            answer = await self.server.run(Job(query=text, purpose="table"))
            if answer.status != 200:
                context["error"] = answer.body.decode("utf-8", "replace").strip()
                return self.html(request, self.site.render("query.html", lang=lang, **context), answer.status)
            context.update(answer=answer, cells=self.cells(answer, lang), query_string="?" + urlencode({**given, "lang": lang}))
        elif fmt:
            missing = ", ".join(p.name for p in saved.parameters if p.required and p.name not in given)
            return Response(f"query '{name}' needs {missing}\n", status_code=400, media_type="text/plain; charset=utf-8")
        return self.html(request, self.site.render("query.html", lang=lang, **context))

    async def editor(self, request: Request, query: str | None = None) -> Response:
        lang = self.lang(request)
        if query is None:
            query = request.query_params.get("query", "")
        context: dict[str, Any] = {"query": query or EXAMPLE_QUERY, "formats": ["json", "csv", "ttl"]}
        status = 200
        if query.strip():
            answer = await self.server.run(Job(query=query, purpose="table"))
            if answer.status == 200:
                context.update(answer=answer, cells=self.cells(answer, lang))
            else:
                status = answer.status
                context["error"] = answer.body.decode("utf-8", "replace").strip()
        return self.html(request, self.site.render("editor.html", lang=lang, **context), status)
