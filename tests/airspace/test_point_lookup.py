"""The lookup's rules: longitude wrap, invalid points, and points exactly on a boundary."""

from __future__ import annotations

import numpy as np
import shapely

from airwitness.airspace import Airspace
from airwitness.airspace.label_index import LabelIndex, reference_lookup
from airwitness.airspace.point_lookup import CELL_MARGIN_DEG, wrap_lon

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


def _same_as_the_walk(index: LabelIndex, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    plain = index.lookup_cells(lon, lat)
    fast = index.lookup_cells(lon, lat, along_tracks=True)
    assert np.array_equal(fast[0], plain[0])
    assert np.array_equal(fast[1], plain[1])
    assert np.array_equal(fast[0], index.lookup(lon, lat))
    return plain[1]


def test_along_tracks_gives_the_walks_answers():
    """Points in track order take the shortcuts of ``along_tracks`` (the last clear
    cell, the fine cell of the point before): labels and clear cells must be
    exactly the plain walk's, on real borders, for scattered points and invalid
    ones."""
    sky = Airspace.builtin()
    rng = np.random.default_rng(19)
    tracks = []
    for _ in range(400):  # short hops across Europe's borders, some tiny
        start = rng.uniform([-10, 35], [50, 60])
        hops = rng.normal(0, rng.choice([1e-4, 0.01, 0.05]), (rng.integers(5, 200), 2))
        tracks.append(start + np.cumsum(hops, axis=0))
    tracks.append(np.array([[np.nan, 40.0], [30.4, 90.5], [30.4, 40.4], [390.4, 40.4]]))
    tracks.append(rng.uniform([-180, -90], [180, 90], (5_000, 2)))  # scattered
    lon, lat = np.concatenate(tracks).T
    cell = _same_as_the_walk(sky.index, lon, lat)
    assert (cell >= 0).mean() > 0.5  # the shortcuts had work to do
    assert np.array_equal(sky.label_ids_and_cells(lon, lat, along_tracks=True)[1], cell)


def test_along_tracks_at_the_sides_of_clear_cells():
    """Points stepping across the sides of pure coarse and fine cells, onto them
    and within the margin of them: no point takes the last clear cell's answer
    unless it lies well inside it."""
    index = LabelIndex.build([shapely.box(10.0, 10.0, 10.02, 10.02)])
    x0, y0, w = index.meta["x0"], index.meta["y0"], index.meta["w"]
    m = CELL_MARGIN_DEG
    steps = np.array([-3, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 3]) * m
    west = x0 + np.floor((30.3 - x0) / w) * w  # pure coarse cells either side
    south = y0 + np.floor((40.3 - y0) / w) * w
    ci, cj = int((10.0 - x0) // w), int((10.0 - y0) // w)  # the square's coarse cell
    f = 1 << int(
        index.arrays["sub"][3 * (-2 - index.arrays["coarse"][cj * index.meta["nx"] + ci]) + 1]
    )
    step = w / f  # its fine cells: the one east of the square's is pure
    f_west = x0 + ci * w + (np.floor((10.02 - x0 - ci * w) / step) + 1) * step
    f_south = y0 + cj * w + np.floor((10.0 - y0 - cj * w) / step) * step
    assert (
        index.lookup_cells(np.array([f_west + step / 2]), np.array([f_south + step / 2]))[1][0]
        >= index.meta["nx"] * index.meta["ny"]
    )
    lon, lat = [], []
    for x, y, inside in ((west, south, 0.3), (f_west, f_south, step / 3)):
        for d in np.concatenate([steps, steps[::-1], -steps]):
            lon += [x + d, x + inside, x + d]  # onto the west side, well inside, back
            lat += [y + inside, y + inside, y + inside]
            lon += [x + inside, x + inside]  # and onto the south side
            lat += [y + d, y + d]
    cell = _same_as_the_walk(index, np.array(lon), np.array(lat))
    assert (cell == -1).sum() > 10 and (cell >= 0).sum() > 10
