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
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numba as nb
import numpy as np
import pyarrow as pa

from airwitness import reasons
from airwitness.io._convert import (
    NS,
    T_MAX_S,
    T_MIN_S,
    Checks,
    all_rejects,
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
from airwitness.schema import DETECTION_SCHEMA, POSITION_SCHEMA, TIME_TYPE, ReadResult

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
    if plain is not None and only is not None:
        table = _engine_table(file, data.records, plain, only)
        rejects = all_rejects(Checks(0), file, data.records, data.rejects)
        return ReadResult(table, rejects, NAME, detections=_NO_DETECTIONS)
    if plain is not None:
        numbers = {k: _known(v, len(data)) for k, v in plain.numbers.items()}
        columns = _columns(plain.track_id, plain.time_ns, plain.lat, plain.lon, numbers,
                           plain.callsign)  # fmt: skip
        return finish(
            file, NAME, Checks(len(data)), data.records, columns, data.rejects, only, ADSB
        )
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


@dataclass(frozen=True)
class Plain:
    """A batch's values, checked whole: nothing in it is rejected (:func:`_plain`)."""

    track_id: pa.Array  # lower case; a dictionary when the batch has one
    time_ns: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    #: float64, null or NaN = unknown; None: a column the file leaves out or all null
    #: (made null when needed)
    numbers: dict[str, pa.Array | None]
    callsign: pa.Array


def _plain(data: Columns) -> Plain | None:
    """The values of a batch in which no row is rejected, with a few passes over
    whole columns instead of a verdict per check; ``None`` (the checks decide,
    row by row) unless the columns come typed (Parquet, or the engines' typed
    CSV) and are clean: every address known, every ``time`` a whole number of
    seconds inside the accepted window, no bad ``lastposupdate``, every position
    known and in range, no infinite number. For such a batch the checks flag
    nothing, and every value here is the one they compute (``time`` in whole
    seconds is ``times``' 10⁹ s; the position's time is ``times``' own)."""
    time, last, lat, lon = (data.get(c) for c in ("time", "lastposupdate", "lat", "lon"))
    if not (pa.types.is_integer(time.type) and time.null_count == 0):
        return None
    if not all(pa.types.is_floating(c.type) and c.null_count == 0 for c in (lat, lon)):
        return None
    track_id = _lower_hex(data.get("icao24"))
    if track_id is None:
        track_id, bad = text(data.get("icao24"))
        if track_id.null_count or bad.any():
            return None
        track_id = lower(track_id)
    seconds = time.cast(pa.int64()).to_numpy()
    if len(seconds) == 0 or not (seconds.min() >= T_MIN_S and seconds.max() < T_MAX_S):
        return None
    la = lat.cast(pa.float64()).to_numpy()
    lo = lon.cast(pa.float64()).to_numpy()
    with np.errstate(invalid="ignore"):  # NaN fails every comparison: not plain
        inside = la.min() >= -90.0 and la.max() <= 90.0 and lo.min() >= -180.0
        if not (inside and lo.max() <= 180.0):
            return None
    time_ns = _position_times(seconds, last)
    if time_ns is None:
        return None
    numbers: dict[str, pa.Array | None] = {}
    for name in NUMBERS:
        column = data.get(name)
        if pa.types.is_null(column.type) and name not in ALTITUDES:
            numbers[name] = None  # unknown: null, as NaN is (:func:`_known`)
            continue
        if not (pa.types.is_floating(column.type) or pa.types.is_null(column.type)):
            return None
        values = column.cast(pa.float64())  # null or NaN: unknown
        if _infinite(values):
            return None
        numbers[name] = values  # what ``floats`` gives, NaN where null: :func:`_known`
    callsign, bad = text(data.get("callsign"))
    if bad.any():
        return None
    return Plain(track_id, time_ns, la, lo, numbers, callsign)


_HEX_DIGIT = np.zeros(256, dtype=bool)
_HEX_DIGIT[list(b"0123456789abcdef")] = True


def _lower_hex(addresses: pa.Array) -> pa.Array | None:
    """The addresses as they are when every one is known and already what
    ``text`` and ``lower`` make of it (lower-case hex digits: no space to trim,
    nothing to lower, never empty), checked on the dictionary's bytes; else
    ``None``."""
    if not pa.types.is_dictionary(addresses.type) or addresses.null_count:
        return None
    values = addresses.dictionary
    if not pa.types.is_string(values.type) or values.null_count or len(values) == 0:
        return None
    offsets, data = values.buffers()[1:3]
    ends = np.frombuffer(offsets, np.int32, count=values.offset + len(values) + 1)
    ends = ends[values.offset :]
    if (np.diff(ends) <= 0).any():  # an empty address
        return None
    text = np.frombuffer(data, np.uint8)[ends[0] : ends[-1]]
    return addresses if _HEX_DIGIT[text].all() else None


def _position_times(seconds: np.ndarray, last: pa.Array) -> np.ndarray | None:
    """Each report's time (ns): ``lastposupdate`` where known, else ``time``
    (``seconds``); ``None`` where a ``lastposupdate`` is bad. Floating-point
    seconds well inside the window are converted here in one compiled pass, as
    ``times`` converts them (to the microsecond, rounded half to even); any
    other column by ``times`` itself."""
    if pa.types.is_null(last.type):
        return seconds * NS
    if pa.types.is_floating(last.type):
        values = last.cast(pa.float64()).to_numpy(zero_copy_only=False)  # null: NaN
        time_ns = np.empty(len(values), dtype=np.int64)
        # a second's margin at the top: there, rounding may reach the window's end
        if _seconds_to_ns(seconds, values, T_MIN_S, T_MAX_S - 1, time_ns):
            return time_ns
    last_ns, bad, unknown = times(last, "s")  # as position_time reads it
    if bad.any():
        return None
    return np.where(unknown, seconds * NS, last_ns)


@nb.njit(cache=True, nogil=True)
def _seconds_to_ns(seconds, last, low, high, out):
    """``out``: each ``last`` (floating-point seconds) in nanoseconds as ``times``
    converts it (to the microsecond, rounded half to even: v x (10⁹ / 1000),
    rounded, x 1000), ``seconds`` x 10⁹ where it is NaN (unknown); one pass.
    False, with ``out`` unfinished, as soon as a known one lies outside
    [``low``, ``high``) (or is infinite): ``times`` decides then."""
    for i in range(last.shape[0]):
        v = last[i]
        if v != v:
            out[i] = seconds[i] * NS
        elif low <= v < high:
            out[i] = np.int64(np.rint(v * 1e6)) * 1000
        else:
            return False
    return True


def _infinite(values: pa.Array) -> bool:
    """Whether any known value is infinite (NaN and null are unknown, not
    infinite), in one pass over the column's buffers that allocates nothing."""
    return bool(_any_infinite(*_buffers(values)))


@nb.njit(cache=True, nogil=True)
def _any_infinite(values, valid, at):
    for i in range(values.shape[0]):
        j = at + i
        if (values[i] == np.inf or values[i] == -np.inf) and (
            valid.shape[0] == 0 or (valid[j >> 3] >> (j & 7)) & 1
        ):
            return True
    return False


def _engine_table(file: str, records: np.ndarray, plain: Plain, only: Collection[str]) -> pa.Table:
    """The ``only`` canonical columns of a plain batch, built straight from its
    arrays (no copy where Arrow can take the array as it is), as :func:`finish`
    builds them: text as int32 dictionaries, unknown numbers null, the
    constant columns (:func:`_constant`) one value and an index per row."""
    n = len(records)
    numbers = plain.numbers
    baro, geo = numbers["baroaltitude"], numbers["geoaltitude"]
    alt_kind = pick_altitude(_known(baro, n), _known(geo, n))[1] if "alt_kind" in only else None
    values = {
        "track_id": lambda: plain.track_id,
        "time": lambda: pa.Array.from_buffers(TIME_TYPE, n, [None, pa.py_buffer(plain.time_ns)]),
        "lon": lambda: pa.array(plain.lon),
        "lat": lambda: pa.array(plain.lat),
        "alt_m": lambda: _first_known(baro, geo),
        "alt_kind": lambda: alt_kind,
        "ground_speed_mps": lambda: _nullable(_known(numbers["velocity"], n)),
        "track_deg": lambda: _nullable(_known(numbers["heading"], n)),
        "vrate_mps": lambda: _nullable(_known(numbers["vertrate"], n)),
        "callsign": lambda: plain.callsign,
        "identity": lambda: plain.track_id,  # the Mode S address
        "source_record": lambda: pa.array(records),
        **{name: (lambda v=v: _constant(v, n)) for name, v in _constants(file).items()},
    }
    fields, arrays = [], []
    for field in POSITION_SCHEMA:
        if field.name not in only:
            continue
        make = values.get(field.name)
        array = pa.nulls(n, field.type) if make is None else make()
        if pa.types.is_dictionary(array.type):
            array = array.cast(_DICTIONARY)
        elif array.type != field.type:
            array = array.cast(field.type)
        fields.append(field.with_type(array.type))
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _constants(file: str) -> dict[str, str]:
    """The columns that hold one value for every report of a file: each is built
    as a dictionary of that one value (a new constant column is one more entry)."""
    return {"source": NAME, "source_file": file, "sensor": ADSB}


_DICTIONARY = pa.dictionary(pa.int32(), pa.string())
#: The detections of a batch: none, one empty table for all (Arrow tables are
#: immutable, and making an empty one costs a quarter of a millisecond, a batch)
_NO_DETECTIONS = DETECTION_SCHEMA.empty_table()


def _constant(value: str, n: int) -> pa.DictionaryArray:
    zeros = pa.array(np.zeros(n, np.int32))  # every index 0: nothing to check
    return pa.DictionaryArray.from_arrays(zeros, pa.array([value]), safe=False)


def _first_known(baro: pa.Array, geo: pa.Array) -> pa.Array:
    """The barometric altitude, else the geometric one, null where neither is
    known (null or NaN): what ``pick_altitude`` and :func:`_nullable` make of
    them, in one pass over the columns' buffers (no NaN-filled copies)."""
    values = np.empty(len(baro), dtype=np.float64)
    known = np.zeros(-(-len(baro) // 8), dtype=np.uint8)
    _pick_known(*_buffers(baro), *_buffers(geo), values, known)
    return pa.Array.from_buffers(
        pa.float64(), len(values), [pa.py_buffer(known), pa.py_buffer(values)]
    )


def _buffers(column: pa.Array) -> tuple[np.ndarray, np.ndarray, int]:
    """A float64 column's values as stored (whatever lies under a null), its
    validity bitmap (empty: no nulls) and its first bit there."""
    if column.null_count == 0:
        return column.to_numpy(), _NO_BITS, 0
    values = pa.Array.from_buffers(
        pa.float64(), len(column), [None, column.buffers()[1]], offset=column.offset
    )
    return values.to_numpy(), np.frombuffer(column.buffers()[0], np.uint8), column.offset


_NO_BITS = np.zeros(0, np.uint8)


@nb.njit(cache=True, nogil=True)
def _pick_known(baro, baro_valid, baro_at, geo, geo_valid, geo_at, out, known):
    """``out``: ``baro``, else ``geo`` where it is unknown (null by its validity
    bitmap from bit ``*_at``, an empty one: none; or NaN), NaN where both are;
    ``known``: a validity bit per value (Arrow's order: the first value in the
    lowest bit)."""
    for i in range(baro.shape[0]):
        v = baro[i]
        j = baro_at + i
        if baro_valid.shape[0] > 0 and not (baro_valid[j >> 3] >> (j & 7)) & 1:
            v = np.nan
        if v != v:
            v = geo[i]
            j = geo_at + i
            if geo_valid.shape[0] > 0 and not (geo_valid[j >> 3] >> (j & 7)) & 1:
                v = np.nan
        out[i] = v
        if v == v:
            known[i >> 3] |= np.uint8(1 << (i & 7))


def _known(values: pa.Array | None, n: int) -> np.ndarray | pa.Array:
    """A number column of a plain batch as ``floats`` gives it (NaN where null),
    or ``n`` nulls for one the batch leaves out (made only when asked for)."""
    if values is None:
        return pa.nulls(n, pa.float64())
    return values.to_numpy(zero_copy_only=False)


def _nullable(values: np.ndarray | pa.Array) -> pa.Array:
    """Floating-point values with NaN as null, as ``make_table`` stores them (the
    values taken as they are, a validity bit per value beside them)."""
    if isinstance(values, pa.Array):
        return values
    values = np.ascontiguousarray(values, dtype=np.float64)
    known = np.packbits(~np.isnan(values), bitorder="little")
    buffers = [pa.py_buffer(known), pa.py_buffer(values)]
    return pa.Array.from_buffers(pa.float64(), len(values), buffers)
