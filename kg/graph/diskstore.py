"""The persistent store: one living graph that every command reads, changed whole or not at all.

``kg load`` and ``kg import`` put graphs into a pyoxigraph (RocksDB) store in a
project-local folder, ``$KG_STORE`` or else ``.kg/store`` under the current
folder.  The store holds the bundled graphs, every loaded or imported graph,
and one inferred graph (``graph/inferred``) that is always the OWL RL closure
of all of them: ``kg query``, ``validate``, ``reason``, ``recommend``,
``export``, ``serve`` and ``publish`` all see that union.

Crash safety comes from never writing into the database that readers use.
The folder holds ``db-<id>/`` databases and a ``current`` symlink naming the
live one.  A transaction (under the writer lock of kg.graph.locks) takes a
checkpoint of the live database (hard links, quick whatever the size),
changes the copy, re-reasons it, lets the caller check the result (shapes and
checks for an import), and only then swaps ``current`` with one atomic
``rename``.  A crash, a kill or a refused check before the swap leaves the
live database as it was; the half-made copy is removed by the next writer.
Readers pin the database they open (kg.graph.locks), so it is never deleted
under them.

Re-reasoning is incremental when the rules allow it (a graph added, no schema
triple in it: OWL RL is monotonic, so only the new triples fire rules against
the old closure); anything else (a graph replaced or removed, new schema
triples) recomputes the closure of the union.  Either way the transaction
keeps what changed (:class:`Change`), so that a check looks at that only.
"""

from __future__ import annotations

import datetime
import gc
import json
import os
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.core import resources
from kg.core.errors import EnvironmentFailure, InputError, KgError, UsageError
from kg.core.namespaces import GRAPH, INFERRED_GRAPH
from kg.graph import locks, rdfio, storefolder
from kg.reasoning import cache

_CURRENT = storefolder.CURRENT
_MANIFEST = storefolder.MANIFEST
location = storefolder.location
live_database = storefolder.live_database
_FORMAT = 2
USER_GRAPH = GRAPH + "user/"
IMPORT_GRAPH = GRAPH + "import/"
# Names no user graph may take: they are computed, not loaded.
RESERVED = (INFERRED_GRAPH, GRAPH + "situation", GRAPH + "situation-derived")


def bundled_files() -> list[Path]:
    return resources.ontology_files() + resources.data_files()


def bundled_key() -> str:
    """Changes whenever the bundled ontology or data (or the reasoner) change."""
    return cache.cache_key(bundled_files())


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


