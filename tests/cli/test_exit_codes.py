"""Exit codes for bad input and bad options: 2 usage, 3 unreadable input, 4 environment; 70 only for a bug.

Every error is one line on stderr; ``KG_DEBUG=1`` is the only way to a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize("value", ["nan", "inf", "1e309", "-1", "0", "soon"])
@pytest.mark.parametrize("command", [["query", "mechanisms-without-internet", "--endpoint", "http://127.0.0.1:9/query"], ["serve", "--port", "0"],
                                     ["push", "--endpoint", "http://127.0.0.1:9/query"]])
def test_a_timeout_that_is_not_a_finite_positive_number_is_a_usage_error(runner, command: list[str], value: str) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, [*command, "--timeout", value])
    assert result.exit_code == 2, result.output
    assert "--timeout" in _one_line(result.stderr)


def _unreadable(path: Path) -> list[str]:
    """The command prefix that runs kg unable to read ``path`` (chmod 000; root also loses its power to ignore it)."""
    path.chmod(0)
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("as root, a file is unreadable only without CAP_DAC_OVERRIDE, which needs setpriv (util-linux)")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


@pytest.mark.parametrize("command", [["validate"], ["load"]])
def test_an_unreadable_input_file_is_exit_3_not_a_usage_error(tmp_path: Path, command: list[str]) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    prefix = _unreadable(secret)
    env = {**os.environ, "KG_STORE": str(tmp_path / "store")}
    done = subprocess.run([*prefix, sys.executable, "-m", "kg.cli", *command, str(secret)],
                          capture_output=True, text=True, timeout=300, env=env, check=False)
    assert done.returncode == 3, done.stderr
    assert "secret.ttl" in _one_line(done.stderr) and "ermission denied" in done.stderr


def test_load_of_a_folder_says_it_is_a_folder(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    result = runner.invoke(main, ["load", str(tmp_path)])
    assert result.exit_code == 3
    assert "is a folder" in _one_line(result.stderr)


@pytest.fixture(scope="module")
def huge_literal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("huge") / "huge.ttl"
    path.write_text('<http://example.org/a> <http://example.org/b> "' + "x" * 30_000_000 + '" .\n')
    return path


def test_validate_of_a_30_mb_literal_is_exit_3_naming_the_file(runner, huge_literal: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["validate", str(huge_literal)])
    assert result.exit_code == 3, result.output
    assert f"{huge_literal}: a literal or IRI longer than 16 MB" in _one_line(result.stderr)


def test_load_of_a_30_mb_literal_is_exit_3_and_leaves_no_store(runner, huge_literal: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    result = runner.invoke(main, ["load", str(huge_literal)])
    assert result.exit_code == 3, result.output
    assert "longer than 16 MB" in _one_line(result.stderr)
    assert not (tmp_path / "store" / "current").exists()


def test_a_bug_is_one_line_and_70_unless_kg_debug(runner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import kg.queries.catalogue

    def broken(self, name):  # type: ignore[no-untyped-def]
        raise RuntimeError("planted")

    monkeypatch.setattr(kg.queries.catalogue.Catalogue, "get", broken)
    monkeypatch.delenv("KG_DEBUG", raising=False)
    result = runner.invoke(main, ["query", "mechanisms-overview"])
    assert result.exit_code == 70
    assert "internal error: RuntimeError: planted" in _one_line(result.stderr)
    monkeypatch.setenv("KG_DEBUG", "1")
    result = runner.invoke(main, ["query", "mechanisms-overview"])
    assert isinstance(result.exception, RuntimeError)  # raised as it is: the traceback is the user's to see


def test_help_fits_one_screen(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["--help"], terminal_width=80)
    assert result.exit_code == 0
    assert len(result.output.splitlines()) <= 25, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_the_console_script_is_the_guarded_entry_point() -> None:
    import tomllib

    from tests.paths import ROOT

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"kg": "kg.cli.entry:main"}  # kg.cli.main would import click before the Ctrl-C handler
