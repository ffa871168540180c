"""Same input, same bytes: two `kg publish` runs give identical releases.

Each run is its own process with its own hash seed, as two runs of the
command on a build machine would be: blank-node labels, set orders and
anything else that drifts between processes shows up as a differing file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _publish(out: Path, seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    code = "import sys; from kg.cli import main; sys.exit(main())"
    result = subprocess.run([sys.executable, "-c", code, "publish", str(out), "--base", "https://example.org/ksm/"],
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("twice")
    _publish(root / "one", "1")
    _publish(root / "two", "2")
    return root / "one", root / "two"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_publishes_are_byte_identical(two_releases: tuple[Path, Path]) -> None:
    one, two = (_files(r) for r in two_releases)
    assert one.keys() == two.keys()
    different = [name for name in one if one[name] != two[name]]
    assert not different, different
    # What used to drift: blank-node labels in the dumps and the ontology, and the advertised sizes.
    assert b"_:c14n" in one["dumps/ksm.nq"] and b"_:c14n" in one["ontology.ttl"]
    assert len(one) > 900


def test_advertised_byte_sizes_are_the_files(two_releases: tuple[Path, Path]) -> None:
    import rdflib

    one = two_releases[0]
    meta = rdflib.Graph().parse(one / "void.ttl", format="turtle")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    checked = 0
    for dist in meta.subjects(rdflib.RDF.type, dcat.Distribution):
        url, size = meta.value(dist, dcat.downloadURL), meta.value(dist, dcat.byteSize)
        if url is None:
            continue
        assert int(size) == (one / str(url).removeprefix("https://example.org/ksm/")).stat().st_size, url
        checked += 1
    assert checked == 9


def test_the_same_graph_read_twice_gives_the_same_dumps(graph) -> None:  # type: ignore[no-untyped-def]
    """In one process too: the store's quads in another order, blank nodes under other labels."""
    import pyoxigraph as ox

    from kg.graph.store import KnowledgeGraph
    from kg.release.publish import dumps

    quads = list(graph.store)
    relabelled = {q.subject.value: ox.BlankNode() for q in quads if isinstance(q.subject, ox.BlankNode)}

    def fresh(term):  # type: ignore[no-untyped-def]
        return relabelled.get(term.value, term) if isinstance(term, ox.BlankNode) else term

    other = ox.Store()
    other.extend(ox.Quad(fresh(q.subject), q.predicate, fresh(q.object), q.graph_name) for q in reversed(quads))
    assert dumps(graph) == dumps(KnowledgeGraph(store=other))
