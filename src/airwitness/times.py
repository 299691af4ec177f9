"""Times as users type them and as airwitness prints them (docs/architecture.md §5).

Inside, a time is an integer of nanoseconds since the epoch, UTC. Users type
ISO-8601 dates or datetimes; every output prints ISO-8601 UTC with milliseconds.
One module for both, so the CLI, the web API, the store and the reports agree.
Time zones (a case's ``timezone``, the zones a drafted text names) are the IANA
database's as the ``tzdata`` package ships it, or fixed offsets (``UTC+03:30``).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import cache
from importlib import resources

import numpy as np
import pyarrow as pa

_DAY_NS = 86_400 * 10**9
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class WindowError(ValueError):
    """A since/until window that cannot be read; ``field`` says which end."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_utc_ns(text: str, *, end_of_day: bool = False) -> int:
    """Nanoseconds since the epoch for ``2025-06-13``, ``2025-06-13T04:00Z``, …

    A date alone means the start of that day (UTC) or, with ``end_of_day``,
    its last nanosecond, so ``--until 2025-06-24`` covers the whole day.
    A datetime without a zone is taken as UTC. Raises ValueError.

    >>> parse_utc_ns("2025-06-13T04:00Z")
    1749787200000000000
    >>> parse_utc_ns("2025-06-13", end_of_day=True) - parse_utc_ns("2025-06-14")
    -1
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


def parse_window(since: str | None, until: str | None) -> tuple[int | None, int | None]:
    """A ``since``/``until`` pair as UTC nanoseconds (``None`` where not given).

    A date for ``until`` covers its whole day. Raises :class:`WindowError`
    naming the field that is unreadable, or ``until`` when it precedes ``since``.

    >>> parse_window("2025-06-13", None)
    (1749772800000000000, None)
    """
    since_ns = _parse_field(since, "since", end_of_day=False)
    until_ns = _parse_field(until, "until", end_of_day=True)
    if since_ns is not None and until_ns is not None and until_ns < since_ns:
        raise WindowError("until", "until is before since")
    return since_ns, until_ns


def _parse_field(text: str | None, field: str, *, end_of_day: bool) -> int | None:
    if text is None or text == "":
        return None
    try:
        return parse_utc_ns(text, end_of_day=end_of_day)
    except (ValueError, OverflowError) as exc:
        raise WindowError(field, str(exc)) from None


def _to_ns(when: dt.datetime) -> int:
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * 1000


def utc_datetime(ns: int) -> dt.datetime:
    """A timezone-aware UTC datetime (microseconds, truncated)."""
    return _EPOCH + dt.timedelta(microseconds=int(ns) // 1000)


def iso_ms(ns: int, *, truncate: bool = False) -> str:
    """ISO-8601 UTC with milliseconds, rounded half up (or truncated, so that an
    inclusive end of a window stays in its day).

    >>> iso_ms(1749787200123456789), iso_ms(1749787200123456789, truncate=True)
    ('2025-06-13T04:00:00.123Z', '2025-06-13T04:00:00.123Z')
    >>> iso_ms(1749787200999600000)
    '2025-06-13T04:00:01.000Z'
    """
    ms = ns // 1_000_000 if truncate else (ns + 500_000) // 1_000_000
    return f"{np.datetime_as_string(np.datetime64(ms, 'ms'), unit='ms')}Z"


def iso_times(column: pa.ChunkedArray | pa.Array) -> list[str | None]:
    """Timestamps as ISO-8601 UTC strings with milliseconds, rounded half up; nulls stay None."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    ns = arr.cast(pa.int64()).to_numpy(zero_copy_only=False)
    valid = ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    ms = np.floor_divide(np.where(valid, ns, 0) + 500_000, 1_000_000)
    text = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")
    return [f"{s}Z" if ok else None for s, ok in zip(text.tolist(), valid, strict=True)]


#: A fixed offset as cases and texts write it: ``UTC+03:30``, ``UTC-5``, ``UTC``.
_FIXED = re.compile(r"^(?:UTC|GMT)(?:([+-−])(\d{1,2})(?::?(\d\d))?)?$")
_ZONE_KEY = re.compile(r"^[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*$")


@cache
def zone_names() -> frozenset[str]:
    """Every IANA zone name the ``tzdata`` package ships."""
    listing = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in listing.splitlines() if line.strip())


@cache
def zone(name: str) -> dt.tzinfo:
    """The time zone ``name``: an IANA name (``Asia/Tehran``) or a fixed offset
    (``UTC+03:30``). Raises ValueError naming what is accepted.

    IANA zones are read from the ``tzdata`` package, never from the system, so
    every machine with the same software gives the same answers.

    >>> utc_offset_text(parse_utc_ns("2025-06-13"), zone("Asia/Tehran"))
    'UTC+03:30'
    >>> utc_offset_text(0, zone("UTC-5"))
    'UTC-05:00'
    """
    fixed = _FIXED.match(name.strip())
    if fixed:
        sign, hours, minutes = fixed.groups()
        delta = dt.timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
        if delta >= dt.timedelta(hours=24):
            raise ValueError(f"not a UTC offset: {name!r} (at most UTC±23:59)")
        return dt.timezone(-delta if sign in ("-", "−") else delta)
    if not _ZONE_KEY.match(name) or name not in zone_names():
        raise ValueError(
            f"not a time zone: {name!r} (an IANA name such as Asia/Tehran, or UTC+03:30)"
        )
    path = resources.files("tzdata").joinpath("zoneinfo", *name.split("/"))
    with path.open("rb") as fh:
        return zoneinfo.ZoneInfo.from_file(fh, key=name)


def utc_offset_text(ns: int, tz: dt.tzinfo) -> str:
    """The offset of ``tz`` from UTC at instant ``ns``, as ``UTC+03:30``."""
    offset = utc_datetime(ns).astimezone(tz).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_iso(ns: int, tz: dt.tzinfo, timespec: str = "seconds") -> str:
    """Instant ``ns`` as local ISO-8601 in ``tz`` with its offset (truncated to
    ``timespec``: ``seconds`` or ``milliseconds``).

    >>> local_iso(parse_utc_ns("2025-06-12T20:30Z"), zone("Asia/Tehran"))
    '2025-06-13T00:00:00+03:30'
    """
    return utc_datetime(ns).astimezone(tz).isoformat(timespec=timespec)


def local_to_ns(year: int, month: int, day: int, hour: int, minute: int, tz: dt.tzinfo) -> int:
    """The instant a local wall-clock time in ``tz`` names (the earlier one when the
    clocks repeat an hour; a time the clocks skip is read with the offset before).

    >>> iso_ms(local_to_ns(2025, 6, 13, 0, 0, zone("Asia/Tehran")))
    '2025-06-12T20:30:00.000Z'
    """
    return _to_ns(dt.datetime(year, month, day, hour, minute, tzinfo=tz))


def rows_ns(table: pa.Table) -> list[dict]:
    """Rows as dicts, every timestamp column as integer nanoseconds.

    Exact and free of pandas: without it pyarrow refuses to turn nanosecond
    stamps into ``datetime`` objects, so a plain ``to_pylist`` fails.
    """
    stamps = [i for i, f in enumerate(table.schema) if pa.types.is_timestamp(f.type)]
    for i in stamps:
        table = table.set_column(i, table.field(i).name, table.column(i).cast(pa.int64()))
    return table.to_pylist()
