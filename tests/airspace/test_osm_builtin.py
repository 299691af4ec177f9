"""The shipped `osm` set: metre-scale borders, dependencies, disputes, what OSM leaves empty."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from airwitness.airspace import Airspace
from airwitness.airspace.boundaries import load_builtin

ONE_M_LAT = 1 / 110_574.0  # degrees of latitude in a metre, near 40°


@pytest.fixture(scope="module")
def sky() -> Airspace:
    return Airspace.builtin("osm")


def codes(sky: Airspace, lon, lat) -> list[str]:
    return sky.label(lon, lat).to_pylist()


# Vertices of the border as OpenStreetMap maps it (the source's 1e-7° coordinates), with
# the neighbouring vertices that give the border's direction there; a point one metre
# to each side, perpendicular to the border, must fall in the country on that side.
BORDER_VERTICES = [
    # (code on the left of the direction, code on the right, before, vertex, after)
    ("IRN", "AZE", (47.3555378, 39.4185647), (47.3537642, 39.4180874), (47.3499931, 39.4126685)),
    ("IRN", "TUR", (44.0377009, 39.3612643), (44.0408185, 39.3599883), (44.0435999, 39.3586378)),
    ("DEU", "CHE", (8.6951098, 47.7557212), (8.6959194, 47.7568238), (8.6967511, 47.7565370)),
]


@pytest.mark.parametrize(("left", "right", "before", "vertex", "after"), BORDER_VERTICES)
@pytest.mark.parametrize("metres", [1.0, 5.0])
def test_either_side_of_a_border_vertex(sky, left, right, before, vertex, after, metres):
    p0, p1, p2 = (np.array(p) for p in (before, vertex, after))
    per_m = np.array([1 / (111_320 * np.cos(np.radians(p1[1]))), 1 / 110_574.0])
    d = (p2 - p0) / per_m
    normal = np.array([-d[1], d[0]]) / np.hypot(*d)  # to the left of the direction
    a = p1 + normal * metres * per_m
    b = p1 - normal * metres * per_m
    assert codes(sky, [a[0], b[0]], [a[1], b[1]]) == [left, right]


def test_named_places(sky):
    places = {
        "Simferopol, Crimea": ((34.1024, 44.9521), "RUS+UKR"),
        "Longyearbyen, Svalbard": ((15.6356, 78.2232), "SJM"),
        "Hong Kong": ((114.1694, 22.3193), "HKG"),
        "Laayoune, Western Sahara": ((-13.2033, 27.1536), "ESH+MAR"),
        "Bir Tawil (claimed by no state)": ((33.75, 21.87), "INTL"),
        "the middle of the Caspian": ((50.5, 42.0), "INTL"),
        "Baku": ((49.8671, 40.4093), "AZE"),
        "Tabriz": ((46.2919, 38.0800), "IRN"),
    }
    got = codes(sky, [p[0][0] for p in places.values()], [p[0][1] for p in places.values()])
    assert dict(zip(places, got, strict=True)) == {k: v[1] for k, v in places.items()}


def test_relations_recorded(sky):
    assert sky.sovereign("SJM") == "NOR" and sky.sovereign("HKG") == "CHN"
    assert sky.sovereign("NOR") is None
    assert sky.claimants("RUS+UKR") == ("RUS", "UKR")
    assert sky.claimants("ESH+MAR") == ("ESH", "MAR")
    assert sky.claimants("UKR") == ()
    assert sky.codes_matching("UKR") == ("UKR",)
    assert sky.codes_matching("UKR", include_disputed=True) == ("RUS+UKR", "UKR")
    assert sky.codes_matching("RUS", include_disputed=True) == ("EST+RUS", "RUS", "RUS+UKR")


def test_no_two_codes_overlap_by_more_than_the_grid(sky):
    """The build cut every overlap; snapping to 1e-7° leaves sub-centimetre contact only."""
    from airwitness.airspace.builder.osm_set import residual_overlaps

    geoms = dict(zip(sky.boundaries.codes, sky.boundaries.geoms, strict=True))
    box = shapely.box(25, 20, 65, 50)
    near = {c: g for c, g in geoms.items() if shapely.intersects(g, box)}
    count, widest = residual_overlaps(near)
    assert count > 0 and widest < 0.02  # metres


def test_label_equals_plain_containment_on_a_million_points(sky):
    """1,000,000 uniform points over the border-dense box 25–65 E, 20–50 N, labelled by
    the index and by shapely ``contains_xy`` against each code's polygon."""
    rng = np.random.default_rng(15)
    n = 1_000_000
    lon = rng.uniform(25, 65, n)
    lat = rng.uniform(20, 50, n)
    got = np.asarray(sky.label_ids(lon, lat))
    want = np.full(n, -1, dtype=np.int64)
    box = shapely.box(25, 20, 65, 50)
    for code, geom in zip(sky.boundaries.codes, sky.boundaries.geoms, strict=True):
        if not shapely.intersects(geom, box):
            continue
        shapely.prepare(geom)
        x0, y0, x1, y1 = geom.bounds
        cand = np.flatnonzero((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1) & (want < 0))
        inside = cand[shapely.contains_xy(geom, lon[cand], lat[cand])]
        want[inside] = sky.code_names.index(code)
    assert int((got != want).sum()) == 0
    assert len(np.unique(want)) == 34  # 33 codes and INTL were hit