@dataclass
class Manifest:
    """What a database holds: each graph with its kind, source, size and time added."""

    bundled: str = ""
    graphs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, database: Path) -> Manifest:
        try:
            loaded = json.loads((database / _MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(loaded, dict):
            return cls()
        graphs = loaded.get("graphs")
        if loaded.get("format") != _FORMAT:  # the first layout: {graph: file}; its bundled part is rebuilt
            old = graphs if isinstance(graphs, dict) else {}
            return cls(graphs={str(name): {"kind": "loaded", "source": str(src), "added": ""} for name, src in old.items()})
        return cls(bundled=str(loaded.get("bundled", "")), graphs=graphs if isinstance(graphs, dict) else {})

    def write(self, database: Path) -> None:
        body = {"format": _FORMAT, "bundled": self.bundled, "graphs": self.graphs}
        (database / _MANIFEST).write_text(json.dumps(body, indent=1, sort_keys=True), encoding="utf-8")

    def kind(self, graph: str) -> str | None:
        entry = self.graphs.get(graph)
        return str(entry.get("kind")) if entry else None


@dataclass(frozen=True)
class GraphInfo:
    """One named graph of the store, as ``kg graphs`` lists it."""

    name: str
    kind: str  # bundled, loaded, imported or inferred
    source: str
    triples: int
    added: str


Node = ox.NamedNode | ox.BlankNode
NOTED_MAX = 500_000
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass
class Change:
    """What a transaction did to the graphs, so that reasoning and checks can look at that only.

    ``added`` and ``replaced`` graphs hold their new content in the store;
    what left the store (a replaced graph's old triples, taken-over
    triples, inferred triples that no longer hold) and what the inferred
    graph gained are kept (``noted``) where a check will read them
    (``track``), and read as what they were about (:meth:`about`).
    ``everything`` says that the whole store is new (the bundled graphs
    were written), so that a check looks at all of it.
    """

    added: list[str] = field(default_factory=list)  # graphs that did not exist before
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    track: bool = False
    everything: bool = False
    noted: list[Collection[ox.Triple | ox.Quad]] = field(default_factory=list)
    # The whole content of graphs the transaction wrote from a list it holds anyway (replace_graph; the inferred
    # graph when incremental reasoning made most of it): reasoning and checks take it from here, not back from the
    # store (reading RocksDB costs 4-5 µs a quad, memory about 1).
    held: dict[str, list[ox.Quad]] = field(default_factory=dict)

    def note(self, triples: Collection[ox.Triple | ox.Quad]) -> None:
        """Keep triples that left the store or joined the inferred graph, when a check will read them.

        Past :data:`NOTED_MAX` triples the change counts as ``everything``
        (the check covers the whole store, as it would for most of it) and
        nothing more is kept: a million inferred triples are not held
        through a check that would not use them.
        """
        if self.track and not self.everything and triples:
            self.noted.append(triples)
            if sum(len(t) for t in self.noted) > NOTED_MAX:
                self.everything, self.noted = True, []

    def about(self) -> tuple[set[tuple[Node, ox.NamedNode]], set[Node]]:
        """What the noted triples were about: (subject, predicate) pairs, and objects (literals and classes aside)."""
        about: set[tuple[Node, ox.NamedNode]] = set()
        objects: set[Node] = set()
        for triples in self.noted:
            for t in triples:
                about.add((t.subject, t.predicate))  # type: ignore[arg-type]
                if not isinstance(t.object, ox.Literal) and t.predicate != _TYPE:  # classes: see kg.quality.scope
                    objects.add(t.object)  # type: ignore[arg-type]
        return about, objects

    def changed_graphs(self) -> list[str]:
        """The graphs whose present content is new."""
        return [*self.added, *self.replaced]


@dataclass(frozen=True)
class Outcome:
    """The store after a committed transaction."""

    database: Path
    manifest: Manifest
    total: int
    inferred: int
    incremental: bool


Changer = Callable[[ox.Store, Manifest, Change], None]
# A checker sees the store once re-reasoned, and what changed (to look at that only; see kg.quality.scope).
Checker = Callable[[ox.Store, Change], None]


def quads_of(store: ox.Store, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph, held: Mapping[str, Sequence[ox.Quad]]) -> Iterable[ox.Quad]:
    """A graph's quads: the list a transaction holds of it (:attr:`Change.held`) if any, else read from the store."""
    if isinstance(graph, ox.NamedNode) and graph.value in held:
        return held[graph.value]
    return store.quads_for_pattern(None, None, None, graph)


def count(store: ox.Store, graph: str) -> int:
    answer = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(answer))["n"].value)  # type: ignore[arg-type]


def graph_iri(name: str, *, what: str = "--graph") -> ox.NamedNode:
    try:
        return ox.NamedNode(name)
    except ValueError:
        raise UsageError(f"{what} {name!r}: not a valid IRI") from None


def open_live(folder: Path | None = None, *, on_notice: Callable[[str], None] | None = None) -> ox.Store | None:
    """The live store, read-only and pinned, or None when there is none.

    If the bundled ontology or data changed since the store was built, the
    bundled part is rebuilt first (a write, under the writer lock); where the
    folder is read-only, the store is used as it is, with a notice.
    """
    base = folder or location()
    database = live_database(base)
    if database is None:
        return None
    if Manifest.read(database).bundled != bundled_key():
        if os.access(base, os.W_OK):
            refresh(base, on_wait=on_notice)
        elif on_notice is not None:
            on_notice(f"the store at {base} was built from older bundled data and its folder is read-only: answering from it as it is")
    for _ in range(100):
        database = live_database(base)
        if database is None:
            return None
        if not locks.pin(database):
            continue  # deleted by a writer between reading `current` and pinning it
        if live_database(base) != database:
            continue  # a writer swapped in a newer one meanwhile: take that
        try:
            return ox.Store.read_only(str(database))
        except OSError as error:
            raise EnvironmentFailure(f"{database}: cannot open the store: {error}") from None
    raise EnvironmentFailure(f"{base}: the store changed 100 times while opening it; try again")  # pragma: no cover


