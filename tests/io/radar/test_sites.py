"""Radar sites from a sensors file, and the geometry that places a plot in WGS-84."""

from __future__ import annotations

import datetime as dt
import json
import math
import struct
from pathlib import Path

import numpy as np
import pytest

from airwitness.errors import UsageError
from airwitness.io.options import ReadOptions
from airwitness.io.radar import asterix
from airwitness.io.radar._sites import polar_to_wgs84
from airwitness.schema import FT_TO_M

from ..helpers import rows_of
from .captures import (
    NM,
    PCAP_048,
    block,
    cat034_site,
    cat048,
    check,
    decoded_records,
    plot_position,
    read_bytes,
    sample_site,
)

# ----------------------------------------------------------- sensors file


def without_cat034(data: bytes) -> bytes:
    out, off = bytearray(data[:24]), 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        packet = data[off : off + 16 + incl]
        if packet[16 + 14 + 20 + 8] != 34:
            out += packet
        off += 16 + incl
    return bytes(out)


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_sensors_file_positions_plots_without_cat034(tmp_path: Path, kind: str):
    stripped = without_cat034(PCAP_048.read_bytes())
    bare = read_bytes(stripped, "c.pcap")
    assert bare.reject_counts()["no radar site"] == 126 and bare.table.num_rows == 0
    site = sample_site()
    if kind == "csv":
        path = tmp_path / "sensors.csv"
        path.write_text(
            f"# radars\nsac,sic,lat,lon,alt_m,name\n25,12,{site[0]!r},{site[1]!r},780,X\n"
        )
    else:
        path = tmp_path / "sensors.json"
        path.write_text(json.dumps([{"sac": 25, "sic": 12, "lat": site[0], "lon": site[1],
                                     "alt_m": 780}]))  # fmt: skip
    with_file = read_bytes(stripped, "c.pcap", sensors=path)
    check(with_file)
    original = asterix.read(PCAP_048)
    cols = ["track_id", "time", "lat", "lon", "alt_m"]
    assert with_file.table.select(cols).equals(original.table.select(cols))


def test_capture_site_wins_over_the_sensors_file(tmp_path: Path):
    path = tmp_path / "s.csv"
    path.write_text("sac,sic,lat,lon,alt_m\n25,12,40.0,10.0,0\n25,13,45.0,15.0,100\n")
    result = asterix.read(PCAP_048, options=ReadOptions(sensors=path))
    check(result)
    original = asterix.read(PCAP_048)
    ids = result.table["track_id"].to_pylist()
    assert sum(t.startswith("asterix:25/13:") for t in ids) > 0
    sic12 = [r for r in rows_of(result.table) if r["track_id"].startswith("asterix:25/12:")]
    assert [(r["lat"], r["lon"]) for r in sic12] == [
        (r["lat"], r["lon"]) for r in rows_of(original.table)
    ]


@pytest.mark.parametrize(
    "content",
    [
        "sac,sic,lat\n1,2,3\n",
        "sac,sic,lat,lon,alt_m\n1,x,45,15,0\n",
        "sac,sic,lat,lon,alt_m\n1,2,95,15,0\n",
        '[{"sac": 1}]',
        "{not json",
        "sac,sic,lat,lon,alt_m,sigma_range_m\n1,2,45,15,0,-5\n",
        "sac,sic,lat,lon,alt_m,sigma_range_m\n1,2,45,15,0,0\n",
        "sac,sic,lat,lon,alt_m,sigma_azimuth_deg\n1,2,45,15,0,abc\n",
        "sac,sic,lat,lon,alt_m,sigma_azimuth_deg\n1,2,45,15,0,nan\n",
        '[{"sac": 1, "sic": 2, "lat": 45, "lon": 15, "alt_m": 0, "sigma_range_m": "x"}]',
    ],
)
def test_bad_sensors_file_is_a_usage_error(tmp_path: Path, content: str):
    path = tmp_path / "s.csv"
    path.write_text(content)
    with pytest.raises(UsageError, match="sensors file"):
        asterix.read(PCAP_048, options=ReadOptions(sensors=path))


def test_polar_conversion_matches_the_hand_computation():
    site = (43.57102202219, 16.40606241326, 780.0)
    for rho_nm, theta, fl in [(0.5, 10.0, 20), (43.3, 290.0, 246), (200.0, 135.0, 410)]:
        lat, lon = polar_to_wgs84(
            site,
            np.array([rho_nm * NM]),
            np.array([theta]),
            np.array([fl * 100 * FT_TO_M]),
        )
        want = plot_position(site, rho_nm * NM, theta, fl * 100 * FT_TO_M)
        assert (lat[0], lon[0]) == (
            pytest.approx(want[0], abs=1e-7),
            pytest.approx(want[1], abs=1e-7),
        )


# ------------------------------------------------------- position error


def _plot_ranges_m() -> dict[int, float]:
    """Slant range (m) of each SAC 25 / SIC 12 plot of the sample, by record number."""
    return {
        index: rec["I040"]["RHO"]["val"] * NM
        for index, (_, _, rec) in enumerate(decoded_records(PCAP_048.read_bytes()), start=1)
        if rec["category"] == 48 and rec["I010"]["SIC"]["val"] == 12 and "I040" in rec
    }


