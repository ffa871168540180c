"""Test-session isolation for the whole project, doctests of kg/ included.

The reasoner's cache goes to a temporary folder for the session, and every
test gets a persistent-store location of its own that does not exist yet,
so that tests never read or write a user's cache or `.kg/store`, an import
in one test is never seen by the next, and every test starts from the
bundled graph.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


def _setenv(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    saved = os.environ.get("KG_CACHE_DIR")
    os.environ["KG_CACHE_DIR"] = str(tmp_path_factory.mktemp("kg-cache"))
    yield
    _setenv("KG_CACHE_DIR", saved)


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store location of this test's own; tests that build a store read it from $KG_STORE."""
    from kg.graph import locks

    saved = os.environ.get("KG_STORE")
    folder = tmp_path_factory.mktemp("kg-store") / "store"
    os.environ["KG_STORE"] = str(folder)
    yield folder
    locks.unpin_all()
    _setenv("KG_STORE", saved)
