"""Ingesting files into a store: one transaction per file, skipped when already stored.

See the package docstring (:mod:`airwitness.store`) for what is guaranteed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness import __version__
from airwitness import io as readers
from airwitness.digest import sha256_and_size
from airwitness.errors import InputError, UsageError
from airwitness.io.options import ReadOptions
from airwitness.io.sensors import Sensors, load_sensors
from airwitness.io.tabular.canonical import NAME as CANONICAL
from airwitness.schema import POSITION_SCHEMA, ReadResult, Reject
from airwitness.store.connection import open_store
from airwitness.store.detections import detection_rows, sensor_rows
from airwitness.store.tables import REPORT_COLUMNS

#: DuckDB's row-group size: batches of this many rows insert in parallel.
_BATCH_ROWS = 122_880
#: Why a canonical table is not stored: the store keeps each file's own reports
#: (one file, one source), and a canonical table's reports carry the provenance of
#: the files they were first read from
CANONICAL_REFUSED = (
    "a canonical table (its reports name the files they were read from): "
    "ingest those original files, or give this one to the commands directly"
)


@dataclass(frozen=True)
class IngestResult:
    """What happened to one input file.

    ``status`` is ``stored`` (newly in the store as ``file_id``), ``skipped``
    (its content was already stored, as ``stored_as``) or ``failed``
    (``error`` says why; nothing of it is in the store).
    """

    path: str
    status: Literal["stored", "skipped", "failed"]
    sha256: str | None = None
    size: int | None = None
    file_id: int | None = None
    format: str | None = None
    records: int = 0
    reports: int = 0
    rejects: dict[str, int] = field(default_factory=dict)
    #: radar plots and other detections, stored to be tracked when the store is read
    detections: int = 0
    stored_as: str | None = None
    note: str | None = None
    error: InputError | None = None

    @property
    def message(self) -> str:
        """One line for the user, e.g. ``a.csv: skipped, already stored (as b.csv)``."""
        if self.status == "failed":
            return f"{self.error}: not stored"
        if self.status == "skipped":
            text = f"{self.path}: skipped, already stored"
            if self.stored_as != self.path:
                text += f" (as {self.stored_as})"
        else:
            n_rej = sum(self.rejects.values())
            plots = f", {self.detections} detections" if self.detections else ""
            text = (
                f"{self.path}: stored as file {self.file_id} ({self.format}, "
                f"{self.reports} reports{plots}, {n_rej} rejects)"
            )
        return f"{text}; {self.note}" if self.note else text


def ingest(
    paths: Sequence[str | Path],
    store_path: str | Path,
    *,
    format: str | None = None,
    options: ReadOptions | None = None,
    progress: Callable[[IngestResult], None] | None = None,
) -> list[IngestResult]:
    """Read each file into the store (created if missing), one transaction per file.

    A file whose content is already stored is skipped. A file that cannot be
    read (:class:`~airwitness.errors.InputError`) is reported as ``failed``
    and the others are still ingested; the caller decides the exit code.
    ``format`` and ``options`` are passed to :func:`airwitness.io.read` and
    recorded with each file. ``progress`` is called with each result as soon
    as that file is done. Errors with the store itself raise InputError
    naming the store.
    """
    if format is not None and format not in readers.FORMATS:
        raise UsageError(
            f"unknown input format {format!r}; choose one of {', '.join(readers.FORMATS)}"
        )
    results: list[IngestResult] = []
    with open_store(store_path, write=True) as con:
        for path in paths:
            result = _ingest_one(con, path, format, options)
            results.append(result)
            if progress is not None:
                progress(result)
        con.execute("CHECKPOINT")
    return results


def _ingest_one(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    format: str | None,
    options: ReadOptions | None,
) -> IngestResult:
    name = str(path)
    try:
        digest, size = _sha256(path)
    except InputError as exc:
        return IngestResult(name, "failed", error=exc)
    options_json = _options_json(options)
    row = con.execute(
        "SELECT path, format, options_json FROM files WHERE sha256 = ?", [digest]
    ).fetchone()
    if row is not None:
        note = None
        if (format is not None and format != row[1]) or options_json != row[2]:
            note = f"stored earlier as {row[1]} with options {row[2]}, not re-read"
        return IngestResult(
            name, "skipped", sha256=digest, size=size, format=row[1], stored_as=row[0], note=note
        )
    try:
        if format == CANONICAL:
            raise InputError(name, CANONICAL_REFUSED)
        result = readers.read(path, format=format, options=options)
        if result.format == CANONICAL:  # detected: known only once read
            raise InputError(name, CANONICAL_REFUSED)
        if _sha256(path)[0] != digest:
            raise InputError(name, "file changed while it was being read")
    except InputError as exc:
        return IngestResult(name, "failed", sha256=digest, size=size, error=exc)
    source = _check_result(result, name)
    note = None
    clash = con.execute("SELECT file_id FROM files WHERE path = ?", [name]).fetchone()
    if clash is not None:
        note = f"file {clash[0]} has the same path but other content"
    sensors = load_sensors(options.sensors) if options and options.sensors else None
    file_id = _insert(con, result, name, size, digest, source, options_json, sensors)
    return IngestResult(
        name,
        "stored",
        sha256=digest,
        size=size,
        file_id=file_id,
        format=result.format,
        records=result.records,
        reports=result.table.num_rows,
        rejects=dict(sorted(result.reject_counts().items())),
        detections=result.detections.num_rows,
        note=note,
    )


def _sha256(path: str | Path) -> tuple[str, int]:
    """SHA-256 and size of the bytes as held, read in chunks (memory bounded)."""
    try:
        return sha256_and_size(path)
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot open: {exc.strerror or exc}") from None


def _check_result(result: ReadResult, name: str) -> str:
    """The reader's one ``source`` value; a table that breaks the contract is a bug."""
    table = result.table
    if not table.schema.equals(POSITION_SCHEMA):
        raise ValueError(f"reader for {result.format} returned a non-canonical table")
    sources = _distinct(table["source"]) or [result.format]
    files = _distinct(table["source_file"]) or [name]
    if len(sources) != 1 or files != [name]:
        raise ValueError(
            f"reader for {result.format} returned source {sources} / source_file {files}; "
            f"expected one source and {name!r}"
        )
    return sources[0]


