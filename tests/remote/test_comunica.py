"""The release dumps read by Comunica, another engine in another language: the embedded answers.

``kg publish`` writes the release; a real ``comunica-sparql-file-http``
(npm ``@comunica/query-sparql-file``, the version pinned in .ci/comunica)
serves its dumps on a loopback port, exactly as a user downloads them: the
N-Quads dump with its named graphs (their union as the default graph), and
the asserted and inferred Turtle dumps together.  Every saved query, in
French and in English, runs through ``kg query --endpoint`` and must give
the rows of the embedded store in the same order.  Comunica ends a query at
its time limit by writing ``!TIMEDOUT!`` into the 200 it has begun: exit 4.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.cli import main
from kg.release.publish import publish
from tests import comunica_server
from tests.engines import require
from tests.remote.same_answers import CASES, IDS, assert_same_answer

pytestmark = pytest.mark.server

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DUMPS = {"nquads": ["ksm.nq"], "turtle": ["ksm-asserted.ttl", "ksm-inferred.ttl"]}


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory, graph) -> Path:  # type: ignore[no-untyped-def]
    require(comunica_server.binary(), "Comunica", "npm ci --prefix .ci/comunica (Node 20)")
    return publish(tmp_path_factory.mktemp("release") / "site", graph=graph).path


# The Turtle dumps hold triples, not named graphs: what a query says of the graphs
# (the card: which graph each text comes from) is answered from ksm.nq only.
NEEDS_NAMED_GRAPHS = {"mechanism-card"}


@pytest.fixture(scope="module", params=sorted(DUMPS))
def comunica(request: pytest.FixtureRequest, release: Path) -> Iterator[tuple[str, str]]:
    files = [release / "dumps" / name for name in DUMPS[request.param]]
    with comunica_server.running(files, timeout_s=10) as url:  # far above what a saved query takes
        yield request.param, url


@pytest.mark.parametrize(("name", "lang"), CASES, ids=IDS)
def test_every_saved_query_answers_as_the_embedded_store(name: str, lang: str, comunica: tuple[str, str], runner) -> None:  # type: ignore[no-untyped-def]
    dumps, url = comunica
    if dumps == "turtle" and name in NEEDS_NAMED_GRAPHS:
        pytest.skip(f"{name} says which named graph each text comes from; the Turtle dumps have none (ksm.nq has them)")
    assert_same_answer(runner, url, name, lang)


def test_time_limit_is_exit_4(comunica: tuple[str, str], runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "heavy.rq"
    path.write_text(HEAVY, encoding="utf-8")
    result = runner.invoke(main, ["query", str(path), "--endpoint", comunica[1]])
    assert result.exit_code == 4
    assert "cut off" in result.output and "Traceback" not in result.output
