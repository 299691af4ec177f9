"""The orientation predicate is exact: the sign of the determinant in rational arithmetic."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from airwitness.airspace import predicates


@pytest.mark.parametrize("scale", [1.0, 1e-8, 1e-14])
def test_orientation_is_exact(scale):
    rng = np.random.default_rng(7)
    for _ in range(300):
        ax, ay, bx, by = rng.uniform(-180, 180, 4)
        t = rng.uniform(-0.5, 1.5)
        # a point within a few ulps of the line through a and b
        cx = ax + t * (bx - ax) + rng.normal(0, scale) * (rng.random() < 0.8)
        cy = ay + t * (by - ay)
        f = [Fraction(v) for v in (ax, ay, bx, by, cx, cy)]
        det = (f[2] - f[0]) * (f[5] - f[1]) - (f[3] - f[1]) * (f[4] - f[0])
        want = (det > 0) - (det < 0)
        assert predicates.orient(ax, ay, bx, by, cx, cy) == want
        assert predicates._orient_exact(ax, ay, bx, by, cx, cy) == want
