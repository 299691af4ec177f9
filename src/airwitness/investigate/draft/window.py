"""The case's window (``since``/``until``) from the dates and clock times a text names.

Which days: one range if the text names one, else the span of the dates named
(:func:`choose_days`). When: the days are local days of the text's zone
(:class:`.zones.TextZone`), "the night of D" starts the evening before, and a
clock time outside them widens the window to take it in (:mod:`.instants`).
"""

from __future__ import annotations

from airwitness.investigate.draft.clock import ClockMention
from airwitness.investigate.draft.dates import YEAR, YMD, DateMention, Days
from airwitness.investigate.draft.fields import Field, quoted
from airwitness.investigate.draft.instants import window_instants
from airwitness.investigate.draft.zones import TextZone


def _order_key(ymd: YMD, any_unknown: bool) -> tuple[int, ...]:
    """Sort key: month and day only when some year is not stated, else the full date."""
    return ymd[1:] if any_unknown else (ymd[0] or 0, ymd[1], ymd[2])


def choose_days(text: str, mentions: list[DateMention], notes: list[str]) -> Days:
    """The window's days from the dates named (at least one): a range if there is one,
    else their span."""
    days = [d for d in mentions if d.kind != "month"]
    ranges = [d for d in days if d.kind == "range"]
    check: list[str] = list(notes)
    pool = days or mentions
    unknown = any(d.first[0] is None or d.last[0] is None for d in pool)
    if ranges:
        chosen = earliest = latest = ranges[0]
        check += chosen.check
        lo, hi = _order_key(chosen.first, unknown), _order_key(chosen.last, unknown)
        outside = [
            d.quote
            for d in pool
            if d is not chosen
            and not (lo <= _order_key(d.first, unknown) and _order_key(d.last, unknown) <= hi)
        ]
        if outside:
            check.append("the text also names " + ", ".join(quoted(q) for q in outside))
        source = chosen.quote
    else:
        earliest = min(pool, key=lambda d: _order_key(d.first, unknown))
        latest = max(pool, key=lambda d: _order_key(d.last, unknown))
        if not days:
            check.append("only a month named: " + ", ".join(quoted(d.quote) for d in pool))
        elif len(pool) == 1 and pool[0].night:
            check.append(f"one night named ({quoted(pool[0].quote)}); window is that night and day")
        elif len(pool) == 1:
            check.append(f"one date named ({quoted(pool[0].quote)}); window is that day only")
        else:
            check.append(
                "window spans the dates named: " + ", ".join(quoted(d.quote) for d in pool)
            )
        source = pool[0].quote if len(pool) == 1 else ""
    since_check, until_check = list(check), list(check)
    if not ranges:  # each end keeps the doubts of the date it came from
        since_check = [*earliest.check, *check]
        until_check = [*latest.check, *check]
    years = sorted(set(YEAR.findall(text)))
    for ymd, ch in ((earliest.first, since_check), (latest.last, until_check)):
        if ymd[0] is None:
            ch.insert(
                0, "year not stated" + (f" (the text mentions {', '.join(years)})" if years else "")
            )
    return Days(earliest.first, latest.last, since_check, until_check, source, earliest)


def choose_window(
    text: str,
    mentions: list[DateMention],
    notes: list[str],
    clocks: list[ClockMention],
    zone: TextZone,
) -> tuple[Field, Field, Field]:
    """since, until (UTC) and timezone from the dates and clock times named, read in
    ``zone``."""
    if not mentions:
        why = ["no date in the text", *notes]
        if clocks:
            why.append("clock times without a date: " + ", ".join(quoted(c.quote) for c in clocks))
        years = sorted(set(YEAR.findall(text)))
        if years:
            why.append(f"it mentions {', '.join(years)}")
        return (
            Field(None, why),
            Field(None, list(why)),
            Field(zone.name, list(zone.check), zone.source),
        )
    days = choose_days(text, mentions, notes)
    return window_instants(text, days, mentions, clocks, zone)
