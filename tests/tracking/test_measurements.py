"""Slant range to ground distance, and the error an unknown height adds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from airwitness.tracking.measurements import ground_distance

from .scenes import SITE, radius_along, slant_range


@pytest.mark.parametrize(("d", "h", "az"), [(1_000.0, 300.0, 10.0), (25_000.0, 2_500.0, 200.0),
                                            (80_000.0, 9_000.0, 290.0)])  # fmt: skip
def test_ground_distance_inverts_the_slant_range(d: float, h: float, az: float):
    rho = slant_range(d, h, az)
    out, gain = ground_distance(
        np.array([rho]), np.array([SITE[2]]), np.array([h]), np.array([radius_along(az)])
    )
    assert out[0] == pytest.approx(d, abs=1e-6)
    step = 0.01
    ahead, behind = (
        ground_distance(np.array([rho + s]), np.array([SITE[2]]), np.array([h]),
                        np.array([radius_along(az)]))[0][0]
        for s in (step, -step)
    )  # fmt: skip
    assert gain[0] == pytest.approx((ahead - behind) / (2 * step), rel=1e-6)


def test_a_slant_range_shorter_than_the_height_difference_is_no_distance():
    out, _ = ground_distance(np.array([500.0]), np.array([0.0]), np.array([3_000.0]),
                             np.array([6.371e6]))  # fmt: skip
    assert out[0] == 0.0


def test_a_high_target_seen_as_if_low_is_placed_too_far_out():
    """The issue's case: a target at 8 km altitude placed as if at the radar's height is
    0.5-2 km too far out at 30-60 km."""
    for d in (30_000.0, 60_000.0):
        rho = slant_range(d, 8_000.0, 90.0)
        low, _ = ground_distance(np.array([rho]), np.array([SITE[2]]), np.array([SITE[2]]),
                                 np.array([radius_along(90.0)]))  # fmt: skip
        assert 500.0 < low[0] - d < 2_000.0, low[0] - d
    assert math.isclose(SITE[2], 100.0)
