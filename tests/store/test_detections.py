"""Radar plots in a store: kept as read, tracked on load exactly as from the files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from airwitness import store
from airwitness.errors import InputError
from airwitness.io.options import ReadOptions
from airwitness.pipeline import read_inputs
from airwitness.tracking import TrackerSettings

from ..tracking.scenes import over_the_aras, split_in_halves

KNOWN_HEIGHT = TrackerSettings(assumed_alt_m=(1000.0, 1000.0))


@pytest.fixture(scope="module")
def plots(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    """Two targets in clutter; the plots of each half hour in a file of its own."""
    folder = tmp_path_factory.mktemp("plots")
    csv, sensors, _ = over_the_aras(scans=120, clutter_per_scan=2, seed=4).write(folder)
    return split_in_halves(csv), sensors


def test_loading_tracks_the_stored_plots_as_reading_the_files_does(plots, tmp_path):
    files, sensors = plots
    options = ReadOptions(sensors=sensors)
    path = tmp_path / "s.duckdb"
    for f in files:  # one ingest each: a target's plots span two stored files
        (result,) = store.ingest([f], path, options=options)
        assert result.status == "stored" and result.reports == 0 and result.detections > 0
        assert "detections" in result.message
    want = read_inputs(files, options=options, tracker=KNOWN_HEIGHT)
    got = store.load(path, tracker=KNOWN_HEIGHT)
    assert got.table.equals(want.table)
    assert got.files == want.files
    assert sorted(got.rejects) == sorted(want.rejects)
    assert [s.line() for s in got.tracking] == [s.line() for s in want.tracking]
    held = store.info(path)
    assert held["detections"] == sum(r.records for r in want.files) == 479
    assert [f["detections"] for f in held["by_file"]] == [239, 240]


def test_filters_apply_to_the_tracks_not_the_plots(plots, tmp_path):
    files, sensors = plots
    path = tmp_path / "s.duckdb"
    store.ingest(files, path, options=ReadOptions(sensors=sensors))
    whole = store.load(path, tracker=KNOWN_HEIGHT).table
    (first_track, *_) = sorted(set(whole["track_id"].to_pylist()))
    one = store.load(path, tracker=KNOWN_HEIGHT, tracks=[first_track]).table
    assert one.num_rows == whole["track_id"].to_pylist().count(first_track) > 0
    ns = whole["time"].cast("int64").to_pylist()
    middle = sorted(ns)[len(ns) // 2]
    late = store.load(path, tracker=KNOWN_HEIGHT, since_ns=middle).table
    assert late.num_rows == sum(t >= middle for t in ns)


def test_one_sensor_stored_with_two_settings_is_refused(plots, tmp_path):
    files, sensors = plots
    path = tmp_path / "s.duckdb"
    store.ingest([files[0]], path, options=ReadOptions(sensors=sensors))
    store.ingest([files[1]], path, options=ReadOptions(sensors=sensors))
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE sensors SET pd = 0.5 WHERE file_id = 2")
    with pytest.raises(InputError, match=r"sensor 'RADAR-1' is stored with other settings"):
        store.load(path)
