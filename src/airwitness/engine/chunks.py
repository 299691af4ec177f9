"""Read a unit of work (part of one input file) as canonical tables, a batch at a time.

Every batch goes through the format's own reader (``airwitness.io``), so the
rows, their conversions and their rejects are exactly those of reading the
whole file; only record numbers are shifted to where the batch lies in the
file. Parquet is read by row groups and batches; CSV text (plain or gzip) in
chunks cut at line ends outside quoted values, each parsed with the header in
front; other formats are read whole.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from airwitness import reasons
from airwitness.engine.partition import COLUMNS
from airwitness.engine.plan import share
from airwitness.engine.sources import (
    CANONICAL,
    CANONICAL_KEYS,
    InputFile,
    is_uri,
    open_file,
    open_parquet,
)
from airwitness.engine.text import csv_chunks
from airwitness.errors import InputError
from airwitness.io import read
from airwitness.io.batches import TABULAR, Checks, read_table
from airwitness.io.options import ReadOptions
from airwitness.schema import (
    DETECTION_SCHEMA,
    POSITION_SCHEMA,
    ReadResult,
    Reject,
    concat,
    one_array,
)

#: The detections of a batch that has none: one empty table for all (Arrow tables are
#: immutable, and making an empty one costs a quarter of a millisecond, a batch)
NO_DETECTIONS = DETECTION_SCHEMA.empty_table()
#: The canonical columns pass 1 reads: those the crossings need, and the source (it
#: gives the position error of a report that states none)
SPILLED = (*COLUMNS, "source")


@dataclass(frozen=True)
class Unit:
    """Row groups ``row_groups`` of a Parquet file (whose first row is record
    ``first_record``), or a whole text/other file when ``row_groups`` is empty."""

    file: InputFile
    row_groups: tuple[int, ...] = ()
    first_record: int = 1


def cut_units(
    files: Sequence[InputFile], workers: int, smallest: int, largest: int
) -> list[tuple[int, Unit]]:
    """Every file cut into units of whole row groups, with its index, in order.

    Each unit takes a share of the rows still to cut (half of them over the
    workers, between ``smallest`` and ``largest``): long units first, where a
    unit's fixed costs (opening the file, hashing its tracks, waiting for its
    last spill write) are spread over many rows, short ones last, so that the
    workers finish together. Text and other files are one unit each.
    """
    left = sum(sum(f.row_groups) for f in files if f.container == "parquet")

    def target() -> int:
        return min(largest, max(smallest, share(left, workers)))

    out: list[tuple[int, Unit]] = []
    for i, f in enumerate(files):
        if f.container != "parquet" or not f.row_groups:
            out.append((i, Unit(f)))
            continue
        group: list[int] = []
        rows, first, goal = 0, 1, target()
        for g, n in enumerate(f.row_groups):
            group.append(g)
            rows += n
            if rows >= goal:
                out.append((i, Unit(f, tuple(group), first)))
                first += rows
                left -= rows
                group, rows, goal = [], 0, target()
        if group:
            out.append((i, Unit(f, tuple(group), first)))
            left -= rows
    return out


def read_unit(
    unit: Unit,
    batch_rows: int,
    chunk_bytes: int,
    options: ReadOptions | None,
    only: Sequence[str] | None = SPILLED,
) -> Iterator[ReadResult]:
    """The unit's rows as canonical tables (with their rejects), a batch at a time:
    the canonical columns named in ``only`` (by default those the crossings need),
    or every one (None: what fusion needs). The rows are the same whatever the
    columns: each reader decides on a row by its position and time."""
    f = unit.file
    if f.container == "parquet":
        yield from _parquet(unit, batch_rows, options, only)
    elif f.container == "csv":
        yield from csv_chunks(f, chunk_bytes, options, only=only)
    else:
        yield read_whole(f, options)


def read_whole(f: InputFile, options: ReadOptions | None) -> ReadResult:
    """The whole file at once, as ``airwitness.io.read`` reads it (the in-memory path)."""
    if f.format == CANONICAL:
        whole = Unit(f, tuple(range(len(f.row_groups))))
        parts = list(_parquet(whole, 1 << 62, options, only=None))
        return ReadResult(
            concat([p.table for p in parts]), [r for p in parts for r in p.rejects], CANONICAL
        )
    if not is_uri(f.name) and os.path.abspath(f.name) == f.location:
        return read(f.name, format=f.format, options=options)
    with open_file(f.location, f.name) as fh:
        return read(f.name, format=f.format, stream=fh, options=options)


def _parquet(
    unit: Unit, batch_rows: int, options: ReadOptions | None, only: Sequence[str] | None = SPILLED
) -> Iterator[ReadResult]:
    """Batches of row groups through the reader; canonical files read only the
    columns named in ``only`` (None: all), and then keep ``track_id`` as Parquet
    stores it, a dictionary (half the decoding time, and the spill never handles
    the text row by row).

    The other tabular formats read their text columns as dictionaries too (the
    reader converts each distinct value once), and skip the columns that only
    fill a report's details where the file's statistics prove that the reader
    would find nothing wrong in them (:func:`_clean`): the rows and rejects are
    those of reading every column.
    """
    f = unit.file
    wanted = POSITION_SCHEMA.names if only is None else only
    record = unit.first_record
    for table in parquet_batches(unit, batch_rows, only):
        if f.format == CANONICAL:
            yield canonical(f.name, table, record, wanted)
        else:
            yield read_table(f.name, f.format, table, record, options, only)
        record += table.num_rows


def parquet_batches(
    unit: Unit, batch_rows: int, only: Sequence[str] | None = SPILLED
) -> Iterator[pa.Table]:
    """The unit's batches as pyarrow decodes them, before any conversion: the
    columns :func:`_parquet` reads for ``only`` (the floor of pass 1, which
    ``bench/pass1.py`` times alone)."""
    f = unit.file
    as_dictionary: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    if f.format == CANONICAL:
        wanted = POSITION_SCHEMA.names if only is None else only
        required = CANONICAL_KEYS
        as_dictionary = () if only is None else ("track_id",)
    else:
        module = TABULAR[f.format]
        wanted, required = [*module.REQUIRED, *module.OPTIONAL], module.REQUIRED
        as_dictionary = text = module.TEXT
        skip = module.DETAIL
    return _batches(f, unit.row_groups, batch_rows, wanted, required, as_dictionary, skip, text)


def _batches(
    f: InputFile,
    row_groups: tuple[int, ...],
    batch_rows: int,
    wanted,
    required,
    as_dictionary: tuple[str, ...] = (),
    skip: tuple[str, ...] = (),
    text: tuple[str, ...] = (),
) -> Iterator[pa.Table]:
    """The wanted columns (lower-case names, first of duplicates) in batches;
    text columns named in ``as_dictionary`` as dictionaries; those named in
    ``skip`` left out where :func:`_clean` in ``row_groups`` (``text``: the
    columns the reader takes as text, the others as numbers)."""
    with open_parquet(f.location, f.name) as fh:
        try:
            pf = pq.ParquetFile(fh)
            schema = pf.schema_arrow
            actual = {n.lower(): n for n in reversed(schema.names)}
            missing = [c for c in required if c not in actual]
            if missing:
                reason = f"missing required column(s) for {f.format}: {', '.join(missing)}"
                raise InputError(f.name, reason)
            present = [w for w in dict.fromkeys(wanted) if w in actual]
            meta = pf.metadata
            present = [
                w
                for w in present
                if w not in skip or not _clean(meta, schema, actual[w], row_groups, w in text)
            ]
            columns = [actual[w] for w in present]
            text = [
                actual[c]
                for c in as_dictionary
                if c in actual and pa.types.is_string(schema.field(actual[c]).type)
            ]
            if text:
                pf = pq.ParquetFile(fh, metadata=pf.metadata, read_dictionary=text)
            batches = pf.iter_batches(batch_rows, row_groups=row_groups, columns=columns)
            for batch in batches:
                yield pa.Table.from_batches([batch]).rename_columns(present)
        except (OSError, ValueError) as e:  # ArrowInvalid is a ValueError
            raise InputError(f.name, f"unreadable Parquet: {e}") from None


def _clean(
    meta: pq.FileMetaData, schema: pa.Schema, column: str, row_groups: Sequence[int], text: bool
) -> bool:
    """Nothing in ``column`` of these row groups that a reader would reject: whole
    numbers (never bad, as text or as numbers), text that is text (``text``: no
    decoding to fail), or floating-point numbers whose statistics say finite
    (only an infinity is a bad number there; NaN is unknown, and Parquet's
    minimum and maximum leave it out) or that are all null."""
    typ = schema.field(column).type
    if pa.types.is_integer(typ) or pa.types.is_decimal(typ) or pa.types.is_null(typ):
        return True
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return text
    if not pa.types.is_floating(typ):
        return False
    index = schema.get_field_index(column)
    if index < 0 or meta.schema.column(index).path != column:
        return False  # a nested schema: no flat statistics to go by
    for g in row_groups:
        chunk = meta.row_group(g).column(index)
        stats = chunk.statistics
        if stats is None:
            return False
        if stats.has_null_count and stats.null_count == chunk.num_values:
            continue
        if not stats.has_min_max or not (-math.inf < stats.min and stats.max < math.inf):
            return False
    return True


def canonical(name: str, table: pa.Table, first_record: int, columns: Sequence[str]) -> ReadResult:
    """Rows already in the canonical schema: checked, cast, provenance kept.

    Returns the schema's fields named in ``columns``; those the file lacks are
    null (``source``: ``canonical``); a dictionary ``track_id`` stays one.
    Rows without track, time or a valid position are rejected (record = row
    number in this file); null ``source_file``/``source_record`` are filled
    with this file and row number.
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
    return ReadResult(table, rejects, CANONICAL, detections=NO_DETECTIONS)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
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
        return pa.DictionaryArray.from_arrays(zeros, pa.array([CANONICAL]))
    return pa.nulls(n, field.type)


def _nulls(col: pa.ChunkedArray) -> np.ndarray:
    return col.is_null().to_numpy(zero_copy_only=False)
