"""Reading a store: what it holds (:func:`info`) and its reports as if read from the files
(:func:`load`)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.errors import UsageError
from airwitness.io.inputs import FileSummary, Inputs
from airwitness.schema import POSITION_SCHEMA, TIME_TYPE, Reject, concat
from airwitness.store.connection import open_store
from airwitness.store.detections import detection_counts, stored_detections, stored_sites
from airwitness.store.tables import SCHEMA_VERSION, report_select
from airwitness.times import iso_ms
from airwitness.tracking import TrackerSettings, track_inputs


def info(store_path: str | Path) -> dict[str, Any]:
    """What the store holds: totals, time span, bounding box and one entry per file.

    Deterministic: the same files give the same dict, however often they were
    ingested (no wall-clock time). Times are ISO-8601 UTC with milliseconds,
    plus exact ``*_ns``; the bounding box is in WGS-84 degrees.
    """
    with open_store(store_path, write=False) as con:
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
        plots = detection_counts(con)
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
                "detections": plots.get(r[0], 0),
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
        "detections": sum(plots.values()),
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
    tracker: TrackerSettings | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> Inputs:
    """The stored reports as :class:`~airwitness.io.inputs.Inputs`, as if read from the files.

    Without filters the table equals what :func:`airwitness.io.inputs.read_inputs`
    returns for the stored paths in ingest order (same schema, rows, order and
    dictionaries). Filters keep reports with ``since_ns <= time <= until_ns``
    (UTC ns), inside ``bbox`` = (min_lon, min_lat, max_lon, max_lat) in degrees
    (edges included; min_lon > max_lon wraps across the antimeridian), and
    whose ``track_id`` is one of ``tracks``. Rejects and per-file summaries
    are always those of every stored file. ``connection`` reads through a
    connection this process already holds (the writer's, while a watch appends:
    DuckDB lets one process open a file once), instead of opening the store.

    Stored detections (radar plots, …) are tracked here with ``tracker`` (None:
    the defaults), all of them whatever the filters, and their tracks filtered
    like any report: a track's first plots may lie outside a window.
    """
    where, params = _where(since_ns, until_ns, bbox, tracks)
    opened = open_store(store_path, write=False) if connection is None else _cursor(connection)
    with opened as con:
        files = con.execute(
            """SELECT file_id, path, format, source, records, reports, rejects_json
               FROM files ORDER BY file_id"""
        ).fetchall()
        cols = report_select(con)
        rows = con.execute(f"SELECT {cols} FROM reports{where}", params).to_arrow_table()
        rejected = con.execute(
            "SELECT file_id, record, byte_offset, reason FROM rejects"
        ).to_arrow_table()
        detections, sensors = stored_detections(con, files, str(store_path))
        sites = stored_sites(con)
    table = _canonical(rows, files)
    paths = {f[0]: f[1] for f in files}
    rejects = [
        Reject(paths[fid], record, reason, offset)
        for fid, record, offset, reason in zip(
            *(rejected[c].to_pylist() for c in rejected.column_names), strict=True
        )
    ]
    per_file = Counter(detections["source_file"].cast(pa.string()).to_pylist())
    summaries = [
        FileSummary(
            path=f[1],
            format=f[2],
            records=f[4],
            accepted=f[5],
            rejects=json.loads(f[6]),
            detections=per_file[f[1]],
        )
        for f in files
    ]
    inputs = Inputs(
        table=table, rejects=rejects, files=summaries, detections=detections, sites=sites
    )
    if detections.num_rows == 0:
        return inputs
    tracked = track_inputs(inputs, tracker, sensors)
    reports = _keep(tracked.table.slice(table.num_rows), since_ns, until_ns, bbox, tracks)
    return replace(tracked, table=concat([table, reports]))


def _keep(
    table: pa.Table,
    since_ns: int | None,
    until_ns: int | None,
    bbox: tuple[float, float, float, float] | None,
    tracks: Sequence[str] | None,
) -> pa.Table:
    """The rows :func:`_where` would select (the box already checked by it)."""
    keep = pa.array(np.ones(table.num_rows, dtype=bool))
    ns = table["time"].cast(pa.int64())
    if since_ns is not None:
        keep = pc.and_(keep, pc.greater_equal(ns, since_ns))
    if until_ns is not None:
        keep = pc.and_(keep, pc.less_equal(ns, until_ns))
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
        lat = table["lat"]
        keep = pc.and_(keep, pc.and_(pc.greater_equal(lat, min_lat), pc.less_equal(lat, max_lat)))
        east, west = pc.greater_equal(table["lon"], min_lon), pc.less_equal(table["lon"], max_lon)
        keep = pc.and_(keep, pc.and_(east, west) if min_lon <= max_lon else pc.or_(east, west))
    if tracks is not None:
        ids = table["track_id"].cast(pa.string())
        keep = pc.and_(keep, pc.is_in(ids, pa.array([str(t) for t in tracks])))
    return table.filter(keep)


@contextmanager
def _cursor(connection: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    cursor = connection.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


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
