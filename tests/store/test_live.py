"""store.live: a watch's appends, one transaction per batch; a reader in the same process
sees them as they come; the store reads like any other once closed."""

from __future__ import annotations

import json

import duckdb
import pytest

from airwitness import reasons
from airwitness.errors import InputError
from airwitness.schema import ReadResult, Reject
from airwitness.store import load
from airwitness.store.live import LiveBatch, open_live
from tests.helpers import reports

URL = "sbs://127.0.0.1:30003"


def _decoded(points, track: str, first: int, bad: list[int]) -> ReadResult:
    table = reports(points, track=track, source_file=URL)
    n = table.num_rows
    table = table.set_column(
        table.schema.get_field_index("source_record"),
        "source_record",
        [list(range(first, first + n))],
    )
    rejects = [Reject(URL, r, reasons.NOT_AN_SBS_MESSAGE) for r in bad]
    return ReadResult(table, rejects, format="sbs")


def test_batches_append_and_a_reader_in_the_process_sees_each_commit(tmp_path):
    path = tmp_path / "w.duckdb"
    store = open_live(path)
    first = _decoded([(0, 1.0, 0.0), (10, 1.1, 0.0)], "a", 1, [3])
    alert = {"track_id": "a", "time": "2025-06-15T15:06:45.000Z", "before": f"{URL}:1",
             "after": f"{URL}:2"}  # fmt: skip
    store.add(LiveBatch([(URL, "sbs", first, 300, "ab" * 32)], [(5, "provisional", alert, "{}")]))
    seen = load(path, connection=store.con)
    assert seen.table.num_rows == 2
    assert seen.table["source_file"].to_pylist() == [URL, URL]
    second = _decoded([(20, 1.2, 0.0)], "b", 4, [])
    store.add(LiveBatch([(URL, "sbs", second, 400, "cd" * 32)], []))
    cursor = store.cursor()
    row = cursor.execute(
        "SELECT path, size, records, reports, rejects, rejects_json, options_json FROM files"
    ).fetchall()
    assert row == [
        (URL, 400, 4, 3, 1, '{"not an SBS message": 1}',
         json.dumps({"live": True, "received_sha256": "cd" * 32})),
    ]  # fmt: skip
    assert cursor.execute("SELECT seq, status, track_id, before FROM alerts").fetchall() == [
        (1, "provisional", "a", f"{URL}:1")
    ]
    store.close()
    # closed: an ordinary store, its tracks counted
    again = load(path)
    assert again.table["source_record"].to_pylist() == [1, 2, 4]
    assert [(r.record, r.reason) for r in again.rejects] == [(3, reasons.NOT_AN_SBS_MESSAGE)]
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT tracks FROM files").fetchall() == [(2,)]
        assert con.execute("SELECT sha256 FROM files").fetchone()[0].startswith("live:")


def test_a_failed_batch_is_rolled_back_whole(tmp_path):
    path = tmp_path / "w.duckdb"
    store = open_live(path)
    store.add(LiveBatch([(URL, "sbs", _decoded([(0, 1.0, 0.0)], "a", 1, []), 10, "x")], []))
    broken = LiveBatch(
        [(URL, "sbs", _decoded([(10, 1.1, 0.0)], "a", 2, []), 20, "y")],
        [(1, "confirmed", {"track_id": "a"}, "{}")],  # no time: the alerts insert fails
    )
    with pytest.raises(KeyError):
        store.add(broken)
    counts = (
        store.cursor()
        .execute("SELECT (SELECT count(*) FROM reports), records, reports FROM files")
        .fetchall()
    )
    assert counts == [(1, 1, 1)]
    store.close()


def test_a_store_that_cannot_be_written_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"is a folder|cannot"):
        open_live(tmp_path)
