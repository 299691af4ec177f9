"""The geographic detection CSV (``detections``): located but unidentified."""

from __future__ import annotations

from pathlib import Path

from airwitness.io import read, sniff

from ..helpers import reconcile, rows_of


def test_detections_with_and_without_a_stated_error(tmp_path: Path):
    path = tmp_path / "rf.csv"
    path.write_text(
        "time,sensor,lat,lon,pos_sigma_m,alt_m\n"
        "2025-06-16T00:00:01Z,RF-EAST,39.512,47.301,150,\n"
        "2025-06-16T00:00:02Z,RF-EAST,39.513,47.302,,900\n"
        "2025-06-16T00:00:03Z,RF-EAST,95,47.302,,\n"
        "2025-06-16T00:00:04Z,RF-EAST,39.5,47.3,0,\n"
    )
    assert sniff(path) == "detections"
    result = read(path)
    reconcile(result, range(2, 6))
    assert {r.record: r.reason for r in result.rejects} == {
        4: "lat/lon out of range",
        5: "bad number in pos_sigma_m",
    }
    first, second = rows_of(result.detections)
    assert (first["lat"], first["lon"], first["pos_sigma_m"]) == (39.512, 47.301, 150.0)
    assert first["range_m"] is None and first["site_lat"] is None
    assert second["pos_sigma_m"] is None and second["alt_m"] == 900.0


def test_a_track_id_column_makes_it_the_plain_csv_format(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("track_id,time,sensor,lat,lon\nA,2025-06-16T00:00:01Z,S,39.5,47.3\n")
    assert sniff(path) == "csv"
