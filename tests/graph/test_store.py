"""The living store: its inferred graph is owlrl's closure of every graph, kept right incrementally,
and one writer at a time never costs a reader a whole answer.

Each test has a store of its own ($KG_STORE, set by the root conftest).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.core.namespaces import INFERRED_GRAPH
from kg.graph import diskstore
from kg.graph.dataset import open_graph
from kg.reasoning import reference, rules

SKOS = "http://www.w3.org/2004/02/skos/core#"
EX = "https://example.org/thesaurus/"


def _thesaurus(path: Path, size: int, *, seed: int = 1, schema: bool = False) -> Path:
    """A small SKOS thesaurus (broader links, labels in two languages), optionally with a schema triple."""
    rng = random.Random(seed)
    lines = [f"@prefix skos: <{SKOS}> .", f"<{EX}scheme> a skos:ConceptScheme ."]
    for i in range(size):
        lines.append(f'<{EX}c{i}> a skos:Concept ; skos:inScheme <{EX}scheme> ; skos:prefLabel "concept {i}"@en , "concept {i}"@fr .')
        if i:
            lines.append(f"<{EX}c{i}> skos:broader <{EX}c{rng.randrange(i)}> .")
    if schema:
        lines.append(f"<{EX}Term> <http://www.w3.org/2000/01/rdf-schema#subClassOf> skos:Concept .")
        lines.append(f"<{EX}c0> a <{EX}Term> .")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _inferred(store: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))}


def _asserted(store: ox.Store) -> list[ox.Quad]:
    node = ox.NamedNode(INFERRED_GRAPH)
    return [q for q in store if q.graph_name != node]


def test_the_inferred_graph_is_owlrls_closure_of_every_graph(tmp_path: Path) -> None:
    first = diskstore.load(_thesaurus(tmp_path / "a.ttl", 60))
    assert not first.incremental  # the first load builds everything
    second = diskstore.load(_thesaurus(tmp_path / "b.ttl", 40, seed=2), graph=EX + "b")
    assert second.incremental  # a graph added without schema triples: only the new triples fire rules
    store = open_graph().store
    expected = set(reference.infer(_asserted(store)))
    assert _inferred(store) == expected


def test_incremental_reasoning_equals_a_full_pass() -> None:
    graph = open_graph()
    asserted = list(dict.fromkeys(q.triple for q in _asserted(graph.store)))
    base = [t for t in asserted if not str(t.subject).startswith("<https://w3id.org/ksm/id/statement/network")]
    new = [t for t in asserted if t not in set(base)]
    assert new  # the network's statements join a graph that lacked them
    closed = rules.infer([ox.Quad(t.subject, t.predicate, t.object) for t in base])
    more = rules.infer_more(base, closed, new)
    assert more is not None
    assert set(more) == set(rules.infer([ox.Quad(t.subject, t.predicate, t.object) for t in asserted]))


def test_new_datatypes_bring_their_disjointness_axioms_incrementally(tmp_path: Path) -> None:
    """owlrl states owl:disjointWith between the datatypes the graph uses: a graph that brings a new one adds them, no more."""
    diskstore.load(_thesaurus(tmp_path / "a.ttl", 5))
    typed = tmp_path / "typed.ttl"
    typed.write_text(f'<{EX}x> <{EX}flag> true ; <{EX}size> "2.5"^^<http://www.w3.org/2001/XMLSchema#double> ; <{EX}rank> 3 .\n',
                     encoding="utf-8")
    report = diskstore.load(typed, graph=EX + "typed")
    assert report.incremental
    store = open_graph().store
    xsd, owl = "http://www.w3.org/2001/XMLSchema#", "http://www.w3.org/2002/07/owl#"
    pair = ox.Triple(ox.NamedNode(xsd + "boolean"), ox.NamedNode(owl + "disjointWith"), ox.NamedNode(xsd + "double"))
    assert pair in _inferred(store)
    assert _inferred(store) == set(rules.infer(_asserted(store)))


def test_new_schema_triples_make_a_full_pass(tmp_path: Path) -> None:
    diskstore.load(_thesaurus(tmp_path / "a.ttl", 10))
    report = diskstore.load(_thesaurus(tmp_path / "b.ttl", 10, schema=True), graph=EX + "b")
    assert not report.incremental
    store = open_graph().store
    entailed = ox.Triple(ox.NamedNode(EX + "c0"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(SKOS + "Concept"))
    assert entailed in _asserted_triples(store)
    assert _inferred(store) == set(reference.infer(_asserted(store)))


def _asserted_triples(store: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in store}


def test_unloading_a_graph_takes_its_entailments_away(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    from kg.cli import main

    diskstore.load(_thesaurus(tmp_path / "a.ttl", 20))
    with_it = len(_inferred(open_graph().store))
    result = runner.invoke(main, ["unload", "https://w3id.org/ksm/graph/user/a"])
    assert result.exit_code == 0, result.output
    store = open_graph().store
    assert len(_inferred(store)) < with_it
    assert not any(EX in str(t) for t in _inferred(store))
    bundled = runner.invoke(main, ["unload", "https://w3id.org/ksm/graph/mechanisms"])
    assert bundled.exit_code == 2 and "bundled graph" in bundled.output


def test_a_bundled_graph_cannot_be_replaced_by_a_load(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    from kg.cli import main

    path = _thesaurus(tmp_path / "a.ttl", 3)
    for name in ("https://w3id.org/ksm/graph/mechanisms", INFERRED_GRAPH):
        result = runner.invoke(main, ["load", str(path), "--graph", name])
        assert result.exit_code == 2, result.output
        assert "kg load does not replace" in result.output or "computed by kg" in result.output
    assert diskstore.live_database() is None


def test_the_same_statements_in_two_graphs_are_one_fact(tmp_path: Path) -> None:
    """A file of the bundled data loaded again: stored twice, inferred once."""
    from kg.core import resources

    again = resources.root() / "data" / "categorisation.ttl"
    diskstore.load(again, graph="https://example.org/copy-of-categorisation")
    store = open_graph().store
    inferred = _inferred(store)
    assert inferred == set(reference.infer(_asserted(store)))
    asserted = {q.triple for q in _asserted(store)}
    assert not inferred & asserted  # nothing asserted is also stored as inferred


# ---------------------------------------------------------------- concurrency and faults (real processes)

_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from kg.graph import diskstore
    diskstore.load(Path(sys.argv[1]), graph=sys.argv[2])
""")

