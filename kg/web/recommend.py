"""``/recommend``: "Which mechanism for my situation?" on the server, as a form.

The form is ``kg recommend`` on the web.  Its fields carry the names of the
command's options (``internet``, ``budget``, ``languages``, ``goal``,
``scale``, ``formality``) and it is sent by GET, so an answer is a link:
``/recommend?internet=no&goal=policy-influence&lang=en`` is
``kg recommend --no-internet --goal policy-influence --lang en``, and
``/recommend.json?...`` and ``/recommend.ttl?...`` are that answer as
kg.recommendation.output writes it.

The choices are read from the graph (``queries/recommend/choices.rq``): the
members of the range of each situation property, so a goal added to the
data appears in the form without a code change, and a property declared
functional (one budget, one scale) gets a select instead of checkboxes.

The engine runs in a thread, not in a query worker process: it adds the
situation to a copy of the graph of its own (kg.recommendation.recommend), so the
shared store is only read; its queries are fixed and bound to resolved
terms, and a ranking takes about 10 ms, so the time limit that guards the
server against strangers' queries has nothing to guard here.  A limiter
caps the rankings running at once (each with its copy of the graph) at
``--workers``.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import anyio
import anyio.to_thread
import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from kg.core.errors import InputError, UsageError
from kg.core.namespaces import expand_curie
from kg.graph.store import KnowledgeGraph
from kg.queries.params import local_name
from kg.recommendation import situation as sit
from kg.recommendation.engine import Ranking, recommend_from_options
from kg.recommendation.output import HEADINGS, serialize
from kg.web.negotiation import content_type

if TYPE_CHECKING:
    from kg.web.pages import Pages
    from kg.web.state import Server

# URL parameter (= kg recommend option) -> the situation property it sets.
CHOICE_FIELDS = (("budget", "ksm:hasBudget"), ("goal", "ksm:seeksGoal"), ("scale", "ksm:targetsScale"),
                 ("formality", "ksm:prefersFormality"))
PARAMS = ("internet", "languages", *(name for name, _ in CHOICE_FIELDS))
DOCUMENTS = {"json": "application/json", "ttl": "text/turtle"}
_NO, _YES = {"no", "false", "0", "non"}, {"yes", "true", "1", "oui"}


@dataclass(frozen=True)
class Choice:
    """One value a field offers: what the URL carries, the concept, and its words."""

    value: str  # the notation, else the local name: what kg recommend accepts too
    iri: str
    label: str
    definition: str


@dataclass(frozen=True)
class Field:
    name: str
    cls: str  # the class the values are resolved against
    multiple: bool
    choices: tuple[Choice, ...]


@dataclass
class Given:
    """What the query string says, as typed (several values per field where allowed)."""

    values: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request: Request) -> Given:
        return cls({name: [v.strip() for v in request.query_params.getlist(name) if v.strip()] for name in PARAMS})

    def options(self) -> sit.Options:
        """The engine's options; a UsageError for an internet value that is neither yes nor no."""
        answers = {_internet(v) for v in self.values["internet"]}
        if len(answers) > 1:
            raise UsageError("contradictory situation: internet is both yes and no; give one")
        v = self.values
        return sit.Options(internet=answers.pop() if answers else None, budget=v["budget"], languages=v["languages"],
                           goals=v["goal"], scale=v["scale"], formality=v["formality"])

    def query_string(self, lang: str) -> str:
        pairs = [(name, value) for name in PARAMS for value in self.values[name]]
        return "?" + urlencode([*pairs, ("lang", lang)])

    def command(self, lang: str) -> str:
        """The same question asked with ``kg recommend``."""
        words = ["kg", "recommend"]
        for value in self.values["internet"]:
            words.append("--no-internet" if _internet(value) is False else "--internet")
        for name in PARAMS[1:]:
            for value in self.values[name]:
                words += [f"--{name}", value]
        return shlex.join([*words, "--lang", lang])


def _internet(value: str) -> bool:
    word = value.strip().lower()
    if word in _NO | _YES:
        return word in _YES
    raise UsageError(f"internet {value!r}: use yes or no")


