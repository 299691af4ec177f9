"""OpenSky Network state vectors (historical database / ``states`` dataset), CSV or Parquet.

Columns as in the history database: ``time, icao24, lat, lon, velocity,
heading, vertrate, callsign, onground, alert, spi, squawk, baroaltitude,
geoaltitude, lastposupdate, lastcontact`` (any order; only ``time, icao24,
lat, lon`` are required; others are ignored). Times are unix seconds, possibly
fractional. The position's time is ``lastposupdate`` when present, else
``time``: a state vector repeats the last known position every second, and only
``lastposupdate`` says when that position was measured.

Rows without a position (empty lat/lon) are normal in OpenSky data and are
rejected as ``no position`` (a benign reason).

Position error (``pos_sigma_m``): not stated — state vectors carry no NACp/NIC —
so null; the documented default for ``opensky`` applies (``uncertainty.DEFAULT_SIGMA_M``).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

from airwitness import reasons
from airwitness.io._convert import (
    Checks,
    finish,
    floats,
    icao_fields,
    pick_altitude,
)
from airwitness.io._source import Source
from airwitness.io.options import ReadOptions
from airwitness.io.tabular._containers import Columns, load
from airwitness.schema import ReadResult

NAME = "opensky"
REQUIRED = ("time", "icao24", "lat", "lon")
NUMBERS = ("velocity", "heading", "vertrate", "baroaltitude", "geoaltitude")
OPTIONAL = ("lastposupdate", "callsign", *NUMBERS)
#: Text columns, converted per distinct value when they come dictionary-encoded
TEXT = ("icao24", "callsign")
#: Columns that only fill a report's details (not its track, time, position or
#: altitude): the engines need not read them where the file proves them clean
DETAIL = ("velocity", "heading", "vertrate", "callsign")
_FLOAT = pa.float64()
#: How the engines may parse plain CSV lines straight into columns
#: (``_csvtyped``): whole seconds as integers, numbers as floats, the address as
#: a dictionary; ``lastposupdate`` stays text, so that a time with more than six
#: decimals is read to the nanosecond as the text path reads it. The callsign
#: is left out: on ASCII lines it cannot be bad, and the engines do not keep it.
CSV_TYPES = {
    "time": pa.int64(),
    "icao24": pa.dictionary(pa.int32(), pa.string()),
    "lat": _FLOAT,
    "lon": _FLOAT,
    "lastposupdate": pa.string(),
    **dict.fromkeys(NUMBERS, _FLOAT),
}


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read an OpenSky state-vector file (CSV, CSV.gz or Parquet).

    ``stream``, when given, is read instead of opening ``path`` (which still
    names the file in the table and in messages).
    """
    src = Source(path, stream)
    return convert(src.name, load(src, REQUIRED + OPTIONAL, REQUIRED, NAME))


def convert(file: str, data: Columns, only: Collection[str] | None = None) -> ReadResult:
    """The canonical table of columns already read (by ``read``, or by the engines a
    batch at a time: ``only`` those canonical columns, text as dictionaries)."""
    checks = Checks(len(data))

    track_id, time_ns, lat, lon, callsign = icao_fields(
        data, checks, time="time", position_time_col="lastposupdate", unit="s", lat="lat", lon="lon"
    )

    numbers = {}
    for name in NUMBERS:
        numbers[name], bad = floats(data.get(name))
        checks.flag(bad, reasons.bad_number_in(name))

    alt_m, alt_kind = pick_altitude(numbers["baroaltitude"], numbers["geoaltitude"])
    columns = {
        "track_id": track_id,
        "time": time_ns,
        "lon": lon[0],
        "lat": lat[0],
        "alt_m": alt_m,
        "alt_kind": alt_kind,
        "ground_speed_mps": numbers["velocity"],
        "track_deg": numbers["heading"],
        "vrate_mps": numbers["vertrate"],
        "callsign": callsign,
    }
    return finish(file, NAME, checks, data.records, columns, data.rejects, only)
