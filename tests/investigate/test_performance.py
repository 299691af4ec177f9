"""investigate.performance: the nominal performance table, exact values."""

from __future__ import annotations

import math

import pytest

from airwitness.investigate.classify import CLASSES
from airwitness.investigate.performance import (
    PERFORMANCE,
    cruise_speed_mps,
    max_range_m,
    reachable,
)


def test_exact_ranges():
    assert max_range_m("small_multirotor") == 30_000.0
    assert max_range_m("loitering_munition") == 2_500_000.0
    assert max_range_m("male_uav") == 6_480_000.0  # 60 m/s x 30 h
    assert max_range_m("uav") == 6_480_000.0
    assert max_range_m("propeller") == 6_480_000.0
    assert max_range_m("helicopter") == 1_061_000.0
    assert max_range_m("jet") == 18_000_000.0
    assert max_range_m("unknown") == 18_000_000.0


def test_exact_speeds_and_endurance():
    assert cruise_speed_mps("small_multirotor") == 21.0
    assert cruise_speed_mps("loitering_munition") == pytest.approx(51.3889, abs=1e-4)
    assert cruise_speed_mps("male_uav") == 60.0
    assert PERFORMANCE["male_uav"].endurance_s == 30 * 3600.0
    assert PERFORMANCE["small_multirotor"].endurance_s == 46 * 60.0


def test_reachable_is_within_nominal_range_inclusive():
    assert reachable(30_000.0, "small_multirotor")
    assert not reachable(30_000.1, "small_multirotor")
    assert reachable(0.0, "small_multirotor")
    assert reachable(2_000_000.0, "loitering_munition")
    assert not reachable(2_600_000.0, "loitering_munition")
    assert reachable(2_600_000.0, "uav")
    assert not reachable(1_100_000.0, "helicopter")
    assert reachable(17_000_000.0, "unknown")


def test_every_track_class_has_a_row_and_uav_unknown_are_the_widest():
    assert set(CLASSES) <= set(PERFORMANCE)
    uav_rows = ("small_multirotor", "loitering_munition", "male_uav")
    assert max_range_m("uav") == max(max_range_m(k) for k in uav_rows)
    assert max_range_m("unknown") == max(p.max_range_m for p in PERFORMANCE.values())
    # a turboprop MALE UAV is classed "propeller" by kinematics: the class must cover it
    assert max_range_m("propeller") >= max_range_m("male_uav")


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown class 'balloon'"):
        max_range_m("balloon")
    with pytest.raises(ValueError, match="unknown class"):
        reachable(1.0, "balloon")
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="distance"):
            reachable(bad, "jet")
