"""Where the repository and the shared inputs are, for every test whatever its folder."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "mechanisms-table.fr.txt"
