"""Radar sites from a sensors file, and the geometry that places a plot in WGS-84."""

from __future__ import annotations

import json
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
    check,
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
