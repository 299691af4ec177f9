"""Ingesting into the store: provenance, idempotent by content, a bad file fails alone,
atomic per file (SIGKILL mid-file).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from airwitness import __version__
from airwitness.errors import UsageError
from airwitness.io import read
from airwitness.io.options import ReadOptions
from airwitness.pipeline import read_inputs
from airwitness.report.tables import write_table
from airwitness.schema import POSITION_SCHEMA
from airwitness.store import SCHEMA_VERSION, info, ingest, ingestion, load

from .conftest import FILES, PATHS


def test_examples_are_found():
    assert len(FILES) == 7


def test_ingest_records_provenance_and_counts(examples_store):
    got = info(examples_store)
    assert got["files"] == len(PATHS)
    assert [f["path"] for f in got["by_file"]] == PATHS
    assert [f["file_id"] for f in got["by_file"]] == list(range(1, len(PATHS) + 1))
    total_reports = total_rejects = 0
    for entry, path in zip(got["by_file"], FILES, strict=True):
        direct = read(path)
        assert entry["format"] == direct.format
        assert entry["reports"] == direct.table.num_rows
        assert entry["rejects"] == len(direct.rejects)
        assert entry["records"] == direct.records
        assert entry["rejects_by_reason"] == dict(direct.reject_counts())
        assert entry["size"] == path.stat().st_size
        assert entry["sha256"] == _sha256(path)
        assert entry["reader_version"] == __version__
        assert entry["tracks"] == pc.count_distinct(direct.table["track_id"]).as_py()
        total_reports += direct.table.num_rows
        total_rejects += len(direct.rejects)
    assert got["reports"] == total_reports
    assert got["rejects"] == total_rejects
    assert got["records"] == total_reports + total_rejects
    assert got["rejects_by_reason"] == {"no position": 5}  # the OpenSky example's
    assert got["schema_version"] == SCHEMA_VERSION
    table = read_inputs(PATHS).table
    assert got["tracks"] == pc.count_distinct(table["track_id"]).as_py()
    times = table["time"].cast(pa.int64())
    assert got["time_span"]["first_ns"] == pc.min(times).as_py()
    assert got["time_span"]["last_ns"] == pc.max(times).as_py()
    assert got["time_span"]["first"] == "2017-07-06T06:53:36.000Z"
    assert got["bbox"] == {
        "min_lon": pc.min(table["lon"]).as_py(),
        "min_lat": pc.min(table["lat"]).as_py(),
        "max_lon": pc.max(table["lon"]).as_py(),
        "max_lat": pc.max(table["lat"]).as_py(),
    }
    json.dumps(got)  # plain JSON for `store info --json`


def test_reingest_skips_everything_and_changes_nothing(examples_store, tmp_path):
    before = info(examples_store)
    results = ingest(PATHS[::-1], examples_store)
    assert [r.status for r in results] == ["skipped"] * len(PATHS)
    assert all(r.message.endswith("skipped, already stored") for r in results)
    # a renamed copy is recognised by its content
    copy = tmp_path / "renamed.csv"
    shutil.copyfile(FILES[2], copy)
    (again,) = ingest([copy], examples_store)
    assert again.status == "skipped"
    assert again.stored_as == PATHS[2]
    assert f"(as {PATHS[2]})" in again.message
    assert info(examples_store) == before


def test_file_with_no_reports_and_empty_store(tmp_path):
    empty = tmp_path / "empty.duckdb"
    assert ingest([], empty) == []
    got = info(empty)
    assert (got["files"], got["reports"], got["time_span"], got["bbox"]) == (0, 0, None, None)
    inputs = load(empty)
    assert inputs.table.schema.equals(POSITION_SCHEMA) and inputs.table.num_rows == 0
    # a readable file with nothing but rejects is stored, its rejects kept
    bad = tmp_path / "bad.csv"
    bad.write_text("track_id,time,lat,lon\nA,notatime,1,2\nB,2025-06-13T00:00:00Z,,\n")
    (result,) = ingest([bad], empty)
    assert (result.status, result.reports, result.records) == ("stored", 0, 2)
    got = load(empty)
    assert got.table.equals(read_inputs([bad]).table)
    assert got.rejects == read(bad).rejects
    assert [(r.record, r.reason) for r in got.rejects] == [(2, "bad time"), (3, "no position")]


def test_unreadable_input_fails_alone(tmp_path):
    good, missing, junk = FILES[0], tmp_path / "missing.csv", tmp_path / "junk.txt"
    junk.write_text("nothing to see here\n")
    path = tmp_path / "s.duckdb"
    seen = []
    results = ingest([missing, junk, good], path, progress=seen.append)
    assert seen == results
    assert [r.status for r in results] == ["failed", "failed", "stored"]
    assert results[0].error.reason == "no such file"
    assert "cannot detect the format" in results[1].error.reason
    assert results[1].sha256 is not None
    assert results[1].message.startswith(f"{junk}: cannot detect")
    assert info(path)["files"] == 1


def test_a_canonical_table_is_refused_with_its_reason(tmp_path):
    """A canonical Parquet file carries other files' provenance: the store, which
    keeps each file's own reports, says so and stores nothing of it."""
    table = tmp_path / "reports.parquet"
    write_table(read(FILES[0]).table, table)
    path = tmp_path / "s.duckdb"
    forced = tmp_path / "reports-copy.parquet"
    shutil.copy(table, forced)
    results = ingest([table, FILES[0]], path) + ingest([forced], path, format="canonical")
    assert [r.status for r in results] == ["failed", "stored", "failed"]
    assert results[0].error.reason == ingestion.CANONICAL_REFUSED
    assert results[2].error.reason == ingestion.CANONICAL_REFUSED
    assert info(path)["files"] == 1