def form_fields(graph: KnowledgeGraph, lang: str) -> list[Field]:
    """The choice fields of the form, their values read from the graph (``choices.rq``).

    >>> from kg.graph.dataset import open_graph
    >>> budget, goal, *_ = form_fields(open_graph(), "en")
    >>> [c.value for c in budget.choices], budget.multiple, goal.multiple
    (['low', 'medium', 'high'], False, True)
    """
    fields = []
    fallback = "fr" if lang != "fr" else "en"
    for name, prop in CHOICE_FIELDS:
        bindings: dict[str, ox.NamedNode | ox.Literal] = {"property": ox.NamedNode(expand_curie(prop) or prop), "lang": ox.Literal(lang),
                                                          "fallback": ox.Literal(fallback)}
        rows = graph.select(sit.query_text("choices"), bindings).rows
        members: dict[str, dict[str, Any]] = {}
        cls, multiple = "", True
        for row in rows:
            iri = sit.value(row["member"])
            cls, multiple = sit.value(row["class"]), sit.value(row["functional"]) != "true"
            m = members.setdefault(iri, {"notation": sit.value(row.get("notation")), "rulesOut": int(sit.value(row["rulesOut"])),
                                         "label": {}, "definition": {}})
            for key in ("label", "definition"):
                term = row.get(key)
                if isinstance(term, ox.Literal):
                    m[key].setdefault(term.language, term.value)
        choices = [Choice(value=m["notation"] or local_name(iri), iri=iri,
                          label=_pick(m["label"], lang) or local_name(iri), definition=_pick(m["definition"], lang))
                   for iri, m in members.items()]
        # Budget levels from the least money (the most requirements ruled out); the rest by label.
        order = {c.iri: -members[c.iri]["rulesOut"] for c in choices}
        choices.sort(key=lambda c: (order[c.iri], c.label.casefold(), c.iri))
        fields.append(Field(name=name, cls=cls, multiple=multiple, choices=tuple(choices)))
    return fields


def _pick(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or next(iter(texts.values()), "")


class RecommendPages:
    """The handlers of ``/recommend`` (the form and its answer) and ``/recommend.json|ttl``."""

    def __init__(self, server: Server, pages: Pages) -> None:
        self.server = server
        self.pages = pages
        self._fields: dict[str, list[Field]] = {}
        self._limiter: anyio.CapacityLimiter | None = None

    def fields(self, lang: str) -> list[Field]:
        if lang not in self._fields:
            self._fields[lang] = form_fields(self.server.graph, lang)
        return self._fields[lang]

    async def rank(self, given: Given, lang: str) -> Ranking:
        """Rank in a thread, at most ``--workers`` at once; UsageError for a bad situation."""
        if self._limiter is None:  # created here: it needs the running event loop
            self._limiter = anyio.CapacityLimiter(self.server.settings.workers)
        run = partial(recommend_from_options, self.server.graph, lang=lang, options=given.options())
        return await anyio.to_thread.run_sync(run, limiter=self._limiter)

    def _selected(self, fields: Sequence[Field], given: Given) -> dict[str, set[str]]:
        """The IRIs the given values name (a value naming nothing selects nothing)."""
        selected: dict[str, set[str]] = {}
        for f in fields:
            found = selected.setdefault(f.name, set())
            for value in given.values[f.name]:
                try:
                    found.add(sit.resolve(self.server.graph, f.cls, value, what=f.name).value)
                except UsageError:
                    pass
        return selected

    async def page(self, request: Request) -> Response:
        pages = self.pages
        lang = pages.lang(request)
        given = Given.from_request(request)
        fields = self.fields(lang)
        context: dict[str, Any] = {
            "fields": fields, "selected": self._selected(fields, given), "given": given.values,
            "no_internet": any(_safe_internet(v) is False for v in given.values["internet"]),
            "h": HEADINGS[lang], "ranking": None, "error": None,
        }
        status = 200
        if any(name in request.query_params for name in PARAMS):
            try:
                context["ranking"] = await self.rank(given, lang)
                context.update(query_string=given.query_string(lang), command=given.command(lang))
            except (UsageError, InputError) as error:
                context["error"], status = _message(error), 400
        return pages.html(request, pages.render(request, "recommend.html", lang, **context), status)

    async def document(self, request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in DOCUMENTS:
            return Response(f"unknown format .{fmt}: use .json or .ttl\n", status_code=404, media_type="text/plain; charset=utf-8")
        lang = self.pages.lang(request)
        try:
            ranking = await self.rank(Given.from_request(request), lang)
        except (UsageError, InputError) as error:
            return Response(_message(error) + "\n", status_code=400, media_type="text/plain; charset=utf-8")
        return Response(serialize(ranking, fmt), media_type=content_type(DOCUMENTS[fmt]))


def _safe_internet(value: str) -> bool | None:
    try:
        return _internet(value)
    except UsageError:
        return None


def _message(error: Exception) -> str:
    """The engine's one-line message, naming the URL parameter (``goal``) instead of the option (``--goal``)."""
    return str(error).removeprefix("--")
