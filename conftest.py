"""Test-session isolation for the whole project, doctests of kg/ included.

The reasoner's cache goes to a temporary folder and no persistent store is
visible, so that tests never read or write a user's cache or `.kg/store`,
and every run starts from the same state.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


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
