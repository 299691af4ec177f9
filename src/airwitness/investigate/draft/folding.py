"""Text folding: the same letters whatever the accents and apostrophes, same positions."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Strip accents and unify apostrophes, keeping every character's position."""
    out = []
    for ch in text:
        if ch in "’‘`´":
            out.append("'")
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if len(base) == 1 else ch)
    return "".join(out)
