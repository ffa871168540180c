"""Reading the template from a CSV file: UTF-8, comma- or semicolon-separated.

A cell that starts like a formula (``=``, ``+``, ``-``, ``@``) is refused
(CSV injection); an apostrophe in front means the text itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from kg.core.errors import InputError
from kg.tables.template import FORMULA_START, MECHANISMS, Cell, Sheet, check_header, column_letter


def read_rows(path: Path, *, template: Sheet = MECHANISMS) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a CSV file") from None
    except OSError as error:
        raise InputError(f"{path}: unreadable: {error.strerror}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            f"{path}:{line}: not UTF-8 text (byte 0x{raw[error.start]:02x}); save the spreadsheet as 'CSV UTF-8' and import it again"
        ) from None
    if not text.strip():
        raise InputError(f"{path}: empty file; expected a header row with the columns {', '.join(template.required)} (see `kg import --help`)")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as error:
        raise InputError(f"{path}:1: bad CSV: {error}") from None
    check_header(path, header, sheet=template)
    name = path.name

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                    raise InputError(f"{path}: row {number}: {len(cells)} cells for {len(header)} columns")
                yield number, {
                    column: cell_text(cells[i], Cell(name, number, column, column_letter(i))) if i < len(cells) else ""
                    for i, column in enumerate(header) if column
                }
        except csv.Error as error:
            raise InputError(f"{path}: row {number + 1}: bad CSV: {error}") from None

    return header, rows()


def cell_text(value: str, cell: Cell) -> str:
    """The text of a cell, refusing what a spreadsheet would run as a formula."""
    text = value.strip()
    if text.startswith("'") and text[1:2] in FORMULA_START:
        return text[1:]
    if value[:1] in FORMULA_START or text[:1] in FORMULA_START:
        raise cell.error(f"{text[:20]!r} starts like a spreadsheet formula; refused (CSV injection). Start the cell with ' to mean the text")
    return text
