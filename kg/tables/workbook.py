"""Excel workbooks (.xlsx) in and out, with openpyxl kept at this edge.

Reading gives the same header and rows as kg.tables.mechanisms's CSV reader, so
the checks, IRIs, validation, dry run and atomic write downstream are the
ones of a CSV import.  Rows are streamed (openpyxl's read-only mode), read to
the sheet's real end whatever its ``<dimension>`` says, and a workbook that
would unpack to more than :data:`MAX_UNPACKED` bytes is refused before any
of it is read.  An xlsx cell is typed, unlike a CSV cell, so:

- a text cell is the text itself, even when it starts with ``=``: only a
  real formula cell is run by a spreadsheet, and those are refused (the
  workbook is read with ``data_only=False``, so a formula is seen as a
  formula, never as its last cached result); paste the values instead;
- a whole number is its digits (``3`` and ``3.0`` give ``"3"``), another
  number its shortest decimal form, which the template's columns then
  check (``position`` wants a whole number);
- a date, time, TRUE/FALSE or error cell (``#N/A``) is refused: in a text
  column it is almost always a spreadsheet having converted what was typed.

Writing puts the same rows in a workbook (header bold and frozen, positions
as numbers, every text as a text cell) and returns its bytes, for the
caller to write atomically.
"""

from __future__ import annotations

import datetime
import io
import warnings
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kg.core import notices
from kg.core.errors import InputError, UsageError
from kg.tables.template import MECHANISMS, Cell, Sheet, check_header, column_letter

# What openpyxl raises on a file that is not a readable workbook: not a zip
# (a renamed CSV, an old .xls, an encrypted file), a zip without the parts
# of a workbook, or parts that are not the XML it expects.
# The most a workbook may unpack to (all its zip members together): a 10,000-row import
# template is a few MB; 100 MB is room to spare and keeps a zip bomb from taking the memory.
MAX_UNPACKED = 100_000_000
_BROKEN = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, TypeError, AttributeError, IndexError, SyntaxError, EOFError)


def read_rows(path: Path, *, sheet: str | None = None, template: Sheet = MECHANISMS) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and the non-empty rows (numbered as the sheet shows them) of a worksheet.

    The first worksheet unless ``sheet`` names another; the header is the
    first non-empty row.  Rows are read as they are asked for (the workbook
    stays open until the last one), and to the sheet's real end: the
    ``<dimension>`` a file declares is not trusted (openpyxl's read-only
    mode would stop there, losing rows without a word).
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a workbook")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty file; expected an .xlsx workbook with a header row (see `kg import --help`)")
    check_expansion(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # openpyxl warns about styles and extensions it drops; they do not matter here
        try:
            # From memory, not the file: the workbook (compressed, size-checked above) is small, and rows
            # still stream from it; an import abandoned midway then leaves no file open for the GC to find.
            book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=False, keep_links=False)
        except OSError as error:
            raise InputError(f"{path}: unreadable: {error.strerror or error}") from None
        except (*_BROKEN, InvalidFileException) as error:
            raise InputError(
                f"{path}: not an .xlsx workbook ({type(error).__name__}); save it from the spreadsheet as 'Excel Workbook (.xlsx)' or as 'CSV UTF-8'"
            ) from None
    rows: Generator[tuple[int, list[Any]], None, None] | None = None
    try:
        worksheet = _worksheet(book, path, sheet)
        worksheet.reset_dimensions()  # read to the last row there is, whatever <dimension ref> claims
        rows = _rows(path, worksheet)
        header_row, header_cells = next(rows, (0, []))
        if not header_row:
            expected = ", ".join(template.required)
            raise InputError(f"{path}: sheet {worksheet.title!r} is empty; expected a header row with the columns {expected} (see `kg import --help`)")
        header = [str(c.value).strip().lower() if c.value is not None else "" for c in header_cells]
        check_header(path, header, header_row, sheet=template)
    except BaseException:
        if rows is not None:
            rows.close()
        book.close()
        raise
    return header, _table(path, book, header, header_row, rows)


