"""``kg import``: spreadsheets into the living graph (the library is kg.tables.importing)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import OutputFile, emit, readable_files, sniff_table
from kg.tables.template import CONCEPTS, MECHANISMS


def _columns(sheet_help: dict[str, str], required: tuple[str, ...]) -> str:
    return "\n".join(f"  {name:<20}{'(required) ' if name in required else ''}{text}" for name, text in sheet_help.items())


@click.command("import", epilog="\b\nmechanisms sheet, one row per statement:\n" + _columns(MECHANISMS.help, MECHANISMS.required)
               + "\n\n\b\nconcepts sheet (optional), one row per concept added to a scheme:\n" + _columns(CONCEPTS.help, CONCEPTS.required))
@click.argument("file", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]),
              help="The spreadsheet's type when it comes on stdin (-); a file's comes from its extension.")
@click.option("--output", "-o", metavar="OUTPUT", type=OutputFile(),
              help="Write the Turtle to this file instead of adding it to the store (atomically; left alone when nothing changes).")
@click.option("--dry-run", is_flag=True, help="Check everything against the graph and show the triples that would be added; change nothing.")
@click.option("--sheet", metavar="NAME", help="The worksheet of mechanisms in an .xlsx workbook. Default: the first (other than 'concepts').")
@click.option("--concepts", "concepts", type=click.Path(dir_okay=False, path_type=Path),
              help="A concepts sheet as its own file (.csv or .xlsx). Default: the workbook's worksheet named 'concepts'.")
@click.option("--replace", is_flag=True, help="Take over mechanisms, statements or concepts that another loaded or imported graph describes.")
def import_cmd(file: Path, fmt: str | None, output: Path | None, dry_run: bool, sheet: str | None, concepts: Path | None, replace: bool) -> None:
    """Import mechanisms from a spreadsheet (.csv or .xlsx) into the graph.

    The file's mechanisms join the persistent store (.kg/store or $KG_STORE)
    as the graph https://w3id.org/ksm/graph/import/<file name>, re-reasoned
    and checked with the shapes and checks on the whole graph first: exit 1
    (store unchanged) if the result does not conform or an id is already
    taken, 2 for an unknown extension or sheet, 3 if the file cannot be read
    as the template. Example: examples/extensions/ and data/seed-table.csv.
    """
    from kg.core.errors import UsageError
    from kg.tables.importing import import_table

    with readable_files([file], suffix=f".{fmt}" if fmt else None, guess=sniff_table) as (path,):
        if fmt and path.suffix.lower() != f".{fmt}":
            raise UsageError(f"--format {fmt} is for stdin and pipes; the type of {file} comes from its extension ({path.suffix or 'none'})")
        result = import_table(path, output=output, dry_run=dry_run, sheet=sheet, concepts=concepts, replace=replace,
                              label="stdin" if str(file) == "-" else None)
    if dry_run and result.added:
        emit(result.added_turtle(), None)
    click.echo(result.summary(), err=True)