def graphs(folder: Path | None = None) -> list[GraphInfo]:
    """The named graphs of the store: bundled, loaded, imported and the inferred one."""
    database = live_database(folder)
    if database is None:
        return []
    manifest = Manifest.read(database)
    return sorted(
        (GraphInfo(name=name, kind=str(e.get("kind", "")), source=str(e.get("source", "")), triples=int(e.get("triples", 0)),
                   added=str(e.get("added", ""))) for name, e in manifest.graphs.items()),
        key=lambda g: (("bundled", "loaded", "imported", "inferred").index(g.kind) if g.kind in ("bundled", "loaded", "imported", "inferred") else 9, g.name),
    )


def transaction(change: Changer, *, folder: Path | None = None, check: Checker | None = None,
                on_wait: Callable[[str], None] | None = None, rebuild_bundled: bool = False) -> Outcome:
    """Copy the live database, change the copy, re-reason, check, then make it live with one rename."""
    base = folder or location()
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EnvironmentFailure(f"{base}: cannot create the store folder: {error.strerror}") from None
    with locks.writing(base, on_wait=on_wait):
        _remove_leftovers(base)
        live = live_database(base)
        fresh = base / f"db-{uuid.uuid4().hex[:12]}"
        try:
            outcome = _build(live, fresh, change, check, rebuild_bundled)
            link = base / f".{_CURRENT}-{fresh.name}"
            link.symlink_to(fresh.name)
            os.replace(link, base / _CURRENT)  # the one atomic step
        except KgError:
            locks.remove_if_unused(fresh)
            raise
        except OSError as error:
            locks.remove_if_unused(fresh)
            raise _environment(base, error) from None
        except BaseException:
            locks.remove_if_unused(fresh)
            raise
        if live is not None and live != fresh:
            locks.remove_if_unused(live)
        return outcome


def _environment(base: Path, error: OSError) -> EnvironmentFailure:
    """A failure of the disk under the store (full, read-only, gone), not of the user's input."""
    reason = error.strerror or str(error)
    where = f" ({error.filename})" if error.filename else ""
    return EnvironmentFailure(f"{base}: cannot write the store{where}: {reason}")


def _build(live: Path | None, fresh: Path, change: Changer, check: Checker | None, rebuild_bundled: bool) -> Outcome:
    if live is not None:
        ox.Store.read_only(str(live)).backup(str(fresh))
        manifest = Manifest.read(live)
    else:
        manifest = Manifest()
    store = ox.Store(str(fresh))
    locks.create_reader_lock(fresh)
    what = Change(track=check is not None)
    if live is None or rebuild_bundled or manifest.bundled != bundled_key():
        _put_bundled(store, manifest, what)
    change(store, manifest, what)
    inferred_count, incremental = reason(store, what)
    manifest.graphs[INFERRED_GRAPH] = {"kind": "inferred", "source": "OWL RL closure of every other graph", "added": _now(), "triples": inferred_count}
    if check is not None:
        check(store, what)
    changed = set(what.changed_graphs())
    for name, entry in manifest.graphs.items():
        if name != INFERRED_GRAPH and (name in changed or "triples" not in entry):
            entry["triples"] = count(store, name)
    store.flush()
    manifest.write(fresh)
    total, inferred = len(store), int(manifest.graphs[INFERRED_GRAPH]["triples"])
    del store  # closes the database before it goes live: no compaction of ours may run under its readers
    gc.collect()
    return Outcome(database=fresh, manifest=manifest, total=total, inferred=inferred, incremental=incremental)


def _put_bundled(store: ox.Store, manifest: Manifest, what: Change) -> None:
    """(Re)write the bundled graphs: the files shipped with this version of ksm-kg."""
    what.everything = True
    for name, entry in list(manifest.graphs.items()):
        if entry.get("kind") == "bundled":
            store.remove_graph(ox.NamedNode(name))
            del manifest.graphs[name]
            what.removed.append(name)
    for path in bundled_files():
        name = rdfio.graph_name(path)
        quads = rdfio.read_quads(path, name)
        store.bulk_extend(quads)
        manifest.graphs[name] = {"kind": "bundled", "source": path.relative_to(resources.root()).as_posix(), "added": _now(), "triples": len(quads)}
        what.replaced.append(name)
    manifest.bundled = bundled_key()


