"""The canonical table itself, as Parquet (``canonical``).

A Parquet file with the columns of :data:`airwitness.schema.POSITION_SCHEMA`
(docs/architecture.md §2): what ``airwitness label -o x.parquet`` writes (with its
``airspace`` column, ignored here), ``scripts/generate_traffic.py`` generates, or
another tool exports. The file is recognised by ``track_id, time, lon, lat,
source_file, source_record``; the schema's other columns are optional (null when
absent), and columns outside it are ignored.

The reports keep the provenance they carry (``source_file``, ``source_record``: the
records they were first read from), so a finding traces back through the
canonical file to the original inputs; a row whose provenance is null is named by
this file and its row number (1-based). ``time`` must be a timestamp (any unit;
without a time zone it is taken as UTC). A row is rejected, with the first reason
that applies, for: ``missing track_id``, ``bad time`` (null), ``no position`` (null
or NaN lat or lon), ``lat/lon out of range``; the record is its row number.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness import reasons
from airwitness.errors import InputError
from airwitness.io._convert import Checks
from airwitness.io._source import CHUNK, Source
from airwitness.io.options import ReadOptions
from airwitness.io.tabular._containers import container, load
from airwitness.schema import DETECTION_SCHEMA, POSITION_SCHEMA, ReadResult, Reject, one_array

NAME = "canonical"
#: The columns that tell a canonical file (and that it must have)
REQUIRED = ("track_id", "time", "lon", "lat", "source_file", "source_record")
_NO_DETECTIONS = DETECTION_SCHEMA.empty_table()


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read a canonical Parquet file whole (see the module docs)."""
    src = Source(path, stream)
    if container(src.head(CHUNK)) != "parquet":
        raise src.fail("the canonical table is read from Parquet only")
    data = load(src, POSITION_SCHEMA.names, REQUIRED, NAME)
    result = convert(src.name, pa.table(data.columns), 1, POSITION_SCHEMA.names)
    track_id = result.table["track_id"]
    if pa.types.is_dictionary(track_id.type):
        as_text = track_id.cast(pa.string())
        result.table = result.table.set_column(0, POSITION_SCHEMA.field("track_id"), as_text)
    return result


def convert(name: str, table: pa.Table, first_record: int, columns: Sequence[str]) -> ReadResult:
    """Rows already in the canonical schema (a whole file, or the engines' batches of
    it, the first numbered ``first_record``): checked, cast, provenance kept.

    Returns the schema's fields named in ``columns``; those the file lacks are
    null (``source``: ``canonical``); a dictionary ``track_id`` stays one.
    """
    n = table.num_rows
    rejects: list[Reject] = []
    lat = _floats(table["lat"])
    lon = _floats(table["lon"])
    records = None  # each row's record number, made only when needed
    if not _all_valid(table, lat, lon):
        records = np.arange(first_record, first_record + n, dtype=np.int64)
        checks = Checks(n)
        checks.flag(_nulls(table["track_id"]), reasons.MISSING_TRACK_ID)
        checks.flag(_nulls(table["time"]), reasons.BAD_TIME)
        no_bad = np.zeros(n, dtype=bool)
        checks.position((lat, no_bad), (lon, no_bad), reasons.NO_POSITION)
        keep = checks.ok
        rejects = checks.rejects(name, records)
        if not keep.all():
            table = table.filter(pa.array(keep))
            records = records[keep]
    arrays, fields = [], [f for f in POSITION_SCHEMA if f.name in columns]
    for field in fields:
        if field.name not in table.column_names:
            arrays.append(_absent(field, table.num_rows))
            continue
        col = one_array(table[field.name])
        try:
            if field.name == "time":
                if not pa.types.is_timestamp(col.type):
                    raise InputError(name, f"column time is {col.type}, not a timestamp")
                col = col.cast(pa.timestamp(col.type.unit, tz="UTC"))
            elif field.name == "source_file":
                col = _source_files(col, name)
            elif field.name == "track_id" and pa.types.is_dictionary(col.type):
                arrays.append(col.cast(pa.dictionary(pa.int32(), pa.string())))
                continue
            elif field.name == "source_record" and col.null_count:
                if records is None:
                    records = np.arange(first_record, first_record + n, dtype=np.int64)
                col = pc.coalesce(col.cast(pa.int64()), pa.array(records))
            arrays.append(col.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
            raise InputError(name, f"column {field.name} ({col.type}): {e}") from None
    fields = [f.with_type(a.type) for f, a in zip(fields, arrays, strict=True)]
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    return ReadResult(table, rejects, NAME, detections=_NO_DETECTIONS)


def _floats(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A coordinate column as float64, NaN where null (no copy when it can be avoided)."""
    array = one_array(pc.cast(column, pa.float64()))
    return array.to_numpy(zero_copy_only=False)


def _all_valid(table: pa.Table, lat: np.ndarray, lon: np.ndarray) -> bool:
    """No row to reject: the common case, settled without a per-row verdict."""
    if table["track_id"].null_count or table["time"].null_count or len(lat) == 0:
        return len(lat) == 0
    with np.errstate(invalid="ignore"):  # NaN fails every comparison
        return bool(
            np.min(lat) >= -90.0
            and np.max(lat) <= 90.0
            and np.min(lon) >= -180.0
            and np.max(lon) <= 180.0
        )


def _source_files(col: pa.Array, name: str) -> pa.Array:
    """The column as dictionary-encoded file names, nulls naming this file.

    A dictionary column without nulls is kept as it is (no per-row strings).
    """
    if pa.types.is_dictionary(col.type) and col.null_count == 0:
        return col.cast(pa.dictionary(pa.int32(), pa.string()))
    return pc.fill_null(col.cast(pa.string()), name)


def _absent(field: pa.Field, n: int) -> pa.Array:
    """A column the file does not have: nulls, or ``canonical`` for the source."""
    if field.name == "source":
        zeros = pa.array(np.zeros(n, dtype=np.int32))
        return pa.DictionaryArray.from_arrays(zeros, pa.array([NAME]))
    return pa.nulls(n, field.type)


def _nulls(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return col.is_null().to_numpy(zero_copy_only=False)
