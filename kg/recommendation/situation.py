"""A user's situation as RDF, following the vocabulary of ontology/situation.ttl.

The situation is data, not a set of Python flags: command-line options, a
JSON file and a Turtle file all become triples about one ``ksm:Situation``
in the named graph ``graph/situation``, so that other tools can hand one
over and the SPARQL of ``queries/recommend/`` can match it.  Values a user
types (``low``, ``policy-influence``, ``informal``) are resolved against the
members of the property's range *in the graph*: a goal added to the data is
accepted without code changes, and an unknown one is answered with the list
of the known ones.

Before matching, the rules ``queries/recommend/rule-*.rq`` derive what the
situation lacks (a low budget rules out travel; several working languages
mean no shared one) into ``graph/situation-derived``; then contradictions
(two budgets, formal and informal, internet lacked and provided) are refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core import resources
from kg.core.errors import InputError, UsageError
from kg.core.namespaces import GRAPH, ID, KSM, PREFIXES, expand_curie, shorten
from kg.graph import rdfio
from kg.graph.store import KnowledgeGraph
from kg.queries.params import check_lang, local_name, normalise

SITUATION_GRAPH = GRAPH + "situation"
DERIVED_GRAPH = GRAPH + "situation-derived"
DEFAULT_NODE = ID + "situation/given"
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
XSD_LANGUAGE = ox.NamedNode(PREFIXES["xsd"] + "language")
XSD_BOOLEAN = ox.NamedNode(PREFIXES["xsd"] + "boolean")
XSD_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")
INTERNET = ox.NamedNode(PREFIXES["ksmc"] + "internet-access")

# JSON keys and what each becomes; the CLI options have the same names.
JSON_KEYS = ("internet", "budget", "languages", "goals", "scale", "formality", "lacks", "provides", "dispersed", "group_size")
_MAX_RULE_ROUNDS = 10


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = dict[str, Term]


def value(term: Term | None) -> str:
    """The IRI or lexical form of a term of a result row ('' when unbound)."""
    if term is None:
        return ""
    return str(term) if isinstance(term, ox.Triple | ox.BlankNode) else term.value


def ksm(name: str) -> ox.NamedNode:
    return ox.NamedNode(KSM + name)


def query_text(name: str) -> str:
    """The text of one query of ``queries/recommend/`` (not a saved query)."""
    path = resources.queries_dir() / "recommend" / f"{name}.rq"
    return path.read_text(encoding="utf-8")


def rule_names() -> list[str]:
    return sorted(p.stem for p in (resources.queries_dir() / "recommend").glob("rule-*.rq"))


@dataclass
class Situation:
    """One ``ksm:Situation``: its node and its triples (as given, before the rules)."""

    node: ox.NamedNode
    triples: list[ox.Triple] = field(default_factory=list)

    def quads(self) -> list[ox.Quad]:
        graph = ox.NamedNode(SITUATION_GRAPH)
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in self.triples]


@dataclass
class Options:
    """What a user may say about a situation, as typed (CLI options or JSON keys)."""

    internet: bool | None = None
    budget: Sequence[str] = ()
    languages: Sequence[str] = ()
    goals: Sequence[str] = ()
    scale: Sequence[str] = ()
    formality: Sequence[str] = ()
    lacks: Sequence[str] = ()
    provides: Sequence[str] = ()
    dispersed: bool | None = None
    group_size: int | None = None


def resolve(graph: KnowledgeGraph, cls: str, given: str, *, what: str) -> ox.NamedNode:
    """The member of class ``cls`` that ``given`` names: IRI, CURIE, notation, local name or label.

    >>> from kg.graph.dataset import open_graph
    >>> resolve(open_graph(), "ksm:Goal", "policy-influence", what="--goal").value
    'https://w3id.org/ksm/id/concept/goal-policy-influence'
    """
    class_iri = expand_curie(cls) or cls
    rows = graph.select(query_text("members"), {"class": ox.NamedNode(class_iri)}).rows
    wanted = normalise(given)
    iri = expand_curie(given.strip()) or given.strip()
    names: dict[str, set[str]] = {}
    for row in rows:
        member = value(row["member"])
        keys = names.setdefault(member, {normalise(local_name(member))})
        keys.update(normalise(value(row[k])) for k in ("notation", "label") if k in row)
    for member, keys in sorted(names.items()):
        if member == iri or wanted in keys:
            return ox.NamedNode(member)
    known = sorted({_short_name(m, rows) for m in names})
    raise UsageError(f"{what} {given!r}: unknown; use one of {', '.join(known)}")


def _short_name(member: str, rows: list[Row]) -> str:
    for row in rows:
        if value(row["member"]) == member and "notation" in row:
            return value(row["notation"])
    return local_name(member)


def _split(values: Iterable[str]) -> list[str]:
    """``["fr,en", "wo"]`` -> ``["fr", "en", "wo"]``: options may be repeated or comma-separated."""
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def option_triples(graph: KnowledgeGraph, node: ox.NamedNode, options: Options) -> list[ox.Triple]:
    """The triples that the options say about the situation ``node``."""
    triples = [ox.Triple(node, RDF_TYPE, ksm("Situation"))]
    if options.internet is not None:
        triples.append(ox.Triple(node, ksm("providesRequirement" if options.internet else "lacksRequirement"), INTERNET))
    table = (
        ("hasBudget", "ksm:BudgetLevel", "--budget", options.budget),
        ("seeksGoal", "ksm:Goal", "--goal", options.goals),
        ("targetsScale", "ksm:Scale", "--scale", options.scale),
        ("prefersFormality", "ksm:Formality", "--formality", options.formality),
        ("lacksRequirement", "ksm:Requirement", "lacks", options.lacks),
        ("providesRequirement", "ksm:Requirement", "provides", options.provides),
    )
    for prop, cls, what, values in table:
        for item in _split(values):
            triples.append(ox.Triple(node, ksm(prop), resolve(graph, cls, item, what=what)))
    for tag in _split(options.languages):
        language = check_lang(tag, what="--languages")
        triples.append(ox.Triple(node, ksm("hasWorkingLanguage"), ox.Literal(language, datatype=XSD_LANGUAGE)))
    if options.dispersed is not None:
        triples.append(ox.Triple(node, ksm("actorsDispersed"), ox.Literal("true" if options.dispersed else "false", datatype=XSD_BOOLEAN)))
    if options.group_size is not None:
        if isinstance(options.group_size, bool) or not isinstance(options.group_size, int) or not 1 <= options.group_size <= 1_000_000:
            raise UsageError(f"--group-size {options.group_size!r}: give how many take part, a whole number from 1")
        triples.append(ox.Triple(node, ksm("groupSize"), ox.Literal(str(options.group_size), datatype=XSD_INTEGER)))
    return triples


def options_from_json(path: Path) -> Options:
    """Read a situation from JSON: ``{"internet": false, "budget": "low", "goals": [...], ...}``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: unreadable: {error}") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{error.lineno}: bad JSON syntax: {error.msg}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a situation is a JSON object with keys among {', '.join(JSON_KEYS)}")
    unknown = sorted(set(data) - set(JSON_KEYS))
    if unknown:
        raise UsageError(f"{path}: unknown key {unknown[0]!r}; use {', '.join(JSON_KEYS)}")
    for key in ("internet", "dispersed"):
        if data.get(key) is not None and not isinstance(data[key], bool):
            raise InputError(f"{path}: {key!r} must be true or false")
    size = data.get("group_size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise InputError(f"{path}: 'group_size' must be a whole number from 1")

    def strings(key: str) -> list[str]:
        value = data.get(key, [])
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise InputError(f"{path}: {key!r} must be a string or a list of strings")
        return items

    lists = {key: strings(key) for key in JSON_KEYS if key not in ("internet", "dispersed", "group_size")}
    return Options(internet=data.get("internet"), dispersed=data.get("dispersed"), group_size=size, **lists)


def _from_turtle(path: Path) -> Situation:
    quads = rdfio.read_quads(path, SITUATION_GRAPH)
    subjects = sorted({q.subject for q in quads if q.predicate == RDF_TYPE and q.object == ksm("Situation")}, key=str)
    if len(subjects) != 1:
        raise InputError(f"{path}: expected one ksm:Situation, found {len(subjects)}")
    node = subjects[0]
    if isinstance(node, ox.NamedNode):
        return Situation(node=node, triples=[q.triple for q in quads])
    # A blank node cannot be bound in a VALUES block: name it (skolemise).
    named = ox.NamedNode(DEFAULT_NODE)
    return Situation(node=named, triples=[ox.Triple(named if q.subject == node else q.subject, q.predicate,
                                                    named if q.object == node else q.object) for q in quads])


def build(graph: KnowledgeGraph, *, file: Path | None = None, options: Options | None = None) -> Situation:
    """The situation from a file (.ttl, .json) and/or options; options add to the file.

    >>> from kg.graph.dataset import open_graph
    >>> s = build(open_graph(), options=Options(internet=False))
    >>> [shorten(t.object.value) for t in s.triples]
    ['ksm:Situation', 'ksmc:internet-access']
    """
    options = options or Options()
    situation = Situation(node=ox.NamedNode(DEFAULT_NODE))
    if file is not None:
        file = Path(file)
        if file.suffix.lower() == ".json":
            from_file = options_from_json(file)
            situation.triples = option_triples(graph, situation.node, from_file)
        else:
            situation = _from_turtle(file)
    seen = {str(t) for t in situation.triples}
    for triple in option_triples(graph, situation.node, options):
        if str(triple) not in seen:
            seen.add(str(triple))
            situation.triples.append(triple)
    return situation


def apply_rules(work: KnowledgeGraph, situation: Situation) -> dict[ox.Triple, str]:
    """Run the ``rule-*.rq`` CONSTRUCT rules to a fixpoint; {derived triple: rule name}."""
    derived: dict[ox.Triple, str] = {}
    target = ox.NamedNode(DERIVED_GRAPH)
    for _ in range(_MAX_RULE_ROUNDS):
        added = False
        for name in rule_names():
            for triple in work.select(query_text(name), {"situation": situation.node}).triples:
                quad = ox.Quad(triple.subject, triple.predicate, triple.object, target)
                if triple not in derived and quad not in work.store:
                    work.store.add(quad)
                    derived[triple] = name
                    added = True
        if not added:
            break
    return derived


def check(work: KnowledgeGraph, situation: Situation) -> None:
    """Refuse values of the wrong class and contradictions, with a one-line UsageError."""
    for row in work.select(query_text("checks"), {"situation": situation.node}).rows:
        prop, wrong, rng = (shorten(value(row[k])) for k in ("property", "value", "range"))
        raise UsageError(f"situation: {prop} {wrong} is not a {rng}")
    for row in work.select(query_text("conflicts"), {"situation": situation.node}).rows:
        prop, first, second = (shorten(value(row[k])) for k in ("property", "first", "second"))
        if prop == "ksm:providesRequirement":
            raise UsageError(f"contradictory situation: it both lacks and provides {first}")
        raise UsageError(f"contradictory situation: {prop} has two values, {first} and {second}; give one")
