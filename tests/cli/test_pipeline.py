"""The command line in a pipeline: stdin wherever a file is read, ad-hoc queries, read-only queries, --lang fallback.

Answers are compared with what the same command gives on a file, or with a
saved query's answer: stdin changes where the bytes come from, nothing else.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main
from kg.cli.common import readable_files, sniff_table
from kg.core.errors import InputError, UsageError
from kg.tables.importing import import_table
from tests.paths import ROOT
from tests.samples import WEBINAR

SHAPES = ROOT / "tests" / "shapes"
SAVED = ROOT / "queries" / "mechanisms-without-internet.rq"


def test_validate_reads_stdin(runner) -> None:  # type: ignore[no-untyped-def]
    bad = (SHAPES / "invalid-network-two-participants.ttl").read_text(encoding="utf-8")
    from_file = runner.invoke(main, ["validate", "-f", "json", str(SHAPES / "invalid-network-two-participants.ttl")])
    from_stdin = runner.invoke(main, ["validate", "-f", "json", "-"], input=bad)
    assert from_stdin.exit_code == 1, from_stdin.output
    assert json.loads(from_stdin.stdout)["results"] == json.loads(from_file.stdout)["results"]
    assert json.loads(from_stdin.stdout)["files"] == ["-"]


def test_validate_reads_dev_stdin_and_names_it_in_errors() -> None:
    for path in ("/dev/stdin", "-"):
        done = subprocess.run([sys.executable, "-m", "kg.cli", "validate", path], input="<a:b> <a:c> .\n",
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 3, done.stderr
        shown = "<stdin>" if path == "-" else path
        assert done.stderr.startswith(f"kg: error: {shown}:1: bad Turtle syntax"), done.stderr  # not the temporary copy


def test_stdin_once_only(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["validate", "-", "-"], input="")
    assert result.exit_code == 2
    assert "more than once" in result.stderr


def test_a_query_file_answers_like_the_saved_query(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mine = tmp_path / "mine.rq"
    mine.write_text(SAVED.read_text(encoding="utf-8"), encoding="utf-8")
    saved = runner.invoke(main, ["query", "mechanisms-without-internet", "-f", "csv", "--lang", "en"])
    from_file = runner.invoke(main, ["query", str(mine), "-f", "csv", "--lang", "en"])
    from_stdin = runner.invoke(main, ["query", "-", "-f", "csv", "--lang", "en"], input=SAVED.read_text(encoding="utf-8"))
    assert saved.exit_code == from_file.exit_code == from_stdin.exit_code == 0, from_stdin.output
    assert from_file.stdout == from_stdin.stdout == saved.stdout
    assert "Study tour" in saved.stdout


def test_a_query_file_takes_parameters_as_bound_terms(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    query = tmp_path / "label.rq"
    query.write_text("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                     "SELECT ?label WHERE { ?_mechanism_iri skos:prefLabel ?label FILTER(lang(?label) = 'en') }\n", encoding="utf-8")
    result = runner.invoke(main, ["query", str(query), "-p", "mechanism=mech:network", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["label", "Network"]


@pytest.mark.parametrize("update", [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "DROP ALL",
    "LOAD <http://example.org/data.ttl>",
    "DELETE WHERE { ?s ?p ?o }",
])
@pytest.mark.parametrize("where", [[], ["--endpoint", "http://127.0.0.1:9/query"]])
def test_an_update_is_refused_locally_and_before_any_endpoint(runner, update: str, where: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["query", "-", *where], input=update)
    assert result.exit_code == 2, result.output  # not 4: the unreachable endpoint was never asked
    assert "<stdin>: this is a SPARQL Update; kg query only reads" in result.stderr
    again = runner.invoke(main, ["query", "mechanisms-overview", "-f", "csv"])
    assert again.stdout.count("\n") == 7  # the graph still has its six mechanisms


def test_a_missing_query_file_is_exit_3(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["query", str(tmp_path / "nope.rq")])
    assert result.exit_code == 3
    assert "nope.rq: no such file" in result.stderr


def test_lang_without_labels_falls_back_and_says_so(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--lang", "es", "-f", "json"])
    assert result.exit_code == 0, result.output
    labels = {b["mechanismLabel"]["xml:lang"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert labels == {"en"}
    assert "no label in 'es' in this answer; answering in 'en'" in result.stderr
    quiet = runner.invoke(main, ["--quiet", "query", "mechanisms-without-internet", "--lang", "es", "-f", "json"])
    assert quiet.stdout == result.stdout and quiet.stderr == ""


def test_a_language_that_answers_does_not_fall_back(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["query", "mechanisms-without-internet", "--lang", "fr", "-f", "json"])
    assert {b["mechanismLabel"]["xml:lang"] for b in json.loads(result.stdout)["results"]["bindings"]} == {"fr"}
    assert result.stderr == ""


def test_load_reads_stdin_with_a_format_hint(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    nt = '<http://example.org/maize> <http://www.w3.org/2004/02/skos/core#prefLabel> "maize"@en .\n'
    result = runner.invoke(main, ["load", "-", "--format", "nt"], input=nt)
    assert result.exit_code == 0, result.output
    assert "1 triples added in <https://w3id.org/ksm/graph/user/stdin>" in result.stdout
    query = tmp_path / "maize.rq"
    query.write_text("SELECT ?g WHERE { GRAPH ?g { <http://example.org/maize> ?p 'maize'@en } } ORDER BY ?g\n")
    found = runner.invoke(main, ["query", str(query), "-f", "csv"])
    assert "https://w3id.org/ksm/graph/user/stdin" in found.stdout


def test_load_from_stdin_guesses_turtle_and_names_stdin_in_errors(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    result = runner.invoke(main, ["load", "-"], input="@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;;\n")
    assert result.exit_code == 3
    assert result.stderr.startswith("kg: error: <stdin>:3: bad Turtle syntax"), result.stderr  # the statement never ends


def test_load_format_is_for_streams_only(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    path = tmp_path / "a.ttl"
    path.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    result = runner.invoke(main, ["load", str(path), "--format", "nt"])
    assert result.exit_code == 2
    assert "--format nt is for stdin and pipes" in result.stderr


def test_recommend_reads_a_situation_from_stdin(runner) -> None:  # type: ignore[no-untyped-def]
    situation = ROOT / "examples" / "situations" / "rural-policy.json"
    from_file = runner.invoke(main, ["recommend", "--situation", str(situation), "-f", "json", "--lang", "en"])
    from_stdin = runner.invoke(main, ["recommend", "--situation", "-", "-f", "json", "--lang", "en"], input=situation.read_text(encoding="utf-8"))
    assert from_stdin.exit_code == 0, from_stdin.output
    assert json.loads(from_stdin.stdout)["ranking"] == json.loads(from_file.stdout)["ranking"]
    assert json.loads(from_stdin.stdout)["situationTriples"] == json.loads(from_file.stdout)["situationTriples"]


def test_the_import_helper_gives_stdin_a_spreadsheet_name(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """What `kg import -` needs (kg/cli/tables.py wires it): stdin as a file with the extension the --format hint gives."""
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(WEBINAR.encode("utf-8"))))
    with readable_files([Path("-")], guess=sniff_table) as (path,):
        assert path.suffix == ".csv"
        result = import_table(path, dry_run=True)
    assert (result.mechanisms, result.statements) == (1, 3)
    assert not path.exists()  # the temporary copy is gone


def test_errors_inside_name_stdin_not_its_copy(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"mechanism_fr,kind\nWebinaire,limite\n")))
    with pytest.raises(InputError) as caught, readable_files([Path("-")], suffix=".csv") as (path,):
        import_table(path, dry_run=True)
    assert str(caught.value).startswith("<stdin>: row 1: missing column 'text_fr'"), caught.value
    assert isinstance(caught.value, InputError) and not isinstance(caught.value, UsageError)
