"""The plot CSV (``plots``): radar plots as detections, each bad row a named reject."""

from __future__ import annotations

from pathlib import Path

import pytest

from airwitness.io import read, sniff
from airwitness.io.options import ReadOptions

from ..helpers import reconcile, rows_of, utc_ns

SENSORS = "name,lat,lon,alt_m,sigma_range_m,sigma_azimuth_deg\nR1,39.45,47.05,100,50,0.15\n"


def plots_file(tmp_path: Path, body: str) -> tuple[Path, ReadOptions]:
    path = tmp_path / "plots.csv"
    path.write_text("time,sensor,range_m,azimuth_deg,alt_m,mode3a,amplitude\n" + body)
    sensors = tmp_path / "sensors.csv"
    sensors.write_text(SENSORS)
    return path, ReadOptions(sensors=sensors)


def test_plots_become_detections_with_their_radar(tmp_path: Path):
    path, options = plots_file(
        tmp_path,
        "2025-06-16T00:00:01.5Z,R1,23456.7,361.5,,,\n"
        "2025-06-16T00:00:02Z,R1,1000,10,1200,7001,-3.5\n",
    )
    assert sniff(path) == "plots"
    result = read(path, options=options)
    reconcile(result, [2, 3])
    assert result.table.num_rows == 0 and not result.rejects
    first, second = rows_of(result.detections)
    assert first["time"] == utc_ns("2025-06-16T00:00:01.5Z") and first["sensor"] == "R1"
    assert first["range_m"] == 23456.7 and first["azimuth_deg"] == pytest.approx(1.5)
    assert (first["site_lat"], first["site_lon"], first["site_alt_m"]) == (39.45, 47.05, 100.0)
    assert (first["sigma_range_m"], first["sigma_azimuth_deg"]) == (50.0, 0.15)
    assert first["alt_m"] is None and first["mode3a"] is None and first["lat"] is None
    assert second["alt_m"] == 1200.0 and second["alt_kind"] == "geo"
    assert second["mode3a"] == "7001" and second["amplitude"] == -3.5
    assert second["source_file"] == str(path) and second["source"] == "plots"


def test_bad_plots_are_rejects_naming_the_line(tmp_path: Path):
    path, options = plots_file(
        tmp_path,
        "2025-06-16T00:00:01Z,R1,100,10,,,\n"
        "2025-06-16T00:00:02Z,,100,10,,,\n"
        "yesterday,R1,100,10,,,\n"
        "2025-06-16T00:00:03Z,R1,,10,,,\n"
        "2025-06-16T00:00:04Z,R1,-5,10,,,\n"
        "2025-06-16T00:00:05Z,R1,100,north,,,\n"
        "2025-06-16T00:00:06Z,R9,100,10,,,\n"
        "2025-06-16T00:00:07Z,R1,100,10,high,,\n",
    )
    result = read(path, options=options)
    reconcile(result, range(2, 10))
    assert {r.record: r.reason for r in result.rejects} == {
        3: "missing sensor",
        4: "bad time",
        5: "no position",
        6: "bad number in range_m",
        7: "bad number in azimuth_deg",
        8: "no radar site",
        9: "bad number in alt_m",
    }
    assert result.detections["source_record"].to_pylist() == [2]


def test_without_a_sensors_file_no_plot_can_be_placed(tmp_path: Path):
    path, _ = plots_file(tmp_path, "2025-06-16T00:00:01Z,R1,100,10,,,\n")
    result = read(path)
    assert [r.reason for r in result.rejects] == ["no radar site"]
