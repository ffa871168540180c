"""`kg import FILE.csv` and `kg export --format csv`: the template, the round trip, bad spreadsheets.

The shipped example data/seed-table.csv is the seed table in the template:
it must convert to exactly the statements of mechanisms.ttl,
translations.en.ttl and categorisation.ttl (an isomorphism check), and the
graph exported as CSV must convert back to the same triples.  What an
import does to the store is in test_import_store.py.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic, to_isomorphic

from kg.cli import main
from kg.core.errors import InputError, NonConformingError
from kg.graph.dataset import open_graph
from kg.tables import importing, template
from kg.tables import mechanisms as importer
from kg.tables.importing import import_table
from kg.tables.vocabulary import Vocabulary
from tests.paths import ROOT

SEED_CSV = ROOT / "data" / "seed-table.csv"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.of(open_graph())
HEADER = "mechanism_fr,mechanism_en,description_fr,description_en,kind,text_fr,text_en,categories,source\n"
# A mechanism from outside the table carries its own source: the table's (src:mechanisms-table-fr) is a
# ksm:VerbatimSource, and kg validate would ask its texts to be the table's, word for word.
WEBINAR = HEADER + (
    "Webinaire,Webinar,Une conférence en ligne.,An online conference.,objectif,Partager à distance,Share at a distance,"
    "objcat:knowledge-sharing,https://example.org/webinar-guide\n"
    "Webinaire,,,,avantage,Pas de déplacement,No travel,Accès à l'information,\n"
    "Webinaire,,,,limite,Connexion instable,Unstable connection,Langue de travail,\n"
)


def _csv(tmp_path: Path, text: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _data(*names: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in names:
        graph.parse(ROOT / "data" / name, format="turtle")
    return graph


def _turtle(triples: list) -> rdflib.Graph:  # type: ignore[type-arg]
    return rdflib.Graph().parse(data=importer.to_turtle(triples, "x").decode("utf-8"), format="turtle")


def test_seed_csv_converts_to_the_seed_statements() -> None:
    parsed = importing.parse(SEED_CSV, open_graph())
    assert (parsed.mechanisms, parsed.statements) == (6, 43)
    assert isomorphic(_turtle(parsed.triples), _data("mechanisms.ttl", "translations.en.ttl", "categorisation.ttl"))


def test_seed_csv_cannot_be_imported_over_the_bundled_graph(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["import", str(SEED_CSV), "--dry-run"])
    assert result.exit_code == 1
    assert "mech:community-of-practice is already described by the bundled graph" in result.output


def test_export_then_import_gives_the_same_triples(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exported = tmp_path / "graph.csv"
    result = runner.invoke(main, ["export", "--format", "csv", "--asserted-only", "--output", str(exported)])
    assert result.exit_code == 0, result.output
    text = exported.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(template.COLUMNS)
    assert "Voyage d'études" in text and "limcat:language" in text
    back = importing.parse(exported, open_graph())
    assert to_isomorphic(_turtle(back.triples)) == to_isomorphic(_template_triples())


_TEMPLATE_TRIPLES = """
CONSTRUCT { ?s ?p ?o } WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER (?g != <https://w3id.org/ksm/graph/inferred>)
  FILTER (STRSTARTS(STR(?s), "https://w3id.org/ksm/id/mechanism/") || STRSTARTS(STR(?s), "https://w3id.org/ksm/id/statement/"))
  FILTER (?p NOT IN (<http://www.w3.org/2004/02/skos/core#definition>, <http://www.w3.org/2004/02/skos/core#editorialNote>,
                     <http://www.w3.org/2004/02/skos/core#scopeNote>, <http://purl.org/dc/terms/relation>,
                     <https://w3id.org/ksm/ontology#continues>, <https://w3id.org/ksm/ontology#verbatimSha256>))
}
"""


def _template_triples() -> rdflib.Graph:
    """What the template can say of the bundled mechanisms: every asserted triple about them but notes and SDG relations.

    Nor the editors' reading of the table (ksm:continues, data/editorial-notes.ttl) and the checksums of its
    verbatim texts (ksm:verbatimSha256, data/source.ttl): bookkeeping about the table, not columns of a sheet.
    """
    triples = open_graph().select(_TEMPLATE_TRIPLES).triples
    return _turtle(triples)


def test_new_mechanism_gets_stable_iris_and_reimport_changes_nothing(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source, out = _csv(tmp_path, WEBINAR), tmp_path / "webinaire.ttl"
    first = runner.invoke(main, ["import", str(source), "--output", str(out)])
    assert first.exit_code == 0, first.output
    graph = rdflib.Graph().parse(out, format="turtle")
    mech = rdflib.URIRef("https://w3id.org/ksm/id/mechanism/webinaire")
    limitation = rdflib.URIRef("https://w3id.org/ksm/id/statement/webinaire-limitation-1")
    assert (mech, rdflib.URIRef("https://w3id.org/ksm/ontology#hasLimitation"), limitation) in graph
    assert (limitation, rdflib.URIRef("https://w3id.org/ksm/ontology#hasCategory"),
            rdflib.URIRef("https://w3id.org/ksm/id/limitation-category/language")) in graph
    before = (out.read_bytes(), out.stat().st_mtime_ns)
    second = import_table(source, output=out)
    assert (second.added, second.removed, second.written) == ([], [], False)
    assert "nothing new" in second.summary()
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before


def test_dry_run_shows_what_would_be_added_and_writes_nothing(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source, out = _csv(tmp_path, WEBINAR), tmp_path / "never.ttl"
    result = runner.invoke(main, ["import", str(source), "--dry-run", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "stmt:webinaire-benefit-1" in result.output
    assert "would be added" in result.output
    assert not out.exists()


def test_shape_violation_names_the_row_and_writes_nothing(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # a limitation has exactly one category; this one has two
    bad = WEBINAR.replace("Langue de travail,", '"Langue de travail; limcat:cost",')
    out = tmp_path / "out.ttl"
    result = runner.invoke(main, ["import", str(_csv(tmp_path, bad)), "--output", str(out)])
    assert result.exit_code == 1, result.output
    assert "row 4" in result.output and "nothing written" in result.output
    assert not out.exists()
    with pytest.raises(NonConformingError):
        import_table(_csv(tmp_path, bad), dry_run=True)


@pytest.mark.parametrize(
    ("text", "encoding", "message"),
    [
        ("mechanism_fr,kind\nWebinaire,limite\n", "utf-8", "missing column 'text_fr'"),
        (WEBINAR.replace("Langue de travail", "Langue de bois"), "utf-8", "row 4, column categories (H): unknown limitation category 'Langue de bois'"),
        (WEBINAR, "latin-1", "not UTF-8 text (byte 0xe9); save the spreadsheet as 'CSV UTF-8'"),
        ("", "utf-8", "empty file"),
        (HEADER, "utf-8", "no rows under the header"),
        (WEBINAR.replace("Pas de déplacement", "=cmd|' /C calc'!A0"), "utf-8", "row 3, column text_fr (F)"),
        (WEBINAR.replace("avantage", "opinion"), "utf-8", "row 3, column kind (E): 'opinion' is not one of"),
    ],
    ids=["missing-column", "unknown-category", "latin-1", "empty", "header-only", "formula", "unknown-kind"],
)
def test_bad_spreadsheets_get_one_line_errors(runner, tmp_path: Path, text: str, encoding: str, message: str) -> None:  # type: ignore[no-untyped-def]
    source = _csv(tmp_path, text, encoding=encoding)
    result = runner.invoke(main, ["import", str(source), "--output", str(tmp_path / "out.ttl")])
    assert result.exit_code == 3, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out.ttl").exists()


def test_formula_refused_but_apostrophe_means_text(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="CSV injection"):
        importer.parse(_csv(tmp_path, WEBINAR.replace("Pas de déplacement", "@SUM(1+1)")))
    mechanisms = importer.parse(_csv(tmp_path, WEBINAR.replace("Pas de déplacement", "'-moins de trajets")))
    assert mechanisms[0].statements[1].text_fr == "-moins de trajets"


def test_categories_by_code_or_label_in_either_language(tmp_path: Path, vocabulary: Vocabulary) -> None:
    for token in ("limcat:language", "Langue de travail", "working language", "https://w3id.org/ksm/id/limitation-category/language"):
        text = WEBINAR.replace("Langue de travail", token)
        source = _csv(tmp_path, text)
        triples, _ = importer.to_triples(importer.parse(source), source, vocabulary)
        categories = {t.object.value for t in triples if t.predicate.value.endswith("#hasCategory") and "limitation" in t.subject.value}
        assert categories == {"https://w3id.org/ksm/id/limitation-category/language"}, token


def _big_csv(tmp_path: Path) -> Path:
    """2,000 mechanisms x 5 statements = 10,000 rows, each one conforming."""
    lines = [HEADER]
    for i in range(2000):
        lines.append(f"Mécanisme {i},Mechanism {i},Description {i},About {i},objective,Objectif {i},Objective {i},objcat:debate,https://example.org/generated\n")
        for kind, cat in (("benefit", "Mise en relation"), ("benefit", "bencat:pooling"), ("limitation", "limcat:cost"), ("limitation", "Logistique")):
            lines.append(f"Mécanisme {i},,,,{kind},Énoncé {kind} {i},Statement {kind} {i},{cat},\n")
    return _csv(tmp_path, "".join(lines), "big.csv")


def test_ten_thousand_rows_convert_quickly(tmp_path: Path, vocabulary: Vocabulary) -> None:
    source = _big_csv(tmp_path)
    start = time.perf_counter()
    mechanisms = importer.parse(source)
    triples, _ = importer.to_triples(mechanisms, source, vocabulary)
    elapsed = time.perf_counter() - start
    assert (len(mechanisms), sum(len(m.statements) for m in mechanisms), len(triples)) == (2000, 10_000, 86_000)
    assert elapsed < 5, f"10,000 rows took {elapsed:.1f} s to convert"


def test_ten_thousand_rows_import_with_validation(tmp_path: Path) -> None:
    """A big spreadsheet is converted, reasoned and validated (pyshacl-turbo, the default engine) without a problem."""
    source = _big_csv(tmp_path)
    start = time.perf_counter()
    result = import_table(source, output=tmp_path / "big.ttl")
    assert result.written and result.statements == 10_000
    assert time.perf_counter() - start < 180


# --- .xlsx workbooks: the same template, read with openpyxl (kg.tables.workbook) ---

def _xlsx(tmp_path: Path, rows: list[list[object]], name: str = "t.xlsx", title: str = "Sheet1") -> Path:
    """A workbook whose first sheet holds the rows; a str starting with '=' becomes a formula cell, as in a spreadsheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _webinar_rows() -> list[list[object]]:
    return [list(line.split(",")) for line in WEBINAR.splitlines()]


def test_seed_exported_as_xlsx_imports_back_to_the_seed_statements(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exported = tmp_path / "graph.xlsx"
    result = runner.invoke(main, ["export", "--format", "xlsx", "--asserted-only", "-o", str(exported)])
    assert result.exit_code == 0, result.output
    assert exported.read_bytes()[:2] == b"PK" and not list(tmp_path.glob(".*.tmp"))
    back = importing.parse(exported, open_graph())
    assert (back.mechanisms, back.statements) == (6, 43)
    assert to_isomorphic(_turtle(back.triples)) == to_isomorphic(_template_triples())


def test_xlsx_import_gives_the_csv_triples_and_reimport_changes_nothing(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _webinar_rows()
    source, out = _xlsx(tmp_path, rows), tmp_path / "webinaire.ttl"
    first = runner.invoke(main, ["import", str(source), "--output", str(out)])
    assert first.exit_code == 0, first.output
    from_csv = import_table(_csv(tmp_path, "\n".join(",".join(map(str, r)) for r in rows) + "\n"), dry_run=True, validate=False)
    assert set(rdflib.Graph().parse(out, format="turtle")) == set(rdflib.Graph().parse(data=from_csv.turtle.decode(), format="turtle"))
    before = (out.read_bytes(), out.stat().st_mtime_ns)
    second = runner.invoke(main, ["import", str(source), "--output", str(out)])
    assert second.exit_code == 0 and "nothing new" in second.output
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before


def test_xlsx_cells_are_typed_text_numbers_not_formulas(tmp_path: Path) -> None:
    rows = _webinar_rows()
    rows[0].append("position")
    rows[1].append(1)  # a number cell in the position column
    rows[2][5] = "-moins de trajets"  # a text cell: text, whatever its first character
    rows[3][5] = 2024  # a number in a text column: its digits
    [mechanism] = importer.parse(_xlsx(tmp_path, rows))
    assert [(s.position, s.text_fr) for s in mechanism.statements] == [(1, "Partager à distance"), (1, "-moins de trajets"), (1, "2024")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: rows[3].__setitem__(4, '=IF(A1="","limite","")'), "row 4, column kind (E): '=IF(A1=\"\",\"limite\",\"\")' is a formula; refused"),
        (lambda rows: rows[2].__setitem__(6, datetime.date(2024, 3, 1)), "row 3, column text_en (G): '2024-03-01' is a date or time, not text"),
        (lambda rows: rows[2].__setitem__(6, True), "row 3, column text_en (G): TRUE is a TRUE/FALSE cell"),
        (lambda rows: rows[3].__setitem__(4, "opinion"), "row 4, column kind (E): 'opinion' is not one of"),
        (lambda rows: rows[0].remove("kind"), "row 1: missing column 'kind'"),
        (lambda rows: rows[2].append("stray"), "row 3, column without a header (J)"),
    ],
    ids=["formula", "date", "boolean", "unknown-kind", "missing-column", "no-header"],
)
def test_bad_workbooks_name_the_row_and_column(runner, tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    rows = _webinar_rows()
    change(rows)
    result = runner.invoke(main, ["import", str(_xlsx(tmp_path, rows)), "--output", str(tmp_path / "out.ttl")])
    assert result.exit_code == 3, result.output
    assert f"t.xlsx: {message}" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out.ttl").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (WEBINAR.encode("utf-8"), "not an .xlsx workbook (BadZipFile)"),  # a CSV renamed .xlsx
        (bytes(range(256)) * 4, "not an .xlsx workbook (BadZipFile)"),
        (b"", "empty file"),
        (None, "sheet 'Sheet1' is empty"),
    ],
    ids=["renamed-csv", "random-bytes", "zero-bytes", "empty-sheet"],
)
def test_not_a_workbook_is_one_line_exit_3(runner, tmp_path: Path, content: bytes | None, message: str) -> None:  # type: ignore[no-untyped-def]
    path = _xlsx(tmp_path, []) if content is None else tmp_path / "t.xlsx"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(main, ["import", str(path)])
    assert result.exit_code == 3, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_sheet_option_and_unknown_sheet_or_extension(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    path = _xlsx(tmp_path, [["notes"], ["not the template"]], title="Notes")
    book = load_workbook(path)
    data = book.create_sheet("Mécanismes")
    for row in _webinar_rows():
        data.append(row)
    book.save(path)
    assert runner.invoke(main, ["import", str(path)]).exit_code == 3  # the first sheet is not the template
    good = runner.invoke(main, ["import", str(path), "--sheet", "Mécanismes", "--dry-run"])
    assert good.exit_code == 0, good.output
    assert "stmt:webinaire-benefit-1" in good.output
    unknown = runner.invoke(main, ["import", str(path), "--sheet", "Feuil1"])
    assert unknown.exit_code == 2 and "--sheet 'Feuil1': no such worksheet in t.xlsx (its worksheets: Notes, Mécanismes)" in unknown.output
    csv_sheet = runner.invoke(main, ["import", str(_csv(tmp_path, WEBINAR)), "--sheet", "x"])
    assert csv_sheet.exit_code == 2 and "only an .xlsx workbook has sheets" in csv_sheet.output
    other = runner.invoke(main, ["import", str(_csv(tmp_path, WEBINAR, name="t.ods"))])
    assert other.exit_code == 2 and "reads .csv and .xlsx files" in other.output


def test_export_xlsx_needs_a_file(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["export", "--format", "xlsx"])
    assert result.exit_code == 2
    assert "-o FILE.xlsx" in result.output and "PK" not in result.output


def test_export_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from kg.tables import workbook

    path = tmp_path / "w.xlsx"
    path.write_bytes(workbook.write(template.COLUMNS, [{"mechanism_fr": "Webinaire", "kind": "limitation", "position": "2", "text_fr": "=1+1"}]))
    sheet = load_workbook(path).active
    assert sheet is not None
    assert (sheet["A1"].font.b, sheet.freeze_panes) == (True, "A2")
    assert (sheet["H2"].value, sheet["H2"].data_type, sheet["G2"].value) == ("=1+1", "s", 2)
    [mechanism] = importer.parse(path)
    assert (mechanism.statements[0].position, mechanism.statements[0].text_fr) == (2, "=1+1")


def test_ten_thousand_rows_of_xlsx_convert_quickly(tmp_path: Path, vocabulary: Vocabulary) -> None:
    import csv

    with _big_csv(tmp_path).open(encoding="utf-8", newline="") as handle:
        source = _xlsx(tmp_path, list(csv.reader(handle)), "big.xlsx")
    start = time.perf_counter()
    mechanisms = importer.parse(source)
    triples, _ = importer.to_triples(mechanisms, source, vocabulary)
    elapsed = time.perf_counter() - start
    assert (len(mechanisms), sum(len(m.statements) for m in mechanisms), len(triples)) == (2000, 10_000, 86_000)
    assert elapsed < 10, f"10,000 rows of xlsx took {elapsed:.1f} s to convert"
