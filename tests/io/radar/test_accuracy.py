"""Position errors (pos_sigma_m) of ASTERIX CAT021 reports and CAT062 tracks.

The sample captures' CAT062 tracks carry no I062/500 (their FSPECs end with
I062/340 only), so the item is spliced into those real records, or hand-built;
expected values are computed here by hand (the 95 % radius 2.4477·σ, the WGS-84
radii of curvature, the 2×2 covariance's largest eigenvalue with numpy).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from airwitness.io.radar import asterix

from ..helpers import rows_of
from .captures import (
    E2,
    PCAP_062,
    RAW_062,
    A,
    block,
    cat021,
    cat062,
    check,
    decoded_records,
    i021_090,
    i500,
    read_bytes,
    with_i500,
)

R95 = math.sqrt(-2.0 * math.log(0.05))  # 2.4477: the 95 % radius of a circular Gaussian
NM = 1852.0
DATE = dt.date(2024, 5, 1)

# ------------------------------------------------------------------- CAT062


def test_cat062_samples_state_no_accuracy():
    """No I062/500 in the real tracks: FRN 27 (0x04 of the fourth FSPEC octet) is unset."""
    records = [r for _, _, r in decoded_records(PCAP_062.read_bytes()) if r["category"] == 62]
    assert [bytes.fromhex(r["hexdata"])[3] for r in records] == [0x02, 0x02]
    assert not any("I500" in r for r in records)
    assert asterix.read(PCAP_062).table["pos_sigma_m"].to_pylist() == [None, None]
    raw = read_bytes(RAW_062.read_bytes(), date=DATE)
    assert raw.table["pos_sigma_m"].to_pylist() == [None, None]


def _sample_records() -> list[bytes]:
    records = [r for _, _, r in decoded_records(PCAP_062.read_bytes()) if r["category"] == 62]
    return [bytes.fromhex(r["hexdata"]) for r in records]


def test_cat062_real_tracks_with_a_spliced_i500():
    first, second = _sample_records()
    data = block(
        62,
        with_i500(first, i500(apc=(100, 300))),  # σx 50 m, σy 150 m
        with_i500(second, i500(apw=(20, 30))),  # σ lat 20, σ lon 30 LSB of 180/2^25 degrees
    )
    result = read_bytes(data, date=DATE)
    check(result)
    original = asterix.read(PCAP_062)
    cols = ["track_id", "lat", "lon", "alt_m", "callsign"]
    assert result.table.select(cols).equals(original.table.select(cols))
    one, two = rows_of(result.table)
    # RYR174C (track 4713): APC without covariance, the larger axis
    assert one["pos_sigma_m"] == 150.0
    # ISS2007 (track 6831) at 41.41693890094757 N: APW in metres on the ellipsoid
    lat = math.radians(two["lat"])
    assert two["lat"] == 41.41693890094757
    w = 1 - E2 * math.sin(lat) ** 2
    north = 20 * 180 / 2**25 * math.pi / 180 * A * (1 - E2) / w**1.5
    east = 30 * 180 / 2**25 * math.pi / 180 * A / math.sqrt(w) * math.cos(lat)
    assert east > north
    assert two["pos_sigma_m"] == pytest.approx(east, rel=1e-12)
    assert two["pos_sigma_m"] == pytest.approx(13.4544, abs=1e-4)


def test_cat062_covariance_and_both_estimates():
    covariances = [(60, 80, 40), (60, 80, -40), (80, 60, 0), (2, 2, 200)]
    records = [
        cat062(100.0 + i, 45.0, 15.0, i + 1, i500=i500(apc=(sx, sy), cov=c))
        for i, (sx, sy, c) in enumerate(covariances)
    ]
    records.append(cat062(110.0, 60.0, 15.0, 9, i500=i500(apc=(100, 100), apw=(1000, 1000))))
    result = read_bytes(block(62, *records), date=DATE)
    check(result)
    got = result.table["pos_sigma_m"].to_pylist()
    for sigma, (sx, sy, c) in zip(got, covariances, strict=False):
        sx, sy, c = sx / 2, sy / 2, c / 2  # 0.5 m LSB; COV is sign(cov)·sqrt|cov|
        matrix = np.array([[sx * sx, math.copysign(c * c, c)], [math.copysign(c * c, c), sy * sy]])
        assert sigma == pytest.approx(math.sqrt(np.linalg.eigvalsh(matrix).max()), rel=1e-12)
    assert got[0] == got[1] > 40.0  # the sign turns the ellipse, not its size
    assert got[2] == 40.0
    # APC 50 m and APW 1000 LSB (~596 m north, ~298 m east at 60° N): the larger wins
    lat = math.radians(result.table["lat"][4].as_py())  # 60° N to 180/2^25 degrees
    north = 1000 * 180 / 2**25 * math.pi / 180 * A * (1 - E2) / (1 - E2 * math.sin(lat) ** 2) ** 1.5
    assert got[4] == pytest.approx(north, rel=1e-12)


def test_cat062_accuracy_that_says_nothing_keeps_the_track_with_null():
    records = [
        cat062(100.0, 45.0, 15.0, 1, i500=i500(arc=4)),  # rate of climb accuracy only
        cat062(101.0, 45.0, 15.0, 2, i500=i500(apc=(0, 0))),  # not filled in
        cat062(102.0, 45.0, 15.0, 3, i500=i500(apw=(0, 0))),
        cat062(103.0, 45.0, 15.0, 4, i500=i500(apc=(0, 0), apw=(0, 8))),
        cat062(104.0, 45.0, 15.0, 5),
    ]
    result = read_bytes(block(62, *records), date=DATE)
    check(result)
    assert result.rejects == []
    got = result.table["pos_sigma_m"].to_pylist()
    assert got[:3] == [None, None, None] and got[4] is None
    # one axis of APW stated: 8 LSB of longitude at 45° N, N(45°) = 6 388 838.29 m
    east = 8 * 180 / 2**25 * math.pi / 180 * 6_388_838.29 * math.cos(math.pi / 4)
    assert got[3] == pytest.approx(east, rel=1e-9)


# ------------------------------------------------------------------- CAT021


def _cat021_sigmas(*quality: dict) -> list[float | None]:
    records = [cat021(100.0 + i, 47.0, 8.0, 0x400000 + i, **kw) for i, kw in enumerate(quality)]
    result = read_bytes(block(21, *records), date=DATE)
    check(result)
    assert result.table.num_rows == len(quality)  # no accuracy is a reason to reject
    return result.table["pos_sigma_m"].to_pylist()


def test_cat021_nacp_first():
    got = _cat021_sigmas(
        {"i090": i021_090(nic=8, nacp=9), "vn": 2},  # EPU 30 m
        {"i090": i021_090(nic=8, nacp=11), "vn": 2},  # EPU 3 m
        {"i090": i021_090(nic=6, nacp=7), "vn": 1},  # EPU 0.1 NM
    )
    assert got == [
        pytest.approx(30 / R95, rel=1e-12),
        pytest.approx(3 / R95, rel=1e-12),
        pytest.approx(0.1 * NM / R95, rel=1e-12),
    ]
    assert got[0] == pytest.approx(12.2562, abs=1e-4)


def test_cat021_nic_or_nucp_by_mops_version():
    got = _cat021_sigmas(
        {"i090": i021_090(nic=9, nacp=0), "vn": 2},  # NACp unknown: NIC 9, Rc 75 m
        {"i090": i021_090(nic=9), "vn": 1},  # NIC 9 without the extension
        {"i090": i021_090(nic=9), "vn": 0},  # version 0: NUCp 9, HPL 7.5 m
        {"i090": i021_090(nic=9)},  # version unknown: the larger, 75 m
        {"i090": i021_090(nic=2)},  # NIC 2 (8 NM) or NUCp 2 (10 NM): 10 NM
        {"i090": i021_090(nic=6), "vn": 2},  # NIC 6: 0.3, 0.5 or 0.6 NM: 0.6 NM
    )
    assert got == [
        pytest.approx(75 / R95, rel=1e-12),
        pytest.approx(75 / R95, rel=1e-12),
        pytest.approx(7.5 / R95, rel=1e-12),
        pytest.approx(75 / R95, rel=1e-12),
        pytest.approx(10 * NM / R95, rel=1e-12),
        pytest.approx(0.6 * NM / R95, rel=1e-12),
    ]
    assert got[0] == pytest.approx(30.6404, abs=1e-4)


def test_cat021_without_usable_quality_is_kept_with_null():
    got = _cat021_sigmas(
        {},  # no I021/090 (mandatory, but missing)
        {"i090": i021_090(nic=0, nacp=0), "vn": 2},  # both unknown
        {"i090": i021_090(nic=15, nacp=13), "vn": 2},  # reserved values
        {"i090": i021_090(nic=12), "vn": 2},
        {"i090": i021_090(nic=10), "vn": 0},  # NUCp 10 does not exist
    )
    assert got == [None, None, None, None, None]
