"""A saved query answered on the local graph, with the language fallback said on stderr: one function for both faces of `kg query`.

kg.cli.query (click) and kg.cli.fastpath (no click) both answer with these,
so the two cannot drift apart; nothing here imports click, and the library
is imported only when called, which keeps the fast path's start-up lean.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing costs the start-up some 3 ms
if TYPE_CHECKING:
    from collections.abc import Callable

    from kg.graph.results import QueryResult
    from kg.queries.catalogue import SavedQuery

    Runner = Callable[[str | None], QueryResult]


def local_runner(saved: SavedQuery, given: dict[str, str]) -> Runner:
    """The saved query, ready to run on the graph every command reads, in a language still to choose."""
    from kg.graph.dataset import open_graph
    from kg.queries.run import run_saved

    graph = open_graph()
    return lambda language: run_saved(graph, saved, given, lang=language)


def answer_noting(run: Runner, saved: SavedQuery, given: dict[str, str], lang: str) -> QueryResult:
    """The answer in ``lang``, or in the language it fell back to, which a note on stderr then names."""
    from kg.core import notices
    from kg.queries.languages import answer

    found = answer(run, saved, lang=lang, params=given)
    if found.fell_back:
        notices.note(f"no label in '{found.asked}' in this answer; answering in '{found.lang}'")
    return found.result
