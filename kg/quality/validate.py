"""Validation: SHACL shapes (pyshacl-turbo, pyshacl as the reference) and quality-check queries.

Data is checked after OWL RL reasoning, merged with the ontology, so the
shapes can rely on the types the ontology entails; the SHACL engine then runs
without its own inference, which is the fast path (DESIGN.md).  The
quality checks are SPARQL queries in ``queries/checks/`` that must return
no rows, in the manner of the ODK's ``*-violation.sparql`` files.

Two engines give the same report (tests/quality/test_engines.py compares
them on the examples of tests/shapes/, on the bundled data and on generated
data): pyshacl-turbo, a Rust engine with pyshacl's API, which reads a
pyoxigraph store natively and validates a hundred thousand triples in
seconds where pyshacl takes minutes; and pyshacl, the reference.  pyshacl
runs instead where pyshacl-turbo is not installed, where ``$KG_SHACL_ENGINE``
says ``pyshacl``, and where the files hold a language tag written with a
capital: pyshacl-turbo, like Oxigraph, lowercases tags as it reads them, and
``ksmsh:languageTag`` must see "FR" as the file wrote it.

The SHACL input is the asserted triples and, of the closure, only the
inferred triples the shapes can see (kg.quality.observed: at 1e5 generated
triples, 28,000 of 124,000), which gives the report of the whole closure in
less time; tests/quality/test_observed.py compares the two.  One correction:
literals whose language tag the files write with capitals ("FR") get that tag
back (kg.quality.tags), since the store lowercases it and the shapes compare
tags exactly.  The closure also puts OWL inconsistencies in plain view: a
shape (ksmsh:DisjointClassesShape) reports every resource in two disjoint
classes, which the reasoner derives without a word.  The check queries run
on the whole store, beside the SHACL engine (both let go of the GIL).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.core import resources
from kg.core.errors import InputError, NonConformingError, UsageError
from kg.core.namespaces import BASE, shorten
from kg.graph.store import KnowledgeGraph
from kg.quality import observed
from kg.quality.tags import restore_written_tags, written_tags
from kg.queries.catalogue import Catalogue
from kg.queries.run import run_saved

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from kg.graph.diskstore import Change

    Held = Mapping[str, Sequence[ox.Quad]]

_SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Violation:
    """One SHACL result or one row of a failed check."""

    source: str  # shape CURIE or check name
    focus: str
    path: str
    message_fr: str
    message_en: str
    severity: str = "Violation"
    node: ox.NamedNode | ox.BlankNode | ox.Literal | None = field(default=None, compare=False)  # the focus as a term (checks)

    def message(self, lang: str) -> str:
        return (self.message_fr if lang == "fr" else self.message_en) or self.message_en or self.message_fr


@dataclass
class Report:
    files: list[Path]
    violations: list[Violation] = field(default_factory=list)
    checks_run: int = 0
    graphs: int = 0  # named graphs checked, said instead of files when the graph is a store (no files)
    shacl_results: Any = field(default=None, repr=False, compare=False)  # pyshacl's report graph (rdflib), for kg.quality.formats

    @property
    def conforms(self) -> bool:
        return not any(v.severity == "Violation" for v in self.violations)

    def render(self, lang: str = "fr") -> str:
        by_file = bool(self.files) or not self.graphs  # a store has graphs, no files
        read = len(self.files) if by_file else self.graphs
        if lang == "fr":
            head = "Conforme" if self.conforms else "Non conforme"
            what = "fichier(s)" if by_file else "graphe(s)"
            summary = f"{read} {what}, {len(self.violations)} problème(s), {self.checks_run} requêtes de contrôle"
        else:
            head = "Conforms" if self.conforms else "Does not conform"
            what = "file(s)" if by_file else "graph(s)"
            summary = f"{read} {what}, {len(self.violations)} problem(s), {self.checks_run} check queries"
        lines = [f"{head}: {summary}"]
        for v in self.violations:
            where = f" {v.path}" if v.path else ""
            lines.append(f"  [{v.severity}] {v.focus}{where}: {v.message(lang)} ({v.source})")
        return "\n".join(lines) + "\n"


ENGINES = ("pyshacl-turbo", "pyshacl")


def engine_for(tags: dict[Any, str], *, asked: str | None = None) -> str:
    """The SHACL engine to run: ``asked``, else ``$KG_SHACL_ENGINE``, else pyshacl-turbo where it can.

    >>> engine_for({}, asked="pyshacl")
    'pyshacl'
    >>> engine_for({("s", "p", "Bonjour", "fr"): "FR"}, asked="pyshacl-turbo")
    'pyshacl'
    """
    wanted = asked or os.environ.get("KG_SHACL_ENGINE") or ENGINES[0]
    if wanted not in ENGINES:
        raise UsageError(f"KG_SHACL_ENGINE={wanted!r}: not a SHACL engine ({', '.join(ENGINES)})")
    if wanted == "pyshacl" or tags:  # a tag written "FR": pyshacl-turbo would read "fr"
        return "pyshacl"
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        return "pyshacl"
    return wanted


def _tag_messages(results: Any, shapes: Any) -> None:
    """Give back their language tags to the messages of custom constraint components' results (pyshacl-turbo 0.6).

    pyshacl-turbo writes the messages of a result of a SPARQL-based constraint
    component (ksmsh:inScheme, ksmsh:languageTag...) without their language
    tags, where pyshacl keeps the shape's own messages, tags included.  A
    message whose text is one of the shape's tagged ``sh:message`` values gets
    that value back; any other message is left as the engine wrote it.  Only
    the results with an untagged message are looked at: a report of thousands
    of results from core constraints costs one pass over its messages.
    """
    import rdflib

    sh = rdflib.Namespace(_SH)
    untagged = [(r, m) for r, _, m in results.triples((None, sh.resultMessage, None))
                if isinstance(m, rdflib.Literal) and not m.language and m.datatype is None]
    tagged_by_shape: dict[Any, dict[str, Any]] = {}
    for result, message in untagged:
        if results.value(result, sh.sourceConstraintComponent) == sh.SPARQLConstraintComponent:
            continue  # pyshacl drops the tags of sh:sparql results itself
        shape = results.value(result, sh.sourceShape)
        if shape not in tagged_by_shape:
            tagged_by_shape[shape] = {str(m): m for m in shapes.objects(shape, sh.message) if isinstance(m, rdflib.Literal) and m.language}
        tagged = tagged_by_shape[shape]
        if str(message) in tagged:
            results.remove((result, sh.resultMessage, message))
            results.add((result, sh.resultMessage, tagged[str(message)]))


def _violations(results: Any) -> list[Violation]:
    """The results of a SHACL report graph, read in one pass over its triples (thousands of results: seconds saved)."""
    import rdflib

    sh = rdflib.Namespace(_SH)
    fields = {sh.sourceShape: "source", sh.focusNode: "focus", sh.resultPath: "path", sh.resultSeverity: "severity"}
    found: dict[Any, dict[str, Any]] = {r: {} for r in results.subjects(rdflib.RDF.type, sh.ValidationResult)}
    messages: dict[Any, dict[str, str]] = {r: {} for r in found}
    for subject, predicate, value in results:
        if subject not in found:
            continue
        if predicate == sh.resultMessage:
            messages[subject][value.language or "en"] = str(value)
        elif predicate in fields:
            found[subject][fields[predicate]] = value
    curie: dict[Any, str] = {}

    def short(term: Any) -> str:
        if term not in curie:
            curie[term] = shorten(str(term))
        return curie[term]

    violations = []
    for result, got in found.items():
        focus, path, severity, said = got.get("focus"), got.get("path"), got.get("severity"), messages[result]
        violations.append(
            Violation(
                source=short(got.get("source")),
                focus=shorten(str(focus)),
                path=short(path) if isinstance(path, rdflib.URIRef) else "",
                message_fr=said.get("fr", ""),
                message_en=said.get("en", next(iter(said.values()), "")),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                node=ox.NamedNode(str(focus)) if isinstance(focus, rdflib.URIRef) else None,
            )
        )
    return sorted(violations, key=lambda v: (v.focus, v.source, v.path, v.severity, v.message_en, v.message_fr))


def _shacl(graph: KnowledgeGraph, shapes: Path, *, engine: str | None = None, whole_closure: bool = False,
           prepared: bool = False, held: Held | None = None) -> tuple[list[Violation], Any]:
    """The SHACL results on ``graph``; ``prepared``: its store is already the engine's input (kg.quality.observed).

    ``held``: graphs of the store whose content the caller holds in memory (observed.shacl_input).
    """
    import rdflib

    if not shapes.is_file():
        raise InputError(f"{shapes}: the shapes file is missing from this installation")
    try:
        shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
    except Exception as error:  # rdflib raises several unrelated types for bad Turtle
        raise InputError(f"{shapes}: bad Turtle syntax: {error}") from None
    # The asserted data and the entailments the shapes can see, not the whole closure (kg.quality.observed).
    store = graph.store if whole_closure or prepared else observed.shacl_input(graph.store, observed.named_in(shapes_graph, shapes), held)
    # The store lowercases language tags; the shapes must see "FR" as the file wrote it.
    tags = written_tags(graph.files)
    if engine_for(tags, asked=engine) == "pyshacl-turbo":
        import pyshacl_turbo

        # A pyoxigraph store: the engine reads its quads natively (the union of its graphs), no rdflib copy.
        _, results, _ = pyshacl_turbo.validate(store, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=True)
        _tag_messages(results, shapes_graph)
    else:
        import pyshacl

        from kg.core.convert import to_rdflib_graph

        data = to_rdflib_graph(KnowledgeGraph(store=store).triples())
        restore_written_tags(data, tags)
        _, results, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=True)
    return _violations(results), results


def _checks(graph: KnowledgeGraph, folder: Path) -> tuple[int, list[Violation]]:
    if not folder.is_dir():
        return 0, []
    catalogue = Catalogue.from_folder(folder)
    found = []
    for check in catalogue:
        result = run_saved(graph, check)
        for row in result.rows:
            focus = next(iter(row.values()), None)
            detail = ", ".join(f"{k}={shorten(v.value) if isinstance(v, ox.NamedNode) else v.value}" for k, v in row.items())  # type: ignore[union-attr]
            found.append(
                Violation(
                    source=f"check:{check.name}",
                    focus=shorten(focus.value) if isinstance(focus, ox.NamedNode) else str(focus or ""),
                    path="",
                    message_fr=f"{check.summary_in('fr')} ({detail})",
                    message_en=f"{check.summary_in('en')} ({detail})",
                    node=focus if isinstance(focus, ox.NamedNode | ox.BlankNode | ox.Literal) else None,
                )
            )
    return len(catalogue), found


def validate_graph(graph: KnowledgeGraph, *, files: list[Path] | None = None, engine: str | None = None,
                   whole_closure: bool = False, held: Held | None = None, checked: Callable[[], KnowledgeGraph] | None = None) -> Report:
    """Shapes and checks over a graph that holds the ontology, the data and its inferred triples.

    ``engine`` (pyshacl-turbo or pyshacl) overrides the choice of :func:`engine_for`.
    The SHACL engine reads the asserted triples and the inferred ones the
    shapes can see (kg.quality.observed); ``whole_closure`` gives it every
    inferred triple instead, which reports the same, slower.  ``held`` gives the
    content of some of the store's graphs, which the caller holds in memory
    (kg.graph.diskstore.Change.held): the engine's input takes it from there.
    ``checked``, when given, makes the graph the checks read, in their own
    thread: an in-memory copy of ``graph`` (kg.quality.scope), say.
    """
    report = Report(files=list(files or []), graphs=sum(1 for _ in graph.store.named_graphs()))
    return _run(report, graph, checked or (lambda: graph), engine=engine, whole_closure=whole_closure, held=held)


def _run(report: Report, shacl: KnowledgeGraph, checked: Callable[[], KnowledgeGraph], *, engine: str | None,
         whole_closure: bool = False, prepared: bool = False, held: Held | None = None) -> Report:
    """Fill ``report``: the shapes on ``shacl``, and beside them, in a thread, the checks on the graph ``checked`` makes.

    Both the SHACL engine and pyoxigraph let go of the GIL, so a second core
    shortens the wait; ``checked`` can build its graph in that thread too.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        checks = pool.submit(lambda: _checks(checked(), resources.checks_dir()))
        found, report.shacl_results = _shacl(shacl, resources.shapes_file(), engine=engine, whole_closure=whole_closure, prepared=prepared,
                                             held=held)
        count, failed = checks.result()
    report.violations.extend(found)
    report.checks_run = count
    report.violations.extend(failed)
    return report


