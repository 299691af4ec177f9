"""The case's window (``since``/``until``) from the dates a text names."""

from __future__ import annotations

from airwitness.investigate.draft.dates import YEAR, YMD, DateMention
from airwitness.investigate.draft.fields import Field, quoted


def _ymd_text(ymd: YMD) -> str:
    """``YYYY-MM-DD`` as the case file holds it, ``????`` for a year not stated."""
    y, m, d = ymd
    return f"{'????' if y is None else f'{y:04d}'}-{m:02d}-{d:02d}"


def _order_key(ymd: YMD, any_unknown: bool) -> tuple[int, ...]:
    """Sort key: month and day only when some year is not stated, else the full date."""
    return ymd[1:] if any_unknown else (ymd[0] or 0, ymd[1], ymd[2])


def choose_window(text: str, mentions: list[DateMention], notes: list[str]) -> tuple[Field, Field]:
    """since/until from the dates named: a range if there is one, else their span."""
    if not mentions:
        why = ["no date in the text", *notes]
        years = sorted(set(YEAR.findall(text)))
        if years:
            why.append(f"it mentions {', '.join(years)}")
        return Field(None, why), Field(None, list(why))
    days = [d for d in mentions if d.kind != "month"]
    ranges = [d for d in days if d.kind == "range"]
    check: list[str] = list(notes)
    pool = days or mentions
    unknown = any(d.first[0] is None or d.last[0] is None for d in pool)
    if ranges:
        chosen = ranges[0]
        first, last = chosen.first, chosen.last
        check += chosen.check
        lo, hi = _order_key(first, unknown), _order_key(last, unknown)
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
        first, last = earliest.first, latest.last
        if not days:
            check.append("only a month named: " + ", ".join(quoted(d.quote) for d in pool))
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
    for ymd, ch in ((first, since_check), (last, until_check)):
        if ymd[0] is None:
            ch.insert(
                0, "year not stated" + (f" (the text mentions {', '.join(years)})" if years else "")
            )
    return (
        Field(_ymd_text(first), since_check, source if not since_check else ""),
        Field(_ymd_text(last), until_check, source if not until_check else ""),
    )
