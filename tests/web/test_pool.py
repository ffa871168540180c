"""The query worker pool on its own: a killed worker is replaced at once by the spare, and a request
that goes away does not take a worker with it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kg.web.worker import Job, QueryPool, QueryTimeout, _Idle

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


def test_requests_queued_for_a_busy_worker_hold_no_thread_and_are_served_in_turn(pool: QueryPool) -> None:
    """Twenty requests wait while the only worker runs a runaway query: they wait on the event loop (no thread each,
    whose hand-overs took the slowest answers to tens of milliseconds), and once the spare replaces the killed worker
    they are answered in the order they came."""

    async def scenario() -> tuple[int, list[int], list[int]]:
        slow = asyncio.ensure_future(pool.run_async(Job(query=SLOW, accept="text/csv")))
        await asyncio.sleep(0.2)
        threads = threading.active_count()
        done: list[int] = []

        async def ask(n: int) -> int:
            answer = await pool.run_async(Job(query=f"ASK {{}} # {n}", accept="application/sparql-results+json"))
            done.append(n)
            return answer.status

        waiting = [asyncio.ensure_future(ask(n)) for n in range(20)]
        await asyncio.sleep(0.3)
        grown = threading.active_count() - threads
        with pytest.raises(QueryTimeout):
            await slow
        return grown, list(await asyncio.gather(*waiting)), done

    grown, statuses, done = asyncio.run(scenario())
    assert grown == 0
    assert statuses == [200] * 20
    assert done == list(range(20))


def test_queued_requests_that_go_away_take_no_worker_with_them(pool: QueryPool) -> None:
    async def scenario() -> list[int]:
        slow = asyncio.ensure_future(pool.run_async(Job(query=SLOW, accept="text/csv")))
        await asyncio.sleep(0.2)
        queued = [asyncio.ensure_future(pool.run_async(ASK)) for _ in range(5)]
        await asyncio.sleep(0.1)
        for task in queued[:4]:
            task.cancel()
        with pytest.raises(QueryTimeout):
            await slow
        kept = await queued[4]
        return [kept.status] + [(await pool.run_async(ASK)).status for _ in range(3)]

    assert asyncio.run(scenario()) == [200, 200, 200, 200]


def test_a_worker_handed_over_as_its_waiter_goes_away_returns_to_the_pool() -> None:
    """The race the hand-over must survive: a worker comes back from another thread (a respawn) for a waiter whose
    request is cancelled before its event loop gets to take it."""
    idle = _Idle()
    worker = object()

    async def scenario() -> object:
        waiting = asyncio.ensure_future(idle.get_async())
        await asyncio.sleep(0)  # it is queued
        giver = threading.Thread(target=idle.put, args=(worker,))
        giver.start()
        giver.join()  # the hand-over is scheduled on this loop, not yet run
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await asyncio.sleep(0)
        return idle.get_nowait()

    assert asyncio.run(scenario()) is worker


def test_a_thread_waits_for_a_worker_until_its_time_is_up() -> None:
    idle = _Idle()
    assert idle.get(0.05) is None
    worker = object()
    threading.Timer(0.05, idle.put, args=(worker,)).start()
    assert idle.get(2) is worker
    assert idle.get_nowait() is None