def _validate_files(data: list[Path], *, engine: str | None) -> Report:
    """``kg validate FILE...``: the engine's input built from the reasoner's list, the whole graph for the checks beside it.

    Storing the whole closure and copying the engine's part out of it
    (what :func:`validate_graph` does with a store it is given) would put
    both on the way to the SHACL engine; here only the asserted quads and
    the observed ones are stored before it starts, and the store of the
    whole graph the checks read is filled in their thread.
    """
    from kg.reasoning.inferred import inferred_quads

    paths = resources.ontology_files() + data
    # keep=False: a user's file, validated once, leaves no snapshot in the cache (a 50 MB file left 92 MB)
    shacl = KnowledgeGraph.from_files(paths, infer=False, keep=False)
    parts = [shacl.quads()]  # the asserted quads, then the inferred ones: let go of as soon as they are stored
    parts.append(inferred_quads(paths, parts[0], use_cache=True, keep=False))
    shacl.store.extend(observed.seen(parts[1], observed.named_in_file(resources.shapes_file()), shacl.store))

    def whole() -> KnowledgeGraph:
        store = ox.Store()
        while parts:
            store.extend(parts.pop())
        return KnowledgeGraph(store=store, files=paths)

    report = Report(files=data, graphs=len(paths) + 1)
    return _run(report, shacl, whole, engine=engine, prepared=True)


