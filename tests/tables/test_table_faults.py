"""Spreadsheets that would lose rows silently: a stray CSV quote, an xlsx understating its size, a zip bomb.

Each was seen importing with exit 0 and rows missing; now each is an error
naming the row (or the limit), or the rows are all there.
"""

from __future__ import annotations

import io
import re
import types
import zipfile
from pathlib import Path

import pytest

from kg.cli import main
from kg.core import notices
from kg.core.errors import InputError
from kg.tables import csvfile, workbook
from kg.tables import mechanisms as importer
from kg.tables.importing import import_table

HEADER = "mechanism_fr,kind,text_fr,text_en,categories\n"
GOOD_ROW = "Forum,avantage,Rencontre directe,Direct meeting,Accès à l'information\n"


def _rows_of(text: str, tmp_path: Path) -> list[tuple[int, dict[str, str]]]:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    _, rows = csvfile.read_rows(path)
    return list(rows)


def _twelve_rows(row_12: str, after: str) -> str:
    """A table whose row 12 (as a spreadsheet numbers it: the header is row 1) is ``row_12``."""
    rows = [f"M{i},limite,Texte {i},Text {i},Langue de travail\n" for i in range(2, 12)]
    return HEADER + "".join(rows) + row_12 + after


@pytest.mark.parametrize(("after", "message"), [
    (GOOD_ROW, r"row 12 \(line 12\): a quote \(\"\) opened in this row is never closed"),  # the quote runs to the end of the file
    ('Forum,avantage,"Rencontre",Direct meeting,\n', r"row 12 \(line 12\): a quote .* closes only on line 13"),  # it closes at the next quote
    ('Forum,avantage,Rencontre,Meeting",\n', r"row 12, column text_en \(D\): the cell holds line 13 of the file, which reads as a row"),
])
def test_a_stray_quote_names_its_row_instead_of_swallowing_rows(tmp_path: Path, after: str, message: str) -> None:
    text = _twelve_rows('Webinaire,limite,Connexion instable,"Unstable connection,Langue de travail\n', after)
    with pytest.raises(InputError, match=message):
        _rows_of(text, tmp_path)


def test_a_line_break_where_the_template_has_none_is_a_stray_quote(tmp_path: Path) -> None:
    text = HEADER + 'Webinaire,"limite\nForum",Connexion,Connection,Langue de travail\n'
    with pytest.raises(InputError, match=r"row 2, column kind \(B\): the cell runs over lines 2-3"):
        _rows_of(text, tmp_path)


def test_a_text_with_line_breaks_and_commas_is_still_a_text(tmp_path: Path) -> None:
    text = HEADER + '"Webinaire",limite,"Connexion instable,\nsurtout le soir, en zone rurale, hors saison",Unstable,Langue de travail\n' + GOOD_ROW
    rows = _rows_of(text, tmp_path)
    assert [n for n, _ in rows] == [2, 3]
    assert rows[0][1]["text_fr"] == "Connexion instable,\nsurtout le soir, en zone rurale, hors saison"


def test_the_import_names_the_row_and_exits_3(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "stray.csv"
    path.write_text(_twelve_rows('Webinaire,limite,Connexion instable,"Unstable connection,Langue de travail\n', GOOD_ROW), encoding="utf-8")
    result = runner.invoke(main, ["import", str(path), "--dry-run"])
    assert result.exit_code == 3, result.output
    assert "row 12" in result.stderr and "Traceback" not in result.output


def test_a_source_that_is_not_an_iri_names_row_and_column(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "source.csv"
    path.write_text("mechanism_fr,kind,text_fr,source\nWebinaire,limite,Connexion,http://ex.org/a>b\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(path), "--dry-run"])
    assert result.exit_code == 3, result.output
    assert "row 2, column source" in result.stderr and "http://ex.org/a>b" in result.stderr


def test_the_csv_reader_reports_progress_per_row(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    monkeypatch.setattr(notices, "progress", lambda message, **_: seen.append(message))
    _rows_of(HEADER + GOOD_ROW * 3, tmp_path)
    assert seen == ["t.csv: row 2", "t.csv: row 3", "t.csv: row 4"]


# ------------------------------------------------------------------ workbooks


def _rewrite(data: bytes, member: str, change) -> bytes:  # type: ignore[no-untyped-def]
    """The same workbook with one zip member changed by ``change`` (bytes -> bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, change(body) if item.filename == member else body)
    return out.getvalue()


def _workbook(rows: int) -> bytes:
    columns = ["mechanism_fr", "kind", "text_fr", "text_en", "categories"]
    return workbook.write(columns, [{"mechanism_fr": f"Mécanisme {i}", "kind": "limitation", "text_fr": f"Limite {i}",
                                     "text_en": f"Limit {i}", "categories": "limcat:language"} for i in range(rows)])


def test_an_xlsx_that_understates_its_dimension_loses_no_row(tmp_path: Path) -> None:
    """openpyxl's read-only mode stops at <dimension ref>: a file claiming A1:E12 for 23 rows lost 11 of them."""
    data = _rewrite(_workbook(22), "xl/worksheets/sheet1.xml", lambda body: re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:E12"/>', body))
    assert b'<dimension ref="A1:E12"/>' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    path = tmp_path / "understated.xlsx"
    path.write_bytes(data)
    mechanisms = importer.parse(path)
    assert len(mechanisms) == 22
    result = import_table(path, dry_run=True, validate=False)
    assert result.statements == 22


def test_an_xlsx_that_unpacks_past_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    padding = b" " * (workbook.MAX_UNPACKED + 1)  # compresses to some 100 KB: a zip bomb in miniature
    data = _rewrite(_workbook(2), "xl/worksheets/sheet1.xml", lambda body: body.replace(b"<sheetData>", padding + b"<sheetData>", 1))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    assert path.stat().st_size < 2_000_000
    with pytest.raises(InputError, match=r"unpacks to 100 MB, more than the 100 MB kg import reads"):
        workbook.read_rows(path)


def test_xlsx_rows_are_read_as_they_are_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    path.write_bytes(_workbook(3))
    header, rows = workbook.read_rows(path)
    assert header[:2] == ["mechanism_fr", "kind"]
    assert isinstance(rows, types.GeneratorType)  # a workbook of 100,000 rows is not held whole
    assert [number for number, _ in rows] == [2, 3, 4]
