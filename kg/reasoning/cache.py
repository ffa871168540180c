"""The reasoner's on-disk cache: inferred graphs and dataset snapshots, keyed by what they were computed from.

Reasoning costs seconds; a query must not pay it when nothing changed.  The
key is made of the inputs' bytes, the cache format and owlrl's version, so a
changed file or reasoner never meets a stale answer.

The cache has a size limit, ``$KG_CACHE_LIMIT`` megabytes (default
:data:`DEFAULT_LIMIT_MB`): after each write the least recently used entries
(a read counts as a use: it touches the file's time) are removed until the
cache fits, and an entry larger than the whole limit is not kept at all.
``kg cache`` shows its size and ``kg cache --clear`` empties it.  Every
entry can be recomputed, so removing one only costs time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.core.errors import KgError, UsageError

# Bump when the filtering or the way inputs are gathered changes.
_CACHE_FORMAT = "3"
DEFAULT_LIMIT_MB = 256
# What this module writes (and so may remove): inferred-, schema- and dataset- entries, saved
# queries' parsed headers (header-), the IRIs a shapes file names (shapes-, kg.quality.observed),
# the inputs' stamps and keys (stamps-), and the temporary files of writes that were
# interrupted (removed once they are an hour old).
_ENTRY_PREFIXES = ("inferred-", "schema-", "dataset-", "header-", "shapes-", "stamps-")
_ENTRY_SUFFIXES = (".nt", ".nq", ".json")
_STALE_TEMPORARY = 3600.0


def cache_dir() -> Path:
    """``$KG_CACHE_DIR``, else the user's cache folder (XDG)."""
    explicit = os.environ.get("KG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ksm-kg"


def limit_bytes() -> int:
    """The size limit: ``$KG_CACHE_LIMIT`` megabytes (0 keeps nothing), else the default."""
    raw = os.environ.get("KG_CACHE_LIMIT", "").strip()
    if not raw:
        return DEFAULT_LIMIT_MB * 1_000_000
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1.0
    if not 0 <= megabytes < 1e9:  # also refuses nan and inf
        raise UsageError(f"$KG_CACHE_LIMIT {raw!r}: expected a number of megabytes (0 or more)")
    return int(megabytes * 1_000_000)


def cache_key(paths: Iterable[Path]) -> str:
    """The key of what is computed from ``paths``: a hash of their bytes, the cache format and owlrl's version.

    Reading and hashing every input costs a cold ``kg query`` several
    milliseconds, so the key of the inputs as they last were is remembered
    with their file-system stamps (size, modification and change times,
    inode: what git's index keeps) and those of owlrl's dist-info folder: when
    none of them changed, neither did the bytes, and the key is reused
    without reading a file.  Any difference, or a stamp that cannot be taken,
    means hashing again.
    """
    paths = [Path(p) for p in paths]
    remembered = _remembered()
    owlrl = remembered.get("owlrl")
    if not (isinstance(owlrl, list) and len(owlrl) == 2 and all(isinstance(x, str) for x in owlrl) and os.path.isdir(owlrl[1])):
        owlrl = list(_owlrl_version())  # where owlrl was last found, if it is still there; else look (some 2 ms)
    stamp = _stamp(paths, owlrl[0], owlrl[1])
    keys = remembered.get("keys")
    if stamp is not None and isinstance(keys, dict) and isinstance(keys.get(stamp), str):
        return str(keys[stamp])
    import hashlib

    version, folder = _owlrl_version()
    digest = hashlib.sha256(_CACHE_FORMAT.encode())
    digest.update(version.encode())
    for path in paths:
        digest.update(str(path.name).encode() + b"\0")
        with path.open("rb") as handle:  # in blocks: a 50 MB input need not be held twice
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    key = digest.hexdigest()[:32]
    stamp = _stamp(paths, version, folder)
    if stamp is not None:
        kept = dict(keys) if isinstance(keys, dict) else {}
        kept.pop(stamp, None)
        kept[stamp] = key
        import json

        _save(_STAMPS, json.dumps({"owlrl": [version, folder], "keys": dict(list(kept.items())[-_STAMPS_KEPT:])}).encode())
    return key


_STAMPS = "stamps-keys.json"
_STAMPS_KEPT = 64
_SETTLED_NS = 2_000_000_000  # file-system times tick coarsely: stamps younger than this are not trusted
_owlrl_found: tuple[str, str] | None = None


def _stamp(paths: list[Path], version: str, folder: str) -> str | None:
    """The inputs' and owlrl's file-system stamps as one string, or None where one cannot be taken."""
    lines = [_CACHE_FORMAT, version]
    recent = time.time_ns() - _SETTLED_NS
    try:
        for path in [*paths, Path(folder)] if folder else paths:
            status = os.stat(path)
            if max(status.st_mtime_ns, status.st_ctime_ns) > recent:
                return None  # changed a moment ago: a second change may not move the clock the file system keeps
            lines.append(f"{path}\t{status.st_size}\t{status.st_mtime_ns}\t{status.st_ctime_ns}\t{status.st_ino}")
    except OSError:
        return None
    return "\n".join(lines)


def _remembered() -> dict[str, object]:
    """The stamps file: where owlrl was found, and the keys of the inputs' stamps."""
    import json

    try:
        found = json.loads((cache_dir() / _STAMPS).read_bytes())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _owlrl_version() -> tuple[str, str]:
    """owlrl's installed version and dist-info folder, read off the folder's name ("unknown" and "" if not found).

    importlib.metadata would cost every query some 10 ms of imports; the
    folder name is found without importing owlrl or the metadata machinery.
    """
    global _owlrl_found
    if _owlrl_found is not None:
        return _owlrl_found
    from importlib.util import find_spec

    spec = find_spec("owlrl")
    if spec is None or spec.origin is None:  # pragma: no cover - owlrl is a dependency
        return "unknown", ""
    site = os.path.dirname(os.path.dirname(spec.origin))
    found = sorted(name for name in os.listdir(site) if name.startswith("owlrl-") and name.endswith(".dist-info"))
    _owlrl_found = (found[-1], os.path.join(site, found[-1])) if found else ("unknown", "")
    return _owlrl_found


# ------------------------------------------------------------------ entries


def _used(path: Path) -> None:
    """Mark an entry as just used (its modification time orders the evictions)."""
    try:
        os.utime(path)
    except OSError:
        pass  # a read-only cache is used as it is


def load_triples(name: str) -> list[ox.Triple] | None:
    """The triples cached under ``name``, or None when absent or damaged (then they are recomputed)."""
    cached = cache_dir() / name
    if not cached.is_file():
        return None
    try:
        found = [q.triple for q in ox.parse(path=str(cached), format=ox.RdfFormat.N_TRIPLES)]
    except (SyntaxError, OSError):
        return None
    _used(cached)
    return found


def save_triples(name: str, triples: Iterable[ox.Triple]) -> None:
    """Cache triples under ``name``; a read-only cache folder only costs speed."""
    _save(name, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")


def load_json(name: str) -> object:
    """The JSON value cached under ``name``, or None when absent or damaged."""
    import json

    cached = cache_dir() / name
    try:
        found = json.loads(cached.read_bytes())
    except (OSError, ValueError):
        return None
    _used(cached)
    return found


def save_json(name: str, value: object) -> None:
    """Cache a JSON value under ``name`` (a value JSON cannot hold is simply not cached)."""
    import json

    try:
        content = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
    except (TypeError, ValueError):
        return  # e.g. a YAML date in a header: parsed again next time
    _save(name, content)


def snapshot_name(key: str) -> str:
    return f"dataset-{key}.nq"


def load_snapshot(key: str, store: ox.Store) -> bool:
    """Fill ``store`` from the dataset snapshot under ``key``; False (store left empty) if there is none or it is damaged."""
    cached = cache_dir() / snapshot_name(key)
    if not cached.is_file():
        return False
    try:
        # lenient: a file this module wrote from a store, whose IRIs and tags were checked then (a third faster)
        store.load(path=str(cached), format=ox.RdfFormat.N_QUADS, lenient=True)
    except (SyntaxError, OSError):
        store.clear()
        return False
    _used(cached)
    return True


def save_snapshot(key: str, store: ox.Store) -> None:
    """Keep the whole dataset (asserted and inferred) under ``key``, if it fits the cache."""
    _save(snapshot_name(key), ox.serialize(store, format=ox.RdfFormat.N_QUADS) or b"")


def _save(name: str, content: bytes) -> None:
    limit = limit_bytes()
    if len(content) > limit:
        return  # larger than the whole cache: computing it again is the price
    from kg.core import atomic  # tempfile is not needed on the warm path

    try:
        atomic.write_bytes(cache_dir() / name, content, make_parents=True)
    except KgError:
        return  # a read-only or full cache folder only costs speed
    evict(limit, keep=name)


# ------------------------------------------------------------------ size and eviction


class Usage:
    """The cache folder, how many entries and bytes it holds, and its limit."""

    __slots__ = ("bytes", "files", "folder", "limit")

    def __init__(self, folder: Path, files: int, bytes: int, limit: int) -> None:
        self.folder, self.files, self.bytes, self.limit = folder, files, bytes, limit

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Usage) and (self.folder, self.files, self.bytes, self.limit) == (other.folder, other.files, other.bytes, other.limit)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Usage(folder={self.folder!r}, files={self.files}, bytes={self.bytes}, limit={self.limit})"


def _entries(folder: Path) -> list[tuple[Path, os.stat_result]]:
    found = []
    try:
        listing = list(folder.iterdir())
    except OSError:
        return []
    for path in listing:
        name = path.name
        ours = name.startswith(_ENTRY_PREFIXES) and name.endswith(_ENTRY_SUFFIXES)
        leftover = name.startswith(tuple(f".{p}" for p in _ENTRY_PREFIXES)) and name.endswith(".tmp")
        if not (ours or leftover):
            continue
        try:
            found.append((path, path.stat()))
        except OSError:
            continue  # removed meanwhile by another process
    return found


def usage() -> Usage:
    """How much the cache holds, and its limit."""
    entries = _entries(cache_dir())
    return Usage(cache_dir(), len(entries), sum(s.st_size for _, s in entries), limit_bytes())


def evict(limit: int, *, keep: str | None = None) -> int:
    """Remove the least recently used entries until the cache holds at most ``limit`` bytes; the bytes removed.

    Leftovers of interrupted writes go once they are an hour old (younger
    ones may be another process's write in progress).
    """
    now = time.time()
    entries = []
    removed = 0
    for path, status in _entries(cache_dir()):
        if path.name.endswith(".tmp"):
            if now - status.st_mtime > _STALE_TEMPORARY:
                removed += _remove(path, status)
            continue
        entries.append((path, status))
    total = sum(s.st_size for _, s in entries)
    for path, status in sorted(entries, key=lambda e: e[1].st_mtime):
        if total <= limit:
            break
        if path.name == keep:
            continue
        gone = _remove(path, status)
        total -= gone
        removed += gone
    return removed


def _remove(path: Path, status: os.stat_result) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    except OSError:
        return 0  # read-only: leave it
    return status.st_size


def clear() -> Usage:
    """Empty the cache; what was removed (a read-only cache keeps its files)."""
    folder, files, size = cache_dir(), 0, 0
    for path, status in _entries(folder):
        gone = _remove(path, status)
        if gone or not path.exists():
            files, size = files + 1, size + gone
    return Usage(folder, files, size, limit_bytes())
