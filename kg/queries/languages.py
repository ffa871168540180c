"""Answering in a language the graph has: ``--lang es`` on English and French labels falls back.

A saved query with a ``lang`` parameter filters its labels by language; asked
for a language no label of the answer has, it would return rows with empty
labels and no word of why.  :func:`answer` runs it again in English, then
French (the languages every resource of ours has), and says which language
answered, so the command can tell the user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pyoxigraph as ox

from kg.graph.results import QueryResult
from kg.queries.catalogue import SavedQuery

FALLBACK = ("en", "fr")


class Answer:
    """A query's result, with the language that answered it and the one asked for."""

    __slots__ = ("asked", "lang", "result")

    def __init__(self, result: QueryResult, lang: str | None, asked: str | None) -> None:
        self.result = result
        self.lang = lang  # the language that answered
        self.asked = asked  # the language asked for

    @property
    def fell_back(self) -> bool:
        return self.lang != self.asked


def speaks(result: QueryResult, lang: str) -> bool:
    """True if some literal of the answer is in ``lang`` (``en`` also matches ``en-gb``)."""
    return any(_in(term, lang) for term in _terms(result))


def _terms(result: QueryResult) -> Iterable[object]:
    for row in result.rows:
        yield from row.values()
    for triple in result.triples:
        yield triple.object


def _in(term: object, lang: str) -> bool:
    if not isinstance(term, ox.Literal) or not term.language:
        return False
    tag = term.language.lower()
    return tag == lang or tag.startswith(lang + "-")


def answer(run: Callable[[str | None], QueryResult], saved: SavedQuery, *, lang: str | None, params: Mapping[str, str]) -> Answer:
    """Run ``run(lang)``; if the answer has nothing in ``lang``, the answer of the first fallback language that has.

    Only for queries with a ``lang`` parameter that the user did not set
    with ``-p lang=``, and languages other than English and French, which
    every resource of ours has (the shapes require them): asking in those
    costs one run, as before.  An answer with no row at all is tried again too (a
    query that keeps only the labels in ``lang`` has no row without them);
    it stays as it is when no other language answers.
    """
    result = run(lang)
    if lang is None or lang in FALLBACK or saved.parameter("lang") is None or "lang" in params or result.kind == "ask":
        return Answer(result, lang, lang)
    if speaks(result, lang):
        return Answer(result, lang, lang)
    for other in FALLBACK:
        if other == lang:
            continue
        again = run(other)
        if speaks(again, other):
            return Answer(again, other, lang)
    return Answer(result, lang, lang)
