"""Shared fixtures: the bundled graph (reasoned once per session) and the CLI runner.

The isolation of the reasoner's cache and of the persistent store is in the
root conftest.py, so that it covers the doctests of kg/ as well.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner


@pytest.fixture(scope="session")
def graph():  # type: ignore[no-untyped-def]
    from kg.graph.dataset import open_graph

    return open_graph()


@pytest.fixture(scope="session")
def catalogue():  # type: ignore[no-untyped-def]
    from kg.queries.catalogue import Catalogue

    return Catalogue.bundled()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()
