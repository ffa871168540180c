"""What a test does when a triplestore it needs is not installed.

On a developer's machine it says so and is skipped; under CI (the ``CI``
environment variable set, as ``.ci/run`` and CI services do) a missing engine
is a failure, so that a clean machine cannot pass by running nothing.
"""

from __future__ import annotations

import os

import pytest


def require(found: object, engine: str, install: str) -> None:
    """Skip (outside CI) or fail (under CI) unless ``found``."""
    if found:
        return
    message = f"{engine} is not installed: {install}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: the engine tests must run)", pytrace=False)
    pytest.skip(message)
