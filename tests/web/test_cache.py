"""Answers kept for queries asked again (kg.web.cache): a repeated query costs no worker, a 503 is asked again,
the memory budget holds, and what the client sees does not change."""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Iterator

import pytest

from kg.web.answers import Answer, Job
from kg.web.cache import AnswerCache
from tests.web.attack import fetch

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def server(graph) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from kg.web.state import Server, Settings

    found = Server(Settings(timeout=1.0, workers=1), graph)
    yield found
    found.close()


def test_a_repeated_query_costs_no_worker_and_a_503_is_asked_again(server) -> None:  # type: ignore[no-untyped-def]
    asked: list[Job] = []
    run_async = server.pool.run_async

    async def counted(job: Job) -> Answer:
        asked.append(job)
        return await run_async(job)

    server.pool.run_async = counted
    try:
        async def scenario() -> list[Answer]:
            return [await server.run(job) for job in (Job(query="ASK { ?s ?p ?o }", accept=JSON), Job(query="ASK { ?s ?p ?o }", accept=JSON),
                                                      Job(query="ASK { ?s ?p ?o }", accept="text/csv"),
                                                      Job(query=SLOW, accept=JSON), Job(query=SLOW, accept=JSON))]

        first, again, csv, slow, slow_again = asyncio.run(scenario())
    finally:
        del server.pool.run_async
    assert first.status == again.status == 200 and again.body == first.body
    assert csv.status == 200 and csv.body != first.body  # another Accept is another answer
    assert slow.status == slow_again.status == 503
    assert [job.query for job in asked] == ["ASK { ?s ?p ?o }", "ASK { ?s ?p ?o }", SLOW, SLOW]


def test_the_budget_holds_and_the_least_recently_used_go_first() -> None:
    cache = AnswerCache(budget=10_000, largest=4_000)
    jobs = [Job(query=f"ASK {{ <http://ex/{n}> ?p ?o }}") for n in range(10)]
    for job in jobs[:3]:
        cache.put(job, Answer(status=200, body=b"x" * 2_500))
    assert cache.get(jobs[0]) is not None  # now the most recently used
    cache.put(jobs[3], Answer(status=200, body=b"x" * 2_500))  # over the budget: jobs[1] goes
    assert cache.size <= 10_000 and cache.get(jobs[1]) is None and cache.get(jobs[0]) is not None
    cache.put(jobs[4], Answer(status=200, body=b"x" * 5_000))  # larger than the largest kept
    cache.put(jobs[5], Answer.error(503, "busy", limit=1))
    cache.put(Job(query="SELECT * {}", purpose="table"), Answer(status=200))
    assert cache.get(jobs[4]) is None and cache.get(jobs[5]) is None and len(cache) == 3


def test_a_cached_answer_is_the_same_response(graph) -> None:  # type: ignore[no-untyped-def]
    from kg.web.app import Settings, serve_in_thread

    url = "sparql?" + urllib.parse.urlencode({"query": "SELECT ?m WHERE { ?m a <https://w3id.org/ksm/ontology#Mechanism> } ORDER BY ?m"})
    with serve_in_thread(Settings(workers=1), graph=graph) as base:
        first, again = (fetch(base + url, headers={"Accept": JSON}) for _ in range(2))
        status = fetch(base + url, headers={"Accept": JSON, "If-None-Match": first[1]["etag"]})[0]
    assert first[0] == again[0] == 200 and first[2] == again[2] and first[1]["etag"] == again[1]["etag"]
    assert {k: v for k, v in first[1].items() if k != "date"} == {k: v for k, v in again[1].items() if k != "date"}
    assert status == 304
