"""``kg validate``: the SHACL shapes and the quality checks, on the bundled data or given files (or stdin)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import INPUT, LANG_OPTION, OUTPUT, emit, readable_files, sniff_rdf


@click.command("validate")
@click.argument("files", nargs=-1, type=INPUT)
@click.option("--format", "-f", "fmt", default="text", show_default=True, type=click.Choice(["text", "json", "ttl"]),
              help="text for people; json, or ttl (the SHACL report as RDF, checks included) for pipelines.")
@click.option("--output", "-o", type=OUTPUT, help="Write the report to this file (atomically) instead of stdout.")
@LANG_OPTION
def validate_cmd(files: tuple[Path, ...], fmt: str, output: Path | None, lang: str) -> None:
    """Validate the bundled data, or the given RDF files (- for stdin), against the ontology and shapes.

    Exit 1 if something does not conform, whatever the format.
    """
    from kg.quality.formats import render
    from kg.quality.validate import validate

    with readable_files(list(files), guess=sniff_rdf) as paths:
        report = validate(paths or None)
        if files:
            report.files = list(files)  # as given: "-", not its temporary copy
    emit(render(report, fmt, lang=lang), output)
    if not report.conforms:
        sys.exit(1)
