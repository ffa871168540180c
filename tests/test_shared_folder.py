"""Tests that need the shared folder skip on a fresh clone, but fail in CI: the golden answers must run there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.paths import require_shared


def test_a_missing_shared_input_skips_outside_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="the seed table is not at"):
        require_shared(tmp_path / "absent.txt", "the seed table")


def test_a_missing_shared_input_fails_in_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run these tests"):
        require_shared(tmp_path / "absent.txt", "the seed table")


def test_a_present_shared_input_is_given_back(tmp_path: Path) -> None:
    present = tmp_path / "here.txt"
    present.write_text("x")
    assert require_shared(present, "anything") == present


def test_ci_without_the_shared_folder_fails_the_seed_tests(tmp_path: Path) -> None:
    """The real thing: the seed coverage tests, run with CI set and the shared folder pointed elsewhere, fail."""
    import os
    import subprocess
    import sys

    from tests.paths import ROOT

    env = {**os.environ, "CI": "1", "KG_SHARED": str(tmp_path / "no-shared")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", "tests/knowledge/test_seed_coverage.py"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 1, done.stdout[-2000:]
    assert "CI must run these tests" in done.stdout and " skipped" not in done.stdout.splitlines()[-1]
