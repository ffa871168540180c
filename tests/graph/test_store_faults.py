"""The store under the faults a busy or careless user meets: a full disk, a read-only folder, hostile
input, a kill during an import.  Each leaves the store whole, with a one-line error and its exit code.

Tests that need a small file system mount a tmpfs (tests/mounts.py), which
needs root; elsewhere they say so and skip.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.graph import diskstore
from kg.graph.dataset import open_graph
from tests import mounts
from tests.samples import WEBINAR


def _kg(*args: str, store: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], env={**os.environ, "KG_STORE": str(store), **env},
                          capture_output=True, text=True, timeout=300)


def _vocabulary(path: Path, size: int) -> Path:
    lines = ["@prefix skos: <http://www.w3.org/2004/02/skos/core#> ."]
    lines += [f'<https://example.org/v/c{i}> a skos:Concept ; skos:prefLabel "concept {i} {"x" * 200}"@en .' for i in range(size)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_full_disk_during_a_load_is_exit_4_and_the_store_answers_as_before(tmp_path: Path) -> None:
    with mounts.tmpfs(tmp_path / "disk", size="24m") as disk:
        store = disk / "store"
        first = _kg("load", str(_vocabulary(tmp_path / "small.ttl", 10)), store=store)
        assert first.returncode == 0, first.stderr
        before = _kg("query", "mechanisms-without-internet", "-f", "csv", store=store)
        mounts.fill(disk)
        big = _kg("load", str(_vocabulary(tmp_path / "big.ttl", 20_000)), store=store)
        assert big.returncode == 4, big.stderr
        assert "No space left on device" in big.stderr and "Traceback" not in big.stderr
        assert len(big.stderr.strip().splitlines()) == 1
        (disk / "filler").unlink()
        after = _kg("query", "mechanisms-without-internet", "-f", "csv", store=store)
        assert after.returncode == 0 and after.stdout == before.stdout
        assert [g["name"] for g in json.loads(_kg("graphs", "-f", "json", store=store).stdout) if "example" in g["source"] or "small" in g["source"]]


def test_a_stale_store_in_a_read_only_folder_answers_with_a_note(tmp_path: Path) -> None:
    with mounts.tmpfs(tmp_path / "disk", size="32m") as disk:
        store = disk / "store"
        assert _kg("load", str(_vocabulary(tmp_path / "small.ttl", 5)), store=store).returncode == 0
        database = diskstore.live_database(store)
        assert database is not None
        manifest = json.loads((database / "kg-manifest.json").read_text())
        manifest["bundled"] = "built-by-an-older-version"
        (database / "kg-manifest.json").write_text(json.dumps(manifest))
        remounted = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True, check=False)
        if remounted.returncode != 0:
            pytest.skip(f"cannot remount read-only: {remounted.stderr.strip()}")
        answer = _kg("query", "mechanisms-without-internet", "-f", "csv", store=store)
    assert answer.returncode == 0, answer.stderr
    assert "Study tour" in answer.stdout or "Voyage d'études" in answer.stdout
    assert "older bundled data" in answer.stderr and "read-only" in answer.stderr


def test_lists_nested_deep_are_reasoned_over_in_seconds(tmp_path: Path) -> None:
    depth = 100_000
    path = tmp_path / "deep.ttl"
    path.write_text("<https://example.org/s> <https://example.org/p> " + "(" * depth + ' "x" ' + ")" * depth + " .\n", encoding="utf-8")
    start = time.monotonic()
    report = diskstore.load(path)
    assert report.triples == 2 * depth + 1
    assert time.monotonic() - start < 60, "deep lists must not go through owlrl's quadratic list rules"


def test_a_bundled_graph_name_is_refused_even_from_the_command_line(tmp_path: Path, _isolated_store: Path) -> None:
    done = _kg("load", str(_vocabulary(tmp_path / "v.ttl", 3)), "--graph", "https://w3id.org/ksm/graph/mechanisms", store=_isolated_store)
    assert done.returncode == 2 and "bundled graph" in done.stderr
    assert diskstore.live_database(_isolated_store) is None


@pytest.mark.parametrize("delay", [0.4, 1.2, 2.5])
def test_an_import_killed_at_any_point_leaves_the_store_as_it_was(tmp_path: Path, _isolated_store: Path, delay: float) -> None:
    table = tmp_path / "webinaire.csv"
    table.write_text(WEBINAR, encoding="utf-8")
    assert _kg("load", str(_vocabulary(tmp_path / "seed.ttl", 5)), store=_isolated_store).returncode == 0
    before = open_graph().count()
    importer = subprocess.Popen([sys.executable, "-m", "kg.cli", "import", str(table)], env={**os.environ, "KG_STORE": str(_isolated_store)},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    importer.send_signal(signal.SIGKILL)
    importer.communicate(timeout=60)
    from kg.graph import locks

    locks.unpin_all()
    answer = _kg("query", "mechanisms-without-internet", "-f", "csv", store=_isolated_store)  # the store opens and answers
    graph_count = json.loads(_kg("graphs", "-f", "json", store=_isolated_store).stdout)
    imported = [g for g in graph_count if g["kind"] == "imported"]
    after = open_graph().count()
    assert after == before or (imported and after > before), (before, after)
    assert answer.returncode == 0 and "study-tour" in answer.stdout, answer.stderr
