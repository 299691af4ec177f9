"""The lookup's rules: longitude wrap, invalid points, and points exactly on a boundary."""

from __future__ import annotations

import numpy as np
import shapely

from airwitness.airspace.label_index import LabelIndex, reference_lookup
from airwitness.airspace.point_lookup import wrap_lon

from .helpers import label, on_boundary


def test_longitude_wrap_nan_and_poles():
    geoms = [
        shapely.box(-175, -10, -165, 10),
        shapely.box(165, -10, 175, 10),
        shapely.box(-180, -90, 180, -80),
    ]
    lon = [190.0, -190.0, 190.0 + 720, -170.0, np.nan, 0.0, 0.0, np.inf, 0.0, 0.0, 170.0]
    lat = [0.0, 0.0, 0.0, 0.0, 0.0, np.nan, -90.5, 0.0, -85.0, 90.0, 90.1]
    assert label(geoms, lon, lat) == [0, 1, 0, 0, -1, -1, -1, -1, 2, -1, -1]
    wrapped = wrap_lon(np.array([180.0, -180.0, 359.0, 10.1])).tolist()
    assert wrapped == [-180.0, -180.0, -1.0, 10.1]
    assert reference_lookup(geoms, np.array(lon), np.array(lat)).tolist() == [
        0,
        1,
        0,
        0,
        -1,
        -1,
        -1,
        -1,
        2,
        -1,
        -1,
    ]


def test_boundary_points_follow_the_north_then_east_rule():
    """On boundaries, lookup(p) is shapely's answer at p + (δ, ε), 0 < δ ≪ ε."""
    rng = np.random.default_rng(9)
    q = np.arange(-7, 7.01, 0.25)  # the polygons' vertices all lie on this lattice
    x, y = (a.ravel() for a in np.meshgrid(q, q))
    checked = 0
    for _ in range(30):
        boxes = []
        for _ in range(rng.integers(2, 6)):
            x0, y0 = rng.integers(-6, 6, 2) * 0.5
            w, h = rng.integers(1, 5, 2) * 0.5
            boxes.append(shapely.box(x0, y0, x0 + w, y0 + h))
        geoms = [shapely.union_all(boxes[:2]), shapely.union_all(boxes[2:])]
        edge = on_boundary(geoms, x, y)
        got = LabelIndex.build(geoms).lookup(x[edge], y[edge])
        want = reference_lookup(geoms, x[edge] + 1e-9, y[edge] + 1e-6)
        assert np.array_equal(got, want)
        checked += int(edge.sum())
    assert checked > 1000
