"""Reading RDF files: a file read as a stream gives its triples, and bad input names the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.core.errors import InputError
from kg.graph import rdfio

EX = "http://example.org/"


def test_stream_gives_every_file_s_triples_in_order(tmp_path: Path) -> None:
    first = tmp_path / "a.ttl"
    first.write_text(f"<{EX}a> <{EX}p> <{EX}b> , <{EX}c> .\n", encoding="utf-8")
    second = tmp_path / "b.nt"
    second.write_text(f'<{EX}d> <{EX}q> "x"@en .\n', encoding="utf-8")
    found = [(q.subject.value, q.predicate.value, q.object.value) for q in rdfio.stream([first, second])]
    assert found == [(EX + "a", EX + "p", EX + "b"), (EX + "a", EX + "p", EX + "c"), (EX + "d", EX + "q", "x")]


def test_stream_names_the_file_and_line_of_a_syntax_error(tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n", encoding="utf-8")
    bad = tmp_path / "bad.ttl"
    bad.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n<{EX}a> <{EX}p> ;; .\n", encoding="utf-8")
    stream = rdfio.stream([good, bad])
    with pytest.raises(InputError, match=r"bad\.ttl:2: bad Turtle syntax"):
        list(stream)


def test_stream_of_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.ttl: no such file"):
        list(rdfio.stream([tmp_path / "missing.ttl"]))