def reason(store: ox.Store, what: Change) -> tuple[int, bool]:
    """Make the inferred graph the closure of every asserted graph: (its size, whether done incrementally).

    Works on any pyoxigraph store holding an inferred graph that was the
    closure before ``what`` happened (the in-memory bundled graph too).

    Graphs only added (and no new schema): the rules fire for the new
    triples alone, reading of the rest only what they join on
    (:func:`kg.reasoning.rules.infer_increment`).  Anything else recomputes
    the closure of the union, read from the store as a stream of quads into
    the integer-coded engine, and changes the inferred graph by difference,
    not by rewriting it: on a big store most of it stays, and RocksDB
    deletes cost as much as writes.
    """
    node = ox.NamedNode(INFERRED_GRAPH)
    if what.added and not what.replaced and not what.removed and store.contains_named_graph(node):
        done = _reason_added(store, what, node)
        if done is not None:
            return done, True
    return _reason_all(store, what, node), False


def _asserted_graphs(store: ox.Store, *, leave_out: Iterable[ox.NamedNode] = ()) -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
    skip = {ox.NamedNode(INFERRED_GRAPH), *leave_out}
    return [ox.DefaultGraph(), *(g for g in store.named_graphs() if g not in skip)]


class _StoreBase:
    """The store before a graph was added, read by predicate (kg.reasoning.rules.Base)."""

    def __init__(self, store: ox.Store, added: list[ox.NamedNode]) -> None:
        self.store = store
        self.added = added
        self.graphs = _asserted_graphs(store, leave_out=added)
        self.inferred_node = ox.NamedNode(INFERRED_GRAPH)

    def _distinct(self, query: str) -> set[str]:
        """The ?x of a DISTINCT query over the asserted graphs, the named ones kept and the default one."""
        kept = set(self.graphs)
        found = {row["x"].value for row in self.store.query(query.format(graph="GRAPH ?g")) if row["g"] in kept}  # type: ignore[union-attr]
        return found | {row["x"].value for row in self.store.query(query.format(graph=""))}  # type: ignore[union-attr]

    def predicates(self) -> set[str]:
        return self._distinct("SELECT DISTINCT ?g (?p AS ?x) WHERE {{ {graph} {{ ?s ?p ?o }} }}")

    def asserted(self, predicates: Iterable[str]) -> Iterator[ox.Triple]:
        for p in predicates:
            predicate = ox.NamedNode(p)
            for g in self.graphs:
                for quad in self.store.quads_for_pattern(None, predicate, None, g):
                    yield quad.triple

    def inferred(self, predicates: Iterable[str]) -> Iterator[ox.Triple]:
        for p in predicates:
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(p), None, self.inferred_node):
                yield quad.triple

    def size(self) -> int:
        return len(self.store) - sum(count(self.store, g.value) for g in self.added)

    def datatypes(self) -> set[str]:
        return self._distinct("SELECT DISTINCT ?g (DATATYPE(?o) AS ?x) WHERE {{ {graph} {{ ?s ?p ?o }} FILTER (isLiteral(?o)) }}")


def _reason_added(store: ox.Store, what: Change, node: ox.NamedNode) -> int | None:
    """The closure once ``what.added`` joined a store that was closed: the rules fire for the new triples only.

    The new graphs are read from the store as a stream (the engine keeps
    their triples as numbers); what they assert that was inferred before
    leaves the inferred graph.
    """
    from kg.reasoning import rules

    added = [ox.NamedNode(name) for name in what.added]
    gained = rules.infer_increment((q for g in added for q in quads_of(store, g, what.held)), _StoreBase(store, added))
    if gained is None:
        return None
    settled = {ox.NamedNode(p) for p in gained.settled}  # the engine knew all their triples: what it derived is new
    lacking = [t for t in gained.triples
               if t.predicate in settled or next(store.quads_for_pattern(t.subject, t.predicate, t.object), None) is None]
    del gained
    asserted_now = _now_asserted(store, added, node, what.held)
    for quad in asserted_now:  # nothing asserted is also stored as inferred
        store.remove(quad)
    if what.track and not what.everything and len(lacking) <= NOTED_MAX and count(store, INFERRED_GRAPH) <= len(lacking):
        # A check will read the store, and the inferred graph is mostly new: hold all of it, its old part read now
        # (no more than the new part would cost to read back), so that a check reads none of it from the disk.
        fresh = [ox.Quad(t.subject, t.predicate, t.object, node) for t in lacking]
        what.held[INFERRED_GRAPH] = [*store.quads_for_pattern(None, None, None, node), *fresh]
        _put(store, fresh)
    else:
        _put(store, (ox.Quad(t.subject, t.predicate, t.object, node) for t in lacking), size=len(lacking))
    what.note(lacking)
    what.note(asserted_now)
    return count(store, INFERRED_GRAPH)