_READER = textwrap.dedent("""
    import sys
    from kg.graph.dataset import open_graph
    graph = open_graph()
    answer = graph.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    print(answer.rows[0]["n"].value)
""")


def _run(code: str, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _env(store: Path) -> dict[str, str]:
    return {**os.environ, "KG_STORE": str(store), "KG_STORE_WAIT": "120"}


def test_two_loads_at_once_both_land(tmp_path: Path, _isolated_store: Path) -> None:
    env = _env(_isolated_store)
    diskstore.load(_thesaurus(tmp_path / "seed.ttl", 5))  # the store exists: both writers copy it
    writers = [_run(_WRITER, str(_thesaurus(tmp_path / f"{n}.ttl", 200, seed=n)), EX + f"g{n}", env=env) for n in range(3)]
    for w in writers:
        _, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    names = {g.name for g in diskstore.graphs()}
    assert {EX + "g0", EX + "g1", EX + "g2"} <= names
    store = open_graph().store
    for n in range(3):
        assert store.contains_named_graph(ox.NamedNode(EX + f"g{n}"))


def test_readers_always_see_a_whole_store_while_writers_run(tmp_path: Path, _isolated_store: Path) -> None:
    env = _env(_isolated_store)
    diskstore.load(_thesaurus(tmp_path / "seed.ttl", 5))
    files = [_thesaurus(tmp_path / f"{n}.ttl", 300, seed=n) for n in range(4)]
    writers = [_run(_WRITER, str(f), EX + f"g{n}", env=env) for n, f in enumerate(files)]
    failures, answers = [], 0
    deadline = time.monotonic() + 240
    while any(w.poll() is None for w in writers) and time.monotonic() < deadline:
        reader = _run(_READER, env=env)
        _, err = reader.communicate(timeout=120)
        if reader.returncode != 0:
            failures.append(err.strip().splitlines()[-1] if err.strip() else f"exit {reader.returncode}")
        else:
            answers += 1
    for w in writers:
        w.communicate(timeout=300)
        assert w.returncode == 0
    assert failures == []
    assert answers > 0


@pytest.mark.parametrize("seed", [3, 11])
def test_a_writer_killed_at_any_point_leaves_the_old_or_the_new_store(tmp_path: Path, _isolated_store: Path, seed: int) -> None:
    """kill -9 at random points of a load (copy, bulk load, reasoning, swap); after each, the store opens and is whole."""
    env = _env(_isolated_store)
    diskstore.load(_thesaurus(tmp_path / "seed.ttl", 5))
    rng = random.Random(seed)
    bigger = _thesaurus(tmp_path / "big.ttl", 1500, seed=seed)
    complete = _complete_count(env, bigger)
    for _ in range(3):
        before = _count(env)
        writer = _run(_WRITER, str(bigger), EX + "big", env=env)
        time.sleep(rng.uniform(0.2, 1.8))
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=60)
        assert _count(env) in (before, complete)
        database = diskstore.live_database()
        if database is not None and diskstore.Manifest.read(database).kind(EX + "big"):
            diskstore.unload(EX + "big")
    leftovers = [p.name for p in _isolated_store.iterdir() if p.name.startswith("db-")]
    assert len(leftovers) <= 6, leftovers  # the live one, and the ones a reader of this process still holds


