"""A ranking written for people (table), for programs (JSON) and as RDF (Turtle).

All three carry the same counts; JSON and Turtle also carry, for every
reason, the triples it rests on (Turtle reifies them with ``rdf:subject``,
``rdf:predicate`` and ``rdf:object``, typed ``rdf:Statement``),
so that each number can be checked against the graph.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pyoxigraph as ox

from kg.core.namespaces import KSM, PREFIXES
from kg.recommendation.engine import ORDER, Ranking, Reason, Recommendation

FORMATS = ("table", "json", "ttl")

HEADINGS = {
    "en": {"rank": "#", "mechanism": "mechanism", "collisions": "collisions", "goalsServed": "goals served",
           "hindrances": "hindrances", "goalObstacles": "goal obstacles", "remainingLimitations": "remaining limitations",
           "collides": "collides", "serves": "serves", "hindered": "hindered", "hinders": "hinders", "fine": "fine",
           "order": "order: collisions ↑, goals served ↓, hindrances ↑, goal obstacles ↑, remaining limitations ↑, then label"},
    "fr": {"rank": "#", "mechanism": "mécanisme", "collisions": "conflits", "goalsServed": "buts servis",
           "hindrances": "entraves", "goalObstacles": "obstacles aux buts", "remainingLimitations": "limites restantes",
           "collides": "conflit", "serves": "sert", "hindered": "entravé", "hinders": "entrave", "fine": "sans problème",
           "order": "ordre : conflits ↑, buts servis ↓, entraves ↑, obstacles aux buts ↑, limites restantes ↑, puis libellé"},
}
_SCORE_KEYS = ("collisions", "goalsServed", "hindrances", "goalObstacles", "remainingLimitations")
_RDF = PREFIXES["rdf"]


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def _reason_json(reason: Reason) -> dict[str, Any]:
    out: dict[str, Any] = {"about": reason.about, "text": reason.text}
    if reason.goal:
        out["goal"] = reason.goal
    if reason.evidence:
        out["evidence"] = reason.evidence
    out["triples"] = [[_term(t.subject), _term(t.predicate), _term(t.object)] for t in reason.triples]
    return out


def to_json(ranking: Ranking) -> dict[str, Any]:
    """The ranking as a JSON-ready dict: situation triples, order, and per mechanism its reasons."""
    situation = ranking.situation
    return {
        "situation": _term(situation.node),
        "situationTriples": [[_term(t.subject), _term(t.predicate), _term(t.object)] for t in situation.triples],
        "derivedTriples": [{"triple": [_term(t.subject), _term(t.predicate), _term(t.object)], "rule": f"queries/recommend/{rule}.rq"}
                           for t, rule in sorted(ranking.derived.items(), key=lambda item: str(item[0]))],
        "lang": ranking.lang,
        "order": list(ORDER),
        "ranking": [
            {
                "rank": rec.rank,
                "mechanism": rec.mechanism,
                "label": rec.label,
                "score": rec.score,
                "collisions": [_reason_json(r) for r in rec.collisions],
                "goalsServed": [_reason_json(r) for r in rec.served],
                "hindrances": [_reason_json(r) for r in rec.hindrances],
                "goalObstacles": [_reason_json(r) for r in rec.obstacles],
                "remainingLimitations": [_reason_json(r) for r in rec.remaining],
                "fine": rec.fine,
            }
            for rec in ranking.recommendations
        ],
    }


def to_triples(ranking: Ranking) -> list[ox.Triple]:
    """The ranking in the vocabulary of ontology/situation.ttl (ksm:Recommendation, ksm:Reason)."""
    def k(name: str) -> ox.NamedNode:
        return ox.NamedNode(KSM + name)

    def integer(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))

    rdf_type = ox.NamedNode(_RDF + "type")
    comment = ox.NamedNode(PREFIXES["rdfs"] + "comment")
    node = ranking.situation.node
    triples = list(ranking.situation.triples)
    for rec in ranking.recommendations:
        r = ox.BlankNode()
        triples += [ox.Triple(r, rdf_type, k("Recommendation")), ox.Triple(r, k("forSituation"), node),
                    ox.Triple(r, k("recommendedMechanism"), ox.NamedNode(rec.mechanism)), ox.Triple(r, k("rank"), integer(rec.rank))]
        score = rec.score
        for key, prop in zip(_SCORE_KEYS, ("collisionCount", "goalsServedCount", "hindranceCount", "goalObstacleCount", "remainingLimitationCount"),
                             strict=True):
            triples.append(ox.Triple(r, k(prop), integer(score[key])))
        for reason in rec.collisions + rec.served + rec.hindrances + rec.obstacles + rec.remaining:
            x = ox.BlankNode()
            text = reason.text + (": " + "; ".join(reason.evidence) if reason.evidence else "")
            triples += [ox.Triple(r, k("hasReason"), x), ox.Triple(x, rdf_type, k(reason.kind)),
                        ox.Triple(x, comment, ox.Literal(text, language=ranking.lang)),
                        ox.Triple(x, ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom"), ox.NamedNode(reason.about))]
            for fact in reason.triples:
                st = ox.BlankNode()
                triples += [ox.Triple(x, k("evidence"), st), ox.Triple(st, rdf_type, ox.NamedNode(_RDF + "Statement")),
                            ox.Triple(st, ox.NamedNode(_RDF + "subject"), fact.subject),
                            ox.Triple(st, ox.NamedNode(_RDF + "predicate"), fact.predicate),
                            ox.Triple(st, ox.NamedNode(_RDF + "object"), fact.object)]
    return triples


def to_table(ranking: Ranking, width: int = 100) -> str:
    """A numbered list with the five counts, then the reasons of each mechanism, indented."""
    h = HEADINGS.get(ranking.lang, HEADINGS["en"])
    lines = [h["order"], ""]
    for rec in ranking.recommendations:
        counts = " · ".join(f"{h[key]} {value}" for key, value in rec.score.items())
        lines.append(f"{rec.rank}. {rec.label}  [{counts}]")
        lines += _reasons(rec, h, width)
    return "\n".join(lines) + "\n"


def _reasons(rec: Recommendation, h: dict[str, str], width: int) -> list[str]:
    out: list[str] = []
    groups = ((h["collides"], "✗", rec.collisions), (h["serves"], "+", rec.served), (h["hindered"], "~", rec.hindrances),
              (h["hinders"], "−", rec.obstacles))
    for _, mark, reasons in groups:
        for reason in reasons:
            text = reason.text + (": " + "; ".join(reason.evidence) if reason.evidence else "")
            out += textwrap.wrap(text, width, initial_indent=f"   {mark} ", subsequent_indent="     ")
    for reason in rec.remaining:
        out += textwrap.wrap(reason.text, width, initial_indent="   · ", subsequent_indent="     ")
    for text in rec.fine:
        out += textwrap.wrap(text, width, initial_indent="   ✓ ", subsequent_indent="     ")
    return out


def serialize(ranking: Ranking, fmt: str) -> bytes:
    """The ranking as ``table``, ``json`` or ``ttl`` bytes."""
    if fmt == "json":
        return (json.dumps(to_json(ranking), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "ttl":
        return ox.serialize(to_triples(ranking), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    return to_table(ranking).encode("utf-8")
