"""``kg import``: spreadsheets in, Turtle out (the library is kg.tables.mechanisms and kg.tables.importing)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the Turtle here (atomically; left alone when nothing changes). Default: stdout.")
@click.option("--dry-run", is_flag=True, help="Check everything and show the triples that would be added; write nothing.")
@click.option("--sheet", metavar="NAME", help="The worksheet of an .xlsx workbook to read. Default: the first.")
def import_cmd(file: Path, output: Path | None, dry_run: bool, sheet: str | None) -> None:
    """Import mechanisms from a spreadsheet (.csv or .xlsx) in the column template.

    \b
    Columns (header row; CSV: UTF-8, comma- or semicolon-separated;
    xlsx: the first worksheet, or --sheet; formula cells are refused):
      mechanism_fr, kind, text_fr            required
      mechanism_id, mechanism_en, description_fr, description_en,
      position, text_en, categories, source  optional
    kind: objective, benefit, limitation or success-factor (or objectif,
    avantage, limite, facteur de succès). categories: CURIEs or French/
    English labels separated by ';' (limcat:language or "Langue de travail").
    The result is validated with the SHACL shapes before anything is
    written. Example: data/seed-table.csv. Exit 1 if it does not conform,
    2 for an unknown extension or sheet, 3 if the file cannot be read as
    the template.
    """
    from kg.tables.importing import import_csv

    result = import_csv(file, output=output, dry_run=dry_run, sheet=sheet)
    if dry_run:
        if result.added:
            click.echo(result.added_turtle(), nl=False)
        click.echo(result.summary(), err=True)
        return
    if output is None:
        click.echo(result.turtle, nl=False)
    click.echo(result.summary(), err=True)

