"""The table layout of a store file: created on the first write, checked on every open.

The tables themselves are described in the package docstring (:mod:`airwitness.store`)
and in docs/store.md.
"""

from __future__ import annotations

import duckdb

from airwitness import __version__
from airwitness.errors import InputError
from airwitness.schema import DETECTION_SCHEMA, POSITION_SCHEMA

#: Version of the table layout. Version 2 added ``reports.leg_start``; version 3
#: ``reports.pos_sigma_m``; version 4 the ``detections`` and ``sensors`` tables (radar
#: plots and other anonymous detections, tracked when the store is read); version 5
#: ``reports.sensor`` and ``reports.identity`` (who made a position, the identity the
#: object gives: docs/fusion.md); version 6 the ``sites`` table (the radar sites a
#: capture states, CAT034: for fusion's bias estimation). An older
#: store is read as it is (its reports have no stated position error: ``pos_sigma_m``
#: null; it holds no detections) and upgraded when written to; a newer store is
#: refused (upgrade airwitness), one older than version 2 too (ingest again).
SCHEMA_VERSION = 6
#: The oldest layout this version still reads, and what each newer one added to reports.
OLDEST_READ = 2
ADDED_REPORT_COLUMNS: dict[int, tuple[tuple[str, str], ...]] = {
    3: (("pos_sigma_m", "DOUBLE"),),
    5: (("sensor", "VARCHAR"), ("identity", "VARCHAR")),
}

DETECTIONS_DDL = """CREATE TABLE detections (
        file_id INTEGER NOT NULL,
        sensor VARCHAR NOT NULL,
        time_ns BIGINT NOT NULL,
        range_m DOUBLE,
        azimuth_deg DOUBLE,
        elevation_deg DOUBLE,
        site_lon DOUBLE,
        site_lat DOUBLE,
        site_alt_m DOUBLE,
        sigma_range_m DOUBLE,
        sigma_azimuth_deg DOUBLE,
        lon DOUBLE,
        lat DOUBLE,
        pos_sigma_m DOUBLE,
        alt_m DOUBLE,
        alt_kind VARCHAR,
        mode3a VARCHAR,
        amplitude DOUBLE,
        source_record BIGINT NOT NULL,
        source_offset BIGINT
    )"""
#: The sensors file's rows a file's detections were read with (the tracker's settings).
SENSORS_DDL = """CREATE TABLE sensors (
        file_id INTEGER NOT NULL,
        sensor VARCHAR NOT NULL,
        lat DOUBLE NOT NULL,
        lon DOUBLE NOT NULL,
        alt_m DOUBLE NOT NULL,
        sigma_range_m DOUBLE NOT NULL,
        sigma_azimuth_deg DOUBLE NOT NULL,
        scan_period_s DOUBLE,
        pd DOUBLE,
        clutter_density DOUBLE,
        alt_low_m DOUBLE,
        alt_high_m DOUBLE
    )"""
SITES_DDL = """CREATE TABLE sites (
        file_id INTEGER NOT NULL,
        sensor VARCHAR NOT NULL,
        lon DOUBLE NOT NULL,
        lat DOUBLE NOT NULL,
        alt_m DOUBLE NOT NULL
    )"""
#: Tables each version added.
ADDED_TABLES: dict[int, tuple[str, ...]] = {4: (DETECTIONS_DDL, SENSORS_DDL), 6: (SITES_DDL,)}

# Epoch + interval: an instant whatever the session's TimeZone setting.
VIEW = """CREATE OR REPLACE VIEW positions AS
    SELECT r.track_id,
           TIMESTAMPTZ '1970-01-01 00:00:00+00'
             + to_microseconds((r.time_ns - ((r.time_ns % 1000) + 1000) % 1000) // 1000)
             AS time,
           r.time_ns, r.lon, r.lat, r.alt_m, r.alt_kind, r.ground_speed_mps,
           r.track_deg, r.vrate_mps, r.callsign,
           f.source, f.path AS source_file, r.source_record, r.leg_start, r.pos_sigma_m,
           r.sensor, r.identity, r.file_id
    FROM reports r JOIN files f USING (file_id)"""

#: The statements that create an empty store, in order.
DDL = (
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
        leg_start BOOLEAN,
        pos_sigma_m DOUBLE,
        sensor VARCHAR,
        identity VARCHAR
    )""",
    """CREATE TABLE rejects (
        file_id INTEGER NOT NULL,
        record BIGINT NOT NULL,
        byte_offset BIGINT,
        reason VARCHAR NOT NULL
    )""",
    DETECTIONS_DDL,
    SENSORS_DDL,
    SITES_DDL,
    VIEW,
)


#: Columns of ``reports`` after file_id, in table order; ``time_ns`` stands for ``time``.
REPORT_COLUMNS = tuple(
    "time_ns" if f.name == "time" else f.name
    for f in POSITION_SCHEMA
    if f.name not in ("source", "source_file")
)
#: Columns of ``detections`` after file_id, likewise.
DETECTION_COLUMNS = tuple(
    "time_ns" if f.name == "time" else f.name
    for f in DETECTION_SCHEMA
    if f.name not in ("source", "source_file")
)


def create_or_check(con: duckdb.DuckDBPyConnection, name: str, *, create: bool) -> None:
    """Create the tables in an empty database (when ``create``), else check it is a store
    this version reads; an InputError naming the store ``name`` otherwise."""
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    if not tables and create:
        con.execute("BEGIN TRANSACTION")
        for statement in DDL:
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
    if version < OLDEST_READ:  # v1 (development only) lacked reports.leg_start
        raise InputError(
            name,
            f"store schema version {version} is older than this airwitness reads "
            f"({OLDEST_READ}): ingest the files into a new store",
        )
    if version < SCHEMA_VERSION and create:
        _upgrade(con, version)


def _upgrade(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Add what later versions added (columns stay null for the reports already held:
    the files they came from were read before their sources' errors were)."""
    con.execute("BEGIN TRANSACTION")
    for v in range(version + 1, SCHEMA_VERSION + 1):
        for column, kind in ADDED_REPORT_COLUMNS.get(v, ()):
            con.execute(f"ALTER TABLE reports ADD COLUMN {column} {kind}")
        for statement in ADDED_TABLES.get(v, ()):
            con.execute(statement)
    con.execute(VIEW)
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
    con.execute("COMMIT")


def report_select(con: duckdb.DuckDBPyConnection) -> str:
    """The select list of ``file_id`` and :data:`REPORT_COLUMNS` from ``reports``; a
    column an older store lacks is read as NULL."""
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'reports'"
        ).fetchall()
    }
    kinds = {c: k for added in ADDED_REPORT_COLUMNS.values() for c, k in added}
    return ", ".join(
        ("file_id", *(c if c in have else f"NULL::{kinds[c]} AS {c}" for c in REPORT_COLUMNS))
    )
