"""Dates a text names, as days, ranges or months; the year only ever from the text.

Own regular expressions for the usual news forms (:data:`DATE_PATTERNS`), then
``dateparser`` for what they miss; relative dates ("yesterday") are noted, never
resolved. A date whose year the text does not state has year ``None``; a date
after "the night of" (:data:`NIGHT_BEFORE`) is marked as a night's.
:mod:`.window` makes the case's window from them.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from airwitness.investigate.draft.fields import quoted

_FULL_MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name}
_ABBR_MONTHS = {name: i for i, name in enumerate(calendar.month_abbr) if name} | {"Sept": 9}
_MONTHS = _FULL_MONTHS | _ABBR_MONTHS
_MONTH_RX = (
    "|".join(sorted(_FULL_MONTHS, key=lambda k: (-len(k), k)))
    + "|(?:"
    + "|".join(sorted(_ABBR_MONTHS, key=lambda k: (-len(k), k)))
    + r")\.?"
)
_SEP = r"(?P<sep>\s*[-–—]\s*|\s+(?:to|and|until|till|through|thru|-|–|—)\s+)"


def _d(n: str) -> str:
    return rf"(?<![\w.:/])(?:the\s+)?(?P<d{n}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"


def _m(n: str) -> str:
    return rf"(?P<m{n}>{_MONTH_RX})(?!\w)"


def _y(n: str) -> str:
    return rf"(?P<y{n}>(?:19|20)\d\d)(?!\d)"


#: The news forms, as (kind, regex): ``range``, ``day``, ``numeric`` (13.06.2025, day or
#: month first) and ``month``. :func:`find_dates` tries the kinds other than ``month``
#: in this order, masking what each matched, then dateparser, then ``month``.
DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx))
    for kind, rx in (
        (
            "range",
            rf"{_d('1')}(?:(?:\s+of)?\s+{_m('1')}(?:,?\s+{_y('1')})?)?{_SEP}"
            rf"{_d('2')}(?:\s+of)?\s+{_m('2')}(?:,?\s+{_y('2')})?",
        ),
        (
            "range",
            rf"{_m('1')}\s+{_d('1')}(?:,?\s+{_y('1')})?{_SEP}(?:{_m('2')}\s+)?{_d('2')}"
            rf"(?:,?\s+{_y('2')})?",
        ),
        (
            "range",
            rf"(?<!\d){_y('1')}-(?P<m1>\d\d)-(?P<d1>\d\d){_SEP}"
            rf"{_y('2')}-(?P<m2>\d\d)-(?P<d2>\d\d)",
        ),
        ("day", rf"{_d('1')}(?:\s+of)?\s+{_m('1')}(?:,?\s+{_y('1')})?"),
        ("day", rf"{_m('1')}\s+{_d('1')}(?:,?\s+{_y('1')})?"),
        ("day", rf"(?<![\w./]){_y('1')}(?P<s>[-/.])(?P<m1>\d\d?)(?P=s)(?P<d1>\d\d?)(?![\d:])"),
        ("numeric", rf"(?<![\w./])(?P<d1>\d{{1,2}})(?P<s>[./])(?P<m1>\d{{1,2}})(?P=s){_y('1')}"),
        ("month", rf"{_m('1')}\s+{_y('1')}"),
        ("month", rf"\b(?:in|during|throughout|since|early|mid-|late)\s*{_m('1')}(?!\s*\d)"),
    )
)
#: A four-digit year stated in the text (a two-digit one is never taken).
YEAR = re.compile(r"(?<![\d,.])(?:19|20)\d\d(?![\d,])")

YMD = tuple[int | None, int, int]  # year (None: not stated), month, day


@dataclass(frozen=True)
class DateMention:
    """A date or a range of dates the text names."""

    start: int
    end: int
    kind: str  # range | day | month
    first: YMD
    last: YMD
    quote: str
    check: tuple[str, ...] = ()  # doubts about this mention itself
    night: bool = False  # "the night of D": the night that ends on the morning of D


#: What before a date makes it a night's: "the night of", "overnight into", "the night
#: between", with a weekday allowed ("the night of Tuesday 9 September").
NIGHT_BEFORE = re.compile(
    r"\b(?:the\s+)?(?:nights?\s+(?:of|between|from)|overnight(?:\s+(?:of|on|into|to|from))?)\s+"
    r"(?:the\s+)?(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Days:
    """The window's first and last day, their doubts and where they came from."""

    first: YMD
    last: YMD
    since_check: list[str]
    until_check: list[str]
    source: str  # the quote both ends came from, when one
    opening: DateMention  # the mention the first day came from


def _valid(ymd: YMD) -> bool:
    y, m, d = ymd
    if not 1 <= m <= 12:
        return False
    return 1 <= d <= calendar.monthrange(y if y is not None else 2024, m)[1]  # 2024: leap


def _month_number(s: str) -> int:
    s = s.rstrip(".")
    return _MONTHS[s] if s in _MONTHS else int(s)


