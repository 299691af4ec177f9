"""Radar plots and other anonymous detections in a store: kept as read, tracked on load.

A file's detections are stored as the reader gave them (:data:`DETECTION_SCHEMA`,
the time as ``time_ns``), with the sensors file's rows they were read with
(the tracker's per-sensor settings: scan period, Pd, clutter density). They are
tracked when the store is read (:func:`airwitness.store.load`), every file's
together, with the tracker settings of that command: a target's plots may come
from several files, and other settings must not need another ingest.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.errors import InputError
from airwitness.io.sensors import Accuracy, Sensor, Sensors
from airwitness.schema import DETECTION_SCHEMA, TIME_TYPE
from airwitness.store.tables import DETECTION_COLUMNS

_SENSOR_FIELDS = (
    "sensor",
    "lat",
    "lon",
    "alt_m",
    "sigma_range_m",
    "sigma_azimuth_deg",
    "scan_period_s",
    "pd",
    "clutter_density",
    "alt_low_m",
    "alt_high_m",
)


def detection_rows(table: pa.Table, file_id: int) -> pa.Table:
    """Detections as stored: ``time_ns`` int64, a ``file_id``, no dictionary columns."""
    columns = {"file_id": pa.array(np.full(table.num_rows, file_id, dtype=np.int32))}
    for name in DETECTION_COLUMNS:
        if name == "time_ns":
            columns[name] = table["time"].cast(pa.int64())
        elif name == "sensor":
            columns[name] = table["sensor"].cast(pa.string())
        else:
            columns[name] = table[name]
    return pa.table(columns)


def sensor_rows(detections: pa.Table, sensors: Sensors | None, file_id: int) -> pa.Table:
    """The sensors file's rows for the sensors these detections name (sorted by id)."""
    named = sorted(set(pc.unique(detections["sensor"].cast(pa.string())).to_pylist()))
    rows = [
        (sensor_id, sensors.get(sensor_id))
        for sensor_id in named
        if sensors is not None and sensors.get(sensor_id) is not None
    ]
    values = {
        "sensor": [s for s, _ in rows],
        "lat": [r.site[0] for _, r in rows],
        "lon": [r.site[1] for _, r in rows],
        "alt_m": [r.site[2] for _, r in rows],
        "sigma_range_m": [r.accuracy.sigma_range_m for _, r in rows],
        "sigma_azimuth_deg": [r.accuracy.sigma_azimuth_deg for _, r in rows],
        "scan_period_s": [r.scan_period_s for _, r in rows],
        "pd": [r.pd for _, r in rows],
        "clutter_density": [r.clutter_density for _, r in rows],
        "alt_low_m": [r.assumed_alt_m[0] if r.assumed_alt_m else None for _, r in rows],
        "alt_high_m": [r.assumed_alt_m[1] if r.assumed_alt_m else None for _, r in rows],
    }
    table = pa.table(
        {
            k: pa.array(v, type=pa.string() if k == "sensor" else pa.float64())
            for k, v in values.items()
        }
    )
    return table.add_column(0, "file_id", pa.array([file_id] * len(rows), type=pa.int32()))


def detection_counts(con: duckdb.DuckDBPyConnection) -> dict[int, int]:
    """Detections stored per file_id (none before version 4)."""
    if not _has_detections(con):
        return {}
    rows = con.execute("SELECT file_id, count(*) FROM detections GROUP BY file_id").fetchall()
    return dict(rows)


def _has_detections(con: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(con, "detections")


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return (name,) in tables


def stored_sites(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[float, float, float]]:
    """The radar sites the stored captures state (CAT034), as reading the files gives
    them: the first file to state a site gives it. A store older than version 6 holds
    none."""
    if not _has_table(con, "sites"):
        return {}
    out: dict[str, tuple[float, float, float]] = {}
    rows = con.execute("SELECT sensor, lon, lat, alt_m FROM sites ORDER BY file_id, sensor")
    for sensor, lon, lat, alt in rows.fetchall():
        out.setdefault(sensor, (lon, lat, alt))
    return out


def stored_detections(
    con: duckdb.DuckDBPyConnection, files: list[tuple], name: str
) -> tuple[pa.Table, Sensors]:
    """Every stored detection (in ingest order) and the sensors they were read with.

    ``files`` are the store's (file_id, path, format, source, …) rows. A store
    older than version 4 holds none. Two files that stored one sensor with other
    settings are an InputError naming the store: which one to track with is the
    user's decision (ingest them into separate stores, or again with one file).
    """
    if not _has_detections(con):
        return DETECTION_SCHEMA.empty_table(), Sensors()
    rows = con.execute(
        f"SELECT file_id, {', '.join(DETECTION_COLUMNS)} FROM detections"
    ).to_arrow_table()
    sensor_table = con.execute(
        f"SELECT file_id, {', '.join(_SENSOR_FIELDS)} FROM sensors ORDER BY file_id, sensor"
    ).to_arrow_table()
    return _canonical(rows, files), _sensors(sensor_table, {f[0]: f[1] for f in files}, name)


def _canonical(rows: pa.Table, files: list[tuple]) -> pa.Table:
    """Stored rows back to :data:`DETECTION_SCHEMA` (dictionaries in ingest order)."""
    if rows.num_rows == 0:
        return DETECTION_SCHEMA.empty_table()
    file_ids = rows["file_id"].to_numpy()
    paths = {f[0]: f[1] for f in files}
    sources = {f[0]: f[3] for f in files}
    arrays = []
    for fld in DETECTION_SCHEMA:
        if fld.name == "source_file":
            arr = pa.array([paths[i] for i in file_ids.tolist()]).dictionary_encode()
        elif fld.name == "source":
            arr = pa.array([sources[i] for i in file_ids.tolist()]).dictionary_encode()
        elif fld.name == "time":
            arr = rows["time_ns"].cast(TIME_TYPE)
        elif fld.name == "sensor":
            arr = rows["sensor"].dictionary_encode()
        else:
            arr = rows[fld.name].cast(fld.type)
        arrays.append(arr.cast(fld.type))
    return pa.Table.from_arrays(arrays, schema=DETECTION_SCHEMA).combine_chunks()


def _sensors(table: pa.Table, paths: dict[int, str], name: str) -> Sensors:
    by_id: dict[str, Sensor] = {}
    first: dict[str, int] = {}
    for row in table.to_pylist():
        sensor = Sensor(
            site=(row["lat"], row["lon"], row["alt_m"]),
            accuracy=Accuracy(row["sigma_range_m"], row["sigma_azimuth_deg"]),
            scan_period_s=row["scan_period_s"],
            pd=row["pd"],
            clutter_density=row["clutter_density"],
            assumed_alt_m=None
            if row["alt_low_m"] is None
            else (row["alt_low_m"], row["alt_high_m"]),
        )
        sensor_id = row["sensor"]
        if sensor_id in by_id and by_id[sensor_id] != sensor:
            raise InputError(
                name,
                f"sensor {sensor_id!r} is stored with other settings by "
                f"{paths[first[sensor_id]]} and {paths[row['file_id']]}: "
                "track them from separate stores, or ingest them with one sensors file",
            )
        by_id.setdefault(sensor_id, sensor)
        first.setdefault(sensor_id, row["file_id"])
    return Sensors(by_id)
