"""The boundary raster is a conservative filter: never False near a boundary."""

from __future__ import annotations

import numpy as np
import shapely

from airwitness.airspace.raster import BoundaryRaster


def test_marks_cells_along_a_line_and_keeps_far_segments_out():
    raster = BoundaryRaster.from_lines(np.array([shapely.LineString([(10.0, 45.0), (10.0, 46.0)])]))
    # A short segment crossing the line, one touching it, one 50 km away.
    near = raster.near(
        np.array([9.99, 10.0, 10.7]),
        np.array([45.5, 45.2, 45.5]),
        np.array([10.01, 10.01, 10.71]),
        np.array([45.5, 45.2, 45.5]),
    )
    assert near.tolist() == [True, True, False]


def test_long_or_wrapping_segments_are_always_tested():
    raster = BoundaryRaster.from_lines(np.array([shapely.LineString([(0.0, 0.0), (0.0, 1.0)])]))
    near = raster.near(
        np.array([50.0, 179.9]),
        np.array([10.0, 5.0]),
        np.array([52.0, -179.9]),
        np.array([10.0, 5.0]),
    )
    assert near.tolist() == [True, True]


def test_random_segments_near_random_lines_are_never_missed():
    rng = np.random.default_rng(3)
    lines = np.array(
        [shapely.LineString(rng.uniform([-20, -20], [20, 20], size=(5, 2))) for _ in range(20)]
    )
    raster = BoundaryRaster.from_lines(lines)
    lon0 = rng.uniform(-20, 20, 20000)
    lat0 = rng.uniform(-20, 20, 20000)
    lon1 = lon0 + rng.uniform(-0.05, 0.05, 20000)
    lat1 = lat0 + rng.uniform(-0.05, 0.05, 20000)
    segs = shapely.linestrings(np.stack([np.c_[lon0, lat0], np.c_[lon1, lat1]], axis=1))
    touches = shapely.intersects(segs[:, None], lines[None, :]).any(axis=1)
    near = raster.near(lon0, lat0, lon1, lat1)
    assert touches.sum() > 50
    assert not (touches & ~near).any()
