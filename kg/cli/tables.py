"""``kg import``: spreadsheets into the living graph (the library is kg.tables.importing)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.tables.template import CONCEPTS, MECHANISMS


def _columns(sheet_help: dict[str, str], required: tuple[str, ...]) -> str:
    return "\n".join(f"  {name:<20}{'(required) ' if name in required else ''}{text}" for name, text in sheet_help.items())


@click.command("import", epilog="\b\nmechanisms sheet, one row per statement:\n" + _columns(MECHANISMS.help, MECHANISMS.required)
               + "\n\n\b\nconcepts sheet (optional), one row per concept added to a scheme:\n" + _columns(CONCEPTS.help, CONCEPTS.required))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the Turtle to this file instead of adding it to the store (atomically; left alone when nothing changes).")
@click.option("--dry-run", is_flag=True, help="Check everything against the graph and show the triples that would be added; change nothing.")
@click.option("--sheet", metavar="NAME", help="The worksheet of mechanisms in an .xlsx workbook. Default: the first (other than 'concepts').")
@click.option("--concepts", "concepts", type=click.Path(dir_okay=False, path_type=Path),
              help="A concepts sheet as its own file (.csv or .xlsx). Default: the workbook's worksheet named 'concepts'.")
@click.option("--replace", is_flag=True, help="Take over mechanisms, statements or concepts that another loaded or imported graph describes.")
def import_cmd(file: Path, output: Path | None, dry_run: bool, sheet: str | None, concepts: Path | None, replace: bool) -> None:
    """Import mechanisms from a spreadsheet (.csv or .xlsx) into the graph.

    The file's mechanisms join the persistent store (.kg/store or $KG_STORE)
    as the graph https://w3id.org/ksm/graph/import/<file name>, re-reasoned
    and checked with the shapes and checks on the whole graph first: exit 1
    (store unchanged) if the result does not conform or an id is already
    taken, 2 for an unknown extension or sheet, 3 if the file cannot be read
    as the template. Example: examples/extensions/ and data/seed-table.csv.
    """
    from kg.tables.importing import import_table

    result = import_table(file, output=output, dry_run=dry_run, sheet=sheet, concepts=concepts, replace=replace)
    if dry_run and result.added:
        click.echo(result.added_turtle(), nl=False)
    click.echo(result.summary(), err=True)
