"""Which mechanism for my situation? Explained, traceable recommendations.

The situation (kg.recommendation.situation) is added to a copy of the reasoned graph in a
named graph of its own; the queries of ``queries/recommend/`` then find, one
row per piece of evidence, what collides with it and what serves its goals.
Python only groups those rows and sorts; nothing here names a mechanism, so a
mechanism, goal or limitation category added to the data changes the answer
by itself.

Scoring is a lexicographic order, each level a count of evidence rows:

1. collisions, ascending: requirements the mechanism depends on
   (``ksm:dependsOn``, inferred) that the situation lacks, plus
   characteristics it states but not with the wanted value (scale, formality);
2. goals served, descending: distinct objectives and benefits filed under a
   category that serves a sought goal;
3. hindrances, ascending: conditions the situation lacks whose absence
   hinders the mechanism without being requirements (``ksm:hinderedWithout``,
   inferred from a limitation category that signals an obstacle, such as a
   bias of jargon and languages where there is no shared working language);
4. goal obstacles, ascending: distinct limitations filed under a category
   that hinders a sought goal;
5. remaining limitations, ascending: its other limitations;
6. then label and IRI, so that there are no ties.

A requirement the situation lacks is a collision; a condition it lacks
whose absence only hinders is a hindrance: the data says which
(``ksm:signalsRequirement`` or ``ksm:signalsObstacle`` on the category), so
a bias does not count as a dependency.

Every reason carries the triples it rests on (``Reason.triples``), so every
number shown can be checked against the graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core.namespaces import GRAPH, INFERRED_GRAPH, KSM, shorten
from kg.graph.store import KnowledgeGraph
from kg.queries.params import check_lang
from kg.recommendation import situation as sit

ORDER = ("collisions ascending", "goals served descending", "hindrances ascending", "goal obstacles ascending",
         "remaining limitations ascending", "label, then IRI")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "collision": "depends on {req}, which the situation lacks{lack}",
        "lack-rule": " (derived by queries/recommend/{rule}.rq)",
        "via-tool": "inferred from its use of {source}",
        "via-limitation": "inferred from its limitation “{source}”",
        "via-stated": "as stated in graph {source}",
        "via-other": "inferred by the reasoner",
        "mismatch": "{prop}: {stated}, not {wanted} as wanted",
        "modes": "none of its modes fits the situation: {modes}",
        "mode-needs": "{mode} needs {reqs}",
        "size-min": "works with at least {limit} participants, not {size}",
        "size-max": "works with at most {limit} participants, not {size}",
        "hindrance": "hindered without {req}, which the situation lacks{lack}",
        "served": "serves “{goal}”: {kind} “{statement}” ({categories})",
        "obstacle": "hinders “{goal}”: limitation “{statement}” ({categories})",
        "remaining": "limitation “{statement}”",
        "fine": "depends on {req}, which the situation does not rule out",
        "objective": "objective",
        "benefit": "benefit",
    },
    "fr": {
        "collision": "dépend de « {req} », qui manque à la situation{lack}",
        "lack-rule": " (déduit par queries/recommend/{rule}.rq)",
        "via-tool": "déduit de son usage de « {source} »",
        "via-limitation": "déduit de sa limite « {source} »",
        "via-stated": "comme l'énonce le graphe {source}",
        "via-other": "déduit par le raisonneur",
        "mismatch": "{prop} : {stated}, et non {wanted} comme voulu",
        "modes": "aucun de ses modes ne convient à la situation : {modes}",
        "mode-needs": "{mode} exige « {reqs} »",
        "size-min": "fonctionne avec au moins {limit} participants, pas {size}",
        "size-max": "fonctionne avec au plus {limit} participants, pas {size}",
        "hindrance": "entravé faute de « {req} », qui manque à la situation{lack}",
        "served": "sert « {goal} » : {kind} « {statement} » ({categories})",
        "obstacle": "entrave « {goal} » : limite « {statement} » ({categories})",
        "remaining": "limite « {statement} »",
        "fine": "dépend de « {req} », que la situation n'exclut pas",
        "objective": "objectif",
        "benefit": "avantage",
    },
}


def _k(name: str) -> ox.NamedNode:
    return ox.NamedNode(KSM + name)


@dataclass
class Reason:
    """One reason: its sentence, what it is about, and the triples it rests on."""

    kind: str  # Collision, GoalServed, Hindrance, GoalObstacle, RemainingLimitation (ksm: classes)
    about: str  # requirement, mechanism property, or statement IRI
    text: str
    triples: list[ox.Triple] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # one sentence per piece of evidence
    goal: str | None = None


@dataclass
class Recommendation:
    mechanism: str
    label: str
    collisions: list[Reason] = field(default_factory=list)
    served: list[Reason] = field(default_factory=list)
    hindrances: list[Reason] = field(default_factory=list)
    obstacles: list[Reason] = field(default_factory=list)
    remaining: list[Reason] = field(default_factory=list)
    fine: list[str] = field(default_factory=list)
    rank: int = 0

    @property
    def score(self) -> dict[str, int]:
        """The five counts of the order; statements serving two goals count once."""
        return {
            "collisions": len(self.collisions),
            "goalsServed": len({r.about for r in self.served}),
            "hindrances": len(self.hindrances),
            "goalObstacles": len({r.about for r in self.obstacles}),
            "remainingLimitations": len(self.remaining),
        }

    def key(self) -> tuple[int, int, int, int, int, str, str]:
        s = self.score
        return (s["collisions"], -s["goalsServed"], s["hindrances"], s["goalObstacles"], s["remainingLimitations"],
                self.label.casefold(), self.mechanism)


@dataclass
class Ranking:
    situation: sit.Situation
    lang: str
    recommendations: list[Recommendation]
    derived: dict[ox.Triple, str] = field(default_factory=dict)

    def first(self) -> Recommendation:
        return self.recommendations[0]

    def order(self) -> list[str]:
        """The mechanisms' IRIs, best first."""
        return [r.mechanism for r in self.recommendations]


