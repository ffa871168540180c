"""Every saved query, in French and in English, through ``kg query`` locally and with ``--endpoint``.

The remote answer must be the local one: the same variables and the same
rows in the same order for a SELECT (the saved queries' ORDER BY leaves no
ties), the same set of triples for a CONSTRUCT.  Blank nodes are named by
each engine, so they compare as one placeholder.  The parameter values are
those the rdflib comparison of tests/queries uses, labels included (they are
resolved against the local graph, as ``kg query --endpoint`` does).
"""

from __future__ import annotations

import pyoxigraph as ox
from click.testing import CliRunner

from kg.cli import main
from kg.graph.dataset import open_graph
from kg.graph.results import QueryResult
from kg.queries.catalogue import Catalogue
from kg.queries.run import run_saved
from tests.queries.test_queries import EXAMPLE_PARAMS

CASES = [(name, lang) for name in sorted(saved.name for saved in Catalogue.bundled()) for lang in ("fr", "en")]
IDS = [f"{name}-{lang}" for name, lang in CASES]


def _term(term: object) -> str | None:
    if term is None:
        return None
    return "_:" if isinstance(term, ox.BlankNode) else str(term)


def comparable(result: QueryResult) -> tuple[str, object]:
    """(kind, answer): a SELECT as its variables and rows in order, a CONSTRUCT as its sorted triples."""
    if result.kind == "graph":
        return "graph", sorted((_term(t.subject), _term(t.predicate), _term(t.object)) for t in result.triples)
    if result.kind == "ask":
        return "ask", result.boolean
    return "select", (result.variables, [tuple(_term(row.get(v)) for v in result.variables) for row in result.rows])


def _answer(runner: CliRunner, name: str, lang: str, endpoint: str | None) -> tuple[str, object]:
    saved = Catalogue.bundled().get(name)
    graph_answer = run_saved(open_graph(), saved, EXAMPLE_PARAMS.get(name, {}), lang=lang).kind == "graph"
    args = ["query", name, "--lang", lang, "-f", "nt" if graph_answer else "json"]
    for param, value in EXAMPLE_PARAMS.get(name, {}).items():
        args += ["-p", f"{param}={value}"]
    if endpoint is not None:
        args += ["--endpoint", endpoint]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, f"kg {' '.join(args)}: {result.output}"
    if graph_answer:
        return comparable(QueryResult(kind="graph", triples=list(ox.parse(result.stdout_bytes, ox.RdfFormat.N_TRIPLES))))  # type: ignore[arg-type]
    return comparable(QueryResult.from_json(result.stdout_bytes))


def assert_same(name: str, local: tuple[str, object], remote: tuple[str, object]) -> None:
    """The same kind of answer, the same variables, the same rows in the same order (and something to compare)."""
    assert remote[0] == local[0]
    assert local[1], f"{name} answered nothing locally: the comparison would prove nothing"
    if local[0] == "select":
        assert remote[1][0] == local[1][0], "variables"  # type: ignore[index]
        assert local[1][1], f"{name} answered no rows locally: the comparison would prove nothing"  # type: ignore[index]
        assert remote[1][1] == local[1][1]  # a list: the same rows in the same order  # type: ignore[index]
    else:
        assert remote[1] == local[1]


def assert_same_answer(runner: CliRunner, endpoint: str, name: str, lang: str) -> None:
    """The saved query answers the same through ``kg query --endpoint`` as through ``kg query``."""
    assert_same(name, _answer(runner, name, lang, None), _answer(runner, name, lang, endpoint))
