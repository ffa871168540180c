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

The IRIs the dataset's metadata mints resolve too: the dataset itself
(``/ksm/dataset``: its VoID/DCAT description), its distributions, every
named graph (``/ksm/graph/mechanisms``: a page describing it, or its
triples in an RDF format) and the ontology's ``owl:versionIRI``.

Pages with a query's answer are rendered in a thread, one at a time, so a
big table never stalls the event loop; tables show at most ``TABLE_ROWS``
rows (the downloads have the whole answer).  Errors are in the page's
language (kg.web.messages).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import anyio.to_thread
import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kg.core.errors import UsageError
from kg.core.namespaces import BASE, GRAPH, PREFIXES, expand_curie, shorten
from kg.graph.store import KnowledgeGraph
from kg.web.answers import Answer, Job
from kg.web.messages import Message
from kg.web.negotiation import EXTENSIONS, GRAPH_TYPES, HTML, choose, choose_language, content_type

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
GRAPH_FORMATS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}
TABLE_ROWS = 1000  # most rows in an HTML table; more is no use in a browser, and costs everyone the time to render it


def formats_for(kind: str) -> dict[str, str]:
    """The download formats an answer of this kind has: result tables for SELECT and ASK, RDF for CONSTRUCT and DESCRIBE."""
    return GRAPH_FORMATS if kind == "graph" else TABLE_FORMATS


