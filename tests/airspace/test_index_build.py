"""The grid is placed off every vertex and edge, and cells next to grid lines stay exact."""

from __future__ import annotations

import numpy as np
import shapely

from airwitness.airspace import index_build
from airwitness.airspace.label_index import LabelIndex

from .helpers import assert_matches_reference


def test_points_on_grid_lines_and_near_cell_corners():
    geoms = [
        shapely.Polygon([(0.1, 0.2), (3.3, 0.15), (2.9, 2.7), (0.4, 2.2)]),
        shapely.box(1.0, 1.0, 2.0, 2.0),
    ]
    idx = LabelIndex.build(geoms)
    x0, y0, w = idx.meta["x0"], idx.meta["y0"], idx.meta["w"]
    step = w / index_build.FINE_MAX
    gx = x0 + np.arange(int((0 - x0) / step), int((4 - x0) / step)) * step  # lattice lines
    gy = y0 + np.arange(int((0 - y0) / step), int((3 - y0) / step)) * step
    X, Y = np.meshgrid(gx, gy)  # every fine-cell corner
    rng = np.random.default_rng(3)
    x = np.concatenate([X.ravel(), np.repeat(gx, 20), rng.uniform(0, 4, len(gy) * 20)])
    y = np.concatenate([Y.ravel(), rng.uniform(0, 3, len(gx) * 20), np.repeat(gy, 20)])
    # and points a few ulps around each corner
    for d in (1e-15, 1e-12, 1e-10):
        x = np.concatenate([x, X.ravel() + d, X.ravel() - d, X.ravel()])
        y = np.concatenate([y, Y.ravel() - d, Y.ravel() + d, Y.ravel() - d])
    assert_matches_reference(geoms, x, y)


def test_edge_passing_near_and_exactly_through_a_grid_corner():
    vx = np.array([0.0])
    x0, y0 = index_build._grid_origin(vx, vx, 0)
    cx, cy = x0 + 201.0, y0 + 111.0  # a coarse-cell corner (lon ~21, lat ~21)
    d = np.ldexp(np.round(np.ldexp(np.array([0.3, 0.7]), 40)), -40)  # exact offsets
    exact = shapely.Polygon([(cx - d[0], cy - d[1]), (cx + d[0], cy + d[1]), (cx - 1.3, cy + 0.9)])
    near = shapely.Polygon(
        [(cx - d[0], cy - d[1] + 1e-13), (cx + d[0], cy + d[1]), (cx + 1.3, cy - 0.9)]
    )
    rng = np.random.default_rng(4)
    for geoms in ([exact], [near], [exact, near]):
        x = np.concatenate([cx + rng.normal(0, 1e-11, 5000), cx + rng.uniform(-1, 1, 20000)])
        y = np.concatenate([cy + rng.normal(0, 1e-11, 5000), cy + rng.uniform(-1, 1, 20000)])
        assert_matches_reference(geoms, x, y)
    # the edge through the corner made the build move the grid
    assert LabelIndex.build([exact]).meta["x0"] != x0


def test_vertex_on_grid_line_moves_the_grid():
    vx = np.array([0.0])
    x0, _ = index_build._grid_origin(vx, vx, 0)
    lattice_x = x0 + 185.0 + 0.25  # lon ~5, on a lattice line of the first grid
    poly = shapely.Polygon([(lattice_x, 1.1), (7.3, 1.2), (6.1, 3.4)])
    idx = LabelIndex.build([poly])
    assert idx.meta["x0"] != x0
    rng = np.random.default_rng(5)
    x, y = rng.uniform(4.5, 7.5, 20_000), rng.uniform(1, 3.5, 20_000)
    x[:100] = lattice_x
    assert_matches_reference([poly], x, y)
