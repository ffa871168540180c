"""The persistent on-disk store: big vocabularies beside ours, queried without re-parsing.

``kg load FILE`` puts a file into a pyoxigraph (RocksDB) store in a
project-local folder, ``$KG_STORE`` or else ``.kg/store`` under the current
folder.  The store holds the bundled graphs and their inferred graph too, so
``kg query`` opens it read-only and answers at once.

Crash safety comes from never writing into the store that readers use.  The
folder holds ``db-<id>/`` databases and a ``current`` symlink naming the live
one.  A load takes a checkpoint of the live database (hard links, so it is
quick whatever the size), replaces the graph in that copy with a streamed
``bulk_load`` (memory stays flat), and then swaps the ``current`` symlink with
one atomic ``rename``.  A crash or Ctrl-C before the swap leaves the live
database as it was; the half-made copy is removed on the next load.

Loaded files are not reasoned over: the inferred graph is the bundled one's
(OWL RL over millions of thesaurus triples says little about mechanisms).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.core import resources
from kg.core.errors import EnvironmentFailure, InputError, UsageError
from kg.core.namespaces import GRAPH
from kg.graph import rdfio
from kg.graph.store import KnowledgeGraph
from kg.reasoning import cache

_CURRENT = "current"
_MANIFEST = "kg-manifest.json"


def location() -> Path:
    """``$KG_STORE``, else ``.kg/store`` in the current folder."""
    explicit = os.environ.get("KG_STORE")
    return Path(explicit) if explicit else Path.cwd() / ".kg" / "store"


def live_database(folder: Path | None = None) -> Path | None:
    """The database ``current`` points at, or None when nothing was ever loaded."""
    link = (folder or location()) / _CURRENT
    if not link.is_symlink():
        return None
    target = link.parent / os.readlink(link)
    return target if (target / _MANIFEST).is_file() else None


def bundled_key() -> str:
    """Changes whenever the bundled ontology or data (or the reasoner) change."""
    return cache.cache_key(resources.ontology_files() + resources.data_files())


@dataclass(frozen=True)
class LoadReport:
    graph: str
    triples: int
    total: int
    location: Path

    def render(self) -> str:
        return f"{self.triples} triples in <{self.graph}>; the store at {self.location} holds {self.total} triples\n"


def read_manifest(database: Path) -> dict[str, object]:
    try:
        loaded = json.loads((database / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def open_live(folder: Path | None = None) -> ox.Store | None:
    """The live store, read-only, if it exists and its bundled graphs are up to date; else None."""
    database = live_database(folder)
    if database is None:
        return None
    if read_manifest(database).get("bundled") != bundled_key():
        refresh(folder)  # the bundled data changed since the last load: rebuild that part
        database = live_database(folder)
        if database is None:  # pragma: no cover - refresh always leaves a live database
            return None
    try:
        return ox.Store.read_only(str(database))
    except OSError as error:
        raise EnvironmentFailure(f"{database}: cannot open the store: {error}") from None


def load(path: Path, *, graph: str | None = None, folder: Path | None = None) -> LoadReport:
    """Load (or reload: replace) one RDF file into its named graph, atomically."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    fmt = rdfio.rdf_format(path)
    target = graph or user_graph_name(path)
    try:
        node = ox.NamedNode(target)
    except ValueError:
        raise UsageError(f"--graph {target!r}: not a valid IRI") from None

    def fill(store: ox.Store, manifest: dict[str, object]) -> None:
        if store.contains_named_graph(node):
            store.remove_graph(node)
        try:
            store.bulk_load(path=str(path), format=fmt, to_graph=node)
        except SyntaxError as error:
            raise rdfio.syntax_error(path, error, fmt.name) from None
        except (OSError, ValueError) as error:
            raise InputError(f"{path}: unreadable: {error}") from None
        graphs = manifest.setdefault("graphs", {})
        assert isinstance(graphs, dict)
        graphs[target] = str(path.resolve())

    store, database = _transaction(fill, folder)
    answer = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}")
    count = int(next(iter(answer))["n"].value)  # type: ignore[arg-type]
    return LoadReport(graph=target, triples=count, total=len(store), location=database)


def refresh(folder: Path | None = None) -> None:
    """Rebuild the bundled graphs (asserted and inferred) of the store, keeping loaded files."""
    _transaction(lambda store, manifest: None, folder, rebuild_bundled=True)


def user_graph_name(path: Path) -> str:
    """``graph/user/<stem>`` for a loaded file (never a bundled graph's name)."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return f"{GRAPH}user/{stem}"


def _transaction(fill, folder: Path | None, *, rebuild_bundled: bool = False) -> tuple[ox.Store, Path]:  # type: ignore[no-untyped-def]
    """Copy the live database, change the copy, then make it live with one atomic rename."""
    base = folder or location()
    base.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(base)
    live = live_database(base)
    fresh = base / f"db-{uuid.uuid4().hex[:12]}"
    try:
        if live is not None:
            ox.Store.read_only(str(live)).backup(str(fresh))
            manifest = read_manifest(live)
        else:
            manifest = {}
        store = ox.Store(str(fresh))
        if live is None or rebuild_bundled or manifest.get("bundled") != bundled_key():
            _put_bundled(store, manifest)
        fill(store, manifest)
        store.flush()
        (fresh / _MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        link = base / f".{_CURRENT}-{fresh.name}"
        link.symlink_to(fresh.name)
        os.replace(link, base / _CURRENT)  # the one atomic step
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if live is not None and live != fresh:
        shutil.rmtree(live, ignore_errors=True)
    return store, fresh


def _put_bundled(store: ox.Store, manifest: dict[str, object]) -> None:
    previous = manifest.get("bundled_graphs")
    if isinstance(previous, list):
        for name in previous:
            store.remove_graph(ox.NamedNode(str(name)))
    graph = KnowledgeGraph.from_files(resources.ontology_files() + resources.data_files())
    quads = graph.quads()
    store.bulk_extend(quads)
    manifest["bundled"] = bundled_key()
    manifest["bundled_graphs"] = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})


def _remove_leftovers(base: Path) -> None:
    """Databases and links of loads that crashed before their swap."""
    live = live_database(base)
    for entry in base.iterdir():
        if entry.name.startswith(f".{_CURRENT}-"):
            entry.unlink(missing_ok=True)
        elif entry.name.startswith("db-") and entry.is_dir() and (live is None or entry.resolve() != live.resolve()):
            shutil.rmtree(entry, ignore_errors=True)
