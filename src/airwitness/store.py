"""The embedded DuckDB store: ingest once, query many times (issue 4).

An investigation reads its evidence files once into a single DuckDB file and
then runs every command against it. The store keeps exactly what the readers
produced, so :func:`load` returns the same :class:`~airwitness.io.inputs.Inputs`
as reading the files directly, and every result is the same.

Guarantees:

- **Idempotent by content.** A file is identified by the SHA-256 of its bytes
  as held (compressed or not). A file already in the store, under any name, is
  skipped and said so; re-ingesting changes nothing that :func:`info` shows.
- **Atomic per file.** A file's provenance row, reports and rejects go in one
  transaction that commits only after the last row; a crash or SIGKILL before
  that leaves none of them: DuckDB's write-ahead log holds committed
  transactions only, and rows written to the database file ahead of the commit
  sit in blocks that nothing references until then. Running the same ingest
  again finishes the job (file ids are dense: the next is max + 1).
- **Exact.** Times are kept as integer nanoseconds (DuckDB's TIMESTAMPTZ
  holds microseconds only); floats, NaN and nulls round-trip bit for bit, and
  rows come back in the order the reader produced them.

Tables (``SCHEMA_VERSION`` 1), for users who query the file with SQL:

- ``meta(key, value)``: ``schema_version``, ``created_by``.
- ``files``: one row per stored file, ``file_id`` 1, 2, … in ingest order;
  ``path`` (as given at ingest), ``size``, ``sha256``, ``format``,
  ``source``, ``reader_version``, ``options_json``, ``records``,
  ``reports``, ``rejects``, ``rejects_json`` (counts by reason), ``tracks``,
  ``first_ns``/``last_ns``, bounding box, and ``ingested_at`` (wall clock,
  provenance only: never part of :func:`info`).
- ``reports``: the canonical columns with ``time_ns`` (BIGINT, ns since the
  epoch, UTC) instead of ``time``, and ``file_id`` instead of ``source`` and
  ``source_file``.
- ``rejects(file_id, record, byte_offset, reason)``.
- view ``positions``: the canonical table in SQL terms, with ``time`` as
  TIMESTAMPTZ (microseconds, floored) beside the exact ``time_ns``, and
  ``source``/``source_file`` joined from ``files``.

One process at a time may write a store; readers may share it. The DuckDB
spatial extension is never loaded here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
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
from airwitness.io.inputs import FileSummary, Inputs
from airwitness.io.options import ReadOptions
from airwitness.schema import POSITION_SCHEMA, TIME_TYPE, ReadResult, Reject
from airwitness.times import iso_ms

__all__ = ["DEFAULT_STORE", "SCHEMA_VERSION", "IngestResult", "info", "ingest", "load"]

#: The store the CLI uses when ``--store`` is not given (issue 4).
DEFAULT_STORE = "airwitness.duckdb"

#: Version of the table layout; a store written by a newer layout is refused.
SCHEMA_VERSION = 2
#: DuckDB's row-group size: batches of this many rows insert in parallel.
_BATCH_ROWS = 122_880

_DDL = (
    """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
    """CREATE TABLE files (
        file_id INTEGER PRIMARY KEY,
        path VARCHAR NOT NULL,
        size BIGINT NOT NULL,
        sha256 VARCHAR NOT NULL UNIQUE,
        format VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        reader_version VARCHAR NOT NULL,
        options_json VARCHAR NOT NULL,
        records BIGINT NOT NULL,
        reports BIGINT NOT NULL,
        rejects BIGINT NOT NULL,
        rejects_json VARCHAR NOT NULL,
        tracks BIGINT NOT NULL,
        first_ns BIGINT,
        last_ns BIGINT,
        min_lon DOUBLE,
        min_lat DOUBLE,
        max_lon DOUBLE,
        max_lat DOUBLE,
        ingested_at TIMESTAMPTZ NOT NULL
    )""",
    """CREATE TABLE reports (
        file_id INTEGER NOT NULL,
        track_id VARCHAR NOT NULL,
        time_ns BIGINT NOT NULL,
        lon DOUBLE NOT NULL,
        lat DOUBLE NOT NULL,
        alt_m DOUBLE,
        alt_kind VARCHAR,
        ground_speed_mps DOUBLE,
        track_deg DOUBLE,
        vrate_mps DOUBLE,
        callsign VARCHAR,
        source_record BIGINT NOT NULL,
        leg_start BOOLEAN
    )""",
    """CREATE TABLE rejects (
        file_id INTEGER NOT NULL,
        record BIGINT NOT NULL,
        byte_offset BIGINT,
        reason VARCHAR NOT NULL
    )""",
    # Epoch + interval: an instant whatever the session's TimeZone setting.
    """CREATE VIEW positions AS
    SELECT r.track_id,
           TIMESTAMPTZ '1970-01-01 00:00:00+00'
             + to_microseconds((r.time_ns - ((r.time_ns % 1000) + 1000) % 1000) // 1000)
             AS time,
           r.time_ns, r.lon, r.lat, r.alt_m, r.alt_kind, r.ground_speed_mps,
           r.track_deg, r.vrate_mps, r.callsign,
           f.source, f.path AS source_file, r.source_record, r.leg_start, r.file_id
    FROM reports r JOIN files f USING (file_id)""",
)

