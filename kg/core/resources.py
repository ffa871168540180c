"""Where the bundled ontology, data and saved queries are.

In a source checkout (or an editable install) they sit beside the ``kg``
package; a wheel carries them inside it, under ``kg/_bundled``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # kg/


def root() -> Path:
    """The folder holding ``ontology/``, ``data/`` and ``queries/``."""
    for candidate in (_PACKAGE / "_bundled", _PACKAGE.parent):
        if (candidate / "ontology" / "ksm.ttl").is_file():
            return candidate
    raise FileNotFoundError("the bundled ontology/ folder is missing from this installation")


def ontology_files() -> list[Path]:
    """The ontology proper: terms, concept schemes and alignments (not the shapes)."""
    base = root() / "ontology"
    files = [base / "ksm.ttl", base / "concepts.ttl", base / "situation.ttl", base / "practice.ttl"]
    return files + sorted((base / "alignments").glob("*.ttl"))


def shapes_file() -> Path:
    return root() / "ontology" / "shapes.ttl"


def data_files() -> list[Path]:
    """The bundled instance data, one named graph per file (mappings included)."""
    base = root() / "data"
    return sorted(base.glob("*.ttl")) + sorted((base / "mappings").glob("*.ttl"))


def queries_dir() -> Path:
    return root() / "queries"


def checks_dir() -> Path:
    return root() / "queries" / "checks"
