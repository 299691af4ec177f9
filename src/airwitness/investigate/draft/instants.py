"""A window's days as UTC instants: local days of the text's zone, nights, clock times.

* A day runs from local midnight to the next, in the text's zone
  (:class:`.zones.TextZone`).
* "The night of D" starts at :data:`EVENING_HOUR` the evening before D; "the
  night of 9–10 September" at that hour on the 9th.
* A clock time belongs to the date named nearest before it in its sentence (else
  after it in the sentence, else the last date before it, else the first after;
  a range's first day); after "the night of D", a time from noon on is the
  evening before. It is read in its own zone ("00:50 Kyiv time") or the text's,
  and one outside the days widens the window to take it in.
* A date without a year is placed, for its offset only, in the latest year the
  text mentions, else in :data:`PRESENT_RULES_YEAR` (the zone's present rules);
  the year is still written ``????``.

The window is written in UTC: a plain date where an end is a whole UTC day, else
``2025-06-12T20:30Z``; the comment gives the local time it stands for.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from airwitness.investigate.draft.clock import ClockMention
from airwitness.investigate.draft.dates import NIGHT_BEFORE, YEAR, YMD, DateMention, Days
from airwitness.investigate.draft.fields import Field, quoted
from airwitness.investigate.draft.zones import TextZone
from airwitness.times import local_to_ns, utc_datetime, utc_offset_text, zone

#: "The night of D" starts at this local hour the evening before.
EVENING_HOUR = 18
#: A year the zones' present rules govern (past every explicit transition in the
#: database, and a leap year so that 29 February exists): where a date's year is
#: unknown and the text mentions none, its offset is taken from this year.
PRESENT_RULES_YEAR = 2096
_DAY_NS = 86_400 * 10**9
_SENTENCE_END = re.compile(r"[.!?;]\s")


@dataclass(frozen=True)
class _End:
    """One end of the window: the instant, whether its year is known, and why there."""

    ns: int
    year_known: bool
    local_year: int  # the year of the local date it stands for (placed, when unknown)
    tz: dt.tzinfo
    label: str  # the zone as comments name it
    why: str = ""  # what put it there, beyond the day itself


def _date(ymd: YMD, year: int) -> dt.date:
    try:
        return dt.date(year, ymd[1], ymd[2])
    except ValueError:  # 29 February in a year placed for a date without one
        return dt.date(PRESENT_RULES_YEAR, ymd[1], ymd[2])


def _years(days: Days, text: str) -> tuple[int, int]:
    """The years of the first and last day, placed where the text states none."""
    (y1, m1, d1), (y2, m2, d2) = days.first, days.last
    mentioned = [int(y) for y in YEAR.findall(text)]
    placed = max(mentioned) if mentioned else PRESENT_RULES_YEAR
    if y1 is None and y2 is None:
        return placed, placed + ((m2, d2) < (m1, d1))
    if y1 is None:
        return y2 - ((m1, d1) > (m2, d2)), y2
    if y2 is None:
        return y1, y1 + ((m2, d2) < (m1, d1))
    return y1, y2


def _sentence(text: str, pos: int) -> tuple[int, int]:
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, pos)]
    end = _SENTENCE_END.search(text, pos)
    return (starts[-1] if starts else 0), (end.start() if end else len(text))


def _date_of(clock: ClockMention, mentions: list[DateMention], text: str) -> DateMention | None:
    """The date a clock time belongs to (see the module's rules)."""
    lo, hi = _sentence(text, clock.start)
    dated = [d for d in mentions if d.kind != "month"]
    before = [d for d in dated if d.end <= clock.start]
    after = [d for d in dated if d.start >= clock.end]
    ranked = [
        *(d for d in reversed(before) if d.start >= lo),
        *(d for d in after if d.end <= hi),
        *reversed(before),
        *after,
    ]
    return ranked[0] if ranked else None


def _clock_ns(
    clock: ClockMention, mention: DateMention, year: int, text_tz: dt.tzinfo
) -> tuple[int, dt.tzinfo, int]:
    """The instant of ``clock`` on the date of ``mention``, its zone, and the local year."""
    day = _date(mention.first, mention.first[0] or year)
    if mention.night and clock.hour >= 12:
        day -= dt.timedelta(days=1)
    tz = zone(clock.zone) if clock.zone else text_tz
    ns = local_to_ns(day.year, day.month, day.day, clock.hour, clock.minute, tz)
    return ns + clock.second * 10**9, tz, day.year


def _night_words(text: str, mention: DateMention) -> str:
    before = NIGHT_BEFORE.search(text[max(0, mention.start - 40) : mention.start])
    return (before.group(0) if before else "") + mention.quote


def _utc_value(end: _End, *, closing: bool) -> str:
    """The UTC text of an end: a plain date for a whole UTC day, else a datetime."""
    when = utc_datetime(end.ns)
    if end.ns % _DAY_NS == 0:
        text = (when - dt.timedelta(days=1) if closing else when).strftime("%Y-%m-%d")
    else:
        text = when.strftime("%Y-%m-%dT%H:%M" + (":%S" if when.second else "")) + "Z"
    return text if end.year_known else "????" + text[4:]


def _reading(end: _End) -> str:
    """The local time an end stands for: ``2025-06-13T00:00+03:30 Asia/Tehran``."""
    local = utc_datetime(end.ns).astimezone(end.tz)
    year = f"{local.year:04d}" if end.year_known else "????"
    if end.label == "UTC":
        return f"{year}-{local:%m-%dT%H:%M}Z"
    return f"{year}-{local:%m-%dT%H:%M}{utc_offset_text(end.ns, end.tz)[3:]} {end.label}"


def _year_shift(end: _End) -> list[str]:
    """A CHECK when a date without a year falls in another year in UTC."""
    if end.year_known or utc_datetime(end.ns).year == end.local_year:
        return []
    later = utc_datetime(end.ns).year > end.local_year
    return [f"in UTC this is in the year {'after' if later else 'before'} the local date's"]


def _zone_doubts(text_zone: TextZone, ns: int) -> list[str]:
    """CHECKs when the country the zone came from has other offsets at ``ns``, or the
    country speaking keeps another offset then."""
    if text_zone.name is None:
        return []
    chosen = utc_offset_text(ns, zone(text_zone.name))
    out = []
    offsets = sorted({utc_offset_text(ns, zone(o)) for o in text_zone.others} - {chosen})
    if offsets:
        out.append(
            f"{text_zone.country} also has zones at {', '.join(offsets)}; took {text_zone.name}"
            f" ({chosen})"
        )
    if text_zone.speaker is not None:
        code, name = text_zone.speaker
        theirs = utc_offset_text(ns, zone(name))
        if theirs != chosen:
            out.append(
                f"the text speaks for {code}, whose dates would be {name}'s ({theirs},"
                f" not {chosen})"
            )
    return out


def window_instants(
    text: str,
    days: Days,
    mentions: list[DateMention],
    clocks: list[ClockMention],
    text_zone: TextZone,
) -> tuple[Field, Field, Field]:
    """since, until and timezone: ``days`` read in ``text_zone``, widened for ``clocks``."""
    tz = zone(text_zone.name) if text_zone.name else dt.UTC
    label = text_zone.label
    y_first, y_last = _years(days, text)
    first, last = _date(days.first, y_first), _date(days.last, y_last)
    opening = days.opening
    source = days.source
    if opening.night:
        one_night = opening.kind == "range" and (
            _date(opening.last, y_last) - _date(opening.first, y_first)
        ) == dt.timedelta(days=1)
        evening = first if one_night else first - dt.timedelta(days=1)
        night = quoted(_night_words(text, opening))
        why = f"the evening of {night}" if one_night else f"the evening before {night}"
        start = local_to_ns(evening.year, evening.month, evening.day, EVENING_HOUR, 0, tz)
        since = _End(start, days.first[0] is not None, evening.year, tz, label, why)
        if source == opening.quote:
            source = _night_words(text, opening)
    else:
        start = local_to_ns(first.year, first.month, first.day, 0, 0, tz)
        since = _End(start, days.first[0] is not None, first.year, tz, label)
    after = last + dt.timedelta(days=1)
    until = _End(
        local_to_ns(after.year, after.month, after.day, 0, 0, tz),
        days.last[0] is not None,
        after.year,
        tz,
        label,
    )
    unplaced = []
    for clock in clocks:
        mention = _date_of(clock, mentions, text)
        if mention is None:
            unplaced.append(clock.quote)
            continue
        ns, clock_tz, year = _clock_ns(clock, mention, y_first, tz)
        own = clock.zone is not None
        known = mention.first[0] is not None
        why = f"the time {quoted(clock.quote)} on {quoted(mention.quote)}"
        end = _End(ns, known, year, clock_tz, clock.zone if own else label, why)
        if ns < since.ns:
            since = end
        if ns > until.ns:
            until = end
    zone_check = [*text_zone.check, *_zone_doubts(text_zone, since.ns)]
    fields = []
    for end, base, closing in ((since, days.since_check, False), (until, days.until_check, True)):
        check = [*base, *_year_shift(end), *zone_check]
        if unplaced and not closing:
            check.append("clock times without a date: " + ", ".join(quoted(q) for q in unplaced))
        value = _utc_value(end, closing=closing)
        whole_utc_day = len(value) == 10 and text_zone.name in (None, "UTC")
        note = "" if whole_utc_day and not end.why else f"= {_reading(end)}"
        if end.why:
            note += f", {end.why}"
        fields.append(Field(value, check, source if not check else "", note))
    timezone = Field(text_zone.name, zone_check, text_zone.source)
    return fields[0], fields[1], timezone
