"""The spreadsheet template of ``kg import`` and ``kg export``: its columns, kinds and cells.

Readers (kg.tables.csvfile, kg.tables.workbook) and the converter
(kg.tables.mechanisms) share these definitions; error messages name the row
(as a spreadsheet shows it, the header being row 1) and the column, by name
and letter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.core.errors import InputError

COLUMNS = (
    "mechanism_id", "mechanism_fr", "mechanism_en", "description_fr", "description_en",
    "kind", "position", "text_fr", "text_en", "categories", "source",
)
REQUIRED = ("mechanism_fr", "kind", "text_fr")
MECHANISM_COLUMNS = ("mechanism_id", "mechanism_en", "description_fr", "description_en", "source")
KINDS = {
    "objective": ("Objective", "hasObjective", "objective-categories"),
    "benefit": ("Benefit", "hasBenefit", "benefit-categories"),
    "limitation": ("Limitation", "hasLimitation", "limitation-categories"),
    "success-factor": ("SuccessFactor", "hasSuccessFactor", None),
}
KIND_ALIASES = {"objectif": "objective", "avantage": "benefit", "limite": "limitation", "facteur de succès": "success-factor",
                "facteur de succes": "success-factor", "success factor": "success-factor"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

SUFFIXES = (".csv", ".xlsx")



def slug(name: str) -> str:
    """The IRI slug of a French name: no accents, lowercase, words joined by '-'.

    >>> slug("Voyage d'études"), slug("Mise en œuvre"), slug("  Webinaire ")
    ('voyage-d-etudes', 'mise-en-oeuvre', 'webinaire')
    """
    text = name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Cell:
    """Where a value came from, for error messages."""

    file: str
    row: int
    column: str
    letter: str

    def error(self, message: str) -> InputError:
        return InputError(f"{self.file}: row {self.row}, column {self.column} ({self.letter}): {message}")


def check_header(path: Path, header: list[str], row: int = 1) -> None:
    """Refuse a header without the required columns, or with one the template does not know."""
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"{path}: row {row}: missing column {', '.join(repr(m) for m in missing)} (the template needs {', '.join(REQUIRED)})")
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise InputError(f"{path}: row {row}: unknown column {unknown[0]!r} (the template's columns are {', '.join(COLUMNS)})")