# Columns of ``reports`` after file_id, in table order; ``time_ns`` stands for ``time``.
_REPORT_COLUMNS = tuple(
    "time_ns" if f.name == "time" else f.name
    for f in POSITION_SCHEMA
    if f.name not in ("source", "source_file")
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
            text = (
                f"{self.path}: stored as file {self.file_id} ({self.format}, "
                f"{self.reports} reports, {n_rej} rejects)"
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
    with _open(store_path, write=True) as con:
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
        result = readers.read(path, format=format, options=options)
        if _sha256(path)[0] != digest:
            raise InputError(name, "file changed while it was being read")
    except InputError as exc:
        return IngestResult(name, "failed", sha256=digest, size=size, error=exc)
    source = _check_result(result, name)
    note = None
    clash = con.execute("SELECT file_id FROM files WHERE path = ?", [name]).fetchone()
    if clash is not None:
        note = f"file {clash[0]} has the same path but other content"
    file_id = _insert(con, result, name, size, digest, source, options_json)
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
        _append(con, "reports", _report_rows(table, file_id))
        _append(con, "rejects", _reject_rows(result.rejects, file_id))
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise
    return file_id


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    # A failed COMMIT has already rolled back; the caller re-raises the original error.
    with suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")


def _append(con: duckdb.DuckDBPyConnection, table_name: str, rows: pa.Table) -> None:
    if rows.num_rows == 0:
        return
    con.register("_airwitness_rows", rows)
    try:
        con.execute(f"INSERT INTO {table_name} BY NAME SELECT * FROM _airwitness_rows")
    finally:
        con.unregister("_airwitness_rows")


def _report_rows(table: pa.Table, file_id: int) -> pa.Table:
    """The reports as stored: ``time_ns`` int64, a ``file_id``, no dictionary columns.

    Cut into row-group-sized batches so DuckDB inserts them in parallel
    (still in order: insertion order is preserved).
    """
    n = table.num_rows
    columns = {"file_id": pa.array(np.full(n, file_id, dtype=np.int32))}
    for name in _REPORT_COLUMNS:
        columns[name] = table["time"].cast(pa.int64()) if name == "time_ns" else table[name]
    rows = pa.table(columns)
    return pa.Table.from_batches(rows.to_batches(max_chunksize=_BATCH_ROWS), rows.schema)


def _reject_rows(rejects: Sequence[Reject], file_id: int) -> pa.Table:
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


# ---------------------------------------------------------------- reading


def info(store_path: str | Path) -> dict[str, Any]:
    """What the store holds: totals, time span, bounding box and one entry per file.

    Deterministic: the same files give the same dict, however often they were
    ingested (no wall-clock time). Times are ISO-8601 UTC with milliseconds,
    plus exact ``*_ns``; the bounding box is in WGS-84 degrees.
    """
    with _open(store_path, write=False) as con:
        rows = con.execute(
            """SELECT file_id, path, size, sha256, format, source, reader_version, options_json,
                      records, reports, rejects, rejects_json, tracks, first_ns, last_ns,
                      min_lon, min_lat, max_lon, max_lat
               FROM files ORDER BY file_id"""
        ).fetchall()
        tracks = con.execute("SELECT count(DISTINCT track_id) FROM reports").fetchone()[0]
        extent = con.execute(
            """SELECT min(first_ns), max(last_ns), min(min_lon), min(min_lat),
                      max(max_lon), max(max_lat) FROM files"""
        ).fetchone()
    files = []
    by_reason: Counter[str] = Counter()
    for r in rows:
        rejects = json.loads(r[11])
        by_reason.update(rejects)
        files.append(
            {
                "file_id": r[0],
                "path": r[1],
                "size": r[2],
                "sha256": r[3],
                "format": r[4],
                "source": r[5],
                "reader_version": r[6],
                "options": json.loads(r[7]),
                "records": r[8],
                "reports": r[9],
                "rejects": r[10],
                "rejects_by_reason": rejects,
                "tracks": r[12],
                "time_span": _span(r[13], r[14]),
                "bbox": _bbox(r[15:19]),
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "files": len(files),
        "records": sum(f["records"] for f in files),
        "reports": sum(f["reports"] for f in files),
        "rejects": sum(f["rejects"] for f in files),
        "rejects_by_reason": dict(sorted(by_reason.items())),
        "tracks": tracks,
        "time_span": _span(extent[0], extent[1]),
        "bbox": _bbox(extent[2:]),
        "by_file": files,
    }


def _span(first_ns: int | None, last_ns: int | None) -> dict[str, Any] | None:
    if first_ns is None or last_ns is None:
        return None
    return {
        "first": iso_ms(first_ns),
        "last": iso_ms(last_ns),
        "first_ns": first_ns,
        "last_ns": last_ns,
    }


def _bbox(values: Sequence[float | None]) -> dict[str, float] | None:
    if values[0] is None:
        return None
    keys = ("min_lon", "min_lat", "max_lon", "max_lat")
    return dict(zip(keys, values, strict=True))


def load(
    store_path: str | Path,
    *,
    since_ns: int | None = None,
    until_ns: int | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    tracks: Sequence[str] | None = None,
) -> Inputs:
    """The stored reports as :class:`~airwitness.io.inputs.Inputs`, as if read from the files.

    Without filters the table equals what :func:`airwitness.io.inputs.read_inputs`
    returns for the stored paths in ingest order (same schema, rows, order and
    dictionaries). Filters keep reports with ``since_ns <= time <= until_ns``
    (UTC ns), inside ``bbox`` = (min_lon, min_lat, max_lon, max_lat) in degrees
    (edges included; min_lon > max_lon wraps across the antimeridian), and
    whose ``track_id`` is one of ``tracks``. Rejects and per-file summaries
    are always those of every stored file.
    """
    where, params = _where(since_ns, until_ns, bbox, tracks)
    with _open(store_path, write=False) as con:
        files = con.execute(
            """SELECT file_id, path, format, source, records, reports, rejects_json
               FROM files ORDER BY file_id"""
        ).fetchall()
        cols = ", ".join(("file_id", *_REPORT_COLUMNS))
        rows = con.execute(f"SELECT {cols} FROM reports{where}", params).to_arrow_table()
        rejected = con.execute(
            "SELECT file_id, record, byte_offset, reason FROM rejects"
        ).to_arrow_table()
    table = _canonical(rows, files)
    paths = {f[0]: f[1] for f in files}
    rejects = [
        Reject(paths[fid], record, reason, offset)
        for fid, record, offset, reason in zip(
            *(rejected[c].to_pylist() for c in rejected.column_names), strict=True
        )
    ]
    summaries = [
        FileSummary(path=f[1], format=f[2], records=f[4], accepted=f[5], rejects=json.loads(f[6]))
        for f in files
    ]
    return Inputs(table=table, rejects=rejects, files=summaries)


def _where(
    since_ns: int | None,
    until_ns: int | None,
    bbox: tuple[float, float, float, float] | None,
    tracks: Sequence[str] | None,
) -> tuple[str, list[Any]]:
    """A WHERE clause of plain row filters (no join, so insertion order is kept)."""
    terms: list[str] = []
    params: list[Any] = []
    if since_ns is not None:
        terms.append("time_ns >= ?")
        params.append(int(since_ns))
    if until_ns is not None:
        terms.append("time_ns <= ?")
        params.append(int(until_ns))
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
        lons_ok = -180 <= min_lon <= 180 and -180 <= max_lon <= 180
        if not (lons_ok and -90 <= min_lat <= max_lat <= 90):
            raise UsageError(
                f"bounding box {bbox} is not (min_lon, min_lat, max_lon, max_lat) in degrees"
            )
        terms.append("lat BETWEEN ? AND ?")
        params += [min_lat, max_lat]
        joiner = "AND" if min_lon <= max_lon else "OR"
        terms.append(f"(lon >= ? {joiner} lon <= ?)")
        params += [min_lon, max_lon]
    if tracks is not None:
        terms.append("list_contains(?::VARCHAR[], track_id)")
        params.append([str(t) for t in tracks])
    return (" WHERE " + " AND ".join(terms) if terms else ""), params


def _canonical(rows: pa.Table, files: list[tuple]) -> pa.Table:
    """Stored rows back to :data:`POSITION_SCHEMA`.

    ``source`` and ``source_file`` dictionaries list every stored file's value
    in ingest order, without repeats — exactly what concatenating the
    readers' tables gives (:func:`airwitness.schema.concat`).
    """
    file_ids = rows["file_id"].to_numpy()
    lookup_path = np.zeros(max((f[0] for f in files), default=0) + 1, dtype=np.int32)
    lookup_source = lookup_path.copy()
    paths: dict[str, int] = {}
    sources: dict[str, int] = {}
    for f in files:
        lookup_path[f[0]] = paths.setdefault(f[1], len(paths))
        lookup_source[f[0]] = sources.setdefault(f[3], len(sources))
    arrays = []
    for fld in POSITION_SCHEMA:
        if fld.name == "source_file":
            arr = _dictionary(lookup_path[file_ids], paths)
        elif fld.name == "source":
            arr = _dictionary(lookup_source[file_ids], sources)
        elif fld.name == "time":
            arr = rows["time_ns"].cast(TIME_TYPE)
        else:
            arr = rows[fld.name].cast(fld.type)
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=POSITION_SCHEMA).combine_chunks()


def _dictionary(indices: np.ndarray, values: dict[str, int]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.array(indices, type=pa.int32()), pa.array(list(values), type=pa.string())
    )


# ---------------------------------------------------------------- opening


@contextmanager
def _open(store_path: str | Path, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A checked connection; every problem with the store file is an InputError."""
    name = str(store_path)
    path = Path(store_path)
    if path.is_dir():
        raise InputError(name, "is a directory, not a store")
    if not write and not path.exists():
        raise InputError(name, "no such store")
    try:
        con = duckdb.connect(str(path), read_only=not write)
    except duckdb.Error as exc:
        raise InputError(name, _why(exc)) from None
    try:
        _check_schema(con, name, create=write)
        yield con
    finally:
        con.close()


def _why(exc: duckdb.Error) -> str:
    text = str(exc).splitlines()[0]
    if "not a valid DuckDB database file" in text:
        return "not a DuckDB database (not an airwitness store)"
    if "Could not set lock" in text:
        pid = re.search(r"\(PID (\d+)\)", text)
        who = f" (PID {pid.group(1)})" if pid else ""
        return f"locked by another process{who}: one writer at a time, or readers only"
    if "No such file or directory" in text:
        return "cannot create the store: no such directory"
    return f"cannot open the store: {text.removeprefix('IO Error: ')}"


def _check_schema(con: duckdb.DuckDBPyConnection, name: str, *, create: bool) -> None:
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    if not tables and create:
        con.execute("BEGIN TRANSACTION")
        for statement in _DDL:
            con.execute(statement)
        con.execute(
            "INSERT INTO meta VALUES ('schema_version', ?), ('created_by', ?)",
            [str(SCHEMA_VERSION), f"airwitness {__version__}"],
        )
        con.execute("COMMIT")
        return
    if "meta" not in tables:
        raise InputError(name, "a DuckDB database but not an airwitness store (no meta table)")
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row and row[0].isdigit() else None
    if version is None:
        raise InputError(name, "not an airwitness store (no schema version)")
    if version > SCHEMA_VERSION:
        raise InputError(
            name,
            f"store schema version {version} is newer than this airwitness {__version__} "
            f"reads ({SCHEMA_VERSION}): upgrade airwitness",
        )
    if version < SCHEMA_VERSION:  # v1 (development only) lacked reports.leg_start
        raise InputError(
            name,
            f"store schema version {version} is older than this airwitness reads "
            f"({SCHEMA_VERSION}): ingest the files into a new store",
        )
