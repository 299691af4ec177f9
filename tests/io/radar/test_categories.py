"""ASTERIX records category by category: hand-built CAT021/CAT048 records, and the
service, unsupported and unknown categories.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from airwitness.errors import InputError
from airwitness.schema import FPM_TO_MPS, FT_TO_M, KT_TO_MPS

from ..helpers import rows_of, utc_ns
from .captures import (
    NM,
    RAW_062,
    block,
    cat021,
    cat034_site,
    cat048,
    check,
    plot_position,
    read_bytes,
)

# ------------------------------------------------------ hand-built records


def test_cat021_fields():
    data = block(
        21,
        cat021(
            43_200.5, 47.123456, 8.654321, 0x4B1A2C,
            fl=350.25, geo_ft=36_000, bvr_fpm=-1_000, gs_kt=450, track=90, callsign="SWR123",
        ),
        cat021(43_201.0, None, None, 0x4B1A2C),
        cat021(43_202.0, 47.2, 8.7, None),
        cat021(43_203.0, 47.3, 8.8, 0xABCDEF, geo_ft=1_000),
    )  # fmt: skip
    result = read_bytes(data, date=dt.date(2024, 2, 29))
    check(result)
    assert {r.record: r.reason for r in result.rejects} == {
        2: "no position",
        3: "no target address",
    }
    first, last = rows_of(result.table)
    assert first["track_id"] == "4b1a2c" and first["callsign"] == "SWR123"
    assert first["time"] == utc_ns("2024-02-29T12:00:00.5Z")
    assert first["lat"] == pytest.approx(47.123456, abs=1e-6)
    assert first["lon"] == pytest.approx(8.654321, abs=1e-6)
    assert first["alt_m"] == pytest.approx(35_025 * FT_TO_M) and first["alt_kind"] == "baro"
    assert first["vrate_mps"] == pytest.approx(-1_000 * FPM_TO_MPS)
    assert first["ground_speed_mps"] == pytest.approx(450 * KT_TO_MPS, abs=0.01)
    assert first["track_deg"] == pytest.approx(90.0)
    assert last["track_id"] == "abcdef"
    assert last["alt_m"] == pytest.approx(1_000 * FT_TO_M) and last["alt_kind"] == "geo"
    assert last["callsign"] is None and last["vrate_mps"] is None


def test_cat048_identity_height_and_site_after_the_plots():
    site = (45.0, 15.46875, 300.0)  # on the I034/120 grid (180/2^23 degrees)
    data = block(
        48,
        cat048(100.0, 50.0, 45.0, fl=300, track=17),
        cat048(100.1, 60.0, 90.0, fl=200, address=0x3C4B5A),
        cat048(100.2, 70.0, 135.0, fl=100),
        cat048(100.3, 80.0, 180.0, fl=310, garbled=True, track=18),
        cat048(100.4, 20.0, 270.0, sac=7, sic=10, track=19),
    ) + block(34, cat034_site(101.0, *site[:2], int(site[2])))
    result = read_bytes(data, date=dt.date(2024, 1, 1))
    check(result)
    assert {r.record: r.reason for r in result.rejects} == {
        5: "no radar site",
        6: "service message",
    }
    # the plot with neither track number nor address is a detection, for the tracker
    (plot,) = rows_of(result.detections)
    assert plot["source_record"] == 3 and plot["sensor"] == "asterix:7/9"
    assert plot["time"] == utc_ns("2024-01-01T00:01:40.203125Z")  # 1/128 s
    assert plot["range_m"] == 70 * NM and plot["azimuth_deg"] == 135.0
    assert (plot["site_lat"], plot["site_lon"], plot["site_alt_m"]) == site
    assert (plot["sigma_range_m"], plot["sigma_azimuth_deg"]) == (70.0, 0.08)
    assert plot["alt_m"] == pytest.approx(100 * 100 * FT_TO_M) and plot["alt_kind"] == "baro"
    assert plot["lat"] is None and plot["mode3a"] is None and plot["source_offset"] == 0
    rows = rows_of(result.table)
    # a plot with an address and no track number is the radar's track of that address
    # (never the same track as the aircraft's ADS-B: another sensor)
    assert [r["track_id"] for r in rows] == [
        "asterix:7/9:17",
        "asterix:7/9:3c4b5a",
        "asterix:7/9:18",
    ]
    assert [r["sensor"] for r in rows] == ["asterix:7/9"] * 3
    assert [r["identity"] for r in rows][1] == "3c4b5a"
    lat, lon = plot_position(site, 50 * NM, 45.0, 300 * 100 * FT_TO_M)
    assert (rows[0]["lat"], rows[0]["lon"]) == (
        pytest.approx(lat, abs=1e-6),
        pytest.approx(lon, abs=1e-6),
    )
    # garbled Mode C: no height, placed at the radar's height
    assert rows[2]["alt_m"] is None and rows[2]["alt_kind"] is None
    lat, lon = plot_position(site, 80 * NM, 180.0, site[2])
    assert rows[2]["lat"] == pytest.approx(lat, abs=1e-6)
    assert rows[2]["lon"] == pytest.approx(lon, abs=1e-6)


# ------------------------------------------------------------ categories


def test_service_unsupported_and_unknown_categories():
    data = (
        block(150, b"\x80\x01\x02")
        + block(1, b"\x80\x01\x02")
        + block(2, b"\x80\x01\x02")
        + RAW_062.read_bytes()
    )
    result = read_bytes(data, date=dt.date(2020, 1, 1))
    check(result)
    assert [(r.record, r.reason, r.offset) for r in result.rejects] == [
        (1, "unknown category 150", 0),
        (2, "unsupported category 1", 6),
        (3, "service message", 12),
        (6, "service message", 18 + 183),
    ]
    assert result.table["source_record"].to_pylist() == [4, 5]


def test_only_unreadable_bytes_is_an_input_error():
    with pytest.raises(InputError, match="no readable ASTERIX"):
        read_bytes(b"\x00\x00\x00\x00\x00garbage")


def test_non_utf8_text_in_cat062_i390_does_not_crash_the_decoder(tmp_path: Path):
    """asterix-decoder 0.7.11 segfaults on such bytes unless CAT062 is patched (run apart)."""
    data = RAW_062.read_bytes()
    i = data.index(b"SXD4723")  # I062/390 callsign, ASCII
    path = tmp_path / "bad390.raw"
    path.write_bytes(data[: i + 1] + b"\xff\xfe\xc3\x28\xa0\xa1" + data[i + 7 :])
    code = (
        "import datetime as dt, sys\n"
        "from airwitness.io.radar import asterix\n"
        "from airwitness.io.options import ReadOptions\n"
        f"r = asterix.read({str(path)!r}, options=ReadOptions(date=dt.date(2020, 1, 1)))\n"
        "print(r.table.num_rows, r.table['callsign'].to_pylist())\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "2 [None, 'SXD4723']"
