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

import numpy as np
import pyarrow as pa

from airwitness import reasons
from airwitness.io._convert import (
    NS,
    T_MAX_S,
    T_MIN_S,
    Checks,
    finish,
    floats,
    icao_fields,
    lower,
    pick_altitude,
    text,
    times,
)
from airwitness.io._source import Source
from airwitness.io.options import ReadOptions
from airwitness.io.tabular._containers import Columns, load
from airwitness.schema import ReadResult

NAME = "opensky"
#: OpenSky's state vectors are ADS-B positions (its MLAT ones are not in the history)
ADSB = "adsb"
REQUIRED = ("time", "icao24", "lat", "lon")
ALTITUDES = ("baroaltitude", "geoaltitude")
NUMBERS = ("velocity", "heading", "vertrate", *ALTITUDES)
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
    plain = _plain(data)
    if plain is not None:
        return finish(file, NAME, Checks(len(data)), data.records, plain, data.rejects, only, ADSB)
    checks = Checks(len(data))

    track_id, time_ns, lat, lon, callsign = icao_fields(
        data, checks, time="time", position_time_col="lastposupdate", unit="s", lat="lat", lon="lon"
    )

    numbers = {}
    for name in NUMBERS:
        numbers[name], bad = floats(data.get(name))
        checks.flag(bad, reasons.bad_number_in(name))

    columns = _columns(track_id, time_ns, lat[0], lon[0], numbers, callsign)
    return finish(file, NAME, checks, data.records, columns, data.rejects, only, ADSB)


def _columns(
    track_id: pa.Array,
    time_ns: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    numbers: dict[str, np.ndarray | pa.Array],
    callsign: pa.Array,
) -> dict[str, np.ndarray | pa.Array]:
    alt_m, alt_kind = pick_altitude(numbers["baroaltitude"], numbers["geoaltitude"])
    return {
        "track_id": track_id,
        "identity": track_id,  # the Mode S address
        "time": time_ns,
        "lon": lon,
        "lat": lat,
        "alt_m": alt_m,
        "alt_kind": alt_kind,
        "ground_speed_mps": numbers["velocity"],
        "track_deg": numbers["heading"],
        "vrate_mps": numbers["vertrate"],
        "callsign": callsign,
    }


def _plain(data: Columns) -> dict[str, np.ndarray | pa.Array] | None:
    """The canonical columns of a batch in which no row is rejected, with a few
    passes over whole columns instead of a verdict per check; ``None`` (the
    checks decide, row by row) unless the columns come typed (Parquet, or the
    engines' typed CSV) and are clean: every address known, every ``time`` a
    whole number of seconds inside the accepted window, no bad ``lastposupdate``,
    every position known and in range, no infinite number. For such a batch the
    checks flag nothing, and every value here is the one they compute (``time``
    in whole seconds is ``times``' 10⁹ s; the position's time is ``times``' own)."""
    time, last, lat, lon = (data.get(c) for c in ("time", "lastposupdate", "lat", "lon"))
    if not (pa.types.is_integer(time.type) and time.null_count == 0):
        return None
    if not all(pa.types.is_floating(c.type) and c.null_count == 0 for c in (lat, lon)):
        return None
    track_id, bad = text(data.get("icao24"))
    if track_id.null_count or bad.any():
        return None
    seconds = time.cast(pa.int64()).to_numpy()
    if len(seconds) == 0 or not (seconds.min() >= T_MIN_S and seconds.max() < T_MAX_S):
        return None
    la = lat.cast(pa.float64()).to_numpy()
    lo = lon.cast(pa.float64()).to_numpy()
    with np.errstate(invalid="ignore"):  # NaN fails every comparison: not plain
        inside = la.min() >= -90.0 and la.max() <= 90.0 and lo.min() >= -180.0
        if not (inside and lo.max() <= 180.0):
            return None
    time_ns = seconds * NS
    if not pa.types.is_null(last.type):
        last_ns, bad, unknown = times(last, "s")  # as position_time reads it
        if bad.any():
            return None
        time_ns = np.where(unknown, time_ns, last_ns)
    numbers: dict[str, np.ndarray | pa.Array] = {}
    for name in NUMBERS:
        column = data.get(name)
        if pa.types.is_null(column.type) and name not in ALTITUDES:
            numbers[name] = pa.nulls(len(column), pa.float64())  # unknown: null, as NaN is
            continue
        if not (pa.types.is_floating(column.type) or pa.types.is_null(column.type)):
            return None
        values = column.cast(pa.float64()).to_numpy(zero_copy_only=False)  # NaN: unknown
        if np.isinf(values).any():
            return None
        numbers[name] = values  # what ``floats`` gives, without its copy
    callsign, bad = text(data.get("callsign"))
    if bad.any():
        return None
    return _columns(lower(track_id), time_ns, la, lo, numbers, callsign)
