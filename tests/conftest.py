"""Shared fixtures: the bundled graph (reasoned once per session) and the CLI runner.

The isolation of the reasoner's cache and of the persistent store is in the
root conftest.py, so that it covers the doctests of kg/ as well.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


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
