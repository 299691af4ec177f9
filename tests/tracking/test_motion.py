"""The motion and measurement models against numerical derivatives and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from airwitness.tracking.motion import (
    CARTESIAN,
    CT,
    CV,
    POLAR,
    ekf_update,
    innovation,
    measure,
    propagate,
    transition,
)

NOISE = np.array([1.0, 3.0, 0.02, 0.005])


def numerical_jacobian(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    out = np.empty((len(f(x)), len(x)))
    for k in range(len(x)):
        step = np.zeros(len(x))
        step[k] = h * max(1.0, abs(x[k]))
        out[:, k] = (f(x + step) - f(x - step)) / (2 * step[k])
    return out


@pytest.mark.parametrize("w", [0.05, -0.02, 1e-9, 0.0])
def test_coordinated_turn_jacobian_is_the_derivative_of_its_motion(w: float):
    x = np.array([1_000.0, -2_000.0, 40.0, 25.0, w])
    F, _ = transition(CT, x, 5.0, NOISE)
    numeric = numerical_jacobian(lambda s: propagate(CT, s, 5.0), x)
    assert pytest.approx(numeric, abs=1e-4) == F


def test_a_quarter_turn_ends_where_the_circle_says():
    """At 0.1 rad/s for π/0.2 s a target flying east at 50 m/s turns north (anticlockwise)."""
    x = np.array([0.0, 0.0, 50.0, 0.0, 0.1])
    end = propagate(CT, x, math.pi / 2 / 0.1)
    assert end[:4] == pytest.approx([500.0, 500.0, 0.0, 50.0], abs=1e-9)


def test_constant_velocity_moves_straight_and_forgets_the_turn():
    x = np.array([10.0, 20.0, 3.0, -4.0, 0.1])
    end = propagate(CV, x, 2.0)
    assert end == pytest.approx([16.0, 12.0, 3.0, -4.0, 0.0])
    F, Q = transition(CV, x, 2.0, NOISE)
    assert F[0, 2] == F[1, 3] == 2.0 and F[4, 4] == 0.0
    assert Q[0, 0] == pytest.approx(8.0 / 3.0) and Q[0, 2] == pytest.approx(2.0)


def test_polar_measurement_and_its_jacobian():
    x = np.array([3_000.0, 4_000.0, 0.0, 0.0, 0.0])
    z, H = measure(POLAR, x)
    assert z == pytest.approx([5_000.0, math.atan2(3_000.0, 4_000.0)])
    numeric = numerical_jacobian(lambda s: measure(POLAR, s)[0], x)
    assert pytest.approx(numeric, abs=1e-9) == H


def test_the_azimuth_innovation_wraps_across_north():
    d = innovation(
        POLAR, np.array([100.0, math.radians(1.0)]), np.array([90.0, math.radians(359.0)])
    )
    assert d == pytest.approx([10.0, math.radians(2.0)])


def test_an_update_with_an_exact_measurement_pulls_the_state_onto_it():
    x = np.array([0.0, 0.0, 0.0, 0.0, 0.0])
    P = np.diag([1e6, 1e6, 1.0, 1.0, 1e-4])
    z = np.array([30.0, -40.0])
    new, P_new, d2, log_like = ekf_update(CARTESIAN, x, P, z, np.eye(2) * 1e-6)
    assert new[:2] == pytest.approx(z, abs=1e-6)
    assert d2 == pytest.approx((30.0**2 + 40.0**2) / 1e6, rel=1e-6)
    assert log_like == pytest.approx(-0.5 * (d2 + math.log(1e12)) - math.log(2 * math.pi), rel=1e-6)
    assert np.allclose(P_new, P_new.T)
