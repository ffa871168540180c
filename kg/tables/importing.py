"""Running an import: the spreadsheet joins the living graph, checked against it, whole or not at all.

``kg import FILE`` adds the file's mechanisms (and the concepts of its
concepts sheet) to the persistent store as one named graph,
``graph/import/<file stem>``, in one transaction (kg.graph.diskstore): the
graph is re-reasoned, then the SHACL shapes and the quality checks run on
what the import can have affected in the union of every graph
(kg.quality.scope), and only a union that conforms goes live.
Re-importing the same file replaces its graph (and changes nothing when the
file did not change).

Before that, the import is checked against the graph it joins:

- an IRI it mints (a mechanism, a statement, a concept) that another graph
  already describes is refused with its row, unless ``replace`` is given,
  which takes those resources over from the other imported or loaded graph
  (never from a bundled one);
- a mechanism label that already names another mechanism is reported;
- a concept a mapping column points to must be in the graph (a loaded
  vocabulary), else the row is refused.

``--output FILE`` writes the Turtle instead of joining the store, and
``--dry-run`` checks everything and changes nothing; both check against the
graph as it is.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core import atomic, notices
from kg.core.errors import InputError, NonConformingError
from kg.core.namespaces import INFERRED_GRAPH, PREFIXES, shorten
from kg.graph import diskstore
from kg.graph.store import KnowledgeGraph
from kg.tables import concepts as concept_sheet
from kg.tables import mechanisms as importer
from kg.tables.sources import Sources
from kg.tables.template import MATCH_COLUMNS, slug
from kg.tables.vocabulary import Vocabulary, key

_SKOS = PREFIXES["skos"]


@dataclass
class ImportResult:
    source: Path
    graph: str
    output: Path | None
    triples: list[ox.Triple]
    mechanisms: int
    statements: int
    concepts: int
    dry_run: bool = False
    added: list[ox.Triple] = field(default_factory=list)
    removed: list[ox.Triple] = field(default_factory=list)
    written: bool = False
    notes: list[str] = field(default_factory=list)
    store_total: int = 0

    def summary(self) -> str:
        what = f"{self.source.name}: {self.mechanisms} mechanism(s), {self.statements} statement(s)"
        if self.concepts:
            what += f", {self.concepts} concept(s)"
        where = str(self.output) if self.output else f"<{self.graph}>"
        if not self.added and not self.removed:
            return f"{what}, {len(self.triples)} triples; nothing new for {where}"
        verb = "would be added to" if self.dry_run else "added to" if self.written else "new to"
        extra = f", {len(self.removed)} removed" if self.removed else ""
        tail = f"; the store holds {self.store_total} triples" if self.store_total and not self.dry_run else ""
        return f"{what}; {len(self.added)} triples {verb} {where}{extra}{tail}"

    @functools.cached_property
    def turtle(self) -> bytes:
        """The file's triples as Turtle (what ``--output`` writes), made when asked: an import into the store does not need it."""
        return importer.to_turtle(self.triples, self.source.name)

    def added_turtle(self) -> bytes:
        return ox.serialize(self.added, format=ox.RdfFormat.TURTLE, prefixes=importer.used_prefixes(self.added)) or b""


@dataclass
class _Parsed:
    triples: list[ox.Triple]
    rows: dict[str, int]  # subject IRI -> row
    minted: list[str]  # the IRIs this import describes as its own
    mechanisms: int
    statements: int
    concepts: int
    matches: list[tuple[str, str, int]]  # (mapped concept, column, row)
    labels: dict[str, tuple[str, int]]  # mechanism IRI -> (label, row), both languages


def graph_name(source: Path) -> str:
    """``graph/import/<slug of the file stem>``: the same file always lands in the same graph.

    >>> graph_name(Path("Mes mécanismes.xlsx"))
    'https://w3id.org/ksm/graph/import/mes-mecanismes'
    """
    stem = source.name[: -len(source.suffix)] if source.suffix else source.name
    return diskstore.IMPORT_GRAPH + (slug(stem) or "table")


def _concepts_source(source: Path, concepts: Path | None, sheet: str | None) -> tuple[Path, str | None] | None:
    """Where the concepts sheet is: ``--concepts FILE``, else a worksheet named "concepts" of the workbook."""
    if concepts is not None:
        return concepts, "concepts" if concepts.suffix.lower() == ".xlsx" and _has_sheet(concepts, "concepts") else None
    if source.suffix.lower() == ".xlsx" and sheet != "concepts" and _has_sheet(source, "concepts"):
        return source, "concepts"
    return None


def _has_sheet(path: Path, title: str) -> bool:
    from kg.tables import workbook

    return title in workbook.sheet_titles(path)


def _mechanism_sheet(source: Path, sheet: str | None) -> str | None:
    """The mechanisms sheet: ``--sheet``, else the first worksheet that is not the concepts sheet."""
    if sheet is not None or source.suffix.lower() != ".xlsx":
        return sheet
    from kg.tables import workbook

    titles = workbook.sheet_titles(source)
    if titles and titles[0] == "concepts":
        return next((t for t in titles[1:]), None)
    return None