def validate(files: list[Path] | None = None, *, engine: str | None = None) -> Report:
    """Check data files against the bundled shapes and checks; by default, the graph every command reads.

    That graph is the persistent store where there is one (bundled, loaded and
    imported graphs together), else the bundled data.
    """
    if files:
        return _validate_files([Path(f) for f in files], engine=engine)
    from kg.graph.dataset import open_graph

    graph = open_graph()
    return validate_graph(graph, files=graph.files, engine=engine)


def validate_change(store: ox.Store, change: Change) -> Report:
    """Shapes and checks on what ``change`` can have affected (kg.quality.scope): what the whole store would report about it."""
    from kg.quality import scope

    region = scope.region(store, change)
    make = region.checked
    report = validate_graph(KnowledgeGraph(store=region.store), held=region.held,
                            checked=None if make is None else lambda: KnowledgeGraph(store=make()))
    report.violations = [v for v in report.violations if region.concerns(v)]
    return report


def require_conformance(store: ox.Store, *, what: str, unchanged: str = "the store is unchanged", change: Change | None = None) -> None:
    """A store checker for transactions: refuse (exit 1, nothing changed) a union that breaks a shape or a check.

    Given the transaction's ``change``, only what it can have affected is checked.
    """
    report = validate_graph(KnowledgeGraph(store=store)) if change is None else validate_change(store, change)
    if report.conforms:
        return
    problems = [v for v in report.violations if v.severity == "Violation"]
    first = problems[0]
    path = f" {first.path}" if first.path else ""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    raise NonConformingError(f"{what}: {first.focus}{path}: {first.message('en')} [{first.source}]{more}; {unchanged}",
                             details=report.render("en"))


_MENTIONS_OURS = """
ASK {{ GRAPH <{graph}> {{
  ?s ?p ?o .
  FILTER (STRSTARTS(STR(?s), "{base}") || STRSTARTS(STR(?p), "{base}") || (isIRI(?o) && STRSTARTS(STR(?o), "{base}")))
}} }}
"""


def check_for_load(graph: str, *, what: str) -> Callable[[ox.Store, Change], None]:
    """The checker for ``kg load``: shapes and checks run when the loaded graph touches our resources.

    A thesaurus loaded beside ours names none of our IRIs or terms, so it
    cannot change whether our resources conform, and skipping it saves the
    seconds pyshacl spends on a hundred thousand foreign triples; a file of
    mechanisms written by hand is checked like an import.
    """

    def check(store: ox.Store, change: Change | None = None) -> None:
        answer = store.query(_MENTIONS_OURS.format(graph=graph, base=BASE))
        if bool(answer):
            require_conformance(store, what=what, change=change)

    return check