def _from_match(kind: str, m: re.Match[str]) -> DateMention | str:
    g = m.groupdict()
    y1 = int(g["y1"]) if g.get("y1") else None
    y2 = int(g["y2"]) if g.get("y2") else None
    quote = " ".join(m.group(0).split())
    check: list[str] = []
    if kind == "month":
        month = _month_number(g["m1"])
        last_day = calendar.monthrange(y1 if y1 is not None else 2023, month)[1]
        if y1 is None and month == 2:
            check.append("February: 28 or 29 days depending on the year")
        return DateMention(
            m.start(), m.end(), kind, (y1, month, 1), (y1, month, last_day), quote, tuple(check)
        )
    if kind == "day":
        ymd = (y1, _month_number(g["m1"]), int(g["d1"]))
        return DateMention(m.start(), m.end(), kind, ymd, ymd, quote) if _valid(ymd) else quote
    if kind == "numeric":  # 13.06.2025, 13/06/2025: day first unless that is impossible
        a, b = int(g["d1"]), int(g["m1"])
        if b > 12 >= a:
            a, b = b, a
            check.append(f"{quoted(quote)} read month first")
        elif a <= 12 and b <= 12 and a != b:
            check.append(f"{quoted(quote)} read day first; could be month first")
        ymd = (y1, b, a)
        return (
            DateMention(m.start(), m.end(), "day", ymd, ymd, quote, tuple(check))
            if _valid(ymd)
            else quote
        )
    m1 = _month_number(g["m1"] or g["m2"])  # "13 and 24 June" / "June 13-24"
    m2 = _month_number(g["m2"] or g["m1"])
    d1, d2 = int(g["d1"]), int(g["d2"])
    if y1 is None and y2 is not None:
        if (m1, d1) <= (m2, d2):
            y1 = y2
        else:
            check.append("range crosses a year end")
    elif y2 is None and y1 is not None and (m1, d1) <= (m2, d2):
        y2 = y1
    first, last = (y1, m1, d1), (y2, m2, d2)
    if not (_valid(first) and _valid(last)):
        return quote
    if None not in (y1, y2) and first > last:
        return quote
    if y1 is None and y2 is None and (m1, d1) > (m2, d2):
        check.append("range crosses a year end")
    return DateMention(m.start(), m.end(), kind, first, last, quote, tuple(check))


def find_dates(
    text: str, skip: Iterable[tuple[int, int]] = ()
) -> tuple[list[DateMention], list[str]]:
    """Dates the text names, and notes on what was seen but not used; the ``skip``
    spans (clock times) are not read as dates."""
    work = text
    for a, b in skip:
        work = work[:a] + " " * (b - a) + work[b:]
    found: list[DateMention] = []
    notes: list[str] = []

    def take(kind: str, rx: re.Pattern[str]) -> None:
        nonlocal work
        for m in list(rx.finditer(work)):
            if kind == "range" and m.group("sep").strip() in {"to", "and", "until", "till"}:
                rest = work[m.end() :]
                if "m2" in m.groupdict() and m.group("m2") is None and re.match(r"\s+[a-z]", rest):
                    continue  # "June 13 and 24 drones": a count, not a day
            got = _from_match(kind, m)
            if isinstance(got, str):
                notes.append(f"impossible date {quoted(got)} ignored")
            else:
                found.append(got)
            work = work[: m.start()] + " " * (m.end() - m.start()) + work[m.end() :]

    for kind, rx in DATE_PATTERNS:
        if kind != "month":
            take(kind, rx)
    parsed, more_notes = _dateparser_dates(work)
    found += parsed
    notes += more_notes
    for d in parsed:  # mask what dateparser read so no month pattern reads it again
        work = work[: d.start] + " " * (d.end - d.start) + work[d.end :]
    for kind, rx in DATE_PATTERNS:
        if kind == "month":
            take(kind, rx)
    found = [
        replace(d, night=True) if NIGHT_BEFORE.search(text[max(0, d.start - 40) : d.start]) else d
        for d in sorted(found, key=lambda d: d.start)
    ]
    return found, notes


_DP_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    # Without this "on Tuesday night" or "in June" come back as dates near today.
    "REQUIRE_PARTS": ["day", "month"],
    "DATE_ORDER": "DMY",
    # Fixed, so output never depends on today; the year is re-read from the text.
    "RELATIVE_BASE": datetime(2000, 1, 1),  # noqa: DTZ001 - dateparser wants it naive
}


_RELATIVE = re.compile(
    r"\b(?:yesterday|today|tonight|tomorrow|last|ago|this|next|week|weekend|night|morning"
    r"|evening|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
    re.IGNORECASE,
)


def _dateparser_dates(text: str) -> tuple[list[DateMention], list[str]]:
    """What dateparser finds that the patterns above did not (mostly numeric dates)."""
    from dateparser.search import search_dates  # slow import; only when drafting

    hits = search_dates(text, languages=["en"], settings=_DP_SETTINGS) or []
    found, notes, cursor = [], [], 0
    for substring, when in hits:
        start = text.find(substring, cursor)
        if start < 0:
            start = text.find(substring)
        cursor = max(cursor, start + len(substring))
        quote = re.sub(r"[\s,]+(?:and|or|to|until|the)?$", "", " ".join(substring.split()))
        numeric = re.search(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./]((?:19|20)?\d\d)(?!\d)", substring)
        named = re.search(rf"\b(?:{_MONTH_RX})(?!\w)", substring) and re.search(r"\d", substring)
        if not (numeric or named):
            if _RELATIVE.search(substring):
                notes.append(f"relative date {quoted(quote)} not resolved")
            continue  # other hits ("1, at 21:40 UTC, 10") are numbers, not dates
        check = [f"read by dateparser from {quoted(quote)}"]
        stated = YEAR.search(substring)  # a two-digit year is not taken
        if numeric:
            a, b = int(numeric.group(1)), int(numeric.group(2))
            if a <= 12 and b <= 12 and a != b:
                check.append("day/month order ambiguous; read as day first")
        ymd = (when.year if stated else None, when.month, when.day)
        found.append(
            DateMention(start, start + len(substring), "day", ymd, ymd, quote, tuple(check))
        )
    return found, notes
