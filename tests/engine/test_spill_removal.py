"""Spill folders deleted in the background: gone before the next run spills, and
a folder that cannot be deleted is a warning naming it, never a silent leftover."""

from __future__ import annotations

import os
import warnings

import pytest

from airwitness.engine import run_crossings_scaled
from airwitness.engine.spill_removal import remove_later, wait_for_removals
from airwitness.report.tables import write_table
from airwitness.schema import make_table


def test_a_folder_handed_over_is_gone_once_waited_for(tmp_path):
    folder = tmp_path / "airwitness-spill-x"
    (folder / "deep").mkdir(parents=True)
    (folder / "deep" / "a.spill").write_bytes(b"\0" * 8192)
    remove_later(str(folder))
    wait_for_removals()
    assert not folder.exists()


def test_a_folder_that_cannot_be_deleted_is_a_warning_naming_it(tmp_path):
    missing = tmp_path / "never-made"
    remove_later(str(missing))
    with pytest.warns(RuntimeWarning, match=f"could not delete the spill folder {missing}"):
        wait_for_removals()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wait_for_removals()  # reported once: nothing is pending any more


def _reports(path):
    t0 = 1_750_000_000 * 10**9
    table = make_table(
        {
            "track_id": ["a"] * 4 + ["b"] * 4,
            "time": [t0 + k * 10**10 for k in range(4)] * 2,
            "lon": [5.0, 6.0, 7.0, 8.0, 8.0, 7.0, 6.0, 5.0],
            "lat": [50.0, 50.2, 50.4, 50.6, 49.5, 49.6, 49.7, 49.8],
            "source_record": list(range(1, 9)),
        },
        source="csv",
        source_file="hand-made",
    )
    write_table(table, path)
    return path


def test_a_run_waits_for_the_last_runs_spill_and_hands_over_its_own(tmp_path):
    """A run settles every folder still being deleted before it spills (here one
    that cannot be: its warning comes from inside the run), and its own folder
    is gone once waited for."""
    data = _reports(tmp_path / "reports.parquet")
    spill = tmp_path / "spill"
    missing = tmp_path / "an-earlier-run-s-spill"
    remove_later(str(missing))
    with pytest.warns(RuntimeWarning, match=f"could not delete the spill folder {missing}"):
        first = run_crossings_scaled(
            [str(data)], engine="local", workers=1, memory_bytes=2e7, spill_dir=str(spill)
        )
    wait_for_removals()
    assert spill.is_dir() and os.listdir(spill) == []
    second = run_crossings_scaled(
        [str(data)], engine="local", workers=1, memory_bytes=2e7, spill_dir=str(spill)
    )
    wait_for_removals()
    assert os.listdir(spill) == []
    assert first.crossings.num_rows > 0
    assert first.crossings.equals(second.crossings)
