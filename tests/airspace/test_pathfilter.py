"""pathfilter.may_meet_boundary: exact where it matters, never misses a boundary."""

from __future__ import annotations

import numpy as np
import shapely

from airwitness.airspace import Airspace
from airwitness.airspace.label_index import LabelIndex
from airwitness.airspace.pathfilter import STRAIGHT_DEG, may_meet_boundary
from airwitness.airspace.point_lookup import CELL_MARGIN_DEG
from airwitness.crossings import PIECE_M
from airwitness.geodesy import EARTH_RADIUS_M


def _pairs(index: LabelIndex, ends: list[tuple[tuple[float, float], tuple[float, float]]]):
    lon = np.array([c for a, b in ends for c in (a[0], b[0])])
    lat = np.array([c for a, b in ends for c in (a[1], b[1])])
    i0 = np.arange(0, len(lon), 2)
    walked = may_meet_boundary(index, lon, lat, i0, i0 + 1)
    _, cell = index.lookup_cells(lon, lat)
    assert np.array_equal(may_meet_boundary(index, lon, lat, i0, i0 + 1, cell), walked)
    return walked.tolist()


def test_hand_cases_around_a_square():
    index = LabelIndex.build([shapely.box(10.0, 10.0, 10.02, 10.02)])
    assert _pairs(
        index,
        [
            ((10.005, 10.005), (10.015, 10.015)),  # inside, far from the edges
            ((9.99, 10.01), (10.01, 10.01)),  # crosses the west edge
            ((9.99, 9.99), (9.999, 9.999)),  # outside, clear of it
            ((9.99, 10.01), (10.0, 10.01)),  # ends exactly on the edge
            ((9.99, 10.03), (10.03, 9.99)),  # a diagonal across the square
            ((10.01, 10.03), (10.03, 10.01)),  # clips the north-east corner
            ((10.0, 10.0), (10.0, 10.0)),  # a pair at one point, on the corner
            ((10.021, 10.021), (10.03, 10.03)),  # outside, close to the corner
            ((9.0, 10.01), (9.9, 10.01)),  # far apart: always kept
            ((179.95, 0.0), (179.96, 0.0)),  # near ±180: always kept
        ],
    ) == [False, True, False, True, True, True, True, False, True, True]


def test_straight_limit_is_shorter_than_one_chord():
    # |Δlat|, |Δlon| <= STRAIGHT_DEG bounds a great-circle arc by R·(Δφ + Δλ).
    assert EARTH_RADIUS_M * np.radians(2 * STRAIGHT_DEG) < PIECE_M


def test_equals_shapely_intersects_on_pairs_near_real_borders():
    sky = Airspace.builtin()
    # The reference: every polygon ring, cut into its single edges, in an STRtree.
    rings = shapely.get_rings(shapely.get_parts(np.asarray(sky.boundaries.geoms)))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    chunks = shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
    tree = shapely.STRtree(chunks)
    rng = np.random.default_rng(7)
    # Pairs of random length (up to 0.03°) centred near boundary vertices.
    coords = shapely.get_coordinates(chunks)
    coords = coords[(np.abs(coords[:, 0]) < 179.0) & (np.abs(coords[:, 1]) < 89.0)]
    centre = coords[rng.integers(0, len(coords), 40_000)] + rng.normal(0, 0.01, (40_000, 2))
    half = rng.uniform(-0.015, 0.015, (40_000, 2))
    a, b = centre - half, centre + half
    lon = np.column_stack([a[:, 0], b[:, 0]]).ravel()
    lat = np.column_stack([a[:, 1], b[:, 1]]).ravel()
    i0 = np.arange(0, len(lon), 2)
    got = may_meet_boundary(sky.index, lon, lat, i0, i0 + 1)
    _, cell = sky.index.lookup_cells(lon, lat)
    assert np.array_equal(may_meet_boundary(sky.index, lon, lat, i0, i0 + 1, cell), got)

    lines = shapely.linestrings(np.stack([a, b], axis=1))
    hit = np.zeros(len(lines), dtype=bool)
    hit[np.unique(tree.query(lines, predicate="intersects")[0])] = True
    assert 0.2 < hit.mean() < 0.8  # both kinds are well represented
    assert got[hit].all()  # never misses a border
    # Away from the slack (1e-9°) the filter is exact: it keeps only pairs
    # that meet a border.
    near = np.zeros(len(lines), dtype=bool)
    near[np.unique(tree.query(lines, predicate="dwithin", distance=1e-7)[0])] = True
    clear = near == hit
    assert (~clear).sum() <= 2
    assert (got[clear] == hit[clear]).all()


