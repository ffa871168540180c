"""Reading the source table (``mechanisms-table.fr.txt``) as it was received.

The table is tab-separated text extracted from a document: a row broken
across pages continues on a line whose first cell is empty, some cells are
wrapped in ``<p>`` tags, and a dashed line closes it.  This reader rebuilds
the six rows, cell by cell, so that tests (and imports) can compare the
graph with the table word for word.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("mechanism", "description", "objectives", "benefits", "limitations")


@dataclass(frozen=True)
class SeedRow:
    mechanism: str
    description: str
    objectives: str
    benefits: str
    limitations: str


def _clean(cell: str) -> str:
    return re.sub(r"</?p>", "", cell)


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def verbatim_checksum(text: str) -> str:
    """The SHA-256 of a text as data/source.ttl records it (``ksm:verbatimSha256``): hexadecimal, of its UTF-8 bytes.

    ``kg validate`` recomputes it with SPARQL's SHA256() (ontology/shapes.ttl,
    ksmsh:Verbatim-*), so a word changed in a text taken from the table shows.

    >>> verbatim_checksum("Réseau")[:16]
    'b5f96c04b7484349'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_table(path: Path) -> list[SeedRow]:
    """The table's rows, continuation lines merged, tags removed, spaces collapsed.

    >>> import tempfile, pathlib
    >>> text = "M\\tD\\tO\\tA\\tL\\nRéseau\\tLe réseau est\\tpromouvoir\\tA\\tB\\n\\t<p>compris</p>\\t\\tC\\t\\n--\\t--\\t--\\t--\\t--\\n"
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"; _ = p.write_text(text, encoding="utf-8")
    >>> read_table(p)[0].description
    'Le réseau est compris'
    """
    rows: list[list[str]] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or set(line) <= set("-\t "):
            continue
        cells = [_clean(c) for c in line.split("\t")]
        cells += [""] * (len(COLUMNS) - len(cells))
        if not cells[0].strip() and rows:
            rows[-1] = [f"{a} {b}" if b.strip() else a for a, b in zip(rows[-1], cells, strict=False)]
        else:
            rows.append(cells)
    return [SeedRow(*(normalise_space(c) for c in row[: len(COLUMNS)])) for row in rows[1:]]