def _count(env: dict[str, str]) -> int:
    reader = _run(_READER, env=env)
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    return int(out.strip())


_COMPLETE: dict[str, int] = {}


def _complete_count(env: dict[str, str], path: Path) -> int:
    """How many quads the store holds once ``path`` is fully loaded (computed once, in a store of its own)."""
    key = str(path)
    if key not in _COMPLETE:
        other = Path(env["KG_STORE"]).parent / "complete-store"
        reference_env = {**env, "KG_STORE": str(other)}
        seed = subprocess.run([sys.executable, "-c", _WRITER, str(path.parent / "seed.ttl"), "https://w3id.org/ksm/graph/user/seed"],
                              env=reference_env, capture_output=True, text=True, timeout=300)
        assert seed.returncode == 0, seed.stderr
        done = subprocess.run([sys.executable, "-c", _WRITER, str(path), EX + "big"], env=reference_env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        out = subprocess.run([sys.executable, "-c", _READER], env=reference_env, capture_output=True, text=True, timeout=300)
        _COMPLETE[key] = int(out.stdout.strip())
    return _COMPLETE[key]


def test_a_second_writer_waits_and_says_so_then_gives_up(tmp_path: Path, _isolated_store: Path) -> None:
    import fcntl

    diskstore.load(_thesaurus(tmp_path / "seed.ttl", 5))
    holder = os.open(_isolated_store / "write.lock", os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        env = {**_env(_isolated_store), "KG_STORE_WAIT": "1"}
        result = subprocess.run([sys.executable, "-m", "kg.cli", "load", str(_thesaurus(tmp_path / "x.ttl", 3))],
                                env=env, capture_output=True, text=True, timeout=120)
    finally:
        os.close(holder)
    assert result.returncode == 4, result.stderr
    assert "is busy" in result.stderr and "store busy" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_loaded_file_of_mechanisms_is_checked_and_answered_like_an_import(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    """kg load of Turtle that names our terms runs the shapes on the union: a broken mechanism is refused, a whole one answered."""
    from kg.cli import main
    from kg.queries.catalogue import Catalogue
    from kg.queries.run import run_saved

    out = tmp_path / "webinaire.ttl"
    from tests.samples import WEBINAR

    table = tmp_path / "webinaire.csv"
    table.write_text(WEBINAR, encoding="utf-8")
    assert runner.invoke(main, ["import", str(table), "-o", str(out)]).exit_code == 0
    broken = tmp_path / "broken.ttl"
    broken.write_text(out.read_text(encoding="utf-8").replace('"Webinar"@en', '"Webinar"@en , "Webinaire en ligne"@en'), encoding="utf-8")
    refused = runner.invoke(main, ["load", str(broken)])
    assert refused.exit_code == 1, refused.output
    assert "exactly one name (skos:prefLabel) in English" in refused.output and "the store is unchanged" in refused.output
    assert diskstore.live_database() is None  # the first load made nothing: the store is as it was, absent
    accepted = runner.invoke(main, ["load", str(out)])
    assert accepted.exit_code == 0, accepted.output
    rows = run_saved(open_graph(), Catalogue.bundled().get("mechanisms-without-internet"), lang="en").rows
    assert "Webinar" not in {row["mechanismLabel"].value for row in rows}  # type: ignore[union-attr]


def test_a_replaced_graph_is_held_as_the_store_holds_it() -> None:
    """replace_graph keeps the quads it wrote (diskstore.Change.held), which reasoning and checks read instead of the store."""
    store, node = ox.Store(), ox.NamedNode("https://example.org/g")
    s, p = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p")
    first = [ox.Triple(s, p, ox.Literal(str(i))) for i in range(3)]
    what = diskstore.Change(track=True)
    diskstore.replace_graph(store, node, first + first[:1], what)  # a repeated triple is one quad
    assert what.added == [node.value] and set(what.held[node.value]) == set(store.quads_for_pattern(None, None, None, node))
    assert len(what.held[node.value]) == 3
    diskstore.replace_graph(store, node, first[1:], what)
    assert what.replaced == [node.value] and set(what.held[node.value]) == set(store.quads_for_pattern(None, None, None, node))
    assert len(what.held[node.value]) == 2
