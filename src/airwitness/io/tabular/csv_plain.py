"""The documented plain CSV format for position reports (``csv``).

One header line, then one position report per line, comma-separated, UTF-8.
Required columns (any order; names are matched case-insensitively):

==================  ==========================================================
``track_id``        any text naming the track (kept as written)
``time``            ISO-8601 date and time, e.g. ``2025-06-13T04:05:06.5Z`` or
                    ``2025-06-13 04:05:06+03:00``; a time without a zone is
                    UTC. Or unix seconds, e.g. ``1749787506.5`` (decimal
                    fractions are kept exactly, to the nanosecond).
``lat``, ``lon``    WGS-84 decimal degrees
==================  ==========================================================

Optional columns, empty cells meaning unknown:

======================  =======================================================
``alt_m``               altitude in metres
``alt_kind``            ``baro`` (pressure altitude), ``geo`` (geometric) or
                        ``agl`` (above ground)
``ground_speed_mps``    ground speed, m/s
``track_deg``           track over ground, degrees clockwise from true north
``vrate_mps``           vertical rate, m/s (positive = climbing)
``callsign``            text (surrounding spaces are trimmed)
``pos_sigma_m``         1-σ horizontal position error, metres (per axis, as in
                        docs/architecture.md §2); empty = not stated
``sensor``              who made the position (docs/fusion.md): ``adsb``,
                        ``mlat``, ``remoteid``, ``log``, or the measuring
                        sensor's name; empty = not stated
``identity``            the identity the object gives (Mode S address, Remote
                        ID UAS ID); empty = none
======================  =======================================================

Other columns are ignored. Blank lines are skipped; the file may be
gzip-compressed. Rows are numbered by physical line (header = line 1).
A row is rejected, with the first reason that applies, for: ``wrong number
of fields``, ``missing track_id``, ``bad time`` (unparseable, or outside
1990–2100), ``bad lat/lon``, ``no position`` (empty lat or lon), ``lat/lon
out of range``, ``bad number in <column>`` (any optional number that is not a
number, or infinite; also a negative ``pos_sigma_m``), ``bad alt_kind``.

Example::

    track_id,time,lat,lon,alt_m,alt_kind
    DRONE-1,2025-06-13T04:05:06Z,40.1,47.2,120,agl
    DRONE-1,2025-06-13T04:05:07Z,40.1001,47.2003,121,agl
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness import reasons
from airwitness.io._convert import Checks, finish, floats, text, times
from airwitness.io._source import Source
from airwitness.io.options import ReadOptions
from airwitness.io.tabular._containers import Columns, load
from airwitness.schema import ReadResult

NAME = "csv"
REQUIRED = ("track_id", "time", "lat", "lon")
NUMBERS = ("alt_m", "ground_speed_mps", "track_deg", "vrate_mps", "pos_sigma_m")
OPTIONAL = ("alt_kind", "callsign", "sensor", "identity", *NUMBERS)
ALT_KINDS = ("baro", "geo", "agl")
#: Text columns, converted per distinct value when they come dictionary-encoded
TEXT = ("track_id", "callsign", "sensor", "identity")
#: Columns that only fill a report's details (not its track, time, position,
#: altitude or position error): the engines need not read them where the file
#: proves them clean
DETAIL = ("ground_speed_mps", "track_deg", "vrate_mps", "callsign")


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read a plain CSV file of position reports (see the module docs for the format)."""
    src = Source(path, stream)
    return convert(src.name, load(src, REQUIRED + OPTIONAL, REQUIRED, NAME))


def convert(file: str, data: Columns, only: Collection[str] | None = None) -> ReadResult:
    """The canonical table of columns already read (by ``read``, or by the engines a
    batch at a time: ``only`` those canonical columns, text as dictionaries)."""
    checks = Checks(len(data))

    track_id, bad = text(data.get("track_id"))
    checks.flag(bad | ~track_id.is_valid().to_numpy(zero_copy_only=False), reasons.MISSING_TRACK_ID)

    time_ns, bad, missing = times(data.get("time"), "s")
    checks.flag(bad | missing, reasons.BAD_TIME)

    lat, lon = floats(data.get("lat")), floats(data.get("lon"))
    checks.position(lat, lon, reasons.NO_POSITION)

    numbers = {}
    for name in NUMBERS:
        numbers[name], bad = floats(data.get(name))
        checks.flag(bad, reasons.bad_number_in(name))
    with np.errstate(invalid="ignore"):
        negative = numbers["pos_sigma_m"] < 0  # an error is never negative
    checks.flag(negative, reasons.bad_number_in("pos_sigma_m"))

    kind, bad = text(data.get("alt_kind"))
    kind = pc.utf8_lower(kind)
    known = pc.fill_null(pc.is_in(kind, pa.array(ALT_KINDS)), False).to_numpy(zero_copy_only=False)
    unknown = kind.is_valid().to_numpy(zero_copy_only=False) & ~known
    checks.flag(bad | unknown, reasons.BAD_ALT_KIND)
    kind = pc.if_else(pa.array(np.isnan(numbers["alt_m"])), pa.scalar(None, pa.string()), kind)

    callsign, bad = text(data.get("callsign"))
    checks.flag(bad, reasons.BAD_CALLSIGN_TEXT)
    sensor, bad_sensor = text(data.get("sensor"))
    identity, bad_identity = text(data.get("identity"))
    checks.flag(bad_sensor | bad_identity, reasons.BAD_TEXT)

    columns = {
        "track_id": track_id,
        "time": time_ns,
        "lon": lon[0],
        "lat": lat[0],
        "alt_m": numbers["alt_m"],
        "alt_kind": kind,
        "ground_speed_mps": numbers["ground_speed_mps"],
        "track_deg": numbers["track_deg"],
        "vrate_mps": numbers["vrate_mps"],
        "callsign": callsign,
        "pos_sigma_m": numbers["pos_sigma_m"],
        "sensor": sensor,
        "identity": identity,
    }
    return finish(file, NAME, checks, data.records, columns, data.rejects, only)
