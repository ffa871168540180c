"""Shared fixtures: the bundled graph (reasoned once per session) and the CLI runner.

The reasoner's cache goes to a temporary folder so that tests never read
or write a user's cache, and every test starts from the same state.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A fresh reasoning cache, and no persistent store (a `.kg/store` in the cwd would change every answer)."""
    saved = {name: os.environ.get(name) for name in ("KG_CACHE_DIR", "KG_STORE")}
    os.environ["KG_CACHE_DIR"] = str(tmp_path_factory.mktemp("kg-cache"))
    os.environ["KG_STORE"] = str(tmp_path_factory.mktemp("kg-store") / "absent")
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def graph():  # type: ignore[no-untyped-def]
    from kg.store import KnowledgeGraph

    return KnowledgeGraph.bundled()


@pytest.fixture(scope="session")
def catalogue():  # type: ignore[no-untyped-def]
    from kg.catalogue import Catalogue

    return Catalogue.bundled()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()
