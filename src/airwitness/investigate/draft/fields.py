"""A drafted value with its doubts or its source: what the YAML writer writes on one line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """A value for the YAML and the comment that goes with it."""

    value: str | None
    check: list[str]
    source: str = ""  # the quote behind a sure value
    note: str = ""  # said whether sure or not: a window end's local time, a route's words


def quoted(s: str, limit: int = 70) -> str:
    """``s`` on one line in double quotes (inner ones made single), cut at ``limit``."""
    s = " ".join(s.split()).replace('"', "'")
    return '"' + (s if len(s) <= limit else s[: limit - 1] + "…") + '"'
