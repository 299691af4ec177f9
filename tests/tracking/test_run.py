"""The tracker on radar scenes built by hand: known targets, exact expectations."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from airwitness.io import read
from airwitness.io.options import ReadOptions
from airwitness.io.sensors import load_sensors
from airwitness.pipeline import read_inputs
from airwitness.schema import POSITION_SCHEMA
from airwitness.tracking import TrackerSettings, track_detections

from .scenes import Scene, circle, straight

#: the scenes fly at a known height: the tracker is told so (no height band)
KNOWN_HEIGHT = TrackerSettings(assumed_alt_m=(1000.0, 1000.0))


def tracked(tmp_path: Path, scene: Scene, settings: TrackerSettings = KNOWN_HEIGHT):
    csv, sensors, plots = scene.write(tmp_path)
    inputs = read_inputs([csv], options=ReadOptions(sensors=sensors), tracker=settings)
    return inputs, plots


def targets_of(inputs, plots) -> dict[str, Counter]:
    """Per track, how many of its reports come from each true target (-1: clutter)."""
    out: dict[str, Counter] = defaultdict(Counter)
    table = inputs.table
    for record, track in zip(
        table["source_record"].to_pylist(), table["track_id"].to_pylist(), strict=True
    ):
        out[track][plots[record - 2]["target"]] += 1  # data lines start at line 2
    return dict(out)


def errors_m(inputs, plots, scene: Scene) -> tuple[np.ndarray, np.ndarray]:
    """Each report's distance from its target's true position, and its stated σ."""
    to_plane, _ = scene.plane()
    table = inputs.table
    x, y = to_plane.transform(table["lon"].to_numpy(), table["lat"].to_numpy())
    out = []
    for record, xi, yi in zip(table["source_record"].to_pylist(), x, y, strict=True):
        plot = plots[record - 2]
        tx, ty = scene.targets[plot["target"]](plot["time_s"])
        out.append(math.hypot(xi - tx, yi - ty))
    return np.array(out), table["pos_sigma_m"].to_numpy()


def noisy_straight(height_m: float = 1000.0) -> Scene:
    """One target flying straight for 200 scans, seen with a real radar's errors."""
    return Scene(
        [straight(5_000.0, -25_000.0, 50.0, 20.0)],
        scans=200,
        sigma_range_m=50.0,
        sigma_azimuth_deg=0.15,
        seed=5,
        height_m=height_m,
    )


def test_a_single_target_without_noise_is_where_it_was(tmp_path: Path):
    scene = Scene([straight(5_000.0, -25_000.0, 50.0, 20.0)], scans=40)
    inputs, plots = tracked(tmp_path, scene)
    assert targets_of(inputs, plots) == {"radar:RADAR-1:1": Counter({0: 40})}
    err, _sigma = errors_m(inputs, plots, scene)
    assert err.max() < 2.5  # the sensors file says 1 m and 0.001° (0.4 m at 25 km)
    speed = inputs.table["ground_speed_mps"].to_numpy()
    heading = inputs.table["track_deg"].to_numpy()
    assert speed == pytest.approx(math.hypot(50.0, 20.0), abs=0.25)  # the first: 4 plots
    assert speed[5:] == pytest.approx(math.hypot(50.0, 20.0), abs=0.01)
    assert heading[5:] == pytest.approx(math.degrees(math.atan2(50.0, 20.0)), abs=0.01)


def test_a_noisy_target_is_within_its_stated_error(tmp_path: Path):
    scene = noisy_straight()
    inputs, plots = tracked(tmp_path, scene)
    err, sigma = errors_m(inputs, plots, scene)
    assert len(err) == 200
    # one plot alone errs by ~85 m here (50 m in range, 0.15° at ~27 km: 70 m across)
    assert np.sqrt(np.mean(err**2)) < 50.0
    assert np.mean(err < 2.45 * sigma) >= 0.95  # the stated σ covers the truth


