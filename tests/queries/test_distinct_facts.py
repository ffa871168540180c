"""A fact stated in two graphs is one fact: the same rows, counts and ranking as when it is stated once.

A user who loads a file of the bundled data again (or imports a spreadsheet
that repeats it) puts each of its triples into a second named graph.
SPARQL's union default graph then yields each match once per graph; every
saved query and `kg recommend` must still count statements, not quads.
"""

from __future__ import annotations

import pytest

from kg.core import resources
from kg.graph import diskstore
from kg.graph.dataset import open_graph
from kg.queries.catalogue import Catalogue
from kg.queries.run import run_saved
from kg.recommendation.engine import recommend_from_options
from kg.recommendation.output import to_json
from kg.recommendation.situation import Options
from tests.queries.test_queries import EXAMPLE_PARAMS

COPIED = ("mechanisms.ttl", "translations.en.ttl", "categorisation.ttl", "features.ttl", "tool-requirements.ttl")


def _answers(lang: str) -> dict[str, object]:
    graph = open_graph()
    out: dict[str, object] = {}
    for saved in Catalogue.bundled():
        result = run_saved(graph, saved, EXAMPLE_PARAMS.get(saved.name, {}), lang=lang)
        if result.kind == "graph":  # the card also says which graphs each text comes from (blank nodes): a copy is one more
            out[saved.name] = sorted({str(t) for t in result.triples if not any(str(x).startswith("_:") for x in (t.subject, t.object))})
        else:
            out[saved.name] = [{k: str(v) for k, v in row.items()} for row in result.rows]
    return out


@pytest.fixture(scope="module")
def once_and_twice(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    import os

    saved = os.environ.get("KG_STORE")
    try:
        os.environ["KG_STORE"] = str(tmp_path_factory.mktemp("once") / "store")
        once = {lang: _answers(lang) for lang in ("fr", "en")}
        once["recommend"] = to_json(recommend_from_options(open_graph(), lang="en", options=Options(internet=False, goals=["policy-influence"])))
        os.environ["KG_STORE"] = str(tmp_path_factory.mktemp("twice") / "store")
        for name in COPIED:
            diskstore.load(resources.root() / "data" / name, graph=f"https://example.org/copy/{name}")
        twice = {lang: _answers(lang) for lang in ("fr", "en")}
        twice["recommend"] = to_json(recommend_from_options(open_graph(), lang="en", options=Options(internet=False, goals=["policy-influence"])))
    finally:
        if saved is None:
            os.environ.pop("KG_STORE", None)
        else:
            os.environ["KG_STORE"] = saved
    return {"once": once, "twice": twice}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(p.stem for p in resources.queries_dir().glob("*.rq")))
def test_every_saved_query_counts_facts_not_quads(once_and_twice, name: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    assert once_and_twice["twice"][lang][name] == once_and_twice["once"][lang][name]


def test_recommend_counts_facts_not_quads(once_and_twice) -> None:  # type: ignore[no-untyped-def]
    once, twice = once_and_twice["once"]["recommend"], once_and_twice["twice"]["recommend"]
    assert [(r["mechanism"], r["score"]) for r in twice["ranking"]] == [(r["mechanism"], r["score"]) for r in once["ranking"]]