def parse(source: Path, graph: KnowledgeGraph, *, sheet: str | None = None, concepts: Path | None = None) -> _Parsed:
    """Read both sheets and turn them into triples, resolving names against ``graph``."""
    mechanisms = importer.parse(source, sheet=_mechanism_sheet(source, sheet))
    vocabulary = Vocabulary.of(graph)
    new_concepts: list[concept_sheet.Concept] = []
    where = _concepts_source(source, concepts, sheet)
    if where is not None:
        new_concepts = concept_sheet.parse(where[0], sheet=where[1])
        concept_sheet.register(new_concepts, vocabulary)
    sources = Sources(source.name)
    concept_triples, concept_rows = concept_sheet.to_triples(new_concepts, where[0] if where else source, vocabulary, sources)
    mechanism_triples, rows = importer.to_triples(mechanisms, source, vocabulary)
    triples = list(dict.fromkeys(concept_triples + sources.triples() + mechanism_triples))
    minted = list(concept_rows) + list(rows)
    matches = []
    labels: dict[str, tuple[str, int]] = {}
    for t in mechanism_triples:
        predicate = t.predicate.value
        if predicate.startswith(_SKOS) and predicate[len(_SKOS):] in MATCH_COLUMNS.values():
            column = next(c for c, p in MATCH_COLUMNS.items() if _SKOS + p == predicate)
            matches.append((t.object.value, column, rows.get(t.subject.value, 0)))  # type: ignore[union-attr]
        elif predicate == _SKOS + "prefLabel" and t.subject.value.startswith(PREFIXES["mech"]):  # type: ignore[union-attr]
            labels[f"{t.subject.value}\0{t.object.value}"] = (t.object.value, rows.get(t.subject.value, 0))  # type: ignore[union-attr]
    return _Parsed(
        triples=triples, rows={**concept_rows, **rows}, minted=minted, mechanisms=len(mechanisms),
        statements=sum(len(m.statements) for m in mechanisms), concepts=len(new_concepts), matches=matches, labels=labels,
    )


def _described_elsewhere(store: ox.Store, iri: str, graph: str) -> list[str]:
    """The named graphs other than ``graph`` (and the inferred one) where ``iri`` is described, in order."""
    left_out = {graph, INFERRED_GRAPH}
    return sorted({q.graph_name.value for q in store.quads_for_pattern(ox.NamedNode(iri), None, None)
                   if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in left_out})


def _check_against(store: ox.Store, kinds: dict[str, str], parsed: _Parsed, graph: str, file: str, *, replace: bool) -> tuple[list[str], list[ox.Quad]]:
    """Refuse what clashes with the graph the import joins; return notes and the quads ``replace`` takes over."""
    notes: list[str] = []
    taken: list[ox.Quad] = []
    for iri in parsed.minted:
        elsewhere = _described_elsewhere(store, iri, graph)
        if not elsewhere:
            continue
        row = parsed.rows.get(iri, 0)
        bundled = [g for g in elsewhere if kinds.get(g) == "bundled" or (kinds.get(g) is None and not g.startswith(diskstore.USER_GRAPH)
                   and not g.startswith(diskstore.IMPORT_GRAPH))]
        if bundled:
            raise NonConformingError(f"{file}: row {row}: {shorten(iri)} is already described by the bundled graph <{bundled[0]}>, "
                                     "which an import does not change; give the mechanism another mechanism_id")
        if not replace:
            raise NonConformingError(f"{file}: row {row}: {shorten(iri)} is already described by <{elsewhere[0]}>; "
                                     "give it another id, or import with --replace to take it over")
        for g in elsewhere:
            taken.extend(store.quads_for_pattern(ox.NamedNode(iri), None, None, ox.NamedNode(g)))
    for concept, column, row in parsed.matches:
        if not any(True for _ in store.quads_for_pattern(ox.NamedNode(concept), None, None)):
            raise NonConformingError(f"{file}: row {row}, column {column}: {shorten(concept)} is not in the graph; "
                                     "`kg load` its vocabulary first, or check the IRI")
    own = {iri.split("\0")[0] for iri in parsed.labels}
    named = _mechanisms_by_name(store) if parsed.labels else {}
    for name, (label, row) in sorted(parsed.labels.items()):
        mechanism = name.split("\0")[0]
        for other in named.get(key(label), []):
            if other != mechanism and other not in own:
                notes.append(f"{file}: row {row}: {label!r} already names {shorten(other)}; {shorten(mechanism)} is another mechanism of that name")
    return notes, taken


