"""Turning user-given parameter values into RDF terms.

A value is validated and becomes an RDF term (an IRI, a typed or tagged
literal) that the engine binds to the query's variable: values are never
pasted into query text, so no value can change what a query does.  An IRI
parameter accepts an IRI, a CURIE with one of our prefixes, or a label /
local name (``Réseau``, ``network``, ``reseau``) looked up among the members
of the parameter's class.
"""

from __future__ import annotations

import re
import unicodedata

import pyoxigraph as ox

from kg.core.errors import UsageError
from kg.core.namespaces import PREFIXES, expand_curie, shorten
from kg.queries.catalogue import Parameter, SavedQuery

TYPE_CHECKING = False  # not typing's: importing typing costs every `kg query` some 3 ms
if TYPE_CHECKING:
    from kg.graph.store import KnowledgeGraph

_MAX_LENGTH = 2000
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")
_XSD = PREFIXES["xsd"]

_LABELLED = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?x ?label WHERE {
  ?x a ?cls .
  OPTIONAL { ?x rdfs:label|skos:prefLabel|skos:altLabel|skos:notation ?label }
}
"""
_IS_A = "ASK { ?x a ?cls }"


def check_lang(value: str, *, what: str = "--lang") -> str:
    tag = value.strip().lower()
    if not _LANG.match(tag):
        raise UsageError(f"{what} {value!r}: not a language tag (use e.g. fr, en, es)")
    return tag


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-blind form, so 'reseau' finds 'Réseau'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


def local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _as_iri(raw: str) -> str | None:
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    expanded = expand_curie(raw)
    if expanded is not None:
        return expanded
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", raw) or raw.startswith("urn:"):
        return raw
    return None


def resolve_iri(param: Parameter, raw: str, graph: KnowledgeGraph | None) -> ox.NamedNode:
    iri = _as_iri(raw)
    cls = ox.NamedNode(expand_curie(param.cls) or param.cls) if param.cls else None
    if iri is not None:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            raise UsageError(f"parameter '{param.name}': {raw!r} is not a valid IRI") from None
        if graph is not None and cls is not None:
            result = graph.select(_IS_A, {"x": node, "cls": cls})
            if not result.boolean:
                raise UsageError(f"parameter '{param.name}': {shorten(iri)} is not a {shorten(cls.value)}")
        return node
    if graph is None or cls is None:
        raise UsageError(f"parameter '{param.name}': {raw!r} is not an IRI or a known CURIE")
    wanted = normalise(raw)
    names: dict[str, set[str]] = {}
    for row in graph.select(_LABELLED, {"cls": cls}).rows:
        iri_text = row["x"].value  # type: ignore[union-attr]
        forms = names.setdefault(iri_text, {normalise(local_name(iri_text))})
        if "label" in row:
            forms.add(normalise(row["label"].value))  # type: ignore[union-attr]
    found = sorted(i for i, forms in names.items() if wanted in forms)
    if len(found) == 1:
        return ox.NamedNode(found[0])
    if len(found) > 1:
        raise UsageError(f"parameter '{param.name}': {raw!r} names several resources ({', '.join(shorten(i) for i in found)}); give an IRI or CURIE")
    every = {form: iri_text for iri_text, forms in names.items() for form in forms}
    import difflib

    close = difflib.get_close_matches(wanted, list(every), n=3, cutoff=0.6)
    hint = "; did you mean " + ", ".join(sorted({shorten(every[c]) for c in close})) + "?" if close else ""
    raise UsageError(f"parameter '{param.name}': no {shorten(cls.value)} is called {raw!r}{hint}")


def to_term(param: Parameter, raw: str, graph: KnowledgeGraph | None) -> ox.NamedNode | ox.Literal:
    """The RDF term for one raw value, or a UsageError naming the parameter."""
    if len(raw) > _MAX_LENGTH:
        raise UsageError(f"parameter '{param.name}': value longer than {_MAX_LENGTH} characters")
    if any(unicodedata.category(c) == "Cc" for c in raw):
        raise UsageError(f"parameter '{param.name}': control characters are not allowed")
    value = raw.strip()
    if param.kind == "iri":
        term: ox.NamedNode | ox.Literal = resolve_iri(param, value, graph)
    elif param.kind == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", value):
            raise UsageError(f"parameter '{param.name}': {raw!r} is not an integer")
        term = ox.Literal(str(int(value)), datatype=ox.NamedNode(_XSD + "integer"))
    elif param.kind == "number":
        from decimal import Decimal, InvalidOperation

        try:
            number = Decimal(value)
        except InvalidOperation:
            raise UsageError(f"parameter '{param.name}': {raw!r} is not a number") from None
        if not number.is_finite():
            raise UsageError(f"parameter '{param.name}': {raw!r} is not a finite number")
        term = ox.Literal(str(number), datatype=ox.NamedNode(_XSD + "decimal"))
    elif param.kind == "lang":
        term = ox.Literal(value, language=param.language)
    elif param.kind == "datatype":
        datatype = expand_curie(param.datatype or "")
        if datatype is None:
            raise UsageError(f"parameter '{param.name}': unknown datatype {param.datatype}")
        term = ox.Literal(value, datatype=ox.NamedNode(datatype))
    elif param.name == "lang":
        term = ox.Literal(check_lang(value, what="parameter 'lang'"))
    else:
        term = ox.Literal(value)
    if param.choices:
        allowed = {(_as_iri(c) or c) for c in param.choices}
        if term.value not in allowed:
            raise UsageError(f"parameter '{param.name}': {raw!r} is not one of {', '.join(param.choices)}")
    return term


def bind(saved: SavedQuery, given: dict[str, str], *, graph: KnowledgeGraph | None, lang: str | None = None) -> dict[str, ox.NamedNode | ox.Literal]:
    """Variable name -> RDF term for every parameter of a saved query."""
    known = {p.name for p in saved.parameters}
    for name in given:
        if name not in known:
            takes = ", ".join(sorted(known)) or "no parameters"
            raise UsageError(f"query '{saved.name}' has no parameter '{name}' (it takes: {takes})")
    values = dict(given)
    if lang is not None and "lang" in known and "lang" not in values:
        values["lang"] = check_lang(lang)
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    for param in saved.parameters:
        raw = values.get(param.name, param.default)
        if raw is None:
            if param.required:
                what = f" ({param.help_en})" if param.help_en else ""
                raise UsageError(f"query '{saved.name}' needs --param {param.name}=VALUE{what}")
            continue
        bindings[param.variable] = to_term(param, raw, graph)
    return bindings
