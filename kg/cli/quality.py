"""``kg validate``: the SHACL shapes and the quality checks, on the bundled data or given files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import LANG_OPTION


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@LANG_OPTION
def validate_cmd(files: tuple[Path, ...], lang: str) -> None:
    """Validate the bundled data, or the given Turtle files, against the ontology and shapes."""
    from kg.quality.validate import validate

    report = validate(list(files) or None)
    click.echo(report.render(lang), nl=False)
    if not report.conforms:
        sys.exit(1)