def _distinct(column: pa.ChunkedArray) -> list[str]:
    """Values used in a dictionary column; an empty column's dictionary values."""
    if len(column) == 0:
        values = [v for chunk in column.chunks for v in chunk.dictionary.to_pylist()]
    else:
        values = pc.unique(column).to_pylist()
    return sorted(set(values))


def _insert(
    con: duckdb.DuckDBPyConnection,
    result: ReadResult,
    name: str,
    size: int,
    digest: str,
    source: str,
    options_json: str,
    sensors: Sensors | None,
) -> int:
    """Everything about one file in one transaction; rolled back on any error."""
    table = result.table
    stats = _file_stats(table)
    con.execute("BEGIN TRANSACTION")
    try:
        file_id = con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM files").fetchone()[0]
        con.execute(
            """INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                                         current_timestamp)""",
            [
                file_id,
                name,
                size,
                digest,
                result.format,
                source,
                __version__,
                options_json,
                result.records,
                table.num_rows,
                len(result.rejects),
                json.dumps(dict(result.reject_counts()), sort_keys=True),
                *stats,
            ],
        )
        append_rows(con, "reports", report_rows(table, file_id))
        append_rows(con, "rejects", reject_rows(result.rejects, file_id))
        if result.detections.num_rows:
            append_rows(con, "detections", detection_rows(result.detections, file_id))
            append_rows(con, "sensors", sensor_rows(result.detections, sensors, file_id))
        for sensor, (lon, lat, alt) in sorted(result.sites.items()):
            con.execute(
                "INSERT INTO sites VALUES (?, ?, ?, ?, ?)", [file_id, sensor, lon, lat, alt]
            )
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise
    return file_id


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    # A failed COMMIT has already rolled back; the caller re-raises the original error.
    with suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")


def append_rows(con: duckdb.DuckDBPyConnection, table_name: str, rows: pa.Table) -> None:
    """Insert ``rows`` (an Arrow table whose columns the table has, by name)."""
    if rows.num_rows == 0:
        return
    con.register("_airwitness_rows", rows)
    try:
        con.execute(f"INSERT INTO {table_name} BY NAME SELECT * FROM _airwitness_rows")
    finally:
        con.unregister("_airwitness_rows")


def report_rows(table: pa.Table, file_id: int) -> pa.Table:
    """The reports as stored: ``time_ns`` int64, a ``file_id``, no dictionary columns.

    Cut into row-group-sized batches so DuckDB inserts them in parallel
    (still in order: insertion order is preserved).
    """
    n = table.num_rows
    columns = {"file_id": pa.array(np.full(n, file_id, dtype=np.int32))}
    for name in REPORT_COLUMNS:
        columns[name] = table["time"].cast(pa.int64()) if name == "time_ns" else table[name]
    rows = pa.table(columns)
    return pa.Table.from_batches(rows.to_batches(max_chunksize=_BATCH_ROWS), rows.schema)


def reject_rows(rejects: Sequence[Reject], file_id: int) -> pa.Table:
    return pa.table(
        {
            "file_id": pa.array(np.full(len(rejects), file_id, dtype=np.int32)),
            "record": pa.array([r.record for r in rejects], type=pa.int64()),
            "byte_offset": pa.array([r.offset for r in rejects], type=pa.int64()),
            "reason": pa.array([r.reason for r in rejects], type=pa.string()),
        }
    )


def _file_stats(table: pa.Table) -> list[Any]:
    """tracks, first/last time (ns), min lon/lat, max lon/lat — for :func:`info`."""
    if table.num_rows == 0:
        return [0, None, None, None, None, None, None]
    times = pc.min_max(table["time"].cast(pa.int64()))
    lon = pc.min_max(table["lon"])
    lat = pc.min_max(table["lat"])
    return [
        pc.count_distinct(table["track_id"]).as_py(),
        times["min"].as_py(),
        times["max"].as_py(),
        lon["min"].as_py(),
        lat["min"].as_py(),
        lon["max"].as_py(),
        lat["max"].as_py(),
    ]


def _options_json(options: ReadOptions | None) -> str:
    """The read options that shaped the table, for provenance (deterministic text)."""
    if options is None:
        return "{}"
    out: dict[str, Any] = {}
    if options.start_time_ns is not None:
        out["start_time_ns"] = options.start_time_ns
    if options.date is not None:
        out["date"] = options.date.isoformat()
    if options.reference is not None:
        out["reference"] = list(options.reference)
    if options.sensors is not None:
        out["sensors"] = str(options.sensors)
    return json.dumps(out, sort_keys=True)
