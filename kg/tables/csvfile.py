"""Reading the template from a CSV file: UTF-8, comma- or semicolon-separated.

A cell that starts like a formula (``=``, ``+``, ``-``, ``@``) is refused
(CSV injection); an apostrophe in front means the text itself.

A stray quote must not swallow rows: a ``"`` that opens a cell and closes
lines later (or never) would make the rows between one cell, and the
import would succeed with rows missing.  The reader is strict (a quote
closes before a delimiter or the line's end, and before the file's end), and
a row spanning lines is checked (:func:`check_line_breaks`); the error names
the row and the line where the quote opened.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.core import notices
from kg.core.errors import InputError
from kg.tables.template import FORMULA_START, KIND_ALIASES, KINDS, MECHANISMS, Cell, Sheet, check_header, column_letter

# The columns whose cells may hold line breaks (texts); in any other, a line break is a quote left open.
MULTILINE_COLUMNS = ("text_", "description_")


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
    # strict: a quote must close before a delimiter or the end of the line, and before the end of the file;
    # Python's default would take a stray quote's cell on to the next quote, rows and all.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as error:
        raise InputError(f"{path}:1: bad CSV: {error}") from None
    check_header(path, header, sheet=template)
    name = path.name
    letters = [column_letter(i) for i in range(len(header))]

    def read_cell(value: str, number: int, column: str, index: int) -> str:
        return cell_text(value, lambda: Cell(name, number, column, letters[index]))

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        number, line = 1, reader.line_num
        try:
            for cells in reader:
                number += 1
                start, line = line + 1, reader.line_num
                notices.progress(f"{name}: row {number:,}")
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                    raise InputError(f"{path}: row {number}: {len(cells)} cells for {len(header)} columns")
                if line > start:
                    check_line_breaks(path, header, cells, number, start, line, delimiter)
                yield number, {
                    column: read_cell(cells[i], number, column, i) if i < len(cells) else ""
                    for i, column in enumerate(header) if column
                }
        except csv.Error as error:
            raise stray_quote(path, number + 1, line + 1, reader.line_num, error) from None
        finally:
            notices.progress_done()

    return header, rows()


def stray_quote(path: Path, number: int, start: int, end: int, error: csv.Error) -> InputError:
    """The error for a row the csv module could not end: almost always a quote opened and never closed."""
    if "end of data" in str(error):
        return InputError(f"{path}: row {number} (line {start}): a quote (\") opened in this row is never closed, so the rest of the file "
                          "would be one cell; close it, or double it (\"\") to mean the character")
    return InputError(f"{path}: row {number} (line {start}): a quote (\") opened in this row closes only on line {end}, "
                      f"taking the lines between into one cell ({error}); close it, or double it (\"\")")


def check_line_breaks(path: Path, header: list[str], cells: list[str], number: int, start: int, end: int, delimiter: str) -> None:
    """Refuse a row whose cells span lines where the template has no line breaks, or that swallowed other rows.

    A spreadsheet writes a cell with line breaks between quotes, and only the
    texts (``text_*``, ``description_*``) have any; a name, a kind, a number,
    a list or an IRI never does.  A line break there, or a text holding a line
    that reads as a row of the template, is a quote left open: without this
    check the rows it swallowed would vanish into one cell, silently.
    """
    kind_at = header.index("kind") if "kind" in header else None
    for index, value in enumerate(cells):
        if "\n" not in value and "\r" not in value:
            continue
        column = header[index] if index < len(header) else ""
        where = f"{path}: row {number}, column {column or 'without a header'} ({column_letter(index)})"
        if not column.startswith(MULTILINE_COLUMNS):
            raise InputError(f"{where}: the cell runs over lines {start}-{end} of the file, where this column has no line breaks; "
                             "a quote (\") is probably left open in it")
        for offset, inner in enumerate(value.splitlines()[1:], start=1):
            parts = next(csv.reader([inner], delimiter=delimiter), [])
            if _reads_as_row(parts, header, kind_at):
                raise InputError(f"{where}: the cell holds line {start + offset} of the file, which reads as a row of its own; "
                                 "a quote (\") is probably left open in this cell")


def _reads_as_row(parts: list[str], header: list[str], kind_at: int | None) -> bool:
    """Whether a line inside a text cell is a row of the template (its kind is a kind), rather than prose."""
    if kind_at is not None:
        if len(parts) <= kind_at:
            return False
        kind = parts[kind_at].strip().lower()
        return kind in KINDS or kind in KIND_ALIASES
    return len(parts) == len(header) >= 6  # no kind column: only a line with a cell for every column


def cell_text(value: str, cell: Callable[[], Cell]) -> str:
    """The text of a cell, refusing what a spreadsheet would run as a formula.

    ``cell`` makes the cell's address for the error only when there is one:
    a 10,000-row import reads a hundred thousand cells.
    """
    text = value.strip()
    if text.startswith("'") and text[1:2] in FORMULA_START:
        return text[1:]
    if value[:1] in FORMULA_START or text[:1] in FORMULA_START:
        raise cell().error(f"{text[:20]!r} starts like a spreadsheet formula; refused (CSV injection). Start the cell with ' to mean the text")
    return text
