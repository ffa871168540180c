"""The query worker pool on its own: a killed worker is replaced at once by the spare, and a request
that goes away does not take a worker with it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kg.web.worker import Job, QueryPool, QueryTimeout

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK = Job(query="ASK {}", accept="application/sparql-results+json")


@pytest.fixture()
def pool(graph) -> Iterator[QueryPool]:  # type: ignore[no-untyped-def]
    found = QueryPool(ox.serialize(graph.store, format=ox.RdfFormat.N_QUADS) or b"", workers=1, timeout=1.5)
    yield found
    found.close()


def test_a_killed_worker_is_replaced_at_once(pool: QueryPool) -> None:
    with pytest.raises(QueryTimeout):
        pool.run(Job(query=SLOW, accept="text/csv"))
    start = time.monotonic()
    answer = pool.run(ASK)
    assert answer.status == 200 and b"true" in answer.body
    assert time.monotonic() - start < 0.5  # the spare took over; a new worker would take seconds to start


def test_a_request_that_goes_away_leaves_the_pool_whole(pool: QueryPool) -> None:
    async def scenario() -> list[int]:
        slow = asyncio.ensure_future(pool.run_async(Job(query=SLOW, accept="text/csv")))
        await asyncio.sleep(0.3)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        return [(await pool.run_async(ASK)).status for _ in range(3)]

    assert asyncio.run(scenario()) == [200, 200, 200]
