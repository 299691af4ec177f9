"""Vectorised conversion of raw columns, with per-row failure masks.

Readers hand over whatever their container gave them (CSV text, Parquet or
JSON types) and get back numpy values plus a boolean ``bad`` mask, so that one
bad cell rejects one row, never the file. :class:`Checks` turns the masks into
rejects (first failing check wins) and :func:`finish` builds the canonical table.

Text may come dictionary-encoded (Parquet stores most text so, and the engines
read it so): it is then converted value by value in the dictionary, never row
by row, and stays a dictionary (:func:`text`); every check gives what it gives
on the decoded text.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness import reasons
from airwitness.schema import ReadResult, Reject, make_table, one_array

# Accepted time window: [1990-01-01T00:00Z, 2100-01-01T00:00Z).
T_MIN_S = 631_152_000
T_MAX_S = 4_102_444_800
NS = 1_000_000_000
T_MIN_NS = T_MIN_S * NS
T_MAX_NS = T_MAX_S * NS

# Epoch units by their size in nanoseconds. Inside the 1990–2100 window the
# four units never overlap (seconds ~1e9, ms ~1e12, µs ~1e15, ns ~1e18), so
# ``unit="auto"`` can tell them apart value by value.
UNIT_NS = {"s": NS, "ms": 1_000_000, "us": 1_000, "ns": 1}

_FLOAT_RE = (
    r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
    r"|^[+-]?([Nn][Aa][Nn]|[Ii][Nn][Ff]([Ii][Nn][Ii][Tt][Yy])?)$"
)
_EPOCH_RE = r"^(?P<i>\d{1,19})(?:\.(?P<f>\d*))?$"
_ISO_RE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
_ZONE_RE = r"(Z|[+-]\d{2}(:?\d{2})?)$"
_NULL_STR = pa.scalar(None, pa.string())


def _mask(arr: pa.Array) -> np.ndarray:
    """Boolean Arrow array -> numpy bool, null counted as False."""
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)


def _ints(arr: pa.Array) -> np.ndarray:
    return pc.fill_null(arr.cast(pa.int64()), 0).to_numpy(zero_copy_only=False)


def safe_cast(arr: pa.Array, typ: pa.DataType) -> tuple[pa.Array, np.ndarray]:
    """Cast, turning values that do not convert into nulls.

    Returns the cast array and a mask of the values that failed. Casting is
    all-or-nothing in Arrow, so a failing array is bisected until the bad
    values are isolated: cheap when they are few.
    """
    bad = np.zeros(len(arr), dtype=bool)
    pieces: list[pa.Array] = []
    _cast_into(arr, typ, 0, bad, pieces)
    if not pieces:
        return pa.array([], type=typ), bad
    return pa.concat_arrays(pieces), bad


def _cast_into(arr: pa.Array, typ: pa.DataType, offset: int, bad: np.ndarray, out: list) -> None:
    try:
        out.append(pc.cast(arr, typ))
        return
    except pa.ArrowInvalid:
        pass
    if len(arr) <= 16:
        for i in range(len(arr)):
            try:
                out.append(pc.cast(arr.slice(i, 1), typ))
            except pa.ArrowInvalid:
                out.append(pa.nulls(1, type=typ))
                bad[offset + i] = True
        return
    half = len(arr) // 2
    _cast_into(arr.slice(0, half), typ, offset, bad, out)
    _cast_into(arr.slice(half), typ, offset + half, bad, out)


def text(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """Values as trimmed strings, empty -> null; ``bad`` marks undecodable values.

    A dictionary array comes back as a dictionary array (its values converted
    once each; a value that became null is a null row, never a null in the
    dictionary), so ``is_valid()`` is the rows' validity either way.
    """
    arr = one_array(arr)
    if pa.types.is_dictionary(arr.type):
        return _dictionary_text(arr)
    n = len(arr)
    bad = np.zeros(n, dtype=bool)
    if pa.types.is_null(arr.type):
        return pa.nulls(n, type=pa.string()), bad
    if pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type):
        arr, bad = safe_cast(arr, pa.string())  # UTF-8 validation
    elif not pa.types.is_string(arr.type):
        try:
            arr = pc.cast(arr, pa.string())
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            # nested values (lists, objects) have no text form: every value is bad
            return pa.nulls(n, type=pa.string()), arr.is_valid().to_numpy(zero_copy_only=False)
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), _NULL_STR, trimmed), bad


def _dictionary_text(arr: pa.DictionaryArray) -> tuple[pa.Array, np.ndarray]:
    """:func:`text` on the dictionary's values, spread to the rows through the indices."""
    values, value_bad = text(arr.dictionary)
    indices = arr.indices
    if indices.null_count == 0 and values.null_count == 0 and not value_bad.any():
        return pa.DictionaryArray.from_arrays(indices, values), np.zeros(len(arr), dtype=bool)
    at = pc.fill_null(indices, 0).to_numpy(zero_copy_only=False)
    present = _mask(indices.is_valid())
    value_null = ~_mask(values.is_valid())
    if len(values) == 0:
        value_null = np.zeros(1, dtype=bool)  # every index is null
        value_bad = np.zeros(1, dtype=bool)
    bad = present & value_bad[at]
    null = ~present | value_null[at]
    rows = pa.array(at.astype(indices.type.to_pandas_dtype(), copy=False), mask=null)
    return pa.DictionaryArray.from_arrays(rows, values), bad


