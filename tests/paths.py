"""Where the repository and the shared inputs are, for every test whatever its folder.

The shared folder (``../shared`` beside the checkout, or ``$KG_SHARED``)
holds inputs the project may not redistribute: the seed table as received,
the UNESCO Thesaurus and SDG dumps, the vocabulary notes.  Tests that need it
skip where it is absent, except in continuous integration (``$CI`` set),
where a missing shared folder is a failure: the golden answers against the
table must not be skipped silently there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ["KG_SHARED"]) if os.environ.get("KG_SHARED") else ROOT.parent / "shared"
SEED = SHARED / "seed" / "mechanisms-table.fr.txt"


def require_shared(path: Path, what: str) -> Path:
    """``path`` if it exists; else a skip, or a failure when ``$CI`` is set."""
    if path.exists():
        return path
    reason = f"{what} is not at {path} (the shared folder beside the checkout, or $KG_SHARED; see the README's Tests section)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run these tests", pytrace=False)
    pytest.skip(reason)