def _now_asserted(store: ox.Store, added: list[ox.NamedNode], node: ox.NamedNode, held: dict[str, list[ox.Quad]]) -> list[ox.Quad]:
    """The inferred quads that the added graphs assert: the smaller side is read (from memory when held), the other looked up."""
    if count(store, node.value) < sum(len(held[g.value]) if g.value in held else count(store, g.value) for g in added):
        return [q for q in store.quads_for_pattern(None, None, None, node)
                if any(ox.Quad(q.subject, q.predicate, q.object, g) in store for g in added)]
    return [quad for g in added for quad in (ox.Quad(q.subject, q.predicate, q.object, node) for q in quads_of(store, g, held)) if quad in store]


def _reason_all(store: ox.Store, what: Change, node: ox.NamedNode) -> int:
    """The closure of every asserted graph, streamed from the store into the rule engine."""
    from kg.reasoning import rules

    graphs = _asserted_graphs(store)
    triples = rules.infer(q for g in graphs for q in store.quads_for_pattern(None, None, None, g))
    if next(store.quads_for_pattern(None, None, None, node), None) is None:  # a store built anew: nothing to compare
        store.add_graph(node)
        what.note(triples)
        _put(store, (ox.Quad(t.subject, t.predicate, t.object, node) for t in triples), size=len(triples))
        return len(triples)
    wanted = set(triples)
    del triples
    present = {q.triple for q in store.quads_for_pattern(None, None, None, node)}
    store.add_graph(node)  # even when empty: its presence says the closure is up to date
    gone = present - wanted
    for t in gone:
        store.remove(ox.Quad(t.subject, t.predicate, t.object, node))
    fresh = wanted - present
    what.note(gone)
    what.note(fresh)
    _put(store, [ox.Quad(t.subject, t.predicate, t.object, node) for t in fresh])
    return len(wanted)


def _put(store: ox.Store, quads: Iterable[ox.Quad], *, size: int | None = None) -> None:
    """Add quads: one by one for a few (a transaction), in bulk for many (no per-quad write cost)."""
    quads = quads if size is not None else list(quads)
    many = (size if size is not None else len(quads)) >= 10_000  # type: ignore[arg-type]
    store.bulk_extend(quads) if many else store.extend(quads)


def _remove_leftovers(base: Path) -> None:
    """Databases and links of transactions that died before their swap, and old databases no reader holds.

    Called under the writer lock: no other writer's work is in progress.
    """
    live = live_database(base)
    for entry in base.iterdir():
        if entry.name.startswith(f".{_CURRENT}-"):
            entry.unlink(missing_ok=True)
        elif entry.name.startswith("db-") and entry.is_dir() and (live is None or entry.resolve() != live.resolve()):
            locks.remove_if_unused(entry)


# ---------------------------------------------------------------- the changes users make


def user_graph_name(path: Path) -> str:
    """``graph/user/<stem>`` for a loaded file (never a bundled graph's name)."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return f"{USER_GRAPH}{stem}"


def _check_writable_name(name: str, manifest: Manifest, *, replace: bool) -> None:
    if name in RESERVED:
        raise UsageError(f"--graph <{name}>: that graph is computed by kg, not loaded; choose another name")
    if manifest.kind(name) == "bundled":
        raise UsageError(f"--graph <{name}>: that is a bundled graph of ksm-kg, which kg load does not replace; load into another graph")
    if not replace and manifest.kind(name) == "imported":
        raise UsageError(f"--graph <{name}>: that graph was made by kg import; re-import its file, or `kg unload` it first")


@dataclass(frozen=True)
class LoadReport:
    graph: str
    triples: int
    total: int
    inferred: int
    location: Path
    replaced: bool
    incremental: bool

    def render(self) -> str:
        verb = "replaced" if self.replaced else "added"
        how = "incrementally" if self.incremental else "in full"
        return (f"{self.triples} triples {verb} in <{self.graph}>; the store at {self.location} holds {self.total} triples, "
                f"{self.inferred} of them inferred (re-reasoned {how})\n")


def load(path: Path, *, graph: str | None = None, folder: Path | None = None, check: Checker | None = None,
         on_wait: Callable[[str], None] | None = None, source: str | None = None) -> LoadReport:
    """Load (or reload: replace) one RDF file into its named graph, re-reason, then swap atomically."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not an RDF file")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: unreadable (permission denied)")
    fmt = rdfio.rdf_format(path)
    target = graph or user_graph_name(path)
    node = graph_iri(target)
    existed: list[bool] = []

    def fill(store: ox.Store, manifest: Manifest, what: Change) -> None:
        _check_writable_name(target, manifest, replace=True)
        existed.append(store.contains_named_graph(node))
        if existed[0]:
            _drop_graph(store, node, what)
        try:
            store.bulk_load(path=str(path), format=fmt, to_graph=node)
        except SyntaxError as error:
            raise rdfio.syntax_error(path, error, fmt.name) from None
        except ValueError as error:
            raise InputError(f"{path}: unreadable: {error}") from None
        except MemoryError as error:  # the parser's 16 MB limit on one term: bad input, and the store is unchanged
            raise rdfio.too_long(path, error) from None
        (what.replaced if existed[0] else what.added).append(target)
        manifest.graphs[target] = {"kind": "loaded", "source": source or str(path.resolve()), "added": _now()}

    outcome = transaction(fill, folder=folder, check=check, on_wait=on_wait)
    triples = int(outcome.manifest.graphs[target]["triples"])
    return LoadReport(graph=target, triples=triples, total=outcome.total, inferred=outcome.inferred,
                      location=outcome.database.parent, replaced=existed[0], incremental=outcome.incremental)


