"""Where the persistent store lives, and which of its databases is live: found without opening anything.

A few file-system calls, so that a command on the bundled graph (``kg
query`` with no store) learns there is no store without importing
kg.graph.diskstore, which reads and writes stores.
"""

from __future__ import annotations

import os
from pathlib import Path

CURRENT = "current"
MANIFEST = "kg-manifest.json"


def location() -> Path:
    """``$KG_STORE``, else ``.kg/store`` in the current folder."""
    explicit = os.environ.get("KG_STORE")
    return Path(explicit) if explicit else Path.cwd() / ".kg" / "store"


def live_database(folder: Path | None = None) -> Path | None:
    """The database ``current`` points at, or None when nothing was ever loaded."""
    link = (folder or location()) / CURRENT
    if not link.is_symlink():
        return None
    target = link.parent / os.readlink(link)
    return target if (target / MANIFEST).is_file() else None
