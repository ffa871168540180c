"""The HTML pages of the graph, for the server and the static release alike.

A ``Site`` reads the graph once (labels, definitions, which triples are
only inferred) and renders Jinja2 templates from ``kg/templates``.  Links
to our own resources go through ``Site.href``: on the server they are
mapped onto ``--base`` (``https://w3id.org/ksm/id/x`` becomes
``http://127.0.0.1:8000/ksm/id/x``); in a static release they are relative
file paths (``id/x.html``, ``id/x.en.html``), so the release works from any
folder of any static web server.  Page chrome is in the page's language;
data falls back to the other language rather than show nothing.

An inferred fact is a triple of the graph ``graph/inferred`` that no other
graph asserts: it is marked as such on the page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kg.core.namespaces import BASE, INFERRED_GRAPH, KSM, PREFIXES, shorten
from kg.graph.store import KnowledgeGraph
from kg.queries.catalogue import Catalogue

LANGS = ("fr", "en")
SAFE_SCHEMES = {"http", "https", "mailto"}
TEMPLATES = Path(__file__).resolve().parent / "templates"
SKOS = PREFIXES["skos"]
RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
DESCRIPTION = PREFIXES["dcterms"] + "description"
LABELS = (SKOS + "prefLabel", RDFS + "label", PREFIXES["dcterms"] + "title", PREFIXES["foaf"] + "name")
DEFINITIONS = (SKOS + "definition", DESCRIPTION, RDFS + "comment")
MATCHES = tuple(SKOS + m for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch"))
SECTIONS = (("objectives", KSM + "hasObjective"), ("benefits", KSM + "hasBenefit"), ("limitations", KSM + "hasLimitation"))
# Shown elsewhere on a mechanism page, or noise of the OWL RL closure.
_HIDDEN = {*LABELS, *DEFINITIONS, *(p for _, p in SECTIONS), KSM + "hasStatement", KSM + "position"}
_NOISE_TYPES = {OWL + "Thing", RDFS + "Resource", OWL + "NamedIndividual"}
_TYPES_SAYING_NOTHING = {OWL + "Thing", RDFS + "Resource"}  # true of everything: left out of RDF documents

UI: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Mécanismes de partage des connaissances", "mechanisms": "Mécanismes", "objectives": "Objectifs",
        "benefits": "Avantages", "limitations": "Limites", "facts": "Caractéristiques", "inferred": "inféré",
        "inferred_note": "Les faits marqués « inféré » sont déduits par le raisonneur OWL RL, pas écrits dans les données.",
        "matches": "Concepts correspondants ailleurs", "queries": "Requêtes enregistrées", "editor": "Éditeur SPARQL",
        "ontology": "Ontologie", "run": "Exécuter", "results": "Résultats", "no_results": "Aucun résultat.",
        "truncated": "Tableau tronqué : seules les {n} premières lignes sont affichées.", "other": "English",
        "categories": "catégories", "used_by": "Utilisé par", "properties": "Propriétés", "data": "Données",
        "classes": "Classes", "object_properties": "Propriétés d'objet", "datatype_properties": "Propriétés de données",
        "annotation_properties": "Propriétés d'annotation",
        "schemes": "Schémas de concepts", "label": "Libellé", "definition": "Définition", "query_text": "Requête SPARQL",
        "parameters": "Paramètres", "endpoint": "Point d'accès SPARQL", "metadata": "Métadonnées (VoID, DCAT)",
        "download": "Téléchargements", "yes": "oui", "no": "non", "optional": "facultatif", "error": "Erreur",
        "home_intro": "Six mécanismes utilisés dans le développement international, avec leurs objectifs, avantages et limites.",
        "recommend": "Quel mécanisme pour ma situation ?", "recommend_nav": "Quel mécanisme ?",
        "recommend_intro": "Décrivez votre situation : chaque mécanisme est classé, avec les raisons tirées du graphe.",
        "situation": "Votre situation", "no_internet": "Les acteurs n'ont pas accès à internet", "budget": "Budget",
        "languages": "Langues de travail",
        "languages_help": "Étiquettes de langue séparées par des virgules (fr, en, wo) ; plusieurs langues veulent dire pas de langue commune.",
        "goal": "Buts", "goal_help": "Cochez-en autant que vous voulez.", "scale": "Échelle", "formality": "Formalité",
        "unspecified": "non précisé", "rank": "Classer les mécanismes", "ranking": "Classement",
        "same_answer": "La même réponse", "command": "En ligne de commande", "skip": "Aller au contenu",
        "api": "Description OpenAPI (openapi.json)",
        "api_intro": "Chaque requête répond aussi en JSON, CSV, TSV et XML à /queries/NOM.json, .csv… ; "
                     "leurs paramètres et formats sont décrits pour les outils d'API :",
    },
    "en": {
        "title": "Knowledge-sharing mechanisms", "mechanisms": "Mechanisms", "objectives": "Objectives",
        "benefits": "Benefits", "limitations": "Limitations", "facts": "Features", "inferred": "inferred",
        "inferred_note": "Facts marked “inferred” are derived by the OWL RL reasoner, not written in the data.",
        "matches": "Matching concepts elsewhere", "queries": "Saved queries", "editor": "SPARQL editor",
        "ontology": "Ontology", "run": "Run", "results": "Results", "no_results": "No results.",
        "truncated": "Table truncated: only the first {n} rows are shown.", "other": "Français",
        "categories": "categories", "used_by": "Used by", "properties": "Properties", "data": "Data",
        "classes": "Classes", "object_properties": "Object properties", "datatype_properties": "Datatype properties",
        "annotation_properties": "Annotation properties",
        "schemes": "Concept schemes", "label": "Label", "definition": "Definition", "query_text": "SPARQL query",
        "parameters": "Parameters", "endpoint": "SPARQL endpoint", "metadata": "Metadata (VoID, DCAT)",
        "download": "Downloads", "yes": "yes", "no": "no", "optional": "optional", "error": "Error",
        "home_intro": "Six mechanisms used in international development, with their objectives, benefits and limitations.",
        "recommend": "Which mechanism for my situation?", "recommend_nav": "Which mechanism?",
        "recommend_intro": "Describe your situation: every mechanism is ranked, with the reasons taken from the graph.",
        "situation": "Your situation", "no_internet": "The actors have no internet access", "budget": "Budget",
        "languages": "Working languages",
        "languages_help": "Language tags, comma-separated (fr, en, wo); several languages mean no shared one.",
        "goal": "Goals", "goal_help": "Tick as many as you like.", "scale": "Scale", "formality": "Formality",
        "unspecified": "not specified", "rank": "Rank the mechanisms", "ranking": "Ranking",
        "same_answer": "The same answer", "command": "On the command line", "skip": "Skip to content",
        "api": "OpenAPI description (openapi.json)",
        "api_intro": "Every query also answers in JSON, CSV, TSV and XML at /queries/NAME.json, .csv…; "
                     "their parameters and formats are described for API tools:",
    },
}


@dataclass(frozen=True)
class Value:
    """One object of a fact, ready for a template."""

    text: str
    href: str | None
    inferred: bool = False
    lang: str | None = None


class Site:
    """Everything a page needs from the graph, read once."""

    def __init__(self, graph: KnowledgeGraph, catalogue: Catalogue | None = None, *, base: str = BASE, static: bool = False) -> None:
        self.graph = graph
        self.catalogue = catalogue or Catalogue.bundled()
        self.base = base
        self.static = static
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        self.definitions: dict[str, dict[str, str]] = defaultdict(dict)
        self.facts: dict[str, dict[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple], set[str]]] = defaultdict(dict)
        for quad in graph.store:
            if not isinstance(quad.subject, ox.NamedNode):
                continue
            s, p, o = quad.subject.value, quad.predicate.value, quad.object
            self.facts[s].setdefault((p, o), set()).add(quad.graph_name.value)
            if isinstance(o, ox.Literal) and (o.language or "") in (*LANGS, ""):
                if p in LABELS and (p == LABELS[0] or o.language not in self.labels[s]):
                    self.labels[s][o.language or ""] = o.value
                elif p in DEFINITIONS and (o.language or "") not in self.definitions[s]:
                    self.definitions[s][o.language or ""] = o.value
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)

    # ------------------------------------------------------------ words and links

    @staticmethod
    def _pick(texts: dict[str, str], lang: str) -> tuple[str | None, str | None]:
        for tag in (lang, *LANGS, ""):
            if tag in texts:
                return texts[tag], tag or None
        return None, None

    def label(self, iri: str, lang: str) -> str:
        return self._pick(self.labels.get(iri, {}), lang)[0] or shorten(iri)

    def definition(self, iri: str, lang: str) -> str:
        return self._pick(self.definitions.get(iri, {}), lang)[0] or ""

    def href(self, iri: str, lang: str, *, root: str | None = None) -> str | None:
        """Where a browser finds the page of an IRI; None when it is not a link a browser may follow.

        Only http(s) and mailto IRIs become links (read by urllib, not by pattern): a
        ``javascript:`` or ``data:`` IRI in the data or in a query's answer stays text.
        """
        if not iri.startswith(BASE):
            return iri if urlsplit(iri).scheme.lower() in SAFE_SCHEMES else None
        rest = iri[len(BASE):]
        suffix = (".html" if lang == "fr" else f".{lang}.html") if self.static else ""
        prefix = self.base if root is None else root
        if rest.startswith("ontology#"):
            return f"{prefix}ontology{suffix}#{rest[len('ontology#'):]}"
        return f"{prefix}{rest or 'index'}{suffix}" if self.static else f"{prefix}{rest}"

    def value(self, term: object, lang: str, *, inferred: bool = False, root: str | None = None) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(self.label(term.value, lang), self.href(term.value, lang, root=root), inferred)
        if isinstance(term, ox.Literal):
            return Value(term.value, None, inferred, term.language)
        return Value(str(term), None, inferred)

    def is_inferred(self, graphs: set[str]) -> bool:
        return graphs == {INFERRED_GRAPH}

    def objects(self, subject: str, predicate: str) -> list[tuple[Any, bool]]:
        """(object, only inferred?) for one subject and predicate."""
        return [(o, self.is_inferred(g)) for (p, o), g in self.facts.get(subject, {}).items() if p == predicate]

    def subjects_of_type(self, cls: str) -> list[str]:
        found = [s for s, facts in self.facts.items() if any(p == RDF_TYPE and o == ox.NamedNode(cls) for p, o in facts)]
        return sorted(found)

    def mechanisms(self) -> list[str]:
        return self.subjects_of_type(KSM + "Mechanism")

    # ------------------------------------------------------------ views

    def render(self, template: str, *, lang: str, root: str | None = None, switch: str | None = None, **context: Any) -> str:
        """A page; ``switch`` is the link to the same page in the other language (by default ``?lang=``, or the other file)."""
        root = self.base if root is None else root
        other = "en" if lang == "fr" else "fr"
        page_iri = context.get("page_iri")
        if switch is None:
            switch = self.href(page_iri, other, root=root) if self.static and page_iri else f"?lang={other}"
        return self.env.get_template(template).render(
            site=self, lang=lang, other=other, switch=switch, t=UI[lang], root=root, static=self.static,
            href=lambda iri: self.href(iri, lang, root=root), label=lambda iri: self.label(iri, lang),
            **context,
        )

    def statements(self, mechanism: str, predicate: str, lang: str, root: str | None) -> list[dict[str, Any]]:
        found = []
        for term, _ in self.objects(mechanism, predicate):
            iri = term.value
            position = next((int(o.value) for o, _ in self.objects(iri, KSM + "position")), 0)
            categories = sorted((self.value(o, lang, inferred=i, root=root) for o, i in self.objects(iri, KSM + "hasCategory")), key=lambda v: v.text)
            text, tag = self._pick(self.labels.get(iri, {}), lang)
            found.append({"position": position, "iri": iri, "href": self.href(iri, lang, root=root), "text": text or shorten(iri),
                          "lang": tag, "categories": categories})
        return sorted(found, key=lambda s: (s["position"], s["iri"]))

    def fact_table(self, subject: str, lang: str, root: str | None, *, hide: set[str] = _HIDDEN) -> list[tuple[Value, list[Value]]]:
        """(property, values) rows, inferred values marked; blank nodes and closure noise left out."""
        rows: dict[str, list[Value]] = defaultdict(list)
        for (p, o), graphs in self.facts.get(subject, {}).items():
            if p in hide or p in MATCHES or isinstance(o, ox.BlankNode):
                continue
            if p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value in _NOISE_TYPES:
                continue
            if isinstance(o, ox.Literal) and o.language and o.language != lang and any(
                isinstance(x, ox.Literal) and x.language == lang for (q, x) in self.facts[subject] if q == p
            ):
                continue
            rows[p].append(self.value(o, lang, inferred=self.is_inferred(graphs), root=root))
        ordered = sorted(rows.items(), key=lambda item: (item[0] != RDF_TYPE, self.label(item[0], lang).casefold()))
        return [(self.value(ox.NamedNode(p), lang, root=root), sorted(vs, key=lambda v: (v.inferred, v.text.casefold()))) for p, vs in ordered]

    def matches(self, subject: str, lang: str, root: str | None = None) -> list[tuple[str, Value]]:
        """The SKOS mappings of a resource; one to our own concepts links to its page here, not to w3id.org."""
        found = []
        for match in MATCHES:
            for o, inferred in self.objects(subject, match):
                if isinstance(o, ox.NamedNode):
                    text = self.label(o.value, lang) if o.value in self.labels else o.value
                    found.append((match.split("#")[-1], Value(text, self.href(o.value, lang, root=root), inferred)))
        return sorted(found, key=lambda m: (m[0], m[1].text))

    def incoming(self, iri: str, lang: str, root: str | None) -> list[tuple[Value, Value]]:
        """Asserted links to this resource from our own resources (e.g. the statements of a category)."""
        node = ox.NamedNode(iri)
        seen = set()
        for quad in self.graph.store.quads_for_pattern(None, None, node, None):
            if quad.graph_name.value == INFERRED_GRAPH or not isinstance(quad.subject, ox.NamedNode):  # type: ignore[union-attr]
                continue
            if quad.subject.value.startswith(BASE):
                seen.add((quad.predicate.value, quad.subject.value))
        rows = [(self.value(ox.NamedNode(p), lang, root=root), self.value(ox.NamedNode(s), lang, root=root)) for p, s in seen]
        return sorted(rows, key=lambda r: (r[0].text, r[1].text))[:200]

    def home(self, lang: str, root: str | None = None, switch: str | None = None) -> str:
        items = [{"href": self.href(m, lang, root=root), "label": self.label(m, lang), "description": self.definition(m, lang)} for m in self.mechanisms()]
        items.sort(key=lambda item: (item["label"] or "").casefold())
        return self.render("home.html", lang=lang, root=root, switch=switch, mechanisms=items, page_iri=BASE)

    def resource(self, iri: str, lang: str, root: str | None = None, switch: str | None = None) -> str | None:
        """The page of one of our resources, or None if the graph says nothing about it."""
        if iri not in self.facts:
            return None
        is_mechanism = any(o == ox.NamedNode(KSM + "Mechanism") for o, _ in self.objects(iri, RDF_TYPE))
        context: dict[str, Any] = {
            "iri": iri, "page_iri": iri, "title": self.label(iri, lang), "description": self.definition(iri, lang),
            "matches": self.matches(iri, lang, root), "facts": self.fact_table(iri, lang, root), "switch": switch,
        }
        if is_mechanism:
            context["sections"] = [(name, self.statements(iri, predicate, lang, root)) for name, predicate in SECTIONS]
            return self.render("mechanism.html", lang=lang, root=root, **context)
        context["incoming"] = self.incoming(iri, lang, root)
        return self.render("resource.html", lang=lang, root=root, **context)

    def ontology_terms(self) -> dict[str, list[str]]:
        """The ksm: terms by kind, from every module of the ontology (the core, the situation vocabulary...)."""
        kinds = {"classes": OWL + "Class", "object_properties": OWL + "ObjectProperty", "datatype_properties": OWL + "DatatypeProperty",
                 "annotation_properties": OWL + "AnnotationProperty"}
        terms: dict[str, list[str]] = {}
        for name, cls in kinds.items():
            members = [s for s in self.subjects_of_type(cls) if s.startswith(KSM)]
            terms[name] = sorted({*members}, key=lambda s: s.casefold())
        return terms

    def ontology(self, lang: str, root: str | None = None, switch: str | None = None) -> str:
        """Every term of the ontology with its French and English labels and definitions."""
        def term(iri: str) -> dict[str, Any]:
            return {
                "iri": iri, "anchor": iri[len(KSM):], "labels": {tag: self.labels.get(iri, {}).get(tag, "") for tag in LANGS},
                "definitions": {tag: self.definitions.get(iri, {}).get(tag, "") for tag in LANGS},
                "facts": self.fact_table(iri, lang, root, hide={*LABELS, *DEFINITIONS}),
            }
        sections = [(name, [term(i) for i in iris]) for name, iris in self.ontology_terms().items()]
        schemes = []
        for scheme in self.subjects_of_type(SKOS + "ConceptScheme"):
            members = [s for s, facts in self.facts.items() if (SKOS + "inScheme", ox.NamedNode(scheme)) in facts]
            concepts = [{"iri": c, "href": self.href(c, lang, root=root), "labels": {tag: self.labels.get(c, {}).get(tag, "") for tag in LANGS},
                         "definitions": {tag: self.definitions.get(c, {}).get(tag, "") for tag in LANGS}} for c in sorted(members)]
            schemes.append({"iri": scheme, "href": self.href(scheme, lang, root=root), "label": self.label(scheme, lang), "concepts": concepts})
        onto = BASE + "ontology"
        return self.render("ontology.html", lang=lang, root=root, switch=switch, sections=sections, schemes=schemes, page_iri=onto,
                           title=self.label(onto, lang) if onto in self.labels else UI[lang]["ontology"], description=self.definition(onto, lang))

    # ------------------------------------------------------------ RDF documents

    def describe(self, iri: str) -> list[ox.Triple]:
        """The triples about one resource (asserted and inferred), for its RDF documents.

        Left out, as on the page: the closure's types that say nothing (``owl:Thing``,
        ``rdfs:Resource``) and types that are blank nodes (the ontology's restrictions,
        which the resource's document does not describe, so a client could not read them).
        """
        subject = ox.NamedNode(iri)
        kept = [(p, o) for (p, o) in self.facts.get(iri, {})
                if not (p == RDF_TYPE and (isinstance(o, ox.BlankNode) or (isinstance(o, ox.NamedNode) and o.value in _TYPES_SAYING_NOTHING)))]
        return [ox.Triple(subject, ox.NamedNode(p), o) for (p, o) in sorted(kept, key=lambda f: (f[0], str(f[1])))]

    def ontology_triples(self) -> list[ox.Triple]:
        """The ontology document that the hash IRIs ``ksm:Term`` resolve to, as written, blank nodes of its axioms included.

        That is the core (ontology/ksm.ttl) and every module that declares ksm:
        terms (the situation and practice vocabularies): they share the namespace,
        so a term of any of them resolves to this one document.
        """
        core = ox.NamedNode(PREFIXES["ksm"].rstrip("#").replace("/ontology", "/graph/ontology/ksm"))
        kinds = {ox.NamedNode(OWL + kind) for kind in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")}
        names = {core} | {q.graph_name for q in self.graph.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None)
                          if q.object in kinds and isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(KSM)
                          and isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value != INFERRED_GRAPH}
        return [q.triple for name in sorted(names, key=str) for q in self.graph.store.quads_for_pattern(None, None, None, name)]

    def resources(self) -> list[str]:
        """Our own resources (under the namespace, not hash IRIs of the ontology) that have a page."""
        return sorted(s for s in self.facts if s.startswith(BASE) and "#" not in s and s != BASE + "ontology")
