"""What a worker does with one job (kg.web.answers): a SELECT with a small answer is evaluated once, and the row
cap holds in every result format, including rows with nothing bound (the fewest bytes a row can take) and values
that hold the formats' separators."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pyoxigraph as ox
import pytest

from kg.web.answers import Job, execute

FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
# Values that hold the separators of CSV (comma, quote, CRLF) and TSV (tab, newline), and nothing at all (UNDEF).
AWKWARD = ['"a,b"', '"say \\"hi\\""', '"line\\r\\nbreak"', '"tab\\there"', '"x"@en', "<http://ex/a>", "UNDEF", "UNDEF"]


class CountingStore:
    """A store that counts the queries it evaluates."""

    def __init__(self, store: ox.Store) -> None:
        self.store, self.queries = store, 0

    def query(self, query: str, **kwargs: Any) -> Any:
        self.queries += 1
        return self.store.query(query, **kwargs)


def _values(count: int) -> str:
    return "SELECT ?x ?y WHERE { VALUES (?x ?y) { " + " ".join(f"({AWKWARD[i % len(AWKWARD)]} {i})" for i in range(count)) + " } }"


def _rows(body: bytes, fmt: ox.QueryResultsFormat) -> int:
    if fmt == ox.QueryResultsFormat.CSV:  # pyoxigraph does not read CSV back
        csv.field_size_limit(max(csv.field_size_limit(), len(body)))
        return len(list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))) - 1
    return len(list(ox.parse_query_results(body, format=fmt)))  # type: ignore[arg-type]


@pytest.mark.parametrize("media", list(FORMATS))
def test_the_row_cap_holds_in_every_format(media: str) -> None:
    for rows, status in ((20, 200), (21, 400)):
        answer = execute(ox.Store(), Job(query=_values(rows), accept=media), max_rows=20)
        assert answer.status == status, (rows, answer.body[:200])
        if status == 200:
            assert _rows(answer.body, FORMATS[media]) == rows
        else:
            assert b"more than 20 rows" in answer.body


@pytest.mark.parametrize("media", list(FORMATS))
def test_rows_with_nothing_bound_count(media: str) -> None:
    # The smallest rows there are: a few bytes each, so the count cannot be skipped for being short.
    many = "SELECT ?x WHERE { VALUES ?x { " + "UNDEF " * 3000 + "} }"
    assert execute(ox.Store(), Job(query=many, accept=media), max_rows=2999).status == 400
    answer = execute(ox.Store(), Job(query=many, accept=media), max_rows=3000)
    assert answer.status == 200 and _rows(answer.body, FORMATS[media]) == 3000


@pytest.mark.parametrize("media", list(FORMATS))
def test_a_long_value_counts_as_one_row(media: str) -> None:
    query = 'SELECT ?x WHERE { VALUES ?x { "' + "a" * 200_000 + '" "b" } }'
    answer = execute(ox.Store(), Job(query=query, accept=media), max_rows=2)
    assert answer.status == 200 and _rows(answer.body, FORMATS[media]) == 2
    assert execute(ox.Store(), Job(query=query, accept=media), max_rows=1).status == 400


def test_a_select_is_evaluated_once_unless_its_answer_could_be_over_the_row_cap() -> None:
    job = Job(query=_values(50), accept="application/sparql-results+json")  # about 5 kB
    for max_rows, evaluations in ((10_000, 1), (100, 2)):  # under 10,001 bytes there are at most 10,000 rows; over 101 bytes, who knows
        store = CountingStore(ox.Store())
        answer = execute(store, job, max_rows=max_rows)  # type: ignore[arg-type]
        assert answer.status == 200 and len(json.loads(answer.body)["results"]["bindings"]) == 50
        assert store.queries == evaluations


def test_a_huge_answer_is_refused_for_its_rows_long_before_its_bytes() -> None:
    huge = "SELECT ?a ?b WHERE { VALUES ?a { " + " ".join(map(str, range(1000))) + " } VALUES ?b { " + " ".join(map(str, range(1000))) + " } }"
    start = time.monotonic()
    answer = execute(ox.Store(), Job(query=huge, accept="application/sparql-results+json"), max_rows=1000, max_bytes=500_000_000)
    assert answer.status == 400 and b"more than 1000 rows" in answer.body
    assert time.monotonic() - start < 2  # a million rows (about 80 MB of JSON) were never all written
