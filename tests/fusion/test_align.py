"""fusion.align: one track's reports against another's path, exact by hand."""

from __future__ import annotations

import numpy as np
import pytest

from airwitness.fusion.align import MANOEUVRE_MPS2, align, velocity_at
from airwitness.fusion.trackset import track_set
from tests.fusion.helpers import flight, prepared
from tests.helpers import T0


def test_reports_between_two_of_the_other_tracks_are_compared_with_the_line_between():
    radar = flight("r", "asterix:1/1", times=range(0, 101, 10), sigma_m=40.0)
    adsb = flight("a", "adsb", times=[-5, 5, 15, 95, 105], north_m=120.0, sigma_m=30.0)
    ts = track_set(prepared(radar, adsb))
    r, a = ts.index()["r"], ts.index()["a"]
    al = align(ts, r, a, max_interp_s=30.0)
    # -5 and 105 lie outside the radar's path: not compared
    assert ((al.time_ns - T0) / 1e9).tolist() == [5.0, 15.0, 95.0]
    assert al.east_m == pytest.approx([0.0, 0.0, 0.0], abs=1e-6)
    assert al.north_m == pytest.approx([120.0] * 3, rel=1e-9)
    straight = MANOEUVRE_MPS2 * 10.0**2 / 8.0  # 10 s between the radar's reports
    assert al.sigma_m == pytest.approx([np.sqrt(30.0**2 + 40.0**2 + straight**2)] * 3)
    assert al.z2 == pytest.approx(120.0**2 / al.sigma_m**2)


def test_a_gap_longer_than_max_interp_or_between_segments_is_not_bridged():
    radar = flight("r", "asterix:1/1", times=[0, 10, 50, 60])
    adsb = flight("a", "adsb", times=[5, 30, 55])
    ts = track_set(prepared(radar, adsb))
    al = align(ts, ts.index()["r"], ts.index()["a"], max_interp_s=30.0)
    assert ((al.time_ns - T0) / 1e9).tolist() == [5.0, 55.0]  # 10 -> 50 is 40 s


def test_the_measured_velocity_comes_from_the_path_a_baseline_apart():
    radar = flight("r", "asterix:1/1", times=range(0, 101, 5), speed_mps=200.0)
    ts = track_set(prepared(radar))
    ve, vn = velocity_at(ts, 0, T0 + np.array([50, 5]) * 10**9, max_interp_s=30.0)
    assert ve[0] == pytest.approx(200.0, rel=1e-6) and vn[0] == pytest.approx(0.0, abs=1e-6)
    assert np.isnan(ve[1])  # 10 s before 5 s is before the path
