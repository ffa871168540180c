"""pyshacl-turbo, the engine ``kg validate`` runs, reports what pyshacl, the reference, reports.

Both engines validate the same input (kg.quality.observed) of the examples
of tests/shapes/ (together, since pyshacl takes seconds a graph), and of the
bundled data with generated data and the mistakes of
tests/quality/test_observed.py planted in it; the reports are compared
result for result (shape, focus, path, severity, both messages).
"""

from __future__ import annotations

from pathlib import Path

from kg.core import resources
from kg.graph.store import KnowledgeGraph
from kg.quality.tags import written_tags
from kg.quality.validate import Violation, _shacl
from tests.quality.planted import EXPECTED, PLANTED, generator
from tests.quality.test_observed import EXAMPLES


def _both(files: list[Path]) -> tuple[list[Violation], list[Violation]]:
    graph = KnowledgeGraph.from_files(resources.ontology_files() + files, keep=False)
    turbo, _ = _shacl(graph, resources.shapes_file(), engine="pyshacl-turbo")
    reference, _ = _shacl(graph, resources.shapes_file(), engine="pyshacl")
    return turbo, reference


def test_examples() -> None:
    """All the examples in one graph (pyshacl takes seconds a graph): each one's mistakes, side by side."""
    together = [p for p in EXAMPLES if not written_tags([p])]  # a tag written "FR": kg runs pyshacl alone there
    assert len(together) >= len(EXAMPLES) - 2
    turbo, reference = _both(together)
    assert turbo == reference
    assert {v.source for v in turbo} >= {"ksmsh:DisjointClassesShape", "ksmsh:Network-participantCount", "ksmsh:Statement-position-sequence"}
    assert all(v.message_fr and v.message_en and v.message_fr != v.message_en for v in turbo), "a message lost its language"


def test_generated_data_with_planted_mistakes(tmp_path: Path) -> None:
    (tmp_path / "planted.ttl").write_text(PLANTED, encoding="utf-8")
    generated = generator().write(600, tmp_path / "generated.nt", seed=5)
    turbo, reference = _both([*resources.data_files(), generated, tmp_path / "planted.ttl"])
    assert turbo == reference
    assert EXPECTED <= {(v.source, v.focus) for v in turbo} | {(v.source, v.node.value) for v in turbo if v.node is not None}
