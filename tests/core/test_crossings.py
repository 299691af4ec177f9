"""Crossings on hand-built airspaces whose answers are known exactly.

Tracks run along the equator (a great circle), so the crossing point and,
at constant speed, the crossing time follow from the boundary's longitude.
"""

from __future__ import annotations

import pytest
import shapely

from airwitness.crossings import CrossingFilter, find_crossings
from airwitness.schema import concat
from airwitness.times import rows_ns
from airwitness.tracks import prepare_tracks
from tests.helpers import T0, hand_airspace, reports

SKY = hand_airspace(
    {
        "AAA": shapely.box(0, -1, 2, 1),
        "BBB": shapely.box(2, -1, 4, 1),
        "SLV": shapely.box(6.0, -1, 6.001, 1),  # a 111 m wide sliver
        "TRI": shapely.Polygon([(9, 0), (10, 1), (8, 1)]),  # touches the equator at (9, 0)
        "EEE": shapely.box(170, -10, 180, 10),
        "WWW": shapely.box(-180, -10, -170, 10),
    }
)


def rows(table) -> list[dict]:
    """Rows with the times as int ns (pyarrow cannot make datetimes of every ns)."""
    return rows_ns(table)


def crossings_of(table, **kw):
    prepared = prepare_tracks(table)
    return rows(find_crossings(prepared.table, SKY, **kw))


def seconds(row) -> float:
    return (row["time"] - T0) / 1e9


def test_track_crossing_a_square_at_a_known_point_and_time():
    rows = crossings_of(reports([(0, 1.5, 0.0), (60, 2.5, 0.0)], alt_m=[1000, 1600]))
    assert len(rows) == 1
    (x,) = rows
    assert (x["from"], x["to"], x["kind"], x["gap_s"]) == ("AAA", "BBB", "observed", 60.0)
    assert x["lon"] == pytest.approx(2.0, abs=1e-12)
    assert x["lat"] == pytest.approx(0.0, abs=1e-12)
    assert seconds(x) == pytest.approx(30.0, abs=1e-6)
    assert x["alt_m"] == pytest.approx(1300.0, abs=1e-6)
    assert (x["before"], x["after"]) == ("hand.csv:1", "hand.csv:2")
    assert x["track_id"] == "t1" and x["segment"] == 0


def test_crossing_into_and_out_of_international_airspace():
    rows = crossings_of(reports([(0, -0.5, 0.0), (10, 0.5, 0.0)]))
    assert [(r["from"], r["to"]) for r in rows] == [("INTL", "AAA")]
    assert rows[0]["lon"] == pytest.approx(0.0, abs=1e-12)
    assert seconds(rows[0]) == pytest.approx(5.0, abs=1e-6)


def test_vertex_touch_is_not_a_crossing():
    # Along the equator from 8.5 to 9.5 E: touches TRI only at its vertex (9, 0).
    assert crossings_of(reports([(0, 8.5, 0.0), (30, 9.5, 0.0)])) == []


def test_two_crossings_through_a_thin_sliver_between_two_reports():
    rows = crossings_of(reports([(0, 5.5, 0.0), (60, 6.5, 0.0)]))
    assert [(r["from"], r["to"]) for r in rows] == [("INTL", "SLV"), ("SLV", "INTL")]
    assert rows[0]["lon"] == pytest.approx(6.0, abs=1e-12)
    assert rows[1]["lon"] == pytest.approx(6.001, abs=1e-12)
    assert seconds(rows[0]) == pytest.approx(30.0, abs=1e-6)
    assert seconds(rows[1]) == pytest.approx(30.06, abs=1e-6)


