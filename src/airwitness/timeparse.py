"""Parse the times users type (ARCHITECTURE §5): ISO-8601 dates or datetimes, UTC."""

from __future__ import annotations

import datetime as dt

_DAY_NS = 86_400 * 10**9


def parse_utc_ns(text: str, *, end_of_day: bool = False) -> int:
    """Nanoseconds since the epoch for ``2025-06-13``, ``2025-06-13T04:00Z``, …

    A date alone means the start of that day (UTC) or, with ``end_of_day``,
    its last nanosecond, so ``--until 2025-06-24`` covers the whole day.
    A datetime without a zone is taken as UTC. Raises ValueError.
    """
    s = text.strip()
    try:
        if len(s) == 10:
            day = dt.date.fromisoformat(s)
            start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
            ns = _to_ns(start)
            return ns + _DAY_NS - 1 if end_of_day else ns
        when = dt.datetime.fromisoformat(s.replace("z", "Z"))
    except ValueError:
        raise ValueError(
            f"not an ISO-8601 date or datetime: {text!r} (e.g. 2025-06-13 or 2025-06-13T04:00Z)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return _to_ns(when)


def _to_ns(when: dt.datetime) -> int:
    delta = when - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * 1000
