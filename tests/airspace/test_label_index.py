"""The label index gives exactly the answer of a plain shapely point-in-polygon."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from airwitness.airspace.boundaries import load_builtin
from airwitness.airspace.label_index import LabelIndex, reference_lookup

from .helpers import assert_matches_reference, label

# --------------------------------------------------------------------------- hand-built


def test_unit_square_inside_outside_and_boundary_rule():
    sq = [shapely.box(0, 0, 1, 1)]
    assert label(sq, [0.5, 1.5, -0.5, 0.5], [0.5, 0.5, 0.5, -1e-300]) == [0, -1, -1, -1]
    # Boundary points take the label of the point just north, then just east:
    # bottom and left edges are in, top and right edges are out.
    lon = [0.5, 0.5, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    lat = [0.0, 1.0, 0.5, 0.5, 0.0, 0.0, 1.0, 1.0]
    assert label(sq, lon, lat) == [0, -1, 0, -1, 0, -1, -1, -1]


def test_polygon_with_hole():
    ring = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (7, 3), (7, 7), (3, 7)]])
    lon = [1.0, 5.0, 8.0, 5.0, 5.0, 3.0, 7.0]
    lat = [1.0, 5.0, 8.0, 3.0, 7.0, 5.0, 5.0]
    # hole's bottom edge: north of it is the hole; its top edge: north is the polygon;
    # its left edge: east is the hole; its right edge: east is the polygon.
    assert label([ring], lon, lat) == [0, -1, 0, -1, 0, -1, 0]


def test_two_polygons_sharing_an_edge():
    west, east = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    north = shapely.box(0, 1, 1, 2)
    geoms = [west, east, north]
    lon = [0.5, 1.5, 1.0, 0.5, 1.0, 0.5]
    lat = [0.5, 0.5, 0.5, 1.0, 1.0, 1.5]
    assert label(geoms, lon, lat) == [0, 1, 1, 2, -1, 2]
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-0.5, 2.5, 20_000), rng.uniform(-0.5, 2.5, 20_000)
    assert_matches_reference(geoms, x, y)


def test_overlapping_polygons_lowest_index_wins():
    a, b = shapely.box(0, 0, 2, 2), shapely.box(1, 1, 3, 3)
    lon, lat = [0.5, 1.5, 2.5], [0.5, 1.5, 2.5]
    assert label([a, b], lon, lat) == [0, 0, 1]
    assert label([b, a], lon, lat) == [1, 0, 0]
    # a polygon fully inside another, listed first or second
    inner = shapely.box(0.5, 0.5, 0.6, 0.6)
    assert label([a, inner], [0.55], [0.55]) == [0]
    assert label([inner, a], [0.55], [0.55]) == [0]


def test_thin_sliver():
    # 1e-9° wide at its base, 5° long: far thinner than any cell.
    sliver = shapely.Polygon([(10.0, 20.0), (15.0, 23.0), (10.0, 20.000000001)])
    rng = np.random.default_rng(2)
    t = rng.uniform(0, 1, 20_000)
    s = rng.uniform(-1.5, 2.5, 20_000)
    x = 10.0 + 5.0 * t
    y = 20.0 + 3.0 * t + 1e-9 * (1 - t) * s  # about half inside, the rest just outside
    idx = assert_matches_reference([sliver], x, y)
    assert 0 < (idx.lookup(x, y) == 0).sum() < len(x)


def test_shapes_empty_input_and_bad_geometry():
    idx = LabelIndex.build([shapely.box(0, 0, 1, 1)])
    out = idx.lookup(np.full((2, 3), 0.5), np.full((2, 3), 0.5))
    assert out.shape == (2, 3) and out.dtype == np.int32 and (out == 0).all()
    assert LabelIndex.build([]).lookup(np.array([0.0]), np.array([0.0])).tolist() == [-1]
    empty = LabelIndex.build([shapely.Polygon(), shapely.box(0, 0, 1, 1)])
    assert empty.lookup(np.array([0.5]), np.array([0.5])).tolist() == [1]
    with pytest.raises(ValueError, match="Polygon or MultiPolygon"):
        LabelIndex.build([shapely.LineString([(0, 0), (1, 1)])])
    with pytest.raises(ValueError, match="shape"):
        idx.lookup(np.zeros(2), np.zeros(3))


def test_bytes_round_trip():
    geoms = [
        shapely.box(0, 0, 10, 10).difference(shapely.box(2, 2, 3, 3)),
        shapely.MultiPolygon([shapely.box(20, 20, 21, 21), shapely.box(30, 30, 31, 32)]),
    ]
    idx = LabelIndex.build(geoms)
    again = LabelIndex.from_bytes(idx.to_bytes())
    rng = np.random.default_rng(6)
    x, y = rng.uniform(-1, 35, 50_000), rng.uniform(-1, 35, 50_000)
    assert np.array_equal(idx.lookup(x, y), again.lookup(x, y))
    for k, v in idx.arrays.items():
        assert np.array_equal(v, again.arrays[k]) and v.dtype == again.arrays[k].dtype, k
    assert again.meta == {k: idx.meta[k] for k in ("n_geoms", "nx", "ny", "x0", "y0", "w")}
    # From a writable buffer, the arrays are its views (writable: the compiled
    # kernels take one array type); from bytes, copies.
    buffer = bytearray(idx.to_bytes())
    shared = LabelIndex.from_bytes(buffer)
    assert all(a.flags.writeable and np.shares_memory(a, buffer) for a in shared.arrays.values())
    assert all(a.flags.writeable for a in again.arrays.values())
    assert np.array_equal(idx.lookup(x, y), shared.lookup(x, y))
    with pytest.raises(ValueError, match="not a LabelIndex"):
        LabelIndex.from_bytes(b"PK\x03\x04" + bytes(60))


# --------------------------------------------------------------------------- properties


def star(rng: np.random.Generator, cx: float, cy: float, r: float, n: int) -> np.ndarray:
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = r * rng.uniform(0.3, 1.0, n)
    return np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])


@st.composite
def polygon_sets(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_polys = draw(st.integers(1, 6))
    geoms = []
    for _ in range(n_polys):
        cx = draw(st.floats(-179.0, 179.0))
        cy = draw(st.floats(-89.0, 89.0))
        r = draw(st.sampled_from([1e-6, 0.01, 0.3, 1.0, 4.0]))
        n = draw(st.integers(3, 60))
        outer = star(rng, cx, cy, r, n)
        holes = [star(rng, cx, cy, 0.25 * r, 7)] if draw(st.booleans()) else []
        g = shapely.Polygon(outer, holes)
        if draw(st.booleans()):  # a second part far away: MultiPolygon
            g = shapely.MultiPolygon([g, shapely.Polygon(star(rng, -cx, -cy, r, n))])
        geoms.append(shapely.make_valid(g) if not g.is_valid else g)
    geoms = [g for g in geoms if g.geom_type in ("Polygon", "MultiPolygon")]
    return seed, geoms


@settings(max_examples=60, deadline=None)
@given(polygon_sets(), st.lists(st.tuples(st.floats(-200, 200), st.floats(-91, 91)), max_size=20))
def test_lookup_equals_reference_on_random_polygons(case, extra):
    seed, geoms = case
    rng = np.random.default_rng(seed)
    xs, ys = [np.array([p[0] for p in extra])], [np.array([p[1] for p in extra])]
    for g in geoms:
        x0, y0, x1, y1 = shapely.bounds(g)
        pad = 0.1 * max(x1 - x0, y1 - y0)
        xs.append(rng.uniform(x0 - pad, x1 + pad, 3000))
        ys.append(rng.uniform(y0 - pad, y1 + pad, 3000))
        c = shapely.get_coordinates(g)  # right next to the vertices
        j = rng.normal(0, 1e-9 * max(x1 - x0, 1e-6), c.shape)
        xs.append(c[:, 0] + j[:, 0])
        ys.append(c[:, 1] + j[:, 1])
        # on a vertex's parallel or meridian (the degenerate cases of a ray test)
        xs.append(np.concatenate([rng.uniform(x0 - pad, x1 + pad, len(c)), c[:, 0]]))
        ys.append(np.concatenate([c[:, 1], rng.uniform(y0 - pad, y1 + pad, len(c))]))
    assert_matches_reference(geoms, np.concatenate(xs), np.concatenate(ys))


# --------------------------------------------------------------------------- real data


@pytest.mark.parametrize("name", ["osm", "ne10m"])
def test_builtin_sets_worldwide(name):
    geoms = list(load_builtin(name).geoms)
    rng = np.random.default_rng(2024)
    n = 200_000
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))  # uniform on the sphere
    lon = rng.uniform(-180, 180, n)
    # plus 50,000 points within ~1 m to 1 km of a boundary vertex
    c = np.concatenate([shapely.get_coordinates(g) for g in geoms])
    pick = c[rng.integers(0, len(c), 50_000)]
    jitter = rng.normal(0, 1, (50_000, 2)) * 10.0 ** rng.uniform(-5, -2, (50_000, 1))
    lon = np.concatenate([lon, pick[:, 0] + jitter[:, 0]])
    lat = np.concatenate([lat, np.clip(pick[:, 1] + jitter[:, 1], -90, 90)])
    idx = LabelIndex.build(geoms)
    got = idx.lookup(lon, lat)
    want = reference_lookup(geoms, lon, lat)
    assert np.array_equal(got, want), f"{int((got != want).sum())} points differ"
    assert (want >= 0).sum() > n // 4  # land and territorial sea were hit


def test_reference_is_first_containing_geometry():
    rng = np.random.default_rng(8)
    geoms = [
        shapely.Polygon(star(rng, rng.uniform(-5, 5), rng.uniform(-5, 5), 4.0, 20))
        for _ in range(8)
    ]
    x, y = rng.uniform(-10, 10, 5000), rng.uniform(-10, 10, 5000)
    inside = np.array([shapely.contains_xy(g, x, y) for g in geoms])
    naive = np.where(inside.any(axis=0), inside.argmax(axis=0), -1)
    assert np.array_equal(reference_lookup(geoms, x, y), naive)