def lower(arr: pa.Array) -> pa.Array:
    """Text in lower case; a dictionary array lowers its values only."""
    if pa.types.is_dictionary(arr.type):
        return pa.DictionaryArray.from_arrays(arr.indices, pc.utf8_lower(arr.dictionary))
    return pc.utf8_lower(arr)


def floats(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Numbers as float64 (NaN where missing) and a mask of unparseable values.

    Text is parsed per value: ``nan`` counts as missing; infinities, and any
    value that is not a number, are bad.
    """
    arr = one_array(arr)
    t = arr.type
    if pa.types.is_null(t):
        return np.full(len(arr), np.nan), np.zeros(len(arr), dtype=bool)
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False).copy()
        bad = np.zeros(len(arr), dtype=bool)
    else:
        s, bad = text(arr)
        values, bad2 = _float_text(s)
        bad |= bad2
    bad |= np.isinf(values)
    values[bad] = np.nan
    return values, bad


def _float_text(s: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Parse trimmed text as float64: (values with NaN for null/bad, bad mask)."""
    bad = np.zeros(len(s), dtype=bool)
    try:
        f = pc.cast(s, pa.float64())
    except pa.ArrowInvalid:
        ok = pc.match_substring_regex(s, _FLOAT_RE)
        bad |= ~_mask(ok) & _mask(s.is_valid())
        f, bad2 = safe_cast(pc.if_else(ok, s, _NULL_STR), pa.float64())
        bad |= bad2
    values = f.to_numpy(zero_copy_only=False).copy()
    bad |= np.isinf(values)
    values[bad] = np.nan
    return values, bad


def times(
    arr: pa.Array | pa.ChunkedArray, unit: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times as int64 ns since the epoch (UTC), with ``bad`` and ``missing`` masks.

    Accepts Arrow timestamps (naive = UTC), epoch numbers in ``unit`` (``s``,
    ``ms``, or ``auto`` to pick s/ms/µs/ns by magnitude; ``None`` = numbers not
    allowed), and text: ISO-8601 ``YYYY-MM-DD[T ]hh:mm[:ss[.f]][Z|±hh[:mm]]``
    (no zone = UTC) or decimal epoch numbers, parsed exactly. Times outside
    1990–2100 are bad.
    """
    arr = one_array(arr)
    n = len(arr)
    t = arr.type
    missing = ~arr.is_valid().to_numpy(zero_copy_only=False)
    if pa.types.is_null(t):
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
    if pa.types.is_timestamp(t):
        ts, bad = safe_cast(arr, pa.timestamp("ns", tz=t.tz))
        ns = _ints(ts)
    elif pa.types.is_integer(t) and unit is not None:
        v = _ints(arr)
        mult = _multiplier(v, unit)
        ns = v * mult
        bad = (mult == 0) & ~missing
    elif pa.types.is_floating(t) and unit is not None:
        v = arr.to_numpy(zero_copy_only=False)
        missing |= np.isnan(v)  # NaN = unknown, as for other numbers
        ns, ok = _epoch_float(v, unit)
        bad = ~ok & ~missing
    else:
        s, bad = text(arr)
        missing = ~s.is_valid().to_numpy(zero_copy_only=False) & ~bad
        ns = np.zeros(n, dtype=np.int64)
        parsed = np.zeros(n, dtype=bool)
        if unit is not None:
            _epoch_text(s, unit, ns, parsed, bad)
        _iso_text(s, ns, parsed, bad)
        bad |= ~parsed & ~missing
    bad |= ~missing & ((ns < T_MIN_NS) | (ns >= T_MAX_NS))
    ns = np.where(bad | missing, 0, ns)
    return ns, bad, missing


def _multiplier(v: np.ndarray, unit: str) -> np.ndarray:
    """ns per unit for each value, 0 where the value is outside the time window."""
    mult = np.zeros(len(v), dtype=np.int64)
    for name in UNIT_NS if unit == "auto" else (unit,):
        m = UNIT_NS[name]
        mult[(v >= T_MIN_NS // m) & (v < T_MAX_NS // m)] = m
    return mult


def _epoch_float(v: np.ndarray, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """Float epochs -> ns, exact to the microsecond (float64 holds that for seconds)."""
    v = np.nan_to_num(v, nan=0.0, posinf=0.0, neginf=0.0)
    mult = _multiplier(v, unit)
    ns = np.round(v * (mult / 1000.0)).astype(np.int64) * 1000
    return ns, mult > 0


def _epoch_text(
    s: pa.Array, unit: str, ns: np.ndarray, parsed: np.ndarray, bad: np.ndarray
) -> None:
    """Numeric text: fast float parse; values with more than 6 decimals re-parsed exactly."""
    v, fbad = _float_text(s)
    num = ~fbad & ~np.isnan(v)
    if not num.any():
        return
    ns_f, ok = _epoch_float(v, unit)
    ok &= num
    ns[ok] = ns_f[ok]
    parsed |= ok
    bad |= num & ~ok
    dot = pc.fill_null(pc.find_substring(s, "."), -1).to_numpy(zero_copy_only=False)
    length = pc.fill_null(pc.utf8_length(s), 0).to_numpy(zero_copy_only=False)
    fine = ok & (dot >= 0) & (length - dot - 1 > 6)
    if fine.any():
        _epoch_exact(pc.if_else(pa.array(fine), s, _NULL_STR), unit, ns)


def _epoch_exact(s: pa.Array, unit: str, ns: np.ndarray) -> None:
    """Decimal epoch text to the nanosecond (integer arithmetic, no float rounding)."""
    parts = pc.extract_regex(s, _EPOCH_RE)
    ipart, ibad = safe_cast(parts.field("i"), pa.int64())
    i = _ints(ipart)
    frac = pc.utf8_rpad(pc.utf8_slice_codeunits(parts.field("f"), 0, 9), 9, "0")
    f = _ints(pc.cast(frac, pa.int64()))
    mult = _multiplier(i, unit)
    ok = _mask(parts.is_valid()) & ~ibad & (mult > 0)
    ns[ok] = i[ok] * mult[ok] + f[ok] * mult[ok] // NS


def _iso_text(s: pa.Array, ns: np.ndarray, parsed: np.ndarray, bad: np.ndarray) -> None:
    todo = ~parsed & _mask(s.is_valid())
    if not todo.any():
        return
    if not todo.all():
        s = pc.if_else(pa.array(todo), s, _NULL_STR)
    iso = _mask(pc.match_substring_regex(s, _ISO_RE))
    if not iso.any():
        return
    zoned = iso & _mask(pc.match_substring_regex(s, _ZONE_RE))
    for sel, typ in ((zoned, pa.timestamp("ns", tz="UTC")), (iso & ~zoned, pa.timestamp("ns"))):
        if not sel.any():
            continue
        ts, tbad = safe_cast(pc.if_else(pa.array(sel), s, _NULL_STR), typ)
        v = _ints(ts)
        ok = sel & ~tbad
        ns[ok] = v[ok]
        parsed |= ok
        bad |= sel & tbad


def position_time(
    time: pa.Array, last_position: pa.Array, unit: str
) -> tuple[np.ndarray, np.ndarray]:
    """ns times from ``last_position`` where it is set, else from ``time``; and a bad mask."""
    time_ns, bad, missing = times(time, unit)
    lp_ns, lp_bad, lp_missing = times(last_position, unit)
    use = ~lp_missing
    return np.where(use, lp_ns, time_ns), np.where(use, lp_bad, bad | missing)


_BARO_GEO = pa.array(["baro", "geo"], pa.string())


def pick_altitude(baro: np.ndarray, geo: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """Barometric altitude where known, else geometric: ``(alt_m, alt_kind)``, the
    kind as a dictionary array (no text per row; :func:`finish` decodes it)."""
    has_baro = ~np.isnan(baro)
    code = has_baro.view(np.int8) ^ 1  # 0 baro, 1 geo
    unknown = ~has_baro & np.isnan(geo)
    kind = pa.DictionaryArray.from_arrays(pa.array(code, mask=unknown), _BARO_GEO)
    return np.where(has_baro, baro, geo), kind


def labels(codes: np.ndarray, names: Sequence[str]) -> pa.Array:
    """Small-integer codes -> strings (``names[code]``), null where code < 0."""
    idx = pa.array(np.where(codes < 0, 0, codes).astype(np.int32), mask=codes < 0)
    return pc.take(pa.array(list(names), pa.string()), idx)


def position_problem(lat: float, lon: float) -> str | None:
    """The reject reason for one decoded lat/lon, or None when the position is usable.

    The checks of :meth:`Checks.position` for a single position: a missing
    value (NaN) is ``no position``, one outside ±90°/±180° is out of range.

    >>> position_problem(40.1, 47.2) is None, position_problem(91.0, 0.0)
    (True, 'lat/lon out of range')
    """
    if math.isnan(lat) or math.isnan(lon):
        return reasons.NO_POSITION
    if not (abs(lat) <= 90.0 and abs(lon) <= 180.0):
        return reasons.LAT_LON_OUT_OF_RANGE
    return None


class Checks:
    """Per-row verdicts: the first reason flagged for a row is the one reported."""

    def __init__(self, n: int) -> None:
        self.code = np.zeros(n, dtype=np.uint8)
        self.reasons: list[str] = [""]

    def flag(self, mask: np.ndarray, reason: str) -> None:
        m = np.asarray(mask, dtype=bool) & (self.code == 0)
        if m.any():
            if reason not in self.reasons:
                self.reasons.append(reason)
            self.code[m] = self.reasons.index(reason)

    @property
    def ok(self) -> np.ndarray:
        return self.code == 0

    def position(
        self,
        lat: tuple[np.ndarray, np.ndarray],
        lon: tuple[np.ndarray, np.ndarray],
        missing_reason: str,
    ) -> None:
        """The standard lat/lon checks, in order: unparseable, missing, out of range."""
        (la, la_bad), (lo, lo_bad) = lat, lon
        self.flag(la_bad | lo_bad, reasons.BAD_LAT_LON)
        self.flag(np.isnan(la) | np.isnan(lo), missing_reason)
        with np.errstate(invalid="ignore"):
            inside = (np.abs(la) <= 90.0) & (np.abs(lo) <= 180.0)
        self.flag(~inside, reasons.LAT_LON_OUT_OF_RANGE)

    def rejects(self, file: str, records: np.ndarray) -> list[Reject]:
        idx = np.flatnonzero(self.code)
        names = self.reasons
        return [
            Reject(file, r, names[c])
            for r, c in zip(records[idx].tolist(), self.code[idx].tolist(), strict=True)
        ]


def finish(
    src_name: str,
    source: str,
    checks: Checks,
    records: np.ndarray,
    columns: Mapping[str, np.ndarray | pa.Array],
    extra_rejects: Sequence[Reject] = (),
    only: Collection[str] | None = None,
    sensor: str | None = None,
) -> ReadResult:
    """Keep the rows that passed every check; everything else becomes a Reject.

    ``sensor`` is the schema's ``sensor`` of every row, where the format says it.

    Text columns that came as dictionaries are decoded to the canonical
    schema's plain strings. With ``only`` (the engines), the table holds only
    those canonical columns (in the schema's order), and their text stays
    dictionary-encoded (int32 indices): the engines never handle text row by row.
    """
    if only is not None:
        columns = {k: v for k, v in columns.items() if k in only}
    cols: dict = kept_rows(checks, records, columns)
    if sensor is not None and (only is None or "sensor" in only):
        cols["sensor"] = sensor
    coded = {}
    if only is not None:
        coded = {k: v for k, v in cols.items() if isinstance(v, pa.Array) and _is_dict(v)}
        placeholder = pa.nulls(len(cols["source_record"]), pa.string())  # replaced below
        cols = {k: placeholder if k in coded else v for k, v in cols.items()}
    table = make_table(cols, source=source, source_file=src_name)
    for name, values in coded.items():
        values = values.cast(pa.dictionary(pa.int32(), pa.string()))
        i = table.schema.get_field_index(name)
        table = table.set_column(i, table.schema.field(i).with_type(values.type), values)
    if only is not None:
        table = table.select([f.name for f in table.schema if f.name in only])
    return ReadResult(table, all_rejects(checks, src_name, records, extra_rejects), format=source)


def kept_rows(
    checks: Checks, records: np.ndarray, columns: Mapping[str, np.ndarray | pa.Array]
) -> dict[str, np.ndarray | pa.Array]:
    """The rows of ``columns`` that passed every check, with their ``source_record``."""
    keep = checks.ok
    everything = bool(keep.all())
    arrow_keep = None if everything else pa.array(keep)
    cols: dict[str, np.ndarray | pa.Array] = {}
    for name, values in columns.items():
        if everything:
            cols[name] = values
        elif isinstance(values, np.ndarray):
            cols[name] = values[keep]
        else:
            cols[name] = one_array(values).filter(arrow_keep)
    cols["source_record"] = records[keep]
    return cols


def all_rejects(
    checks: Checks, src_name: str, records: np.ndarray, extra: Sequence[Reject] = ()
) -> list[Reject]:
    """The rows that failed a check, with the reader's other rejects, in record order."""
    rejects = checks.rejects(src_name, records)
    return sorted([*extra, *rejects]) if extra else rejects


def _is_dict(values: pa.Array) -> bool:
    return pa.types.is_dictionary(values.type)


def icao_fields(
    data, checks: Checks, *, time: str, position_time_col: str, unit: str, lat: str, lon: str
) -> tuple[pa.Array, np.ndarray, tuple, tuple, pa.Array]:
    """What ADS-B state exports share: ``icao24`` (lower case) as track_id, the
    position's time (``position_time_col`` when set, else ``time``), lat/lon and
    the callsign, each bad value flagged on ``checks``."""
    track_id, bad = text(data.get("icao24"))
    track_id = lower(track_id)
    checks.flag(bad, reasons.BAD_TRACK_ID)
    checks.flag(~track_id.is_valid().to_numpy(zero_copy_only=False), reasons.MISSING_TRACK_ID)
    time_ns, bad = position_time(data.get(time), data.get(position_time_col), unit)
    checks.flag(bad, reasons.BAD_TIME)
    lat_v, lon_v = floats(data.get(lat)), floats(data.get(lon))
    checks.position(lat_v, lon_v, reasons.NO_POSITION)
    callsign, bad = text(data.get("callsign"))
    checks.flag(bad, reasons.BAD_CALLSIGN_TEXT)
    return track_id, time_ns, lat_v, lon_v, callsign
