"""A cold ``kg query NAME`` imports none of the heavy libraries, and answers as the click command does.

The fast path (kg.cli.fastpath) is only worth having while it stays lean:
click, rdflib, owlrl and pyshacl each cost a cold start more than the query
itself, and PyYAML (the saved query's header) is read from the cache once
the header has been parsed.  The child runs with ``-X importtime``, which
names on stderr every module the run imported, whoever imported it.  How
fast the start is is measured by benchmarks/cold_start.py, not here.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from kg.cli import fastpath, main
from kg.graph import results

# The top-level packages a plain `kg query NAME` must never load.
HEAVY = ("click", "rdflib", "owlrl", "pyshacl", "yaml")


def _run(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``python -m kg.cli ARGS`` in a child, and the top-level packages it imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kg.cli", *args],
                          capture_output=True, text=True, timeout=120, check=False)
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines() if line.startswith("import time:")}
    imported.discard("imported package")  # the header line
    return done, imported


def _messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("import time:")]


@pytest.mark.parametrize("args", [
    ["query", "mechanisms-without-internet"],
    ["-q", "query", "mechanisms-by-tool", "-p", "tool=E-mail", "--lang", "en", "-f", "json"],
])
def test_kg_query_imports_no_heavy_library(args: list[str]) -> None:
    _run(*args)  # the first run may reason and parse the header; it fills the cache
    done, imported = _run(*args)
    assert done.returncode == 0, done.stderr
    assert "mech:" in done.stdout or "https://w3id.org/ksm/id/" in done.stdout  # a real answer, not an early exit
    assert {"kg", "pyoxigraph"} <= imported  # the check sees what the run imports
    assert not imported & set(HEAVY), f"`kg {' '.join(args)}` imported {sorted(imported & set(HEAVY))}"


def test_the_check_sees_click_where_the_command_group_answers() -> None:
    """`kg query --help` is click's: the same check must find click there, or it proves nothing above."""
    done, imported = _run("query", "--help")
    assert done.returncode == 0, done.stderr
    assert "click" in imported


def test_fast_path_knows_the_formats_of_the_results() -> None:
    """fastpath repeats the formats (so that parsing the command line imports nothing): the same list."""
    assert fastpath.FORMATS == results.FORMATS


@pytest.mark.parametrize("args", [
    ["query", "mechanisms-without-internet", "-f", "csv", "--lang", "en"],
    ["query", "mechanisms-by-tool", "--param", "tool=E-mail", "--format=tsv"],
    ["-q", "query", "mechanism-card", "-pmechanism=mech:network", "-f", "json"],
    ["query", "mechanisms-by-tool", "-p", "tool"],  # a parameter without '=': usage error
    ["query", "mechanisms-by-tool", "-p", "tool=no-such-tool"],  # a label that names nothing
    ["query", "mechanisms-without-internet", "--lang", "xx-!"],  # a language tag that is not one
])
def test_fast_path_answers_as_the_command_group(args: list[str]) -> None:
    assert fastpath.parse(args) is not None  # the fast path's, not click's
    fast, _ = _run(*args)
    group = CliRunner().invoke(main, args)
    assert (fast.returncode, fast.stdout, _messages(fast.stderr)) == (group.exit_code, group.stdout, group.stderr.splitlines())