def test_an_unknown_height_widens_the_error_honestly(tmp_path: Path):
    """At 2.5 km with the default band 0-3000 m, the ground distance is biased by ~100 m:
    the stated σ must say so, and cover the truth."""
    scene = noisy_straight(height_m=2500.0)
    inputs, plots = tracked(tmp_path, scene, TrackerSettings())
    err, sigma = errors_m(inputs, plots, scene)
    assert np.sqrt(np.mean(err**2)) > 60.0
    assert np.mean(err < 2.45 * sigma) >= 0.95


def test_two_crossing_targets_keep_their_identities(tmp_path: Path):
    v, half = 50.0, math.radians(10.0)  # 20° apart, at the same point at t = 150 s
    vx, vy = v * math.cos(half), v * math.sin(half)
    scene = Scene(
        [
            straight(10_000.0 - 150 * vx, 20_000.0 - 150 * vy, vx, vy),
            straight(10_000.0 - 150 * vx, 20_000.0 + 150 * vy, vx, -vy),
        ],
        scans=60,
        sigma_range_m=30.0,
        sigma_azimuth_deg=0.1,
    )
    inputs, plots = tracked(tmp_path, scene)
    found = targets_of(inputs, plots)
    assert sorted(found.values(), key=lambda c: min(c)) == [Counter({0: 60}), Counter({1: 60})]


def test_a_target_missing_three_scans_keeps_its_track(tmp_path: Path):
    scene = Scene(
        [straight(-20_000.0, 10_000.0, 40.0, 5.0)],
        scans=60,
        missed={0: {20, 21, 22}},
        sigma_range_m=30.0,
        sigma_azimuth_deg=0.1,
    )
    inputs, plots = tracked(tmp_path, scene)
    assert targets_of(inputs, plots) == {"radar:RADAR-1:1": Counter({0: 57})}


def test_a_turning_target_in_clutter_is_one_track(tmp_path: Path):
    scene = Scene(
        [circle(15_000.0, 15_000.0, 1_500.0, 40.0)],  # 1.5°/s
        scans=120,
        sigma_range_m=30.0,
        sigma_azimuth_deg=0.1,
        clutter_per_scan=20,
    )
    inputs, plots = tracked(tmp_path, scene)
    assert targets_of(inputs, plots) == {"radar:RADAR-1:1": Counter({0: 120})}


def test_pure_clutter_makes_no_track_and_every_plot_is_a_clutter_reject(tmp_path: Path):
    scene = Scene([], scans=360, clutter_per_scan=60, seed=3)
    inputs, plots = tracked(tmp_path, scene)
    assert inputs.table.num_rows == 0
    assert len(inputs.rejects) == len(plots) == 21_681
    assert {r.reason for r in inputs.rejects} == {"clutter"}
    assert sorted(r.record for r in inputs.rejects) == list(range(2, len(plots) + 2))
    (stats,) = inputs.tracking
    assert (stats.detections, stats.tracks, stats.clutter) == (21_681, 0, 21_681)
    assert inputs.files[0].rejects == {"clutter": 21_681}


def test_a_clutter_plot_is_a_reject_naming_its_line(tmp_path: Path):
    scene = Scene([straight(5_000.0, -25_000.0, 50.0, 20.0)], scans=30, clutter_per_scan=2)
    inputs, plots = tracked(tmp_path, scene)
    clutter_lines = sorted(k + 2 for k, p in enumerate(plots) if p["target"] == -1)
    assert sorted(r.record for r in inputs.rejects) == clutter_lines
    assert all(r.reason == "clutter" and r.file.endswith("plots.csv") for r in inputs.rejects)
    (summary,) = inputs.files
    assert summary.records == len(plots) == summary.accepted + sum(summary.rejects.values())
    assert summary.accepted == 30 and summary.detections == 0