def test_changed_evidence_is_flagged(tmp_path, monkeypatch):
    path = tmp_path / "s.duckdb"
    evidence = tmp_path / "track.csv"
    evidence.write_text("track_id,time,lat,lon\nA,2025-06-13T00:00:00Z,40,45\n")
    monkeypatch.chdir(tmp_path)
    ingest(["track.csv"], path)
    evidence.write_text("track_id,time,lat,lon\nA,2025-06-13T00:00:00Z,40,46\n")
    (again,) = ingest(["track.csv"], path)
    assert again.status == "stored" and again.file_id == 2
    assert again.note == "file 1 has the same path but other content"

    def read_then_change(path, **kwargs):
        result = read(path, **kwargs)
        evidence.write_text("track_id,time,lat,lon\nA,2025-06-13T00:00:00Z,40,47\n")
        return result

    monkeypatch.setattr(ingestion.readers, "read", read_then_change)
    evidence.write_text("track_id,time,lat,lon\nA,2025-06-13T00:00:00Z,40,48\n")
    (changed,) = ingest(["track.csv"], path)
    assert changed.status == "failed"
    assert changed.error.reason == "file changed while it was being read"
    assert info(path)["files"] == 2
    with pytest.raises(UsageError, match="unknown input format"):
        ingest(["track.csv"], path, format="nope")


def test_options_and_format_are_recorded(tmp_path):
    path = tmp_path / "s.duckdb"
    opts = ReadOptions(start_time_ns=5, reference=(40.0, 45.0))
    (result,) = ingest([FILES[2]], path, format="opensky", options=opts)
    assert result.status == "stored"
    entry = info(path)["by_file"][0]
    assert entry["options"] == {"start_time_ns": 5, "reference": [40.0, 45.0]}
    (again,) = ingest([FILES[2]], path)
    assert again.status == "skipped"
    assert "not re-read" in again.note  # other options than the stored copy's


# ---------------------------------------------------------------- SIGKILL mid-file

KILL_ROWS = 1_000_000
BAD_EVERY = 997  # some rejects too, to check none is left without its file
INGEST = (
    "import sys; from airwitness.store import ingest; "
    "ingest(sys.argv[2:], sys.argv[1], progress=lambda r: print(r.status, flush=True))"
)


def _big_csv(path: Path) -> None:
    """A plain CSV of KILL_ROWS reports (1,000 tracks), every BAD_EVERY-th line bad."""
    n = KILL_ROWS
    i = np.arange(n)
    lat = 38.0 + (i % 1000) * 1e-3
    times = pa.array(1_749_787_506 + i // 1000, pa.int64()).cast(pa.string())
    times = pc.if_else(pa.array(i % BAD_EVERY == 5), pa.scalar("not a time"), times)
    table = pa.table(
        {
            "track_id": pa.array(np.char.add("T", (i % 1000).astype(str))),
            "time": times,
            "lat": lat,
            "lon": 45.0 + i * 1e-6,
            "alt_m": (i % 12000).astype(np.float64),
        }
    )
    import pyarrow.csv as pacsv

    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))


def test_sigkill_mid_file_leaves_no_partial_rows(tmp_path):
    small, big = str(FILES[0]), str(tmp_path / "big.csv")
    _big_csv(Path(big))
    clean = tmp_path / "clean.duckdb"  # the reference: one uninterrupted ingest
    ingest([small, big], clean)
    expected = info(clean)["by_file"][1]
    assert expected["reports"] > 0 and expected["rejects"] > 0
    db = tmp_path / "killed.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", INGEST, str(db), small, big], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "stored"  # the small file is committed
        base = db.stat().st_size
        # The big file's rows are written straight into the database file while
        # the transaction is open: kill once 4 MB of them are on disk.
        deadline = time.monotonic() + 120
        while db.stat().st_size < base + 4_000_000 and time.monotonic() < deadline:
            assert proc.poll() is None, "ingest finished before it could be killed"
            time.sleep(0.001)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert db.stat().st_size >= base + 4_000_000  # partial rows were physically written

    with duckdb.connect(str(db), read_only=True) as con:
        files = con.execute("SELECT file_id, path FROM files ORDER BY file_id").fetchall()
        per_file = dict(
            con.execute("SELECT file_id, count(*) FROM reports GROUP BY file_id").fetchall()
        )
        rejected = dict(
            con.execute("SELECT file_id, count(*) FROM rejects GROUP BY file_id").fetchall()
        )
    assert files[0] == (1, small)  # committed before the kill: recovered from the WAL
    assert per_file[1] == read(small).table.num_rows
    ids = {f[0] for f in files}
    assert set(per_file) <= ids and set(rejected) <= ids  # no orphan rows
    if len(files) == 1:
        assert 2 not in per_file and 2 not in rejected  # the big file: not at all
    else:  # the commit won the race: then all of it
        assert per_file[2] == expected["reports"]
        assert rejected[2] == expected["rejects"]

    statuses = [r.status for r in ingest([small, big], db)]
    assert statuses == ["skipped", "stored" if len(files) == 1 else "skipped"]
    assert info(db) == info(clean)
    assert load(db).rejects == load(clean).rejects


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_sites_a_capture_states_are_kept(tmp_path):
    """CAT034 site reports go into ``sites`` and come back as reading the files gives
    them (fusion's bias estimation needs them where no sensors file names the radar)."""
    from airwitness.pipeline import read_inputs
    from tests.io.radar.test_asterix import PCAP_048

    path = tmp_path / "radar.duckdb"
    ingest([PCAP_048], path)
    loaded = load(path).sites
    assert loaded == read_inputs([PCAP_048]).sites
    assert list(loaded) == ["asterix:25/12"] and loaded["asterix:25/12"][2] == 780.0