class _Labels:
    def __init__(self, work: KnowledgeGraph, lang: str) -> None:
        rows = work.select(sit.query_text("labels"), {"lang": ox.Literal(lang), "fallback": ox.Literal("fr")}).rows
        self.best: dict[str, str] = {}
        for row in rows:
            item, label = sit.value(row["item"]), row["label"]
            if isinstance(label, ox.Literal) and (label.language == lang or item not in self.best):
                self.best[item] = label.value

    def __call__(self, iri: str) -> str:
        return self.best.get(iri, shorten(iri))


def _iri(row: sit.Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if isinstance(term, ox.NamedNode) else None


def _t(s: ox.NamedNode, p: str, o: str) -> ox.Triple:
    return ox.Triple(s, _k(p), ox.NamedNode(o))


def recommend(graph: KnowledgeGraph, situation: sit.Situation, *, lang: str = "fr") -> Ranking:
    """Rank every mechanism of ``graph`` for ``situation``, with reasons.

    >>> from kg.graph.dataset import open_graph
    >>> from kg.recommendation.situation import Options, build
    >>> g = open_graph()
    >>> ranking = recommend(g, build(g, options=Options(goals=["policy-influence"])), lang="en")
    >>> ranking.first().label, ranking.first().score["goalsServed"]
    ('Network', 1)
    """
    lang = check_lang(lang)
    texts = TEXTS.get(lang, TEXTS["en"])
    work = KnowledgeGraph(store=ox.Store())
    work.store.extend(graph.store)
    work.store.extend(situation.quads())
    derived = sit.apply_rules(work, situation)
    sit.check(work, situation)
    label = _Labels(work, lang)
    node = situation.node
    bind = {"situation": node}

    def rows(name: str) -> list[sit.Row]:
        return work.select(sit.query_text(name), bind).rows

    recs: dict[str, Recommendation] = {}
    limitations: dict[str, list[str]] = {}
    for row in rows("limitations"):
        mech = sit.value(row["mechanism"])
        recs.setdefault(mech, Recommendation(mechanism=mech, label=label(mech)))
        stmt = _iri(row, "statement")
        if stmt is not None:
            limitations.setdefault(mech, []).append(stmt)

    def reason_for(kind: str, found: dict[tuple[str, str], Reason], into: list[Reason], mech: str, req: str, link: str) -> Reason:
        """The one reason of this kind for (mechanism, requirement), which every row about the pair adds evidence to."""
        reason = found.get((mech, req))
        if reason is None:
            lack = ox.Triple(node, _k("lacksRequirement"), ox.NamedNode(req))
            rule = derived.get(lack)
            lack_text = texts["lack-rule"].format(rule=rule) if rule else ""
            reason = Reason(kind, req, texts[kind.lower()].format(req=label(req), lack=lack_text), [lack, _t(ox.NamedNode(mech), link, req)])
            found[(mech, req)] = reason
            into.append(reason)
        return reason

    collided_limitations: set[tuple[str, str]] = set()
    grouped: dict[tuple[str, str], Reason] = {}
    for row in rows("collisions"):
        mech, req = sit.value(row["mechanism"]), sit.value(row["requirement"])
        reason = reason_for("Collision", grouped, recs[mech].collisions, mech, req, "dependsOn")
        via, source, step = _iri(row, "via"), _iri(row, "source"), _iri(row, "step")
        m = ox.NamedNode(mech)
        if via == KSM + "dependencyFromTool" and source:
            reason.evidence.append(texts["via-tool"].format(source=label(source)))
            reason.triples += [_t(m, "usesTool", source), _t(ox.NamedNode(source), "requires", req), _t(m, "dependencyFromTool", req)]
        elif via == KSM + "dependencyFromLimitation" and source and step:
            collided_limitations.add((mech, source))
            reason.evidence.append(texts["via-limitation"].format(source=label(source)))
            reason.triples += [_t(m, "hasLimitation", source), _t(ox.NamedNode(source), "hasCategory", step),
                               _t(ox.NamedNode(step), "signalsRequirement", req), _t(m, "dependencyFromLimitation", req)]
        elif via == KSM + "dependsOn" and source:
            reason.evidence.append(texts["via-stated"].format(source=source.removeprefix(GRAPH)))
        else:
            reason.evidence.append(texts["via-other"] + f" ({INFERRED_GRAPH.removeprefix(GRAPH)})")

    hindered: dict[tuple[str, str], Reason] = {}
    for row in rows("hindrances"):
        mech, req = sit.value(row["mechanism"]), sit.value(row["requirement"])
        m = ox.NamedNode(mech)
        reason = reason_for("Hindrance", hindered, recs[mech].hindrances, mech, req, "hinderedWithout")
        source, step = _iri(row, "source"), _iri(row, "step")
        if source and step:
            collided_limitations.add((mech, source))
            reason.evidence.append(texts["via-limitation"].format(source=label(source)))
            reason.triples += [_t(m, "hasLimitation", source), _t(ox.NamedNode(source), "hasCategory", step),
                               _t(ox.NamedNode(step), "signalsObstacle", req), _t(m, "hindranceFromLimitation", req)]
        else:
            reason.evidence.append(texts["via-other"] + f" ({INFERRED_GRAPH.removeprefix(GRAPH)})")

    _mode_collisions(rows("modes"), recs, node, label, texts, derived)
    _size_collisions(rows("sizes"), recs, node, texts)

    mismatch: dict[tuple[str, str], tuple[Reason, list[str], str]] = {}
    for row in rows("mismatches"):
        mech, prop, wanted, stated = (sit.value(row[k]) for k in ("mechanism", "property", "wanted", "stated"))
        if (mech, prop) not in mismatch:
            sprop = sit.value(row["situationProperty"])
            reason = Reason("Collision", prop, "", [ox.Triple(node, ox.NamedNode(sprop), ox.NamedNode(wanted))])
            mismatch[(mech, prop)] = (reason, [], wanted)
            recs[mech].collisions.append(reason)
        reason, values, _ = mismatch[(mech, prop)]
        values.append(label(stated))
        reason.triples.append(ox.Triple(ox.NamedNode(mech), ox.NamedNode(prop), ox.NamedNode(stated)))
    for (_, prop), (reason, values, wanted) in mismatch.items():
        reason.text = texts["mismatch"].format(prop=label(prop), stated=", ".join(values), wanted=label(wanted))

    _statement_reasons(rows("goals"), recs, node, label, texts, served=True)
    _statement_reasons(rows("obstacles"), recs, node, label, texts, served=False)

    for mech, rec in recs.items():
        hindering = {r.about for r in rec.obstacles}
        for stmt in limitations.get(mech, []):
            if (mech, stmt) not in collided_limitations and stmt not in hindering:
                rec.remaining.append(Reason("RemainingLimitation", stmt, texts["remaining"].format(statement=label(stmt)),
                                            [_t(ox.NamedNode(mech), "hasLimitation", stmt)]))
    for row in rows("dependencies"):
        recs[sit.value(row["mechanism"])].fine.append(texts["fine"].format(req=label(sit.value(row["requirement"]))))

    ranked = sorted(recs.values(), key=Recommendation.key)
    for rank, rec in enumerate(ranked, start=1):
        rec.rank = rank
    return Ranking(situation=situation, lang=lang, recommendations=ranked, derived=derived)


def _mode_collisions(rows: Sequence[sit.Row], recs: dict[str, Recommendation], node: ox.NamedNode,
                     label: _Labels, texts: dict[str, str], derived: dict[ox.Triple, str]) -> None:
    """One collision per mechanism that no mode of fits: each mode with what it needs that the situation lacks."""
    needs: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        mech, mode, req = (sit.value(row[k]) for k in ("mechanism", "mode", "requirement"))
        needs.setdefault(mech, {}).setdefault(mode, []).append(req)
    for mech, modes in needs.items():
        m = ox.NamedNode(mech)
        parts, triples = [], []
        for mode, reqs in modes.items():
            parts.append(texts["mode-needs"].format(mode=label(mode), reqs=", ".join(label(r) for r in reqs)))
            triples.append(_t(m, "interactionMode", mode))
            for req in reqs:
                triples += [ox.Triple(node, _k("lacksRequirement"), ox.NamedNode(req)), _t(ox.NamedNode(mode), "modeRequires", req)]
        reason = Reason("Collision", KSM + "interactionMode", texts["modes"].format(modes="; ".join(parts)), triples)
        rules = sorted({derived[t] for t in triples if t in derived})
        reason.evidence += [texts["lack-rule"].format(rule=rule).strip(" ()") for rule in rules]
        recs[mech].collisions.append(reason)


def _size_collisions(rows: Sequence[sit.Row], recs: dict[str, Recommendation], node: ox.NamedNode, texts: dict[str, str]) -> None:
    """A collision for each bound on the number of participants that the situation's group crosses."""
    for row in rows:
        mech, bound, limit, size = (sit.value(row[k]) for k in ("mechanism", "bound", "limit", "size"))
        key = "size-min" if bound == KSM + "minimumParticipants" else "size-max"
        integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        triples = [ox.Triple(node, _k("groupSize"), ox.Literal(size, datatype=integer)),
                   ox.Triple(ox.NamedNode(mech), ox.NamedNode(bound), ox.Literal(limit, datatype=integer))]
        recs[mech].collisions.append(Reason("Collision", bound, texts[key].format(limit=limit, size=size), triples))


def _statement_reasons(rows: Sequence[sit.Row],
                       recs: dict[str, Recommendation], node: ox.NamedNode,
                       label: _Labels, texts: dict[str, str], *, served: bool) -> None:
    """Goals served (objectives, benefits) or obstacles (limitations), one reason per goal and statement."""
    grouped: dict[tuple[str, str, str], tuple[Reason, list[str]]] = {}
    for row in rows:
        mech, goal, stmt, cat = (sit.value(row[k]) for k in ("mechanism", "goal", "statement", "category"))
        link = sit.value(row["link"]) if "link" in row else KSM + "hasLimitation"
        key = (mech, goal, stmt)
        if key not in grouped:
            reason = Reason("GoalServed" if served else "GoalObstacle", stmt, "", [ox.Triple(node, _k("seeksGoal"), ox.NamedNode(goal)),
                            ox.Triple(ox.NamedNode(mech), ox.NamedNode(link), ox.NamedNode(stmt))], goal=goal)
            grouped[key] = (reason, [])
            (recs[mech].served if served else recs[mech].obstacles).append(reason)
        reason, categories = grouped[key]
        categories.append(label(cat))
        reason.triples += [_t(ox.NamedNode(stmt), "hasCategory", cat),
                           _t(ox.NamedNode(goal), "servedByCategory" if served else "hinderedByCategory", cat)]
        kind = texts["objective"] if link == KSM + "hasObjective" else texts["benefit"]
        reason.text = texts["served" if served else "obstacle"].format(
            goal=label(goal), kind=kind, statement=label(stmt), categories=", ".join(categories))


def recommend_from_options(graph: KnowledgeGraph, *, lang: str = "fr", file: Path | None = None,
                           options: sit.Options | None = None) -> Ranking:
    """Build the situation (file and/or options) and rank: what a web form should call."""
    situation = sit.build(graph, file=file, options=options)
    return recommend(graph, situation, lang=lang)
