"""What the engines need to read a file in parts, each part through its format's reader.

The streaming engines cut a file into batches (Parquet row groups, chunks of
CSV lines) and read each one with :func:`airwitness.io.read`, so that rows,
conversions and rejects are exactly those of reading the whole file. Beyond
:func:`~airwitness.io.read` and :func:`~airwitness.io.sniff` that takes: how a
file's content is packed, the tabular formats and their columns, sniffing a
head already in memory, reading a batch of columns, and moving a batch's
record numbers and file name to where it lies in its file.
"""

from __future__ import annotations

import io
from collections.abc import Collection

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.io._convert import Checks
from airwitness.io._detect import TABULAR, detect
from airwitness.io._source import CHUNK, GZIP_MAGIC, Source
from airwitness.io.options import ReadOptions
from airwitness.io.tabular._containers import PARQUET_MAGIC, Columns, container
from airwitness.io.tabular._csvtext import header_names
from airwitness.io.tabular._csvtyped import typed_columns
from airwitness.schema import ReadResult, Reject, one_array

__all__ = [
    "CHUNK",
    "GZIP_MAGIC",
    "PARQUET_MAGIC",
    "TABULAR",
    "Checks",
    "container",
    "csv_header",
    "read_csv_lines",
    "read_table",
    "renamed",
    "shift",
    "sniff_head",
]


def sniff_head(name: str, head: bytes) -> str:
    """The format of a file called ``name`` whose (decompressed) start is ``head``."""
    return detect(Source(name, io.BytesIO(head)))


def read_table(
    name: str,
    format: str,
    table: pa.Table,
    first_record: int,
    options: ReadOptions | None,
    only: Collection[str] | None = None,
) -> ReadResult:
    """A batch of a tabular file's columns through its reader's conversion, rows
    numbered from ``first_record``: the rows, values and rejects of reading the
    whole file (``table`` has the reader's lower-case column names). With
    ``only``, just those canonical columns, text as dictionaries (the engines:
    they never handle text row by row)."""
    records = np.arange(first_record, first_record + table.num_rows, dtype=np.int64)
    columns = {c: one_array(table[c]) for c in table.column_names}
    data = Columns(columns, records, container="parquet")
    result = TABULAR[format].convert(name, data, only)
    result.format = format
    return result


def csv_header(name: str, prefix: bytes) -> list[str]:
    """The reader's column names from a CSV file's header lines (``prefix``)."""
    return header_names(Source(name, io.BytesIO(prefix)), prefix)


def read_csv_lines(
    name: str,
    format: str,
    names: list[str],
    body: bytes,
    first_line: int,
    only: Collection[str],
    newlines: int | None = None,
) -> ReadResult | None:
    """Whole lines of a tabular CSV file (``body``, no header; its columns ``names``,
    its first line number ``first_line``) parsed straight into the columns the
    format's ``CSV_TYPES`` names and converted by its reader, ``only`` those
    canonical columns (``newlines``: the count of line ends in ``body``, when known);
    ``None`` where the text path must decide
    (:mod:`airwitness.io.tabular._csvtyped`): then :func:`airwitness.io.read`
    on the lines, with the header in front, gives the rows and rejects.

    Columns the format reads but does not type are read as text, except those
    that only fill a report's details (``DETAIL``): the engines do not keep
    them, and on ASCII lines, which is all this path takes, text cannot be bad.
    """
    module = TABULAR[format]
    types = getattr(module, "CSV_TYPES", None)
    if types is None or any(c not in names for c in module.REQUIRED):
        return None  # the text path raises the reader's error
    wanted = [c for c in dict.fromkeys([*module.REQUIRED, *module.OPTIONAL]) if c in names]
    typed = {c: types.get(c, pa.string()) for c in wanted if c in types or c not in module.DETAIL}
    columns = typed_columns(body, names, typed, newlines)
    if columns is None:
        return None
    n = len(columns[module.REQUIRED[0]])
    records = np.arange(first_line, first_line + n, dtype=np.int64)
    result = module.convert(name, Columns(columns, records, container="csv"), only)
    result.format = format
    return result


def shift(result: ReadResult, by: int) -> ReadResult:
    """Record numbers moved by ``by`` (a batch's position in its file)."""
    if by == 0:
        return result
    t = result.table
    i = t.schema.get_field_index("source_record")
    moved = pc.add(t["source_record"], pa.scalar(by, pa.int64()))
    t = t.set_column(i, t.schema.field(i), moved)
    rejects = [Reject(r.file, r.record + by, r.reason, r.offset) for r in result.rejects]
    return ReadResult(t, rejects, result.format)


def renamed(result: ReadResult, name: str) -> ReadResult:
    """The same rows and rejects, with the file called ``name``."""
    if all(r.file == name for r in result.rejects) and _named(result.table, name):
        return result
    t = result.table
    i = t.schema.get_field_index("source_file")
    files = one_array(t["source_file"])
    files = pa.DictionaryArray.from_arrays(files.indices, pa.array([name] * len(files.dictionary)))
    t = t.set_column(i, t.schema.field(i), files)
    rejects = [Reject(name, r.record, r.reason, r.offset) for r in result.rejects]
    return ReadResult(t, rejects, result.format)


def _named(table: pa.Table, name: str) -> bool:
    files = one_array(table["source_file"])
    return files.dictionary.to_pylist() in ([], [name])
