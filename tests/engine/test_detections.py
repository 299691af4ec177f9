"""Radar plots on every engine: pass 1 gathers them, the parent tracks them, and the
crossings equal the in-memory pipeline's, byte for byte, when a target's plots are
split across files."""

from __future__ import annotations

from pathlib import Path

import pytest

from airwitness.airspace import Airspace
from airwitness.engine import run_crossings_scaled
from airwitness.io.options import ReadOptions
from airwitness.pipeline import run_crossings
from airwitness.tracking import TrackerSettings

from ..tracking.scenes import over_the_aras, split_in_halves

KNOWN_HEIGHT = TrackerSettings(assumed_alt_m=(1000.0, 1000.0))


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    """Two targets, one flying south over the Aras into Iran, in clutter; the plots
    of the first and second half of the hour in two files."""
    folder = tmp_path_factory.mktemp("plots")
    csv, sensors, _ = over_the_aras(scans=200, clutter_per_scan=3, seed=3).write(folder)
    return split_in_halves(csv), sensors


def test_the_engines_track_plots_as_the_pipeline_does(halves):
    files, sensors = halves
    options = ReadOptions(sensors=sensors)
    want = run_crossings(files, Airspace.builtin(), options=options, tracker=KNOWN_HEIGHT)
    assert want.crossings.select(["track_id", "from", "to", "kind"]).to_pylist() == [
        {"track_id": "radar:RADAR-1:2", "from": "AZE", "to": "IRN", "kind": "observed"}
    ]
    assert want.summary.rejects == {"clutter": 614}
    for engine in ("memory", "local"):
        run = run_crossings_scaled(
            files, engine=engine, workers=2, read_options=options, tracker=KNOWN_HEIGHT
        )
        assert run.crossings.equals(want.crossings), engine
        assert run.summary.lines() == want.summary.lines(), engine
        assert [(f.records, f.accepted, f.rejects) for f in run.files] == [
            (f.records, f.accepted, f.rejects) for f in want.inputs.files
        ], engine


def test_every_plot_is_kept_or_clutter_on_the_partitioned_engine(halves):
    files, sensors = halves
    run = run_crossings_scaled(
        files,
        engine="local",
        workers=1,
        read_options=ReadOptions(sensors=sensors),
        tracker=KNOWN_HEIGHT,
        keep_rejects=True,
    )
    assert run.summary.records == 1014
    assert run.summary.reports + len(run.rejects) == 1014
    assert {r.reason for r in run.rejects} == {"clutter"}
    assert run.summary.tracking[0].startswith("RADAR-1: 1014 detections -> 2 tracks")
