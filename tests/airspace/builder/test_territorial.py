"""Territorial sea by equidistance, on hand-built coasts with distances written out.

All coasts sit on the equator, where a degree of longitude is 111,319.49 m
(a straight coast along a meridian: the distance from it along the equator is
exact) and a degree of latitude 110,574 m.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from airwitness.airspace.builder.territorial import (
    DEFAULT_WIDTH_M,
    NM_M,
    enclosed_gaps,
    overlaps,
    territorial_sea,
)

KM_LON = 1 / 111.31949  # degrees of longitude per km on the equator
KM_LAT = 1 / 110.574  # degrees of latitude per km near the equator


def label(sea: dict[str, shapely.Geometry], x: float, y: float) -> str:
    """The one code whose sea contains (x, y), INTL for none; fails on two."""
    hits = [c for c, g in sea.items() if shapely.contains_xy(g, x, y)]
    assert len(hits) <= 1, hits
    return hits[0] if hits else "INTL"


@pytest.fixture(scope="module")
def square_sea() -> tuple[shapely.Geometry, dict[str, shapely.Geometry]]:
    land = shapely.box(0.0, -1.0, 1.0, 1.0)  # east coast: the meridian 1°E
    return land, territorial_sea({"SQR": land})


def test_width_default_is_12_nm() -> None:
    assert DEFAULT_WIDTH_M == 12 * NM_M == 22_224.0


def test_straight_coast_21_km_in_23_5_km_out(square_sea) -> None:
    _, sea = square_sea
    # Off the east coast along the equator: 21 km < 22.224 km < 23.5 km.
    assert label(sea, 1 + 21 * KM_LON, 0.0) == "SQR"
    assert label(sea, 1 + 23.5 * KM_LON, 0.0) == "INTL"
    # Off the north coast (the parallel 1°N), 21 km and 23.5 km north.
    assert label(sea, 0.5, 1 + 21 * KM_LAT) == "SQR"
    assert label(sea, 0.5, 1 + 23.5 * KM_LAT) == "INTL"
    # On land is not sea.
    assert label(sea, 0.5, 0.0) == "INTL"


def test_sea_is_valid_and_never_on_land(square_sea) -> None:
    land, sea = square_sea
    geom = sea["SQR"]
    assert geom.is_valid
    assert shapely.area(shapely.intersection(geom, land)) < 1e-14
    # A ring around the square: 12 NM wide, 2 x (2 + 1) degrees of coast.
    assert geom.geom_type == "Polygon" and len(geom.interiors) == 1


def test_custom_width() -> None:
    sea = territorial_sea({"SQR": shapely.box(0.0, -1.0, 1.0, 1.0)}, width_m=3 * NM_M)
    assert label(sea, 1 + 5.4 * KM_LON, 0.0) == "SQR"  # 3 NM = 5.556 km
    assert label(sea, 1 + 5.7 * KM_LON, 0.0) == "INTL"


def test_strait_of_30_km_is_split_on_the_median_line() -> None:
    gap = 30 * KM_LON
    a = shapely.box(0.0, -1.0, 1.0, 1.0)
    b = shapely.box(1.0 + gap, -1.0, 2.0 + gap, 1.0)
    sea = territorial_sea({"AAA": a, "BBB": b})
    assert label(sea, 1 + 10 * KM_LON, 0.0) == "AAA"  # 10 km from A, 20 km from B
    assert label(sea, 1 + 20 * KM_LON, 0.0) == "BBB"  # 20 km from A, 10 km from B
    # Both zones reach across the median line (15 km); it alone decides.
    assert label(sea, 1 + 14.8 * KM_LON, 0.3) == "AAA"
    assert label(sea, 1 + 15.2 * KM_LON, 0.3) == "BBB"
    assert label(sea, 1 + 14.8 * KM_LON, -0.7) == "AAA"
    assert label(sea, 1 + 15.2 * KM_LON, -0.7) == "BBB"
    zones = [("AAA:sea", sea["AAA"]), ("BBB:sea", sea["BBB"]), ("AAA", a), ("BBB", b)]
    assert overlaps(zones, min_area_deg2=1e-14) == []


def test_wider_claim_keeps_what_only_it_reaches() -> None:
    # A (15 NM = 27.78 km) and C (12 NM) face each other 45 km apart; B, a
    # 0.5 km island with 10 NM (18.52 km), lies 19.5 km north of the strait's
    # axis point p, 25 km from A and 20 km from C.
    a = shapely.box(-1.0, -1.0, 0.0, 1.0)
    c = shapely.box(45 * KM_LON, -1.0, 1.0 + 45 * KM_LON, 1.0)
    bx, by = 25 * KM_LON, 19.5 * KM_LAT
    b = shapely.box(bx - 0.25 * KM_LON, by - 0.25 * KM_LAT, bx + 0.25 * KM_LON, by + 0.25 * KM_LAT)
    sea = territorial_sea(
        {"AAA": a, "BBB": b, "CCC": c},
        overrides={"AAA": 15 * NM_M, "BBB": 10 * NM_M},
    )
    # p: A 25 km (covers), C 20 km (covers), B 19.25 km (nearest, but beyond
    # its 18.52 km): the nearest code that covers p is C.
    assert label(sea, 25 * KM_LON, 0.0) == "CCC"
    # 17.25 km from B, which covers it and is nearest.
    assert label(sea, 25 * KM_LON, 2 * KM_LAT) == "BBB"
    # 26 km from A, 19 km from C: C.
    assert label(sea, 26 * KM_LON, -10 * KM_LAT) == "CCC"
    # 21 km from A, 24 km from C (beyond 22.224 km): A alone covers it.
    assert label(sea, 21 * KM_LON, -10 * KM_LAT) == "AAA"
    # 27 km from A (inside 15 NM), 18 km from C: C is nearer and covers it.
    assert label(sea, 27 * KM_LON, -0.5) == "CCC"
    # The 15 NM claim: 27 km off A where nothing else is near.
    assert label(sea, -1 - 27 * KM_LON, 0.0) == "AAA"
    assert label(sea, -1 - 28.5 * KM_LON, 0.0) == "INTL"


def test_antimeridian_island_gets_sea_on_both_sides() -> None:
    # An island split at 180° like Natural Earth's Fiji and Chukotka.
    east = shapely.box(179.8, -17.1, 180.0, -16.9)
    west = shapely.box(-180.0, -17.1, -179.8, -16.9)
    sea = territorial_sea({"FIJ": shapely.multipolygons([east, west])})
    geom = sea["FIJ"]
    assert geom.is_valid
    x0, _, x1, _ = geom.bounds
    assert x0 >= -180.0 and x1 <= 180.0
    # 0.2° + 21 km east and west of the island's two halves, and 21 km north
    # of it right on the antimeridian, on both sides of the seam.
    assert label(sea, -179.8 + 21 * KM_LON / np.cos(np.radians(17)), -17.0) == "FIJ"
    assert label(sea, 179.8 - 21 * KM_LON / np.cos(np.radians(17)), -17.0) == "FIJ"
    assert label(sea, 179.9999, -16.9 + 21 * KM_LAT) == "FIJ"
    assert label(sea, -179.9999, -16.9 + 21 * KM_LAT) == "FIJ"
    assert label(sea, 179.9999, -16.9 + 24 * KM_LAT) == "INTL"
    assert label(sea, -179.9999, -16.9 + 24 * KM_LAT) == "INTL"
    # The seam itself is not a coast: no sea between the halves.
    assert label(sea, 179.9999, -17.0) == "INTL"


def test_enclosed_gaps_are_land_of_nobody() -> None:
    # Two countries around a lake and an unclaimed pocket (like the Caspian
    # and Abyei): the lake is named as water, the pocket is not.
    a = shapely.box(0.0, 0.0, 2.0, 2.0).difference(shapely.box(0.5, 0.5, 1.0, 1.0))
    a = a.difference(shapely.box(1.2, 1.2, 1.4, 1.4))
    gaps = enclosed_gaps([a], water=[(0.75, 0.75)])
    assert shapely.equals(gaps, shapely.box(1.2, 1.2, 1.4, 1.4))
    sea = territorial_sea({"LAK": a}, gaps=gaps)
    assert label(sea, 0.6, 0.75) == "LAK"  # lake, 11 km from its shore: sea
    assert label(sea, 0.75, 0.75) == "INTL"  # lake centre, 27.8 km from every shore
    assert label(sea, 1.3, 1.3) == "INTL"  # pocket: nobody's


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown code"):
        territorial_sea({"AAA": shapely.box(0, 0, 1, 1)}, overrides={"ZZZ": 1000.0})