def test_the_scan_period_is_measured_from_the_azimuths(tmp_path: Path):
    scene = Scene([straight(5_000.0, -25_000.0, 50.0, 20.0)], scans=40, clutter_per_scan=10,
                  period_s=4.0)  # fmt: skip
    csv, sensors, _ = scene.write(tmp_path)
    sensors.write_text(sensors.read_text().replace(",4.0\n", ",\n"))  # no scan_period_s
    inputs = read_inputs([csv], options=ReadOptions(sensors=sensors), tracker=KNOWN_HEIGHT)
    (stats,) = inputs.tracking
    assert stats.scan_period_measured and stats.scan_period_s == pytest.approx(4.0, abs=0.05)
    assert stats.tracks == 1 and stats.tracked == 40


def test_different_mode3a_codes_never_share_a_track(tmp_path: Path):
    """Two targets 300 m apart on parallel courses, told apart only by their codes."""
    scene = Scene(
        [straight(-20_000.0, 10_000.0, 50.0, 0.0), straight(-20_000.0, 10_300.0, 50.0, 0.0)],
        scans=40,
        sigma_range_m=50.0,
        sigma_azimuth_deg=0.15,
        mode3a={0: "1234", 1: "7001"},
    )
    inputs, plots = tracked(tmp_path, scene)
    assert sorted(map(dict, targets_of(inputs, plots).values()), key=str) == [{0: 40}, {1: 40}]


def test_tracks_do_not_depend_on_the_order_of_the_files(tmp_path: Path):
    scene = Scene([straight(5_000.0, -25_000.0, 50.0, 20.0), circle(10_000.0, 20_000.0, 2_000.0,
                   40.0)], scans=60, clutter_per_scan=30, sigma_range_m=50.0,
                  sigma_azimuth_deg=0.15)  # fmt: skip
    csv, sensors, _ = scene.write(tmp_path)
    lines = csv.read_text().splitlines()
    half = len(lines) // 2
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("\n".join([lines[0], *lines[half:]]) + "\n")  # the later plots first
    second.write_text("\n".join(lines[:half]) + "\n")
    options = ReadOptions(sensors=sensors)
    ab = read_inputs([first, second], options=options, tracker=KNOWN_HEIGHT)
    ba = read_inputs([second, first], options=options, tracker=KNOWN_HEIGHT)
    columns = ["track_id", "time", "lon", "lat", "pos_sigma_m", "source_record"]
    key = [("track_id", "ascending"), ("time", "ascending")]
    assert ab.table.select(columns).sort_by(key).equals(ba.table.select(columns).sort_by(key))
    assert ab.table.num_rows == 60 + 60


def test_the_same_plots_give_the_same_tracks_byte_for_byte(tmp_path: Path):
    scene = Scene([straight(5_000.0, -25_000.0, 50.0, 20.0)], scans=80, clutter_per_scan=40,
                  sigma_range_m=50.0, sigma_azimuth_deg=0.15)  # fmt: skip
    csv, sensors, _ = scene.write(tmp_path)
    result = read(csv, options=ReadOptions(sensors=sensors))
    runs = [track_detections(result.detections, KNOWN_HEIGHT, load_sensors(sensors))
            for _ in range(2)]  # fmt: skip
    sinks = []
    for run in runs:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_file(sink, POSITION_SCHEMA) as writer:
            writer.write_table(run.reports)
        sinks.append(sink.getvalue().to_pybytes())
    assert sinks[0] == sinks[1]
    assert runs[0].rejects == runs[1].rejects and runs[0].stats == runs[1].stats


def test_a_radar_s_own_height_band_wins_over_the_default(tmp_path: Path):
    """The same 2.5 km target: the sensors file says this radar's targets fly at
    2,500 m, so no height bias is left and the stated σ shrinks to the noise's."""
    scene = noisy_straight(height_m=2500.0)
    csv, sensors, plots = scene.write(tmp_path)
    lines = sensors.read_text().splitlines()
    sensors.write_text(f"{lines[0]},assumed_alt_m\n{lines[1]},2500\n")
    inputs = read_inputs([csv], options=ReadOptions(sensors=sensors), tracker=TrackerSettings())
    err, sigma = errors_m(inputs, plots, scene)
    assert np.sqrt(np.mean(err**2)) < 50.0
    assert np.mean(err < 2.45 * sigma) >= 0.95
    assert float(np.median(sigma)) < 40.0
