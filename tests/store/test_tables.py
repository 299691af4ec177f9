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
