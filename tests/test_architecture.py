"""The package keeps its shape: parts import only the parts below them, and no import circles.

The contracts are in pyproject.toml ([tool.importlinter]); import-linter
checks them on the real imports, type-only ones included.  The planted
violations show that the contracts are live, not satisfied by accident.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"
PARTS = ("core", "reasoning", "graph", "queries", "quality", "tables", "recommendation", "remote", "release", "web", "cli")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
                          cwd=root, capture_output=True, text=True, timeout=120, check=False)


def test_the_import_contracts_are_kept() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_every_part_is_a_subpackage_that_says_what_it_may_import() -> None:
    loose = sorted(p.name for p in (ROOT / "kg").glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"modules loose at the top of kg/: {loose}; put them in the part they belong to"
    for part in PARTS:
        doc = (ROOT / "kg" / part / "__init__.py").read_text(encoding="utf-8")
        assert "May import" in doc, f"kg/{part}/__init__.py does not say what it may import"


@pytest.mark.parametrize(("where", "line"), [
    ("kg/core/errors.py", "from kg.graph.store import KnowledgeGraph"),  # upward, at run time
    ("kg/reasoning/cache.py", "if TYPE_CHECKING:\n    from kg.queries.catalogue import SavedQuery"),  # upward, type-only
    ("kg/graph/rdfio.py", "from kg.graph import store"),  # a circle inside one part: store imports rdfio
])
def test_a_planted_violation_breaks_a_contract(tmp_path: Path, where: str, line: str) -> None:
    shutil.copytree(ROOT / "kg", tmp_path / "kg", ignore=shutil.ignore_patterns("__pycache__", "_bundled"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / where
    text = target.read_text(encoding="utf-8")
    header = "from typing import TYPE_CHECKING\n" if "TYPE_CHECKING" in line else ""
    target.write_text(text.replace("from __future__ import annotations\n", f"from __future__ import annotations\n{header}{line}\n", 1), encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
