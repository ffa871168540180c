"""The spreadsheet templates of ``kg import`` and ``kg export``: their columns, kinds and cells.

Two sheets.  **mechanisms**: one row per statement (objective, benefit,
limitation, success factor) of a mechanism, the mechanism's own columns
(names, descriptions, mode, tools, scale, mappings...) on any of its rows.
**concepts**: one row per concept a user adds to our schemes (a new
category, tool or requirement), so that nothing has to be filed under a
wrong category.  Readers (kg.tables.csvfile, kg.tables.workbook) and the
converters (kg.tables.mechanisms, kg.tables.concepts) share these
definitions; error messages name the row (as a spreadsheet shows it, the
header being row 1) and the column, by name and letter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.core.errors import InputError


@dataclass(frozen=True)
class Sheet:
    """One template: its columns in order, which are required, and what each means."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    help: dict[str, str]


# Columns that describe the mechanism (given on any of its rows, the same each time).
MECHANISM_COLUMNS = (
    "mechanism_id", "mechanism_en", "description_fr", "description_en",
    "mode", "tools", "requirements", "products", "formats", "scale", "formality", "group_size",
    "exact_match", "close_match", "broad_match", "narrow_match", "related_match",
)
# Columns of one statement (one row).
STATEMENT_COLUMNS = ("kind", "position", "text_fr", "text_en", "categories", "source", "source_language", "translated_by")

MECHANISMS = Sheet(
    name="mechanisms",
    columns=(
        "mechanism_id", "mechanism_fr", "mechanism_en", "description_fr", "description_en",
        "kind", "position", "text_fr", "text_en", "categories", "source", "source_language", "translated_by",
        "mode", "tools", "requirements", "products", "formats", "scale", "formality", "group_size",
        "exact_match", "close_match", "broad_match", "narrow_match", "related_match",
    ),
    required=("mechanism_fr", "kind", "text_fr"),
    help={
        "mechanism_fr": "French name of the mechanism (its skos:prefLabel)",
        "mechanism_id": "IRI slug, mech:<id>; default: the slug of the French name",
        "mechanism_en": "English name",
        "description_fr": "what it is, in French",
        "description_en": "what it is, in English",
        "kind": ("objective, benefit, limitation or success-factor (objectif, avantage, limite, facteur de succès); "
                 "empty on a row that only describes the mechanism"),
        "position": "rank of the statement among those of its kind (1, 2...); default: the order of the rows",
        "text_fr": "the statement in French",
        "text_en": "the statement in English",
        "categories": ("categories of the statement from the scheme of its kind, ';'-separated: CURIE or French/English label; "
                       "a limitation has exactly one"),
        "source": ("where the row's statement comes from: an IRI, a CURIE (src:..., with one of our prefixes) or a citation in words; "
                   "';' separates several, so a citation cannot contain one. A row without one takes its mechanism's"),
        "source_language": "the language the source is written in (fr or en; default fr): the text in the other language is a translation",
        "translated_by": "who translated it (a name, an organisation or a tool)",
        "mode": "in-person, online or hybrid (en présentiel, en ligne, hybride); ';' between the modes a mechanism can run in",
        "tools": "tools it uses (scheme tools), ';'-separated",
        "requirements": "what it depends on (scheme requirements), ';'-separated",
        "products": "what it offers (scheme products), ';'-separated",
        "formats": "its formats (scheme formats), ';'-separated",
        "scale": "local, regional, national, international or sectoral, ';'-separated",
        "formality": "formal or informal, ';'-separated",
        "group_size": "participants: N, N-M or N- (at least N); 2-2 is one-to-one",
        "exact_match": "concepts of loaded vocabularies (IRI or CURIE) that are the same, ';'-separated",
        "close_match": "concepts that are nearly the same",
        "broad_match": "broader concepts",
        "narrow_match": "narrower concepts",
        "related_match": "related concepts",
    },
)