_NAMED = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX ksm: <https://w3id.org/ksm/ontology#>
SELECT DISTINCT ?m ?label WHERE { ?m a ksm:Mechanism ; skos:prefLabel|skos:altLabel ?label }
"""


def _mechanisms_by_name(store: ox.Store) -> dict[str, list[str]]:
    """The mechanisms of the graph by the key of each of their names (kg.tables.vocabulary.key), read once."""
    found: dict[str, set[str]] = {}
    for row in KnowledgeGraph(store=store).select(_NAMED).rows:
        found.setdefault(key(row["label"].value), set()).add(row["m"].value)  # type: ignore[union-attr]
    return {name: sorted(mechanisms) for name, mechanisms in found.items()}


def _conformance(store: ox.Store, what: diskstore.Change, parsed: _Parsed, file: str, unchanged: str) -> None:
    """Shapes and checks on what the import can have affected (kg.quality.scope); a refusal names the row of the resource at fault."""
    from kg.quality.validate import validate_change

    report = validate_change(store, what)
    problems = [v for v in report.violations if v.severity == "Violation"]
    if not problems:
        return
    rows = {shorten(iri): row for iri, row in parsed.rows.items()}
    first = next((v for v in problems if v.focus in rows), problems[0])
    where = f"row {rows[first.focus]}: " if first.focus in rows else ""
    path = f" {first.path}" if first.path else ""
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    raise NonConformingError(f"{file}: {where}{first.focus}{path}: {first.message('en')} [{first.source}]{more}; {unchanged}",
                             details=report.render("en") if len(problems) > 1 else "")


class _Rollback(Exception):
    """Ends a dry run's transaction after its checks, so that nothing changes."""


def import_table(source: Path, *, output: Path | None = None, dry_run: bool = False, validate: bool = True,
                 sheet: str | None = None, concepts: Path | None = None, replace: bool = False, label: str | None = None) -> ImportResult:
    """Import a spreadsheet in the template into the store (or, with ``output``, into a Turtle file).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> rows = ["mechanism_fr,kind,text_fr,categories,source", "Webinaire,limite,Connexion instable,Accès à internet,https://example.org/kit"]
    >>> _ = p.write_text("\\n".join(rows) + "\\n", encoding="utf-8")
    >>> result = import_table(p, dry_run=True, validate=False)
    >>> result.graph, sorted({t.subject.value.rsplit("/", 1)[-1] for t in result.triples})
    ('https://w3id.org/ksm/graph/import/t', ['webinaire', 'webinaire-limitation-1'])
    """
    from kg.graph.dataset import open_graph

    source = Path(source)
    if source.is_dir():
        raise InputError(f"{source}: is a folder, not a spreadsheet")
    if not source.exists():
        raise InputError(f"{source}: no such file")
    graph = open_graph()
    parsed = parse(source, graph, sheet=sheet, concepts=concepts)
    name = graph_name(Path(label) if label else source)
    result = ImportResult(source=source, graph=name, output=output, triples=parsed.triples, mechanisms=parsed.mechanisms,
                          statements=parsed.statements, concepts=parsed.concepts, dry_run=dry_run)
    node = ox.NamedNode(name)
    previous: set[ox.Triple] = set()

    def before(store: ox.Store, manifest: diskstore.Manifest, what: diskstore.Change) -> None:
        kinds = {g: str(e.get("kind")) for g, e in manifest.graphs.items()}
        notes, taken = _check_against(store, kinds, parsed, name, source.name, replace=replace)
        result.notes.extend(notes)
        for quad in taken:
            store.remove(quad)
        what.note(taken)
        # a graph that lost triples is a replaced one: its entailments may go, which only a full pass sees
        what.replaced.extend(sorted({q.graph_name.value for q in taken} - set(what.replaced)))  # type: ignore[union-attr]
        previous.update(q.triple for q in store.quads_for_pattern(None, None, None, node))

    def check(store: ox.Store, what: diskstore.Change) -> None:
        if validate:
            _conformance(store, what, parsed, source.name, "nothing written" if output is not None or dry_run else "the store is unchanged")
        if dry_run or output is not None:
            raise _Rollback

    stored = diskstore.live_database() is not None
    try:
        if stored or (output is None and not dry_run):
            outcome = diskstore.put_graph(name, parsed.triples, kind="imported", source=label or str(source.resolve()), check=check,
                                          on_wait=notices.note, before=before)
            result.store_total = outcome.total
            result.written = output is None
        else:  # no store yet: check against the bundled graph, in memory
            what = diskstore.Change(track=validate)
            before(graph.store, diskstore.Manifest(), what)
            diskstore.replace_graph(graph.store, node, parsed.triples, what)
            diskstore.reason(graph.store, what)
            check(graph.store, what)
    except _Rollback:
        pass
    for note in result.notes:
        notices.note(note)
    fresh = set(parsed.triples)
    if output is not None:
        known = {q.triple for q in _read_existing(output)}
        result.added = [t for t in parsed.triples if t not in known]
        result.removed = sorted(known - fresh, key=str)
        if not dry_run and not (output.is_file() and output.read_bytes() == result.turtle):
            atomic.write_bytes(output, result.turtle)
            result.written = True
    else:
        result.added = [t for t in parsed.triples if t not in previous]
        result.removed = sorted(previous - fresh, key=str)
    return result


def _read_existing(output: Path) -> list[ox.Quad]:
    from kg.graph import rdfio

    return rdfio.read_quads(output) if output.is_file() else []
