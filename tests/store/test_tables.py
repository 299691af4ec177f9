"""The tables: every stored report and reject belongs to a stored file."""

from __future__ import annotations

import os

import duckdb


def test_reports_and_rejects_reference_stored_files(examples_store):
    with duckdb.connect(str(examples_store), read_only=True) as con:
        orphans = con.execute(
            """SELECT (SELECT count(*) FROM reports ANTI JOIN files USING (file_id))
                    + (SELECT count(*) FROM rejects ANTI JOIN files USING (file_id))"""
        ).fetchone()[0]
        per_file = con.execute(
            """SELECT f.reports = count(r.file_id) FROM files f
               LEFT JOIN reports r USING (file_id) GROUP BY f.file_id, f.reports"""
        ).fetchall()
    assert orphans == 0
    assert all(ok for (ok,) in per_file)
    assert os.path.getsize(examples_store) > 0


def test_a_version_2_store_is_read_and_upgraded_when_written(tmp_path):
    """Version 2 had no reports.pos_sigma_m, sensor, identity (read as null), no
    detections and no sites: all added on the next ingest."""
    from airwitness import store
    from tests.store.conftest import EXAMPLES

    CAUCASUS = EXAMPLES / "caucasus"

    path = tmp_path / "old.duckdb"
    store.ingest([CAUCASUS / "drones.gpx"], path)
    with duckdb.connect(str(path)) as con:  # make it what version 2 wrote
        con.execute("DROP VIEW positions")
        for column in ("pos_sigma_m", "sensor", "identity"):
            con.execute(f"ALTER TABLE reports DROP COLUMN {column}")
        con.execute("DROP TABLE detections")
        con.execute("DROP TABLE sensors")
        con.execute("DROP TABLE sites")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    reports = store.load(path).table
    assert reports.num_rows == 1565 and reports["pos_sigma_m"].null_count == 1565
    assert reports["sensor"].null_count == reports["identity"].null_count == 1565
    store.ingest([CAUCASUS / "helicopter.kml"], path)
    with duckdb.connect(str(path), read_only=True) as con:
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        columns = {r[0] for r in con.execute("DESCRIBE positions").fetchall()}
        plots = con.execute("SELECT count(*) FROM detections").fetchone()
        sites = con.execute("SELECT count(*) FROM sites").fetchone()
    assert sites == (0,)
    assert version == ("6",) and {"pos_sigma_m", "sensor", "identity"} <= columns
    assert plots == (0,)
    assert store.load(path).table.num_rows == 1565 + 297