def test_the_set_file_is_what_the_provenance_says():
    bset = load_builtin("osm")
    p = bset.provenance
    assert p["source_package"] == "npm @osm_borders/maritime_10m 1.1.0"
    assert p["source_integrity"].startswith("sha512-Mln0gqbYzjqNX7iG")
    assert p["licence"] == "ODbL-1.0"
    assert p["rules"]["sliver_width_m"] == 50.0 and p["rules"]["nested_share"] == 0.99
    assert p["found"]["nested"] == 30 and p["codes"] == len(set(bset.codes)) == 289
    assert len(p["joint_codes"]) == 40


# Where the build closed a sliver (an overlap of the two countries' separate outlines)
# or a gap between them, from docs/airspace-osm.md ("widest at"): the point itself is
# in the code it was given, and a flight straight across it, 300 m each way at the
# bearing given, crosses the border once, never through a joint code or INTL.
CLOSED = [
    # (what, point, given to, other side, bearing in degrees from east)
    ("sliver", (45.8538845, 38.9072352), "AZE", "IRN", 60),
    ("sliver", (22.5935913, 49.0947896), "POL", "UKR", 75),
    ("gap", (23.9836333, 50.8275005), "POL", "UKR", 150),
]


@pytest.mark.parametrize(("what", "point", "given", "other", "bearing"), CLOSED)
def test_a_flight_across_a_closed_sliver_or_gap_crosses_once(
    sky, what, point, given, other, bearing
):
    import pyarrow as pa

    from airwitness.crossings import find_crossings
    from airwitness.schema import make_table
    from airwitness.tracks import prepare_tracks

    x, y = point
    assert codes(sky, [x], [y]) == [given]
    per_m = np.array([1 / (111_320 * np.cos(np.radians(y))), 1 / 110_574.0])
    step = np.array([np.cos(np.radians(bearing)), np.sin(np.radians(bearing))]) * per_m
    s = np.array([-300.0, -100.0, 0.0, 100.0, 300.0])
    lon, lat = x + s * step[0], y + s * step[1]
    table = make_table(
        {
            "track_id": ["T"] * 5,
            "time": pa.array(np.arange(5) * 10**10, pa.int64()),
            "lon": lon,
            "lat": lat,
            "source_record": list(range(1, 6)),
        },
        source="csv",
        source_file="t.csv",
    )
    found = find_crossings(prepare_tracks(table).table, sky)
    assert found.num_rows == 1
    assert {found["from"][0].as_py(), found["to"][0].as_py()} == {given, other}