def test_cat048_sigma_from_the_default_radar_accuracy():
    """No sensors file: 70 m in range and 0.08° in azimuth at each plot's slant range."""
    result = asterix.read(PCAP_048)
    ranges = _plot_ranges_m()
    rows = rows_of(result.table)
    assert len(rows) == 38
    for row in rows:
        rho = ranges[row["source_record"]]
        assert row["pos_sigma_m"] == max(70.0, rho * math.radians(0.08))
    # record 23 (GWI7BX): 39.05859375 NM = 72 336.5 m, so 72 336.5 m × 0.08° = 101.0 m
    first = rows[0]
    assert first["source_record"] == 23 and ranges[23] == 39.05859375 * 1852
    assert first["pos_sigma_m"] == pytest.approx(101.000829, abs=1e-6)
    # within 27.1 NM (70 m / 0.08°) the range error wins: two plots, records 127 and 135
    assert [r["source_record"] for r in rows if r["pos_sigma_m"] == 70.0] == [127, 135]
    assert ranges[127] < 70.0 / math.radians(0.08) < ranges[23]
    assert max(r["pos_sigma_m"] for r in rows) == pytest.approx(522.691161, abs=1e-6)


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_sensors_file_gives_the_radar_accuracy(tmp_path: Path, kind: str):
    """The file's sigma columns apply even where the capture's CAT034 gives the site."""
    site = sample_site()
    if kind == "csv":
        path = tmp_path / "sensors.csv"
        path.write_text(
            "sac,sic,lat,lon,alt_m,sigma_range_m,sigma_azimuth_deg\n"
            f"25,12,{site[0]!r},{site[1]!r},780,150,0.05\n"
            "25,13,45.0,15.0,100,,\n"
        )
        sigma_range, sigma_azimuth = 150.0, 0.05
    else:
        path = tmp_path / "sensors.json"
        path.write_text(json.dumps([{"sac": 25, "sic": 12, "lat": site[0], "lon": site[1],
                                     "alt_m": 780, "sigma_range_m": None,
                                     "sigma_azimuth_deg": 0.2}]))  # fmt: skip
        sigma_range, sigma_azimuth = 70.0, 0.2
    result = asterix.read(PCAP_048, options=ReadOptions(sensors=path))
    check(result)
    ranges = _plot_ranges_m()
    sic12 = [r for r in rows_of(result.table) if r["track_id"].startswith("asterix:25/12:")]
    assert len(sic12) == 38
    for row in sic12:
        rho = ranges[row["source_record"]]
        assert row["pos_sigma_m"] == max(sigma_range, rho * math.radians(sigma_azimuth))
    if kind == "csv":  # SIC 13 has empty sigma cells: the defaults
        sic13 = [r for r in rows_of(result.table) if r["track_id"].startswith("asterix:25/13:")]
        records = decoded_records(PCAP_048.read_bytes())
        assert sic13 and all(
            r["pos_sigma_m"]
            == max(70.0, records[r["source_record"] - 1][2]["I040"]["RHO"]["val"] * NM
                   * math.radians(0.08))
            for r in sic13
        )  # fmt: skip


def test_cat048_sigma_at_known_ranges(tmp_path: Path):
    """Near the radar the range error wins, far out the azimuth error; I048/210 (the
    tracker's accuracy of its smoothed position, not of the plot) changes nothing."""
    site = (45.0, 15.46875, 300.0)
    quality = bytes([64, 64, 10, 10])  # σx, σy 0.5 NM: would dominate if it were used
    plots = [
        cat048(100.0, 10.0, 45.0, fl=100, track=1),
        cat048(100.1, 100.0, 90.0, fl=300, track=2),
        cat048(100.2, 100.0, 90.0, fl=300, track=3, track_quality=quality),
        cat048(100.3, 100.0, 90.0, fl=300, track=4, sic=10),
    ]
    data = block(48, *plots) + block(34, cat034_site(101.0, *site[:2], int(site[2])))
    result = read_bytes(data, date=dt.date(2024, 1, 1))
    check(result)
    assert result.table["pos_sigma_m"].to_pylist() == [
        70.0,  # 10 NM × 0.08° = 25.9 m < 70 m
        100 * 1852 * math.radians(0.08),  # 258.6 m
        100 * 1852 * math.radians(0.08),
    ]  # the SIC 10 plot has no site: rejected, not given a σ
    path = tmp_path / "s.csv"
    path.write_text("sac,sic,lat,lon,alt_m,sigma_range_m,sigma_azimuth_deg\n"
                    "7,9,45,15.46875,300,30,0.1\n7,10,45,15.46875,300,300,\n")  # fmt: skip
    again = read_bytes(data, date=dt.date(2024, 1, 1), sensors=path)
    check(again)
    assert again.table["pos_sigma_m"].to_pylist() == [
        10 * 1852 * math.radians(0.1),  # 32.3 m > 30 m
        100 * 1852 * math.radians(0.1),
        100 * 1852 * math.radians(0.1),
        300.0,  # SIC 10, placed from the file: 100 NM × 0.08° = 258.6 m < 300 m
    ]
