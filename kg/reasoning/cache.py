"""The reasoner's on-disk cache: inferred graphs keyed by what they were computed from.

Reasoning costs seconds; a query must not pay it when nothing changed.  The
key is made of the inputs' bytes, the cache format and owlrl's version, so a
changed file or reasoner never meets a stale answer.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

# Bump when the filtering or the way inputs are gathered changes.
_CACHE_FORMAT = "3"


def cache_dir() -> Path:
    """``$KG_CACHE_DIR``, else the user's cache folder (XDG)."""
    explicit = os.environ.get("KG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ksm-kg"


def cache_key(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256(_CACHE_FORMAT.encode())
    digest.update(_owlrl_version().encode())
    for path in paths:
        digest.update(str(Path(path).name).encode() + b"\0")
        digest.update(Path(path).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _owlrl_version() -> str:
    """owlrl's installed version, read off its dist-info folder name.

    importlib.metadata would cost every query some 10 ms of imports; the
    folder name is found without importing owlrl or the metadata machinery.
    """
    from importlib.util import find_spec

    spec = find_spec("owlrl")
    if spec is None or spec.origin is None:  # pragma: no cover - owlrl is a dependency
        return "unknown"
    site = Path(spec.origin).parent.parent
    found = sorted(p.name for p in site.glob("owlrl-*.dist-info"))
    return found[-1] if found else "unknown"




def load_triples(name: str) -> list[ox.Triple] | None:
    """The triples cached under ``name``, or None when absent or damaged (then they are recomputed)."""
    cached = cache_dir() / name
    if not cached.is_file():
        return None
    try:
        return [q.triple for q in ox.parse(path=str(cached), format=ox.RdfFormat.N_TRIPLES)]
    except (SyntaxError, OSError):
        return None


def save_triples(name: str, triples: Iterable[ox.Triple]) -> None:
    """Cache triples under ``name``; a read-only cache folder only costs speed."""
    from kg.core import atomic  # tempfile is not needed on the warm path

    try:
        atomic.write_bytes(cache_dir() / name, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    except OSError:
        pass
