"""Geographic detections become a ``detect:`` track; strays are clutter."""

from __future__ import annotations

from pathlib import Path

from airwitness.pipeline import read_inputs

from .sightings import write_sightings


def test_a_target_seen_by_a_passive_sensor_is_one_track(tmp_path: Path):
    path = write_sightings(tmp_path / "rf.csv")
    inputs = read_inputs([path])
    assert set(inputs.table["track_id"].to_pylist()) == {"detect:RF-EAST:1"}
    assert inputs.table.num_rows == 60
    (f,) = inputs.files
    assert (f.records, f.accepted, f.rejects) == (65, 60, {"clutter": 5})
    speed = inputs.table["ground_speed_mps"].to_numpy()
    assert abs(float(speed[10:-10].mean()) - 40.0) < 1.0
    heading = inputs.table["track_deg"].to_numpy()[10:-10]
    assert (abs(heading - 180.0) < 5.0).all()
    # the stated error: smoothed well below the 30 m of one detection
    assert (inputs.table["pos_sigma_m"].to_numpy()[5:-5] < 30.0).all()
