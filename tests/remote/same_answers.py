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
        triples = ox.parse(result.stdout_bytes, ox.RdfFormat.N_TRIPLES)
        return "graph", sorted((_term(t.subject), _term(t.predicate), _term(t.object)) for t in triples)
    answer = QueryResult.from_json(result.stdout_bytes)
    if answer.kind == "ask":
        return "ask", answer.boolean
    return "select", (answer.variables, [tuple(_term(row.get(v)) for v in answer.variables) for row in answer.rows])


def assert_same_answer(runner: CliRunner, endpoint: str, name: str, lang: str) -> None:
    """The saved query answers the same on the endpoint as on the embedded store (and answers something)."""
    kind, local = _answer(runner, name, lang, None)
    remote_kind, remote = _answer(runner, name, lang, endpoint)
    assert remote_kind == kind
    assert local, f"{name} answered nothing locally: the comparison would prove nothing"
    if kind == "select":
        assert remote[0] == local[0], "variables"  # type: ignore[index]
        assert local[1], f"{name} answered no rows locally: the comparison would prove nothing"  # type: ignore[index]
        assert remote[1] == local[1]  # a list: the same rows in the same order  # type: ignore[index]
    else:
        assert remote == local
