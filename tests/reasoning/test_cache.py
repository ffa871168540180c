"""The reasoning cache stays within its limit, least recently used entries first, and can be seen and emptied.

A 50 MB ``kg validate FILE`` left a 92 MB snapshot behind for good; now a
user's file validated once leaves no snapshot at all, and the cache as a
whole is bounded by $KG_CACHE_LIMIT.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.reasoning import cache
from tests.paths import ROOT


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("KG_CACHE_DIR", str(where))
    return where


def _triples(n: int, tag: str) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(f"http://example.org/{tag}/{i}"), ox.NamedNode("http://example.org/p"), ox.Literal("x" * 50)) for i in range(n)]


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_least_recently_used_entries_go_first(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, age in (("inferred-a.nt", 300), ("inferred-b.nt", 200), ("inferred-c.nt", 100)):
        cache.save_triples(name, _triples(100, name))
        _age(folder / name, age)
    each = (folder / "inferred-a.nt").stat().st_size
    assert cache.load_triples("inferred-a.nt") is not None  # a read is a use: a is now the most recent
    monkeypatch.setenv("KG_CACHE_LIMIT", str(3.5 * each / 1e6))
    cache.save_triples("inferred-d.nt", _triples(100, "d"))  # four entries do not fit: the least recently used goes
    assert sorted(p.name for p in folder.iterdir()) == ["inferred-a.nt", "inferred-c.nt", "inferred-d.nt"]


def test_an_entry_larger_than_the_limit_is_not_kept(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.save_triples("inferred-small.nt", _triples(10, "s"))
    monkeypatch.setenv("KG_CACHE_LIMIT", "0.01")  # 10 kB
    cache.save_triples("inferred-big.nt", _triples(1000, "b"))
    assert not (folder / "inferred-big.nt").exists()
    assert (folder / "inferred-small.nt").exists()  # nothing was evicted for an entry that is not kept


def test_leftovers_of_interrupted_writes_go_once_an_hour_old(folder: Path) -> None:
    folder.mkdir()
    old, young = folder / ".inferred-x.nt.abc.tmp", folder / ".inferred-y.nt.def.tmp"
    old.write_bytes(b"half")
    young.write_bytes(b"in progress")
    _age(old, 7200)
    cache.save_triples("inferred-z.nt", _triples(1, "z"))
    assert not old.exists() and young.exists()


def test_a_bad_limit_is_a_usage_error(folder: Path, monkeypatch: pytest.MonkeyPatch, runner) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KG_CACHE_LIMIT", "lots")
    result = runner.invoke(main, ["cache"])
    assert result.exit_code == 2
    assert "$KG_CACHE_LIMIT 'lots'" in result.stderr


def test_validating_a_user_file_leaves_no_snapshot(folder: Path) -> None:
    from kg.quality.validate import validate

    user_file = ROOT / "tests" / "shapes" / "valid-new-mechanism.ttl"
    report = validate([user_file])
    assert report.conforms
    names = sorted(p.name for p in folder.iterdir())
    # What serves every file is kept: the ontology's closure, the bundled checks' parsed headers,
    # the IRIs the bundled shapes name, the stamps of the bundled inputs; nothing computed from the user's file.
    assert any(n.startswith("schema-") for n in names), names
    assert all(n.startswith(("schema-", "header-", "shapes-", "stamps-")) for n in names), names
    assert all(user_file.name not in (folder / n).read_text(encoding="utf-8") for n in names if not n.startswith("schema-")), names


def test_kg_cache_shows_the_size_and_clears(folder: Path, runner) -> None:  # type: ignore[no-untyped-def]
    cache.save_triples("inferred-a.nt", _triples(100, "a"))
    size = (folder / "inferred-a.nt").stat().st_size
    (folder / "unrelated.txt").write_text("not ours")
    shown = runner.invoke(main, ["cache"])
    assert shown.exit_code == 0, shown.output
    assert f"{folder}: 1 file(s), {size / 1e6:.1f} MB (limit 256.0 MB" in shown.output
    cleared = runner.invoke(main, ["cache", "--clear"])
    assert cleared.exit_code == 0
    assert "removed 1 file(s)" in cleared.output
    assert [p.name for p in folder.iterdir()] == ["unrelated.txt"]  # only what kg wrote is removed


def test_the_bundled_graph_is_still_served_from_its_snapshot(folder: Path) -> None:
    from kg.graph.dataset import open_graph

    first = open_graph()
    assert any(p.name.startswith("dataset-") for p in folder.iterdir())
    assert len(open_graph()) == len(first)
