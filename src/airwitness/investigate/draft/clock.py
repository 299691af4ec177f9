"""Clock times a text names ("around 00:50 Kyiv time", "3 a.m.", "21:40 UTC").

Only explicit times count: ``HH:MM`` (24-hour, or with a.m./p.m.), ``H a.m.``/``H pm``,
and the time of an ISO datetime (``2025-06-13T04:00Z``). The zone written right
after a time ("Kyiv time", "UTC", "(CEST)", a trailing ``Z``) is its zone;
:mod:`.window` gives each time its date and moves the window to take it in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from airwitness.investigate.draft.zones import ZoneMention

_CLOCK = re.compile(
    r"(?:(?<=\dT)|(?<![\w:./]))(?P<h>[01]?\d|2[0-3])"
    r"(?:[:.](?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?(?![\d.:])|(?=\s*[ap]\.?m\b))"
    r"(?:\s*(?P<ampm>[ap])\.?m\.?(?![\w]))?(?P<z>Z(?!\w))?",
    re.IGNORECASE,
)
#: What may lie between a time and the zone that is its own: "00:50 Kyiv time", "(UTC)".
_TO_ZONE = re.compile(r"\s*\(?\s*")


@dataclass(frozen=True)
class ClockMention:
    """A time of day the text names, with the zone written right after it (if any)."""

    start: int
    end: int
    hour: int
    minute: int
    second: int
    zone: str | None  # an IANA name or a fixed offset, None: the text's zone
    quote: str


def find_clock_times(text: str, zones: list[ZoneMention]) -> list[ClockMention]:
    """Explicit clock times, in text order, each with its own zone where one follows it.

    >>> from airwitness.investigate.draft.zones import find_zones
    >>> text = "Around 00:50 Kyiv time; at 3 a.m.; 2025-09-09T21:50Z"
    >>> [(c.hour, c.minute, c.zone) for c in find_clock_times(text, find_zones(text))]
    [(0, 50, 'Europe/Kyiv'), (3, 0, None), (21, 50, 'UTC')]
    """
    starts = {z.start: z for z in zones}
    found = []
    for m in _CLOCK.finditer(text):
        if m.group("m") is not None and m.group("ampm") is None and "." in m.group(0):
            continue  # "12.30" is a number unless a.m./p.m. follows
        hour, minute = int(m.group("h")), int(m.group("m") or 0)
        if m.group("ampm"):
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if m.group("ampm").lower() == "p" else 0)
        zone, end = None, m.end()
        if m.group("z"):
            zone = "UTC"
        else:
            gap = _TO_ZONE.match(text, end)
            own = starts.get(gap.end()) if gap else None
            if own is not None:
                zone, end = own.zone, own.end
                if text[gap.start() : gap.end()].strip() == "(" and text[end : end + 1] == ")":
                    end += 1
        quote = " ".join(text[m.start() : end].split())
        found.append(
            ClockMention(m.start(), end, hour, minute, int(m.group("s") or 0), zone, quote)
        )
    return found
