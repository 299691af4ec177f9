"""The canonical tables (docs/architecture.md §2) and reader results.

Every reader returns a :class:`ReadResult`: the position reports it could read as
an Arrow table with exactly :data:`POSITION_SCHEMA`, the anonymous detections
(radar plots, sightings: measurements without identity, for the tracker) as a
table with exactly :data:`DETECTION_SCHEMA`, plus one :class:`Reject` per record
it could not use. ``records == table.num_rows + detections.num_rows + len(rejects)``
always holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

TIME_TYPE = pa.timestamp("ns", tz="UTC")

POSITION_SCHEMA = pa.schema(
    [
        pa.field("track_id", pa.string(), nullable=False),
        pa.field("time", TIME_TYPE, nullable=False),
        pa.field("lon", pa.float64(), nullable=False),
        pa.field("lat", pa.float64(), nullable=False),
        pa.field("alt_m", pa.float64()),
        pa.field("alt_kind", pa.string()),
        pa.field("ground_speed_mps", pa.float64()),
        pa.field("track_deg", pa.float64()),
        pa.field("vrate_mps", pa.float64()),
        pa.field("callsign", pa.string()),
        pa.field("source", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("source_file", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("source_record", pa.int64(), nullable=False),
        # True where the source says a new leg (flight) starts here, e.g. readsb's
        # new-leg flag: tracks split into a new segment there, as on a gap.
        pa.field("leg_start", pa.bool_()),
        # 1-σ horizontal position error (m, per axis, circular) as the source states
        # it; null where it states nothing (airwitness.uncertainty has the defaults).
        pa.field("pos_sigma_m", pa.float64()),
        # Who made the position (docs/fusion.md): "adsb" (the aircraft's own broadcast
        # position, whichever receiver heard it), "mlat", "remoteid", "log" (the
        # vehicle's own log), or the measuring sensor ("asterix:<SAC>/<SIC>" for a
        # radar or tracker, a sensor file's name); null where the source does not say.
        pa.field("sensor", pa.dictionary(pa.int32(), pa.string())),
        # The identity the object itself gives (a Mode S address, 6 lowercase hex
        # digits; a Remote ID UAS ID), where the report carries one: what associates
        # tracks of different sensors first (airwitness.fusion).
        pa.field("identity", pa.string()),
    ]
)

#: ``sensor`` values of positions the object reports about itself (from its own
#: navigation: what GNSS spoofing displaces); any other sensor measured it.
SELF_REPORTED = frozenset({"adsb", "remoteid", "log"})

#: Anonymous detections: a measurement of where something was, with no identity.
#: Polar ones (radar plots) carry the slant range and azimuth measured at the
#: sensor's site and the sensor's errors; geographic ones (passive RF, acoustic,
#: optical sensors, geolocated sightings) carry lon/lat and their error. The
#: tracker (:mod:`airwitness.tracking`) turns them into position reports.
DETECTION_SCHEMA = pa.schema(
    [
        # who measured: "asterix:<SAC>/<SIC>" for CAT048, else the sensor's name
        pa.field("sensor", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("time", TIME_TYPE, nullable=False),
        pa.field("range_m", pa.float64()),  # slant range (polar)
        pa.field("azimuth_deg", pa.float64()),  # from true north, clockwise (polar)
        pa.field("elevation_deg", pa.float64()),  # where the sensor measures it
        pa.field("site_lon", pa.float64()),  # the sensor's antenna (polar)
        pa.field("site_lat", pa.float64()),
        pa.field("site_alt_m", pa.float64()),  # above the WGS-84 ellipsoid
        pa.field("sigma_range_m", pa.float64()),  # 1-σ errors of range and azimuth
        pa.field("sigma_azimuth_deg", pa.float64()),
        pa.field("lon", pa.float64()),  # geographic detections
        pa.field("lat", pa.float64()),
        pa.field("pos_sigma_m", pa.float64()),  # their 1-σ error per axis
        pa.field("alt_m", pa.float64()),  # a measured height (e.g. Mode C), else null
        pa.field("alt_kind", pa.string()),
        pa.field("mode3a", pa.string()),  # a Mode 3/A code (4 octal digits), kept as identity
        pa.field("amplitude", pa.float64()),
        pa.field("source", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("source_file", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("source_record", pa.int64(), nullable=False),
        pa.field("source_offset", pa.int64()),  # byte offset, for binary sources
    ]
)

#: Parquet page compression of every table airwitness writes (LZ4_RAW in the file).
PARQUET_COMPRESSION = "lz4"


def parquet_options(schema: pa.Schema) -> dict[str, object]:
    """How airwitness writes a table as Parquet (``pyarrow.parquet.write_table`` keywords).

    Read speed first, the files being read far more often than written: LZ4 pages,
    whole numbers and times delta-coded (sorted times and record numbers shrink to a
    few bits each), text as dictionaries. Against zstd's plain pages the canonical
    table is 4–7 % larger on disk and pyarrow decodes it 3–4× faster
    (docs/architecture.md §2, BENCHMARKS.md)."""
    text = [f.name for f in schema if _is_text(f.type)]
    delta = {
        f.name: "DELTA_BINARY_PACKED"
        for f in schema
        if pa.types.is_integer(f.type) or pa.types.is_timestamp(f.type)
    }
    return {
        "compression": PARQUET_COMPRESSION,
        "use_dictionary": text,
        "column_encoding": delta,
    }


def _is_text(typ: pa.DataType) -> bool:
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    return pa.types.is_string(typ) or pa.types.is_large_string(typ)


# Unit conversions, applied by readers at the edge.
FT_TO_M = 0.3048
KT_TO_MPS = 1852.0 / 3600.0
FPM_TO_MPS = 0.3048 / 60.0


@dataclass(frozen=True, order=True)
class Reject:
    """One input record that is not in the table, and why.

    ``record`` is the line number (text) or 1-based message index (binary);
    binary readers also give the message's byte ``offset`` in the file.
    ``reason`` is a short fixed phrase, so rejects can be counted by reason.
    """

    file: str
    record: int
    reason: str
    offset: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.record}"
        if self.offset is not None:
            where += f" (byte {self.offset})"
        return f"{where}: {self.reason}"


@dataclass
class ReadResult:
    """What a reader returns: the accepted rows, the detections, every rejected record."""

    table: pa.Table
    rejects: list[Reject] = field(default_factory=list)
    format: str = ""
    detections: pa.Table = field(default_factory=lambda: DETECTION_SCHEMA.empty_table())
    #: the radar sites the file states (ASTERIX CAT034 I034/120) by sensor id
    #: (``asterix:<SAC>/<SIC>``): lon, lat, height above the ellipsoid (m)
    sites: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return self.table.num_rows + self.detections.num_rows + len(self.rejects)

    def reject_counts(self) -> Counter[str]:
        return Counter(r.reason for r in self.rejects)


def empty_table() -> pa.Table:
    return POSITION_SCHEMA.empty_table()


def make_table(
    columns: Mapping[str, Sequence | np.ndarray | pa.Array],
    *,
    source: str,
    source_file: str,
) -> pa.Table:
    """Build a canonical table from whatever columns a reader has.

    ``track_id, time, lon, lat, source_record`` are required; every other
    column of :data:`POSITION_SCHEMA` is filled with nulls when absent; ``sensor``
    may be one string for every row.
    ``time`` may be datetime64 values (taken as UTC), an Arrow timestamp
    array, or integer nanoseconds since the epoch.
    """
    required = ("track_id", "time", "lon", "lat", "source_record")
    return _build(POSITION_SCHEMA, required, columns, source, source_file)


def make_detections(
    columns: Mapping[str, Sequence | np.ndarray | pa.Array],
    *,
    source: str,
    source_file: str,
) -> pa.Table:
    """Build a detection table (:data:`DETECTION_SCHEMA`); ``sensor, time,
    source_record`` are required, every other column is null when absent."""
    return _build(
        DETECTION_SCHEMA, ("sensor", "time", "source_record"), columns, source, source_file
    )


def _build(
    schema: pa.Schema,
    required: Sequence[str],
    columns: Mapping[str, Sequence | np.ndarray | pa.Array],
    source: str,
    source_file: str,
) -> pa.Table:
    missing = set(required) - set(columns)
    if missing:
        raise ValueError(f"missing required columns {sorted(missing)}")
    n = len(columns[required[-1]])
    arrays = []
    for f in schema:
        if f.name == "source":
            arr = pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, dtype=np.int32)), pa.array([source])
            )
        elif f.name == "source_file":
            arr = pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, dtype=np.int32)), pa.array([source_file])
            )
        elif f.name == "sensor" and isinstance(columns.get("sensor"), str):
            arr = pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, dtype=np.int32)), pa.array([columns["sensor"]])
            )
        elif f.name in columns:
            arr = _to_arrow(columns[f.name], f.type)
        else:
            arr = pa.nulls(n, type=f.type)
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=schema)


def one_array(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one array: its only chunk as it is, or the chunks joined.

    ``ChunkedArray.combine_chunks`` copies even a single chunk (pyarrow 26),
    and a column of one chunk is the common case: a copy per column per
    batch was a fifth of pass 1's time at 100 M reports.
    """
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _to_arrow(values: Sequence | np.ndarray | pa.Array, typ: pa.DataType) -> pa.Array:
    values = one_array(values) if isinstance(values, pa.ChunkedArray) else values
    if typ == TIME_TYPE:
        if isinstance(values, pa.Array):
            if pa.types.is_timestamp(values.type):
                return values.cast(pa.timestamp(values.type.unit, tz="UTC")).cast(TIME_TYPE)
            return values.cast(pa.int64()).cast(TIME_TYPE)
        arr = np.asarray(values)
        if np.issubdtype(arr.dtype, np.datetime64):
            arr = arr.astype("datetime64[ns]").view(np.int64)
        return pa.array(arr.astype(np.int64), type=pa.int64()).cast(TIME_TYPE)
    if isinstance(values, pa.Array):
        return values.cast(typ)
    if pa.types.is_floating(typ):
        arr = np.asarray(values, dtype=np.float64)
        return pa.array(arr, type=typ, from_pandas=True)  # NaN -> null
    return pa.array(values, type=typ)


def concat(tables: Sequence[pa.Table], schema: pa.Schema = POSITION_SCHEMA) -> pa.Table:
    """Concatenate canonical tables (of ``schema``), unifying their dictionaries."""
    if not tables:
        return schema.empty_table()
    return pa.concat_tables(tables).unify_dictionaries().combine_chunks()