CONCEPTS = Sheet(
    name="concepts",
    columns=("concept_id", "scheme", "label_fr", "label_en", "definition_fr", "definition_en", "broader",
             "signals_requirement", "signals_obstacle", "requires", "source"),
    required=("concept_id", "scheme", "label_fr", "label_en"),
    help={
        "concept_id": "IRI slug of the new concept",
        "scheme": "objective-categories, benefit-categories, limitation-categories, tools, requirements, products, formats, scales or formality",
        "label_fr": "French label",
        "label_en": "English label",
        "definition_fr": "definition in French",
        "definition_en": "definition in English",
        "broader": "a broader concept of the same scheme (CURIE or label); default: a top concept",
        "signals_requirement": "for a limitation category: the requirement its limitations reveal (the mechanism depends on it)",
        "signals_obstacle": "for a limitation category: the requirement its limitations make harder without depending on it",
        "requires": "for a tool: the requirements it needs, ';'-separated",
        "source": "where the concept comes from (IRI, CURIE or citation)",
    },
)

# Kept for the callers of the one-sheet days.
COLUMNS = MECHANISMS.columns
REQUIRED = MECHANISMS.required

KINDS = {
    "objective": ("Objective", "hasObjective", "objective-categories"),
    "benefit": ("Benefit", "hasBenefit", "benefit-categories"),
    "limitation": ("Limitation", "hasLimitation", "limitation-categories"),
    "success-factor": ("SuccessFactor", "hasSuccessFactor", None),
}
KIND_ALIASES = {"objectif": "objective", "avantage": "benefit", "limite": "limitation", "facteur de succès": "success-factor",
                "facteur de succes": "success-factor", "success factor": "success-factor"}

# Scheme name -> (class of its members, namespace of new members' IRIs, mechanism property or None).
SCHEMES: dict[str, tuple[str, str, str | None]] = {
    "objective-categories": ("Category", "objective-category/", None),
    "benefit-categories": ("Category", "benefit-category/", None),
    "limitation-categories": ("Category", "limitation-category/", None),
    "tools": ("Tool", "concept/", "usesTool"),
    "requirements": ("Requirement", "concept/", "dependsOn"),
    "products": ("Product", "concept/", "offersProduct"),
    "formats": ("Format", "concept/", "hasFormat"),
    "scales": ("Scale", "concept/", "operatesAtScale"),
    "formality": ("Formality", "concept/", "formality"),
}
# Mechanism column -> the scheme its values come from.
FEATURE_COLUMNS = {"tools": "tools", "requirements": "requirements", "products": "products", "formats": "formats",
                   "scale": "scales", "formality": "formality"}
MATCH_COLUMNS = {"exact_match": "exactMatch", "close_match": "closeMatch", "broad_match": "broadMatch",
                 "narrow_match": "narrowMatch", "related_match": "relatedMatch"}
# schema.org's attendance modes, the values of ksm:interactionMode.
MODES = {
    "in-person": "OfflineEventAttendanceMode", "in person": "OfflineEventAttendanceMode", "offline": "OfflineEventAttendanceMode",
    "en présentiel": "OfflineEventAttendanceMode", "présentiel": "OfflineEventAttendanceMode", "en personne": "OfflineEventAttendanceMode",
    "online": "OnlineEventAttendanceMode", "en ligne": "OnlineEventAttendanceMode", "à distance": "OnlineEventAttendanceMode",
    "hybrid": "MixedEventAttendanceMode", "hybride": "MixedEventAttendanceMode", "mixed": "MixedEventAttendanceMode",
}
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


def check_header(path: Path, header: list[str], row: int = 1, *, sheet: Sheet = MECHANISMS) -> None:
    """Refuse a header without the required columns, or with one the template does not know."""
    missing = [c for c in sheet.required if c not in header]
    if missing:
        raise InputError(f"{path}: row {row}: missing column {', '.join(repr(m) for m in missing)} "
                         f"(the {sheet.name} template needs {', '.join(sheet.required)})")
    unknown = [h for h in header if h and h not in sheet.columns]
    if unknown:
        raise InputError(f"{path}: row {row}: unknown column {unknown[0]!r} (the {sheet.name} template's columns are {', '.join(sheet.columns)})")


def split(value: str) -> list[str]:
    """The ';'-separated values of a cell, stripped, empty ones dropped."""
    return [v.strip() for v in value.split(";") if v.strip()]
