"""A crossing's confidence and interval: exact cases built by hand (docs/uncertainty.md)."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
import shapely

from airwitness.airspace import Airspace, BoundarySet
from airwitness.confidence import tail
from airwitness.crossings import find_crossings
from airwitness.schema import make_table
from airwitness.times import rows_ns
from airwitness.tracks import prepare_tracks

M = 1 / 111_195.0  # one metre in degrees along a meridian (the sphere of geodesy.py)
T0 = 1_750_000_000 * 10**9


def straight_border() -> Airspace:
    """AAA west of 10°E, BBB east of it; tracks run along the equator, where a degree
    of longitude is a degree of latitude."""
    geoms = (shapely.box(9, -1, 10, 1), shapely.box(10, -1, 11, 1))
    return Airspace(BoundarySet(("AAA", "BBB"), ("land", "land"), geoms, {"name": "squares"}))


def track(east_m: list[float], sigma_m: float | None, step_s: float = 10.0) -> pa.Table:
    """One track along the equator, at these distances east of the border (m)."""
    n = len(east_m)
    return make_table(
        {
            "track_id": ["T"] * n,
            "time": pa.array(T0 + np.arange(n) * int(step_s * 1e9), pa.int64()),
            "lon": [10 + e * M for e in east_m],
            "lat": [0.0] * n,
            "source_record": list(range(1, n + 1)),
            "pos_sigma_m": [sigma_m] * n,
        },
        source="csv",
        source_file="t.csv",
    )


def crossings(table: pa.Table, sky: Airspace, **kw) -> list[dict]:
    found = find_crossings(prepare_tracks(table).table, sky, **kw)
    return rows_ns(found)


def test_tail_is_the_chance_of_the_errors_reaching_that_far():
    assert tail(0.0, 10.0, 10.0) == 1.0
    assert tail(30.0, 10.0, 0.0) == pytest.approx(math.exp(-4.5))  # Rayleigh: e^(-t²/2σ²)
    assert tail(30.0, 0.0, 10.0) == pytest.approx(math.erfc(3 / math.sqrt(2)))  # 2 Q(3)
    # both: P(R + H >= t) by numerical integration over H
    h = np.linspace(0, 40, 400_001)
    dens = 2 / (10 * math.sqrt(2 * math.pi)) * np.exp(-0.5 * (h / 10) ** 2)
    surv = np.where(h < 40, np.exp(-0.5 * ((40 - h) / 10) ** 2), 1.0)
    integral = np.trapezoid(dens * surv, h) + math.erfc(4 / math.sqrt(2))
    assert tail(40.0, 10.0, 10.0) == pytest.approx(integral, rel=1e-6)
    assert tail(40.0, 10.0, 10.0) > max(tail(40.0, 10.0, 0.0), tail(40.0, 0.0, 10.0))


def test_ten_km_deep_with_10_m_errors_is_certain():
    sky = straight_border()
    (c,) = crossings(track([-2000, 1000, 5000, 10_000, 10_000], 10.0), sky, boundary_sigma_m=0)
    assert (c["from"], c["to"]) == ("AAA", "BBB")
    assert c["confidence"] >= 0.999
    # the walk stops at the first report deep enough: 5 km is beyond the search radius
    # of 10 σ = 100 m, so its depth is reported as that radius (at least 101 m)
    assert c["evidence"] == "t.csv:2"
    assert c["depth_m"] == pytest.approx(101.0)


def test_150_m_deep_with_300_m_errors_is_not_sure():
    sky = straight_border()
    c = crossings(track([-2000, -500, 150, 150, -500], 300.0), sky, boundary_sigma_m=0)[0]
    assert c["confidence"] < 0.99
    # exactly the formula: N = 5 reports, the two inside at depth 150 m
    assert c["depth_m"] == pytest.approx(150.0, abs=0.01)
    assert c["confidence"] == pytest.approx(max(0.0, 1 - 5 * tail(c["depth_m"], 300.0, 0.0)))


def test_the_formula_with_a_boundary_error():
    sky = straight_border()
    rows = crossings(track([-800, 400, 900, 900], 20.0), sky, boundary_sigma_m=100.0)
    (c,) = rows
    p = tail(c["depth_m"], 20.0, 100.0)
    assert c["depth_m"] == pytest.approx(900.0, abs=0.01)
    assert c["confidence"] == pytest.approx(1 - 4 * p)
    assert c["boundary_sigma_m"] == 100.0 and c["sigma_m"] == pytest.approx(20.0)


def test_a_path_that_clips_a_corner_has_no_evidence():
    tiny = shapely.box(10, 0.0, 10.001, 0.001)  # BBB: a 111 m square in AAA's corner
    geoms = (shapely.difference(shapely.box(9, -1, 11, 1), tiny), tiny)
    sky = Airspace(BoundarySet(("AAA", "BBB"), ("land", "land"), geoms, {"name": "corner"}))
    diagonal = make_table(
        {
            "track_id": ["T", "T"],
            "time": pa.array([T0, T0 + 10**10], pa.int64()),
            "lon": [9.999, 10.002],
            "lat": [0.0, 0.002],
            "source_record": [1, 2],
        },
        source="csv",
        source_file="t.csv",
    )
    rows = crossings(diagonal, sky)
    assert [(r["from"], r["to"]) for r in rows] == [("AAA", "BBB"), ("BBB", "AAA")]
    assert rows[0]["confidence"] == 0.0 and rows[0]["evidence"] is None


def test_the_interval_covers_the_unseen_path_and_the_errors():
    """Reports 1 km either side of the border, 100 s apart (20 m/s); σ 50 m, boundary 0:
    the band of ±1.96 × 50 m around the border is inside the unseen path, so the interval
    is the path: −1 km … +1 km, 50 s either side of the crossing."""
    sky = straight_border()
    table = track([-1000, 1000], 50.0, step_s=100.0)
    found = find_crossings(prepare_tracks(table).table, sky, boundary_sigma_m=0.0)
    (c,) = rows_ns(found)
    assert c["along_min_m"] == pytest.approx(-1000.0, rel=1e-3)
    assert c["along_max_m"] == pytest.approx(1000.0, rel=1e-3)
    t = found["time"].cast(pa.int64())[0].as_py()
    assert found["time_min"].cast(pa.int64())[0].as_py() == pytest.approx(t - 50e9, rel=1e-9)
    # with errors of 2 km the band is wider than the path: ±1.96 × 2 km
    found = find_crossings(
        prepare_tracks(track([-1000, 1000], 2000.0, step_s=100.0)).table, sky, boundary_sigma_m=0
    )
    (c,) = rows_ns(found)
    assert c["along_min_m"] == pytest.approx(-1.959964 * 2000, rel=1e-3)
    assert c["along_max_m"] == pytest.approx(1.959964 * 2000, rel=1e-3)


def test_ne10m_border_error_makes_a_shallow_crossing_unsure():
    """150 m past the USA–Canada border along the 49th parallel (Natural Earth draws it
    at 48.992669° N at 100° W, straight there) with 5 m errors: against Natural Earth's
    stated 1.5 km boundary error that is no proof; with --boundary-sigma-m 0 it is."""
    sky = Airspace.builtin("ne10m")
    border_lat = 48.992669
    n_m = [-3000, -1000, 150, 150, 150]
    table = make_table(
        {
            "track_id": ["T"] * 5,
            "time": pa.array(T0 + np.arange(5) * 10**10, pa.int64()),
            "lon": [-100.0] * 5,
            "lat": [border_lat + d / 111_195.0 for d in n_m],
            "source_record": [1, 2, 3, 4, 5],
            "pos_sigma_m": [5.0] * 5,
        },
        source="csv",
        source_file="t.csv",
    )
    prepared = prepare_tracks(table).table
    (c,) = rows_ns(find_crossings(prepared, sky))
    assert (c["from"], c["to"]) == ("USA", "CAN")
    assert 140 < c["depth_m"] < 160
    assert c["boundary_sigma_m"] == 1500.0 and c["confidence"] < 0.99
    (c0,) = rows_ns(find_crossings(prepared, sky, boundary_sigma_m=0.0))
    assert c0["confidence"] >= 0.99