def test_gap_straddling_a_border_gives_an_inferred_crossing():
    rows = crossings_of(reports([(0, 1.0, 0.0), (600, 3.0, 0.0)]))
    assert [(r["from"], r["to"], r["kind"], r["gap_s"]) for r in rows] == [
        ("AAA", "BBB", "inferred", 600.0)
    ]
    assert seconds(rows[0]) == pytest.approx(300.0, abs=1e-6)
    # Beyond --max-gap the track is split and no crossing is claimed.
    prepared = prepare_tracks(reports([(0, 1.0, 0.0), (3600, 3.0, 0.0)]), max_gap_s=1800)
    assert find_crossings(prepared.table, SKY).num_rows == 0


def test_outlier_spike_across_a_border_makes_no_crossing():
    points = [(i * 10, 0.5 + i * 0.01, 0.0) for i in range(6)]
    points[3] = (30, 2.6, 0.0)  # a jump 230 km into BBB and back
    prepared = prepare_tracks(reports(points))
    assert [(r.record, r.reason) for r in prepared.rejects] == [(4, "position outlier")]
    assert find_crossings(prepared.table, SKY).num_rows == 0


def test_flight_across_the_antimeridian():
    rows = crossings_of(reports([(0, 179.5, 0.0), (60, -179.5, 0.0)]))
    assert [(r["from"], r["to"]) for r in rows] == [("EEE", "WWW")]
    assert abs(rows[0]["lon"]) == pytest.approx(180.0, abs=1e-9)
    assert seconds(rows[0]) == pytest.approx(30.0, abs=1e-6)
    back = crossings_of(reports([(0, -179.5, 0.0), (60, 179.5, 0.0)]))
    assert [(r["from"], r["to"]) for r in back] == [("WWW", "EEE")]


def test_report_exactly_on_a_boundary_is_deterministic():
    table = reports([(0, 1.5, 0.0), (30, 2.0, 0.0), (60, 2.5, 0.0)])
    first = crossings_of(table)
    assert first == crossings_of(table)
    assert [(r["from"], r["to"]) for r in first] == [("AAA", "BBB")]
    assert first[0]["lon"] == pytest.approx(2.0, abs=1e-12)
    assert seconds(first[0]) == pytest.approx(30.0, abs=1e-6)


def test_filters_by_code_time_and_track():
    table = concat(
        [
            reports([(0, 1.5, 0.0), (600, 2.5, 0.0), (660, 2.6, 0.0), (1260, 1.5, 0.0)], track="x"),
            reports([(0, -0.5, 0.0), (10, 0.5, 0.0)], track="y"),
        ]
    )
    prepared = prepare_tracks(table).table
    every = rows(find_crossings(prepared, SKY))
    assert [(r["track_id"], r["from"], r["to"]) for r in every] == [
        ("x", "AAA", "BBB"),
        ("x", "BBB", "AAA"),
        ("y", "INTL", "AAA"),
    ]
    into_a = find_crossings(prepared, SKY, where=CrossingFilter(into_codes=["AAA"]))
    assert into_a["track_id"].to_pylist() == ["x", "y"]
    late = find_crossings(prepared, SKY, where=CrossingFilter(since_ns=T0 + 600 * 10**9))
    assert late["to"].to_pylist() == ["AAA"] and late["track_id"].to_pylist() == ["x"]
    early = find_crossings(prepared, SKY, where=CrossingFilter(until_ns=T0 + 300 * 10**9))
    assert early["to"].to_pylist() == ["BBB", "AAA"]  # x at 300 s exactly (inclusive), y at 5 s
    only_y = find_crossings(prepared, SKY, where=CrossingFilter(tracks=["y"]))
    assert only_y["track_id"].to_pylist() == ["y"]


def test_antimeridian_pair_after_other_candidate_pairs():
    """A ±180° pair that is not the first candidate (regression: index error)."""
    table = concat(
        [
            reports([(0, 1.5, 0.0), (60, 2.5, 0.0)], track="a"),
            reports([(0, 179.5, 0.0), (60, -179.5, 0.0)], track="b"),
        ]
    )
    rows = crossings_of(table)
    assert [(r["track_id"], r["from"], r["to"]) for r in rows] == [
        ("a", "AAA", "BBB"),
        ("b", "EEE", "WWW"),
    ]