def check_expansion(path: Path) -> None:
    """Refuse a workbook whose parts would unpack to more than :data:`MAX_UNPACKED` bytes, before reading any.

    An .xlsx is a zip: 10 MB on disk unpacked to 146 MB and took a gigabyte
    of memory before the first error.  The sizes are those the zip declares;
    zipfile never gives more than the declared size of a member (it checks
    the length and the CRC as it reads), so they are a real bound.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip: openpyxl's own error names the problem
    if unpacked > MAX_UNPACKED:
        raise InputError(f"{path}: the workbook unpacks to {unpacked / 1e6:.0f} MB, more than the {MAX_UNPACKED / 1e6:.0f} MB kg import reads; "
                         "split it, or save the sheet as 'CSV UTF-8'")


def _worksheet(book: Any, path: Path, sheet: str | None) -> Any:
    if sheet is None:
        if not book.worksheets:
            raise InputError(f"{path}: the workbook has no worksheet")
        return book.worksheets[0]
    by_title = {w.title: w for w in book.worksheets}
    if sheet not in by_title:
        raise UsageError(f"--sheet {sheet!r}: no such worksheet in {path.name} (its worksheets: {', '.join(by_title) or 'none'})")
    return by_title[sheet]


def _rows(path: Path, worksheet: Any) -> Generator[tuple[int, list[Any]], None, None]:
    """The non-empty rows of the sheet, with their numbers, read one at a time."""
    cells = worksheet.iter_rows()
    number = 0
    try:
        while True:
            try:
                with warnings.catch_warnings():  # around each step only: a generator must not hold the global filters across its yields
                    warnings.simplefilter("ignore", UserWarning)
                    row = next(cells, None)
            except _BROKEN as error:
                raise InputError(f"{path}: sheet {worksheet.title!r} cannot be read ({type(error).__name__}: {error})") from None
            if row is None:
                return
            number += 1
            if any(c.value is not None and str(c.value).strip() for c in row):
                yield number, list(row)
    finally:
        cells.close()  # openpyxl's reader closes the sheet's stream: before the workbook, or the file outlives both


def _table(path: Path, book: Any, header: list[str], header_row: int,
           rows: Generator[tuple[int, list[Any]], None, None]) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows as the template's cells; closes the workbook when done (or abandoned)."""
    name = path.name
    try:
        for number, row in rows:
            notices.progress(f"{name}: row {number:,}")
            values: dict[str, str] = {}
            for index, cell in enumerate(row):
                column = header[index] if index < len(header) else ""
                where = Cell(name, number, column or "without a header", column_letter(index))
                text = _text(cell, where)
                if column:
                    values[column] = text
                elif text:
                    raise where.error(f"{text[:20]!r} is in a column that has no header in row {header_row}")
            yield number, {column: values.get(column, "") for column in header if column}
    finally:
        rows.close()  # abandoned on an error: close the sheet's stream, then the workbook (the order matters, see _rows)
        notices.progress_done()
        book.close()


def _text(cell: Any, where: Cell) -> str:
    """The text of one typed cell, or an error naming it."""
    value, kind = cell.value, getattr(cell, "data_type", "n")
    if value is None:
        return ""
    if kind == "f":
        shown = value if isinstance(value, str) else getattr(value, "text", None) or "an array formula"
        raise where.error(f"{str(shown)[:30]!r} is a formula; refused: paste the values instead (Paste special > Values)")
    if kind == "e":
        raise where.error(f"{value!r} is an error value, not text")
    if isinstance(value, bool):
        raise where.error(f"{str(value).upper()} is a TRUE/FALSE cell, not text")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | datetime.timedelta):
        shown = str(value.date() if isinstance(value, datetime.datetime) and value.time() == datetime.time() else value)
        raise where.error(f"{shown!r} is a date or time, not text; format the column as Text and type it again")
    raise where.error(f"{value!r} is a {type(value).__name__} value, not text")


def write(columns: Sequence[str], rows: Iterable[dict[str, str]], *, title: str = "mechanisms") -> bytes:
    """The bytes of a workbook with one sheet: the header row (bold, frozen), then the rows.

    >>> data = write(["mechanism_fr", "kind", "text_fr"], [{"mechanism_fr": "Webinaire", "kind": "limitation", "text_fr": "=pas une formule"}])
    >>> data[:2]  # a zip, as every .xlsx
    b'PK'
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new Workbook has one sheet
    sheet.title = title
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            text = row.get(column, "")
            if not text:
                continue
            try:
                cell = sheet.cell(row=number, column=index, value=int(text) if column == "position" and text.isdigit() else text)
            except IllegalCharacterError:
                raise InputError(f"row {number}, column {column}: a control character cannot be stored in an .xlsx cell: {text[:30]!r}") from None
            if cell.data_type == "f":
                cell.data_type = "s"  # text that starts with '=' stays text, as the reader takes it
    for index, column in enumerate(columns):
        sheet.column_dimensions[column_letter(index)].width = 40 if column.startswith(("text_", "description_")) else 18
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_titles(path: Path) -> list[str]:
    """The worksheet titles of a workbook, in order (to find its ``concepts`` sheet)."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            book = load_workbook(Path(path), read_only=True, data_only=False, keep_links=False)
        except Exception:  # the reader proper reports what is wrong with the file
            return []
        try:
            return [w.title for w in book.worksheets]
        finally:
            book.close()
