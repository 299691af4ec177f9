"""The rules that turn overlapping country features into one set: hand-built cases.

Near the equator 1e-5° is 1.11 m, so the widths below are exact enough to sit
clearly on one side of the 50 m rule.
"""

from __future__ import annotations

import json

import pytest
import shapely

from airwitness.airspace.builder import osm_set

M = 1e-5 / 1.113195  # one metre in degrees at the equator (WGS-84 sphere radius)


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Geometry:
    return osm_set._on_grid(shapely.box(x0, y0, x1, y1))


def kinds(result: osm_set.ResolvedSet) -> list[tuple[str, tuple[str, ...], str]]:
    return [(f.kind, f.codes, f.result) for f in result.findings if f.kind != "unassigned"]


def test_a_narrow_overlap_goes_to_the_code_sorting_first():
    # AAA and BBB share the meridian 1°E, but BBB reaches 20 m into AAA.
    a = box(0, 0, 1, 1)
    b = box(1 - 20 * M, 0, 2, 1)
    result = osm_set.resolve({"AAA": a, "BBB": b})
    assert kinds(result) == [("sliver", ("AAA", "BBB"), "AAA")]
    t = result.territories
    assert t["AAA"].equals(a)
    assert shapely.intersection(t["AAA"], t["BBB"]).area == 0
    assert t["BBB"].bounds[0] == pytest.approx(1.0, abs=1e-9)  # the border follows AAA's outline
    assert result.findings[0].width_m == pytest.approx(20.0, abs=0.6)


def test_a_wide_overlap_is_a_joint_code_cut_out_of_both():
    a = box(0, 0, 1, 1)
    b = box(0.99, 0, 2, 1)  # 1.1 km of common ground
    result = osm_set.resolve({"UKR": a, "RUS": b})
    assert result.claimants == {"RUS+UKR": ("RUS", "UKR")}
    assert kinds(result) == [("disputed", ("RUS", "UKR"), "RUS+UKR")]
    t = result.territories
    assert set(t) == {"RUS", "UKR", "RUS+UKR"}
    assert t["RUS+UKR"].equals(box(0.99, 0, 1, 1))
    assert t["UKR"].equals(box(0, 0, 0.99, 1)) and t["RUS"].equals(box(1, 0, 2, 1))


def test_a_feature_inside_another_keeps_its_code_and_names_its_sovereign():
    big = box(0, 0, 10, 10)
    small = box(4, 4, 5, 5)
    result = osm_set.resolve({"NOR": big, "SJM": small})
    assert result.sovereign == {"SJM": "NOR"}
    assert kinds(result) == [("nested", ("SJM", "NOR"), "SJM")]
    assert result.territories["SJM"].equals(small)
    assert result.territories["NOR"].area == pytest.approx(99.0)
    assert not shapely.contains_xy(result.territories["NOR"], 4.5, 4.5)


def test_a_narrow_gap_is_closed_and_a_wide_one_is_left():
    # A ring of four countries with a 30 m hole between them, and one 200 m hole.
    gap = 30 * M
    parts = {
        "AAA": box(0, 0, 1, 1),
        "BBB": box(1 + gap, 0, 2, 1),
        "CCC": box(0, 1, 2, 2),
        "DDD": box(0, -1, 2, 0),
        "EEE": box(2, -1, 3, 2),
    }
    wide = 200 * M
    parts["EEE"] = osm_set._on_grid(
        shapely.difference(parts["EEE"], shapely.box(2, 0.5, 2 + wide, 0.5 + wide))
    )
    result = osm_set.resolve(parts)
    closed = [f for f in result.findings if f.kind == "gap"]
    left = [f for f in result.findings if f.kind == "unassigned"]
    assert [(f.codes, f.result) for f in closed] == [(("AAA", "BBB", "CCC", "DDD"), "AAA")]
    assert closed[0].width_m == pytest.approx(30.0, abs=0.6)
    assert [(f.codes, f.result) for f in left] == [(("BBB", "EEE"), "INTL")]
    assert shapely.contains_xy(result.territories["AAA"], 1 + gap / 2, 0.5)  # closed
    assert not any(
        shapely.contains_xy(g, 2 + wide / 2, 0.5 + wide / 2) for g in result.territories.values()
    )


def test_joint_code_and_width():
    assert osm_set.joint_code(["UKR", "RUS", "UKR"]) == "RUS+UKR"
    assert osm_set.width_m(box(0, 0, 1, 100 * M)) == pytest.approx(100.0, abs=0.6)


def test_features_are_read_by_their_iso_code():
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"isoA3": "BBB", "isoA2": "BB"},
                "geometry": {
                    "type": "GeometryCollection",
                    "geometries": [
                        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
                        {"type": "LineString", "coordinates": [[0, 0], [5, 5]]},
                    ],
                },
            },
            {
                "type": "Feature",
                "properties": {"isoA3": "AAA"},
                "geometry": {"type": "Polygon", "coordinates": [[[2, 0], [3, 0], [3, 1], [2, 0]]]},
            },
        ],
    }
    features = osm_set.read_features(json.dumps(doc).encode())
    assert list(features) == ["AAA", "BBB"]
    assert features["BBB"].geom_type == "Polygon" and features["BBB"].area == 0.5
    doc["features"][1]["properties"] = {}
    with pytest.raises(ValueError, match="feature 2 has no isoA3"):
        osm_set.read_features(json.dumps(doc).encode())
