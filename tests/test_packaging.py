"""What a user gets from the package index, and how to cite it.

The wheel is built with hatchling (the project's build backend) into a
temporary folder and opened: it must hold the code, the bundled knowledge,
the examples, ``py.typed``, both licence texts and the metadata an index
shows.  Then the wheel, unpacked and alone on the path, answers a query.
``CITATION.cff`` is validated against the Citation File Format schema by
check-jsonschema (its vendored copy of the official schema).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_holds_code_knowledge_examples_and_licences(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("kg/py.typed", "kg/cli/__init__.py", "kg/_bundled/ontology/ksm.ttl", "kg/_bundled/data/mechanisms.ttl",
                     "kg/_bundled/queries/mechanisms-without-internet.rq", "kg/release/hosting/nginx-server.conf"):
        assert expected in names, expected
    examples = {n for n in names if n.startswith("kg/_bundled/examples/")}
    assert {f"kg/_bundled/examples/{p.relative_to(ROOT / 'examples')}" for p in (ROOT / "examples").rglob("*") if p.is_file()} == examples
    licences = {n.split("/licenses/", 1)[1] for n in names if "/licenses/" in n and ".dist-info/" in n}
    assert licences == {"LICENSE", "LICENSES/CC-BY-4.0.txt"}
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


def test_the_wheel_metadata(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (metadata_name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    metadata = Parser().parsestr(archive.read(metadata_name).decode("utf-8"))
    assert metadata["License-Expression"] == "MIT AND CC-BY-4.0"
    requires = {r.split(">")[0].split("<")[0].split("=")[0].split(";")[0].strip().lower() for r in metadata.get_all("Requires-Dist")}
    assert "anyio" in requires  # imported by kg.web, so declared
    classifiers = metadata.get_all("Classifier")
    assert "Typing :: Typed" in classifiers and any(c.startswith("Development Status") for c in classifiers)
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL"))
    assert urls["Homepage"] == "https://w3id.org/ksm/"


def test_every_imported_distribution_is_declared() -> None:
    """The third-party packages kg/ imports are the ones pyproject.toml declares (anyio was missing)."""
    import ast

    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    declared = {d.split(">")[0].split("<")[0].split("=")[0].strip().lower() for d in dependencies}
    import_names = {"rdflib": "rdflib", "pyshacl": "pyshacl", "owlrl": "owlrl", "SPARQLWrapper": "sparqlwrapper", "pyoxigraph": "pyoxigraph",
                    "click": "click", "yaml": "pyyaml", "starlette": "starlette", "uvicorn": "uvicorn", "jinja2": "jinja2",
                    "openpyxl": "openpyxl", "anyio": "anyio", "werkzeug": "werkzeug", "pyparsing": "pyparsing",
                    "pyshacl_turbo": "pyshacl-turbo"}
    imported: set[str] = set()
    for path in (ROOT / "kg").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {name for name in imported if name not in sys.stdlib_module_names and name != "kg"}
    unknown = third_party - set(import_names)
    assert not unknown, f"kg imports {unknown}: declare them in pyproject.toml and add them here"
    assert {import_names[name] for name in third_party} <= declared


def test_the_unpacked_wheel_alone_answers_a_query(wheel: Path, tmp_path: Path) -> None:
    """The bundled files are found inside the installed package, not in a source checkout."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = "import kg, os; from kg.cli import main; assert kg.__file__.startswith(os.environ['PYTHONPATH']), kg.__file__; main()"
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-c", code, "query", "mechanisms-without-internet", "--format", "csv"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "https://w3id.org/ksm/id/mechanism/study-tour" in result.stdout


def test_citation_file_is_valid_cff_and_agrees_with_the_package() -> None:
    import yaml

    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.citation-file-format", str(ROOT / "CITATION.cff")],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == project["version"]
    assert " AND ".join(citation["license"]) == project["license"]


def test_the_citation_check_is_live(tmp_path: Path) -> None:
    broken = tmp_path / "CITATION.cff"
    broken.write_text((ROOT / "CITATION.cff").read_text(encoding="utf-8").replace("cff-version: 1.2.0", "cff-version: 1.2.0\nauthor: nobody"),
                      encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.citation-file-format", str(broken)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