def test_clear_cells_settle_most_paths_and_agree_with_the_walk():
    """Random short paths over Europe and the Caucasus: the clear-cell shortcut
    settles most of them, and every answer equals the grid walk's."""
    sky = Airspace.builtin()
    rng = np.random.default_rng(8)
    n = 60_000
    a = np.column_stack([rng.uniform(-10, 50, n), rng.uniform(35, 60, n)])
    b = a + rng.uniform(-0.02, 0.02, (n, 2)) * rng.choice([1e-6, 1e-3, 1.0], (n, 1))
    lon = np.column_stack([a[:, 0], b[:, 0]]).ravel()
    lat = np.column_stack([a[:, 1], b[:, 1]]).ravel()
    i0 = np.arange(0, len(lon), 2)
    label, cell = sky.index.lookup_cells(lon, lat)
    assert np.array_equal(label, sky.index.lookup(lon, lat))
    straight = (np.abs(b - a) <= STRAIGHT_DEG).all(axis=1)
    settled = (cell[i0] >= 0) & (cell[i0] == cell[i0 + 1]) & straight
    assert 0.5 < settled.mean() < 0.99
    walked = may_meet_boundary(sky.index, lon, lat, i0, i0 + 1)
    assert not walked[settled].any()
    assert np.array_equal(may_meet_boundary(sky.index, lon, lat, i0, i0 + 1, cell), walked)


def test_clear_cell_of_a_point():
    """One pure cell holds both far corners of a square's neighbourhood; a point
    in a cell an edge touches, or within the margin of a cell's side, has none."""
    index = LabelIndex.build([shapely.box(10.0, 10.0, 10.02, 10.02)])
    x0, y0, w = index.meta["x0"], index.meta["y0"], index.meta["w"]
    west = x0 + np.floor((30.3 - x0) / w) * w  # a pure coarse cell far from the square
    south = y0 + np.floor((40.3 - y0) / w) * w
    lon = np.array([west + 0.2, west + 0.7, west + CELL_MARGIN_DEG / 2, 10.01, 30.3 + 5])
    lat = np.array([south + 0.3, south + 0.6, south + 0.5, 10.01, 40.3])
    label, cell = index.lookup_cells(lon, lat)
    assert label.tolist() == [-1, -1, -1, 0, -1]
    assert cell[0] == cell[1] >= 0  # one clear coarse cell
    assert cell[2] == -1  # within the margin of the cell's west side
    assert cell[3] == -1  # its fine cell holds the square's edges
    assert cell[4] >= 0 and cell[4] != cell[0]
    assert index.lookup_cells(np.zeros(0), np.zeros(0))[1].shape == (0,)


def test_through_side_of_two_boxes():
    """A path settled by the neighbour rule goes from box A into box B through
    the part of a side they share, away from its ends."""
    from airwitness.airspace.pathfilter import _through_side

    unit, east, below_half, north = (
        (0.0, 0.0, 1.0),
        (1.0, 0.0, 1.0),
        (1.0, 0.0, 0.5),
        (0.0, 1.0, 1.0),
    )
    assert _through_side(0.9, 0.5, 1.1, 0.6, *unit, *east)
    assert _through_side(1.1, 0.6, 0.9, 0.5, *east, *unit)  # either way along
    assert _through_side(0.5, 0.9, 0.6, 1.1, *unit, *north)
    assert not _through_side(0.95, 0.95, 1.05, 1.05, *unit, *east)  # through the corner
    assert _through_side(0.9, 0.3, 1.1, 0.2, *unit, *below_half)  # a smaller neighbour
    assert not _through_side(0.9, 0.8, 1.1, 0.4, *unit, *below_half)  # beside its side
    assert not _through_side(0.5, 0.5, 2.5, 0.5, *unit, *(2.0, 0.0, 1.0))  # not neighbours


def test_paths_into_a_neighbouring_clear_cell():
    """Two points in neighbouring clear cells, far from any edge: set aside, as
    the walk of the grid sets them aside."""
    index = LabelIndex.build([shapely.box(10.0, 10.0, 10.02, 10.02)])
    x0, y0, w = index.meta["x0"], index.meta["y0"], index.meta["w"]
    west = x0 + np.floor((30.3 - x0) / w) * w
    south = y0 + np.floor((40.3 - y0) / w) * w
    lon = np.array([west + w - 0.01, west + w + 0.01, west + 0.5, west + 0.51])
    lat = np.array([south + 0.5, south + 0.51, south + w - 0.01, south + w + 0.01])
    _, cell = index.lookup_cells(lon, lat)
    assert (cell >= 0).all() and cell[0] != cell[1] and cell[2] != cell[3]
    i0 = np.array([0, 2])
    assert may_meet_boundary(index, lon, lat, i0, i0 + 1, cell).tolist() == [False, False]
    assert may_meet_boundary(index, lon, lat, i0, i0 + 1).tolist() == [False, False]
