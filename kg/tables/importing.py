"""Running an import: parse the spreadsheet, validate, compare, then write whole or not at all.

The order matters: the generated triples are checked with the SHACL shapes
and the quality checks (kg.quality.validate, after OWL RL reasoning over the
ontology and the new triples) before the output file is touched, and the
file is then replaced atomically, so a failed import leaves nothing half
written.  Re-importing the same spreadsheet changes nothing: the IRIs come
from the names and the Turtle is byte-identical, so the file is left alone.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core import atomic
from kg.core.errors import NonConformingError
from kg.core.namespaces import shorten
from kg.graph import rdfio
from kg.tables import mechanisms as importer


@dataclass
class ImportResult:
    source: Path
    output: Path | None
    turtle: bytes
    triples: list[ox.Triple]
    mechanisms: int
    statements: int
    dry_run: bool = False
    added: list[ox.Triple] = field(default_factory=list)
    removed: list[ox.Triple] = field(default_factory=list)
    written: bool = False

    def summary(self) -> str:
        where = str(self.output) if self.output else "the graph"
        if not self.added and not self.removed:
            return f"{self.source.name}: {self.mechanisms} mechanism(s), {self.statements} statement(s), {len(self.triples)} triples; nothing new for {where}"
        verb = "would be added to" if self.dry_run else "added to" if self.written else "new to"
        extra = f", {len(self.removed)} removed" if self.removed else ""
        return (f"{self.source.name}: {self.mechanisms} mechanism(s), {self.statements} statement(s); "
                f"{len(self.added)} triples {verb} {where}{extra}")

    def added_turtle(self) -> bytes:
        return ox.serialize(self.added, format=ox.RdfFormat.TURTLE, prefixes=importer.used_prefixes(self.added)) or b""


def validate_triples(turtle: bytes, rows: dict[str, int], source_name: str) -> None:
    """Raise NonConformingError (exit 1) naming the row if the triples break a shape or a check."""
    from kg.quality.validate import validate

    with tempfile.TemporaryDirectory(prefix="kg-import-") as folder:
        path = Path(folder) / "import.ttl"
        path.write_bytes(turtle)
        report = validate([path])
    problems = [v for v in report.violations if v.severity == "Violation"]
    if not problems:
        return
    by_curie = {shorten(iri): row for iri, row in rows.items()}
    first = problems[0]
    row = by_curie.get(first.focus)
    where = f"row {row}: " if row else ""
    path_text = f" {first.path}" if first.path else ""
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    raise NonConformingError(f"{source_name}: {where}{first.focus}{path_text}: {first.message('en')} [{first.source}]{more}; nothing written")


def baseline(output: Path | None, *, against_graph: bool) -> set[ox.Triple]:
    """What is there already: the output file's triples, and the bundled data's if asked."""
    known: set[ox.Triple] = set()
    if output is not None and Path(output).is_file():
        known.update(q.triple for q in rdfio.read_quads(Path(output)))
    if against_graph:
        from kg.core import resources

        for path in resources.data_files():
            known.update(q.triple for q in rdfio.read_quads(path))
    return known


def import_csv(source: Path, *, output: Path | None = None, dry_run: bool = False, validate: bool = True, sheet: str | None = None) -> ImportResult:
    """Turn a spreadsheet in the template into Turtle; validate; write to ``output`` unless a dry run.

    The spreadsheet is a ``.csv`` file or an ``.xlsx`` workbook (its first
    worksheet, or ``sheet``); the name stays for the callers of the CSV-only days.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("mechanism_fr,kind,text_fr,categories\\nWebinaire,limite,Connexion instable,Accès à internet\\n", encoding="utf-8")
    >>> result = import_csv(p, dry_run=True, validate=False)
    >>> [t.subject.value.rsplit("/", 1)[-1] for t in result.triples][-1]
    'webinaire-limitation-1'
    """
    source = Path(source)
    mechanisms = importer.parse(source, sheet=sheet)
    triples, rows = importer.to_triples(mechanisms, source)
    turtle = importer.to_turtle(triples, source.name)
    if validate:
        validate_triples(turtle, rows, source.name)
    known = baseline(output, against_graph=output is None)
    fresh = set(triples)
    result = ImportResult(
        source=source,
        output=output,
        turtle=turtle,
        triples=triples,
        mechanisms=len(mechanisms),
        statements=sum(len(m.statements) for m in mechanisms),
        dry_run=dry_run,
        added=[t for t in triples if t not in known],
        removed=sorted((t for t in known - fresh), key=str) if output is not None else [],
    )
    if output is not None and not dry_run:
        unchanged = Path(output).is_file() and Path(output).read_bytes() == turtle
        if not unchanged:
            atomic.write_bytes(Path(output), turtle)
            result.written = True
    return result
