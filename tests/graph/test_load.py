"""`kg load`: files in a persistent store that `kg query` answers from.

Every test gets its own store folder through $KG_STORE, so no test reads or
writes a user's `.kg/store`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import main
from kg.core.errors import InputError
from kg.graph import diskstore
from kg.graph.dataset import open_graph
from kg.queries.catalogue import Catalogue
from kg.queries.run import run_saved

EX = "https://example.org/agro/"
ASK_OLD = f'ASK {{ <{EX}maize> <http://www.w3.org/2004/02/skos/core#prefLabel> "maize"@en }}'
ASK_NEW = f'ASK {{ <{EX}rice> <http://www.w3.org/2004/02/skos/core#prefLabel> "rice"@en }}'


@pytest.fixture()
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "store"
    monkeypatch.setenv("KG_STORE", str(folder))
    return folder


def _vocabulary(path: Path, *concepts: str, broken: bool = False) -> Path:
    lines = ["@prefix skos: <http://www.w3.org/2004/02/skos/core#> ."]
    lines += [f'<{EX}{c}> a skos:Concept ; skos:prefLabel "{c}"@en .' for c in concepts]
    if broken:
        lines.append(f"<{EX}oops> skos:prefLabel ;; .")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_without_a_store_the_bundled_graph_is_in_memory(store_dir: Path) -> None:
    assert diskstore.live_database() is None
    assert open_graph().files  # parsed from the bundled files


def test_loaded_file_is_queried_beside_the_bundled_graph(store_dir: Path, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["load", str(_vocabulary(tmp_path / "agro.ttl", "maize", "wheat"))])
    assert result.exit_code == 0, result.output
    assert "4 triples added in <https://w3id.org/ksm/graph/user/agro>" in result.output
    graph = open_graph()
    assert graph.files == []  # opened from disk, nothing parsed
    assert graph.select(ASK_OLD).boolean is True
    # the bundled graph and its inferred triples are there too: the seed's study tour needs no internet
    answer = run_saved(graph, Catalogue.bundled().get("mechanisms-without-internet"), lang="en")
    assert "Study tour" in answer.column("mechanismLabel")
    assert "Discussion group" not in answer.column("mechanismLabel")
    cli = runner.invoke(main, ["query", "mechanisms-without-internet", "--lang", "en", "-f", "csv"])
    assert cli.exit_code == 0, cli.output
    assert "Study tour" in cli.output


def test_reloading_replaces_the_graph(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "agro.ttl"
    diskstore.load(_vocabulary(path, "maize"))
    report = diskstore.load(_vocabulary(path, "rice"))
    assert report.triples == 2
    graph = open_graph()
    assert graph.select(ASK_OLD).boolean is False
    assert graph.select(ASK_NEW).boolean is True


def test_explicit_graph_name(store_dir: Path, tmp_path: Path) -> None:
    diskstore.load(_vocabulary(tmp_path / "a.ttl", "maize"), graph="https://example.org/graph/agrovoc")
    answer = open_graph().select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p 'maize'@en } } ORDER BY ?g")
    # the label is asserted in the named graph; the inferred graph may restate it (skos:prefLabel is an rdfs:label)
    assert answer.column("g") == ["https://example.org/graph/agrovoc", "https://w3id.org/ksm/graph/inferred"]


def test_a_load_that_fails_midway_leaves_the_store_as_it_was(store_dir: Path, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "agro.ttl"
    diskstore.load(_vocabulary(path, "maize"))
    before = diskstore.live_database()
    result = runner.invoke(main, ["load", str(_vocabulary(path, "rice", broken=True))])
    assert result.exit_code == 3
    assert "agro.ttl:3: bad turtle syntax" in result.output.lower()
    assert diskstore.live_database() == before
    graph = open_graph()
    assert graph.select(ASK_OLD).boolean is True
    assert graph.select(ASK_NEW).boolean is False  # the first, valid line of the broken file is not there either
    assert [p.name for p in store_dir.iterdir() if p.name.startswith("db-")] == [before.name]  # type: ignore[union-attr]


def test_missing_file_is_exit_3(store_dir: Path, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["load", str(tmp_path / "nope.ttl")])
    assert result.exit_code == 3
    assert "no such file" in result.output
    with pytest.raises(InputError):
        diskstore.load(tmp_path / "nope.ttl")


def test_validate_on_a_store_counts_its_graphs_not_files(store_dir: Path, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    """With a store there are no files to count: the summary says how many graphs were checked, the loaded one included."""
    before = runner.invoke(main, ["validate", "--lang", "en"])
    assert runner.invoke(main, ["load", str(_vocabulary(tmp_path / "agro.ttl", "maize"))]).exit_code == 0
    after = runner.invoke(main, ["validate", "--lang", "en"])
    assert after.exit_code == 0, after.output
    counted = [int(line.split(": ", 1)[1].split()[0]) for line in after.output.splitlines() if line.startswith("Conforms: ")]
    assert "graph(s)" in after.output and "file(s)" not in after.output
    assert "file(s)" in before.output  # no store yet: the bundled files were read
    live = diskstore.open_live()
    assert live is not None and counted == [sum(1 for _ in live.named_graphs())]
