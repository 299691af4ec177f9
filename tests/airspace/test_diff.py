"""Where two boundary sets disagree: exact on hand-built sets, and the figures of issue 15."""

from __future__ import annotations

import pytest
import shapely

from airwitness.airspace import Airspace, BoundarySet
from airwitness.airspace.diff import border_diff, code_areas, diff_sets

M = 1 / 111_195.0  # metres to degrees along a meridian (sphere of radius 6,371,008.8 m)


def two_countries(shift_m: float) -> Airspace:
    """AAA west of BBB, their border the meridian 10°E shifted east by ``shift_m`` (at the
    equator, where a degree of longitude and of latitude are alike)."""
    x = 10 + shift_m * M
    geoms = (shapely.box(9, -0.5, x, 0.5), shapely.box(x, -0.5, 11, 0.5))
    return Airspace(BoundarySet(("AAA", "BBB"), ("land", "land"), geoms, {"name": f"s{shift_m}"}))


def test_a_border_moved_by_300_m():
    result = diff_sets(two_countries(0), two_countries(300))
    (border,) = result.borders
    assert border.codes == ("AAA", "BBB")
    assert border.length_a_km == pytest.approx(110.57, rel=1e-3)  # one degree of latitude
    assert border.points == 553  # every 200 m
    for value in (border.median_m, border.p90_m, border.max_m):
        assert value == pytest.approx(300, rel=2e-3)
    areas = {d.code: (d.only_a_km2, d.only_b_km2) for d in result.areas}
    strip = 0.3 * 110.57
    assert areas["AAA"] == pytest.approx((0.0, strip), rel=2e-3)
    assert areas["BBB"] == pytest.approx((strip, 0.0), rel=2e-3)
    assert [(code, a, b) for code, a, b, _ in result.pieces] == [
        ("AAA", "BBB", "AAA"),  # in AAA in B, labelled BBB in A
        ("BBB", "BBB", "AAA"),
    ]


def test_the_same_set_does_not_differ():
    result = diff_sets(two_countries(0), two_countries(0))
    assert [b.max_m for b in result.borders] == [pytest.approx(0.0, abs=1e-9)]
    assert result.areas == [] and result.pieces == []


@pytest.fixture(scope="module")
def lands():
    """The land of each code in ne10m (its borders are Natural Earth's), all of it in osm."""
    return (
        code_areas(Airspace.builtin("ne10m"), land=True),
        code_areas(Airspace.builtin("osm"), land=True),
    )


@pytest.mark.parametrize(
    ("pair", "median", "p90", "maximum"),
    [
        # issue 15's measurements of Natural Earth's border against OpenStreetMap's
        (("AZE", "IRN"), 1245, 2257, 3468),
        (("IRN", "TUR"), 1292, None, 3252),
        (("IRN", "IRQ"), 1326, None, 4646),
        (("CHE", "DEU"), 593, None, 1806),
    ],
)
def test_ne10m_against_osm_reproduces_the_measured_figures(lands, pair, median, p90, maximum):
    ne, osm = lands
    x, y = pair
    _, _, _, got_median, got_p90, got_max = border_diff(ne[x], ne[y], osm[x], osm[y])
    assert got_median == pytest.approx(median, rel=0.03)
    assert got_max == pytest.approx(maximum, rel=0.035)
    if p90 is not None:
        assert got_p90 == pytest.approx(p90, rel=0.03)
