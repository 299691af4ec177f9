"""Radar plots from an ASTERIX CAT048 capture: tracked with no extra flag, the radar's
own tracks kept as they are, and the drone's border crossing printed by the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from airwitness.io.options import ReadOptions
from airwitness.pipeline import read_inputs
from airwitness.times import rows_ns

from ..cli._cli import run
from ..io.radar.captures import block, cat048
from .scenes import T0, over_the_aras

DATE = "2025-06-16"  # T0's


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A drone flying south over the Aras from Azerbaijan into Iran at 40 m/s and a
    second target, in clutter; then three plots of an SSR track (track number 17)."""
    folder = tmp_path_factory.mktemp("asterix")
    scene = over_the_aras(scans=200, clutter_per_scan=2, seed=7)
    tod = float((T0 - T0.astype("datetime64[D]")) / 1e9)
    tracked = block(
        48, *(cat048(tod + 5.0 * k, 30.0, 10.0 + k, fl=250, track=17) for k in range(3))
    )
    ast, sensors, _ = scene.write_asterix(folder, extra=tracked)
    return ast, sensors


def test_plots_and_radar_tracks_in_one_capture(capture):
    ast, sensors = capture
    inputs = read_inputs([ast], options=ReadOptions(sensors=sensors, date=dt.date(2025, 6, 16)))
    ids = sorted(set(inputs.table["track_id"].to_pylist()))
    assert ids == ["asterix:7/9:17", "radar:7/9:1", "radar:7/9:2"]
    (f,) = inputs.files
    assert f.records == f.accepted + sum(f.rejects.values())
    assert set(f.rejects) == {"clutter"}
    (stats,) = inputs.tracking
    assert stats.line().startswith("asterix:7/9: ")


def test_the_command_of_the_issue_prints_the_drone_crossing(capture, tmp_path):
    ast, sensors = capture
    out = tmp_path / "x.jsonl"
    result = run("crossings", str(ast), "--date", DATE, "--sensors", str(sensors), "-o", str(out))
    assert result.exit_code == 0, result.output
    (crossing,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert crossing["track_id"].startswith("radar:7/9:")
    assert (crossing["from"], crossing["to"], crossing["kind"]) == ("AZE", "IRN", "observed")
    assert crossing["before"].startswith(f"{ast}:") and crossing["after"].startswith(f"{ast}:")
    assert "tracker: asterix:7/9:" in result.output and "clutter" in result.output
    # the plots are evidence however strict the run: none was dropped
    assert run("crossings", str(ast), "--date", DATE, "--sensors", str(sensors),
               "--strict").exit_code == 0  # fmt: skip


def test_no_date_no_plots(capture):
    """CAT048 times are times of day: without --date the file cannot be placed."""
    ast, sensors = capture
    result = run("crossings", str(ast), "--sensors", str(sensors))
    assert result.exit_code != 0
    assert "--date" in result.output


def test_plots_from_a_store_give_the_crossings_of_the_files(capture, tmp_path):
    ast, sensors = capture
    store = tmp_path / "s.duckdb"
    read = ("--date", DATE, "--sensors", str(sensors))
    refused = run("ingest", str(ast), "--store", str(store), *read, "--pd", "0.8")
    assert refused.exit_code == 2 and "tracker options apply when a store is read" in (
        refused.output
    )
    stored = run("ingest", str(ast), "--store", str(store), *read)
    assert stored.exit_code == 0 and "(asterix, 3 reports, 779 detections, 0 rejects)" in (
        stored.output
    )
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run("crossings", "--store", str(store), "--pd", "0.8", "-o", str(a)).exit_code == 0
    assert run("crossings", str(ast), *read, "--pd", "0.8", "-o", str(b)).exit_code == 0
    assert a.read_bytes() == b.read_bytes() and a.read_text().count("\n") == 1


def test_a_case_answered_from_radar_plots_alone(capture, tmp_path):
    """verify on a capture of plots: the drone's entry into Iran is a finding, its
    track a UAV candidate, and the manifest lists the sensors file as an input."""
    from airwitness.investigate.casefile import load_case
    from airwitness.investigate.run import investigate

    ast, sensors = capture
    case = tmp_path / "case.yaml"
    case.write_text(
        "title: Drone from Azerbaijan into Iran (radar plots only)\n"
        "allegation: {into: IRN, via: AZE, since: 2025-06-16, until: 2025-06-16}\n"
        "evidence:\n"
        f"  - path: {ast}\n"
        "    sensor: primary radar (synthetic)\n"
        "    date: 2025-06-16\n"
        f"    sensors: {sensors}\n"
        "tracker: {assumed_alt_m: 0:3000, pd: 0.9}\n"
    )
    loaded = load_case(case)
    assert loaded.tracker is not None and loaded.tracker.assumed_alt_m == (0.0, 3000.0)
    assert sensors in loaded.input_paths
    inv = investigate(loaded)
    (finding,) = rows_ns(inv.findings)
    assert finding["track_id"].startswith("radar:7/9:") and finding["class"] == "uav"
    assert (finding["from"], finding["to"]) == ("AZE", "IRN")
    assert inv.verdict == "confirmed"


def test_a_case_file_with_a_bad_tracker_block_names_the_key(capture, tmp_path):
    from airwitness.investigate.casefile import CaseError, load_case

    ast, _ = capture
    case = tmp_path / "case.yaml"
    case.write_text(
        "allegation: {into: IRN, via: AZE, since: 2025-06-16, until: 2025-06-16}\n"
        f"evidence: [{{path: {ast}, date: 2025-06-16}}]\n"
        "tracker: {speed: 3}\n"
    )
    with pytest.raises(CaseError, match="tracker: unknown tracker setting"):
        load_case(case)
    case.write_text(
        "allegation: {into: IRN, via: AZE, since: 2025-06-16, until: 2025-06-16}\n"
        f"evidence: [{{path: {ast}, date: 16 June}}]\n"
    )
    with pytest.raises(CaseError, match=r"evidence\[0\].date: a date such as"):
        load_case(case)