def put_graph(name: str, triples: Iterable[ox.Triple], *, kind: str, source: str, folder: Path | None = None,
              check: Checker | None = None, on_wait: Callable[[str], None] | None = None,
              before: Callable[[ox.Store, Manifest, Change], None] | None = None) -> Outcome:
    """Put ``triples`` in graph ``name`` (replacing it), re-reason and check, all in one transaction.

    ``before`` sees the store, manifest and change first (an importer's
    collision checks; what it takes from other graphs it says in the change).
    """
    node = graph_iri(name)
    content = list(triples)

    def fill(store: ox.Store, manifest: Manifest, what: Change) -> None:
        _check_writable_name(name, manifest, replace=kind == "imported")
        if before is not None:
            before(store, manifest, what)
        replace_graph(store, node, content, what)
        manifest.graphs[name] = {"kind": kind, "source": source, "added": _now()}

    return transaction(fill, folder=folder, check=check, on_wait=on_wait)


def replace_graph(store: ox.Store, node: ox.NamedNode, triples: Iterable[ox.Triple], what: Change) -> None:
    """Put ``triples`` in graph ``node`` instead of what it held, and say so in ``what``."""
    existed = store.contains_named_graph(node)
    if existed:
        _drop_graph(store, node, what)
    quads = list(dict.fromkeys(ox.Quad(t.subject, t.predicate, t.object, node) for t in triples))
    _put(store, quads)
    (what.replaced if existed else what.added).append(node.value)
    what.held[node.value] = quads


def _drop_graph(store: ox.Store, node: ox.NamedNode, what: Change) -> None:
    """Empty a graph that is about to be replaced, noting in ``what`` the resources its triples were about."""
    if what.track and not what.everything:
        if count(store, node.value) > NOTED_MAX:
            what.everything = True  # see Change.note
        else:
            what.note(list(store.quads_for_pattern(None, None, None, node)))
    store.remove_graph(node)
    what.held.pop(node.value, None)


def unload(name: str, *, folder: Path | None = None, on_wait: Callable[[str], None] | None = None) -> Outcome:
    """Remove one loaded or imported graph and re-reason."""
    node = graph_iri(name, what="graph")

    def drop(store: ox.Store, manifest: Manifest, what: Change) -> None:
        kind = manifest.kind(name)
        if kind is None:
            known = ", ".join(sorted(n for n, e in manifest.graphs.items() if e.get("kind") in ("loaded", "imported"))) or "none"
            raise UsageError(f"no loaded or imported graph <{name}> in the store (loaded and imported graphs: {known})")
        if kind in ("bundled", "inferred"):
            raise UsageError(f"<{name}> is a {kind} graph of ksm-kg; only loaded or imported graphs can be unloaded")
        store.remove_graph(node)
        del manifest.graphs[name]
        what.removed.append(name)

    if live_database(folder) is None:
        raise UsageError(f"no store at {folder or location()}: nothing was loaded")
    return transaction(drop, folder=folder, on_wait=on_wait)


def refresh(folder: Path | None = None, *, on_wait: Callable[[str], None] | None = None) -> Outcome:
    """Rebuild the bundled graphs (and the inferred one) of the store, keeping loaded files."""
    return transaction(lambda store, manifest, what: None, folder=folder, rebuild_bundled=True, on_wait=on_wait)
