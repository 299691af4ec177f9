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

import pyarrow as pa
import pyarrow.parquet as pq

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
from airwitness.io.batches import TABULAR, read_table
from airwitness.io.options import ReadOptions
from airwitness.io.tabular import canonical
from airwitness.schema import (
    POSITION_SCHEMA,
    ReadResult,
)

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
            yield canonical.convert(f.name, table, record, wanted)
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