class Pages:
    """Request handlers for everything a person (or a linked-data client) browses."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.site: Site = server.site
        self.prefix = server.base_path

    def lang(self, request: Request) -> str:
        return choose_language(request.headers.get("accept-language"), request.query_params.get("lang") or request.cookies.get("lang"))

    @staticmethod
    def switch(request: Request, lang: str) -> str:
        """This page in the other language: the same path and parameters, ``lang`` changed."""
        other = "en" if lang == "fr" else "fr"
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        return request.url.path + "?" + urlencode([*kept, ("lang", other)])

    def render(self, request: Request, template: str, lang: str, **context: Any) -> str:
        return self.site.render(template, lang=lang, switch=self.switch(request, lang), **context)

    async def render_off_loop(self, request: Request, template: str, lang: str, **context: Any) -> str:
        """A page with a query's answer, rendered in a thread (one at a time) so the event loop keeps serving;
        the table's cells (labels, links) are worked out there too."""
        def build() -> str:
            answer = context.get("answer")
            if answer is not None:
                context["cells"] = self.cells(answer, lang)
            return self.render(request, template, lang, **context)

        return await anyio.to_thread.run_sync(build, limiter=self.server.render_limiter)

    def html(self, request: Request, body: str, status: int = 200) -> Response:
        response = HTMLResponse(body, status_code=status, headers={"Vary": "Accept, Accept-Language, Cookie"})
        explicit = request.query_params.get("lang")
        if explicit in ("fr", "en"):
            response.set_cookie("lang", explicit, max_age=365 * 24 * 3600, samesite="lax")
        return response

    def error(self, request: Request, status: int, message: Message) -> Response:
        """An error as a page in the reader's language, or as one line of English text for a program."""
        if choose(request.headers.get("accept"), ["text/plain", HTML]) != HTML:  # curl (*/*) gets a line, a browser a page
            return Response(message.text("en") + "\n", status_code=status, media_type="text/plain; charset=utf-8")
        lang = self.lang(request)
        return self.html(request, self.render(request, "error.html", lang, status=status, message=message.text(lang)), status)

    # ------------------------------------------------------------ linked data

    async def home(self, request: Request) -> Response:
        """The dataset's root: the home page for a browser, the dataset's description (VoID, DCAT) for a program."""
        media = choose(request.headers.get("accept"), [HTML, *GRAPH_TYPES])
        if media is None:
            return self.error(request, 406, Message("not_acceptable", {"offered": ", ".join([HTML, *GRAPH_TYPES])}))
        if media != HTML:
            return self.rdf(self.metadata, media, None)
        lang = self.lang(request)
        return self.html(request, self.site.home(lang, switch=self.switch(request, lang)))

    @cached_property
    def metadata(self) -> list[ox.Triple]:
        """The VoID + DCAT description of the dataset served here (its dumps, this endpoint)."""
        from kg.release.void import metadata

        sizes = {name: len(body) for name, body in self.server.dumps.items()}
        return metadata(self.server.graph, dumps_url=self.server.settings.public_base + "dumps/", endpoint=self.server.endpoint, sizes=sizes)

    @cached_property
    def metadata_site(self) -> Site:
        """Pages for what the metadata mints (the dataset, its distributions, its named graphs)."""
        from kg.release.site import Site

        store = ox.Store()
        store.extend([ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(GRAPH + "metadata")) for t in self.metadata])
        return Site(KnowledgeGraph(store=store), self.site.catalogue, base=self.site.base)

    @cached_property
    def version_iris(self) -> set[str]:
        """The ontology's owl:versionIRI (all of them): each stands for the ontology document served here."""
        return {o.value for o, _ in self.site.objects(BASE + "ontology", PREFIXES["owl"] + "versionIRI") if isinstance(o, ox.NamedNode)}

    @cached_property
    def graph_names(self) -> set[str]:
        return {g.value for g in self.server.graph.store.named_graphs() if isinstance(g, ox.NamedNode)}

    def _negotiate(self, request: Request, rest: str) -> tuple[str, str | None]:
        """(path without extension, chosen media type or None for 406)."""
        for ext, media in EXTENSIONS.items():
            if rest.endswith("." + ext):
                return rest[: -len(ext) - 1], media
        fmt = request.query_params.get("format")
        if fmt in EXTENSIONS:
            return rest, EXTENSIONS[fmt]
        return rest, choose(request.headers.get("accept"), DOCUMENT_TYPES)

    def rdf(self, triples: list[ox.Triple], media: str, location: str | None) -> Response:
        """An RDF document; JSON-LD compacted against the published context (kg.release.jsonld)."""
        from kg.release.publish import serialize

        body = serialize(triples, GRAPH_TYPES[media], self.server.jsonld)
        headers = {"Vary": "Accept"} | ({"Content-Location": location} if location else {})
        return Response(body, media_type=content_type(media), headers=headers)

    async def resource(self, request: Request) -> Response:
        rest, media = self._negotiate(request, request.path_params["rest"])
        iri = BASE + rest
        if iri in self.version_iris:
            rest, iri = "ontology", BASE + "ontology"
        kind = ("ontology" if rest == "ontology" else "graph" if iri in self.graph_names else "metadata" if iri in self.metadata_site.facts
                else "resource" if iri in self.site.facts and "#" not in iri else None)
        if kind is None:
            return self.error(request, 404, Message("unknown_iri", {"iri": iri}))
        if media is None:
            return self.error(request, 406, Message("not_acceptable", {"offered": ", ".join(DOCUMENT_TYPES)}))
        ext = next(e for e, m in EXTENSIONS.items() if m == media)
        location = f"{self.prefix}{rest}.{ext}"
        if media == HTML:
            lang = self.lang(request)
            switch = self.switch(request, lang)
            page: str | None
            if kind == "ontology":
                page = self.site.ontology(lang, switch=switch)
            elif kind == "resource":
                page = self.site.resource(iri, lang, switch=switch)
            else:
                page = self.metadata_site.resource(iri, lang, switch=switch)
            response = self.html(request, page or "")
            response.headers["Content-Location"] = location
            return response
        if kind == "ontology":
            triples = self.site.ontology_triples()
        elif kind == "graph":
            triples = [q.triple for q in self.server.graph.store.quads_for_pattern(None, None, None, ox.NamedNode(iri))]
        elif kind == "metadata":
            triples = self.metadata if iri == BASE + "dataset" else self.metadata_site.describe(iri)
        else:
            triples = self.site.describe(iri)
        return self.rdf(triples, media, location)

    # ------------------------------------------------------------ saved queries

    async def queries(self, request: Request) -> Response:
        lang = self.lang(request)
        return self.html(request, self.render(request, "queries.html", lang))

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

        name: str = request.path_params["name"]
        fmt: str | None = None
        if "." in name:
            name, fmt = name.rsplit(".", 1)
            if fmt not in TABLE_FORMATS and fmt not in GRAPH_FORMATS:
                offered = ", ".join("." + f for f in [*TABLE_FORMATS, *GRAPH_FORMATS])
                return self.error(request, 404, Message("unknown_format", {"fmt": fmt, "offered": offered}))
        try:
            saved = self.site.catalogue.get(name)
        except UsageError as error:
            return self.error(request, 404, Message("bad_value", {"detail": str(error)}))
        lang = self.lang(request)
        names = {p.name for p in saved.parameters}
        given = {k: v for k, v in request.query_params.items() if k in names and k != "lang" and v.strip()}
        context: dict[str, Any] = {"saved": saved, "fields": self._fields(saved, given, lang)}
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
                return self.html(request, self.render(request, "query.html", lang, **context), 400)
            if fmt:
                answer = await self.server.run(Job(query=text, accept={**FORMAT_ACCEPT, **GRAPH_FORMATS}[fmt]))
                return Response(answer.body, status_code=answer.status, media_type=content_type(answer.media))
            answer = await self.server.run(Job(query=text, purpose="table", rows=TABLE_ROWS))
            if answer.status != 200:
                context["error"] = answer.error_text(lang)
                return self.html(request, self.render(request, "query.html", lang, **context), answer.status)
            context.update(answer=answer, formats=list(formats_for(answer.kind)),
                           query_string="?" + urlencode({**given, "lang": lang}))
        elif fmt:
            missing = ", ".join(p.name for p in saved.parameters if p.required and p.name not in given)
            return Response(Message("missing", {"name": name, "missing": missing}).text() + "\n", status_code=400,
                            media_type="text/plain; charset=utf-8")
        return self.html(request, await self.render_off_loop(request, "query.html", lang, **context))

    async def editor(self, request: Request, query: str | None = None) -> Response:
        lang = self.lang(request)
        if query is None:
            query = request.query_params.get("query", "")
        context: dict[str, Any] = {"query": query or EXAMPLE_QUERY}
        status = 200
        if query.strip():
            answer = await self.server.run(Job(query=query, purpose="table", rows=TABLE_ROWS))
            if answer.status == 200:
                context.update(answer=answer, formats=list(formats_for(answer.kind)))
            else:
                status = answer.status
                context["error"] = answer.error_text(lang)
        return self.html(request, await self.render_off_loop(request, "editor.html", lang, **context), status)
