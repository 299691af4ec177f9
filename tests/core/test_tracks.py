"""tracks.prepare_tracks: sorting, duplicates, outliers, gap splitting — exact cases."""

from __future__ import annotations

import pyarrow as pa

from airwitness.schema import concat
from airwitness.tracks import OutlierRule, prepare_tracks
from tests.helpers import reports


def test_sorts_by_track_then_time_and_keeps_every_report():
    table = concat(
        [
            reports([(20, 0.2, 0), (0, 0.0, 0), (10, 0.1, 0)], track="b"),
            reports([(5, 1.0, 1)], track="a", source_file="other.csv"),
        ]
    )
    out = prepare_tracks(table)
    assert out.table["track_id"].to_pylist() == ["a", "b", "b", "b"]
    assert out.table["lon"].to_pylist() == [1.0, 0.0, 0.1, 0.2]
    assert out.table["source_record"].to_pylist() == [1, 2, 3, 1]
    assert out.table["segment"].to_pylist() == [0, 0, 0, 0]
    assert out.rejects == []


def test_exact_duplicates_are_counted_with_their_record():
    table = reports([(0, 0.0, 0), (0, 0.0, 0), (10, 0.1, 0), (10, 0.3, 0)])
    out = prepare_tracks(table)
    assert out.table["source_record"].to_pylist() == [1, 3]
    assert [(r.record, r.reason) for r in out.rejects] == [
        (2, "duplicate"),
        (4, "same time, other position"),
    ]
    assert out.rejected_tracks == ["t1", "t1"]
    assert out.table.num_rows + len(out.rejects) == table.num_rows


def test_isolated_outlier_is_rejected_but_a_fast_straight_flight_is_not():
    # 0.01 deg of longitude at the equator = 1113.2 m; 10 s apart -> ~111 m/s.
    straight = [(i * 10, i * 0.01, 0.0) for i in range(5)]
    spike = list(straight)
    spike[2] = (20, 0.02, 0.5)  # 55 km north and back within 20 s
    out = prepare_tracks(reports(spike))
    assert [(r.record, r.reason) for r in out.rejects] == [(3, "position outlier")]
    assert prepare_tracks(reports(straight)).rejects == []
    kept = prepare_tracks(reports(spike), outliers=OutlierRule(enabled=False))
    assert kept.table.num_rows == 5


def test_gap_above_max_gap_starts_a_new_segment_without_renaming_the_track():
    table = concat(
        [
            reports([(0, 0.0, 0), (60, 0.01, 0), (60 + 1801, 0.02, 0), (60 + 1802, 0.021, 0)]),
            reports([(0, 5.0, 5), (4000, 5.1, 5)], track="t2"),
        ]
    )
    out = prepare_tracks(table, max_gap_s=1800)
    assert out.table["track_id"].to_pylist() == ["t1"] * 4 + ["t2"] * 2
    assert out.table["segment"].to_pylist() == [0, 0, 1, 1, 0, 1]
    # Exactly max_gap apart: same segment.
    assert prepare_tracks(reports([(0, 0, 0), (1800, 0.01, 0)])).table["segment"].to_pylist() == [
        0,
        0,
    ]


def test_a_source_declared_new_leg_starts_a_segment():
    table = reports([(0, 0.0, 0), (10, 0.01, 0), (20, 0.02, 0), (30, 0.03, 0)])
    legs = pa.array([None, False, True, None], type=pa.bool_())
    table = table.set_column(table.schema.get_field_index("leg_start"), "leg_start", legs)
    out = prepare_tracks(table)
    assert out.table["segment"].to_pylist() == [0, 0, 1, 1]


def test_jumps_the_stated_errors_explain_are_noise_not_outliers():
    """A drone at 40 m/s reporting every second with 30 m errors (honestly stated): the
    old rule threw away a tenth of its reports; the errors explain every jump. A report
    5 km off is still an outlier."""
    import numpy as np
    import pyarrow as pa

    from airwitness.schema import make_table
    from airwitness.tracks import OutlierRule

    rng = np.random.default_rng(3)
    n = 300
    t = np.arange(n)
    x = 40.0 * t + rng.normal(0, 30.0, n)
    y = rng.normal(0, 30.0, n)
    x[150] += 5000.0
    table = make_table(
        {
            "track_id": ["D"] * n,
            "time": pa.array(1_750_000_000 * 10**9 + t * 10**9, pa.int64()),
            "lon": 10 + x / 111_195.0,
            "lat": y / 111_195.0,
            "source_record": np.arange(1, n + 1),
            "pos_sigma_m": np.full(n, 30.0),
        },
        source="csv",
        source_file="d.csv",
    )
    careless = prepare_tracks(table, outliers=OutlierRule(sigma_factor=0.0))
    assert len(careless.rejects) > 20
    kept = prepare_tracks(table)
    assert [(r.record, r.reason) for r in kept.rejects] == [(151, "position outlier")]


def test_each_segment_counts_its_reports_and_the_rejected_ones_inside_it():
    # segment 0: kept 0, 10, 30 with an outlier at 20 between them (counted) and a
    # duplicate after its last kept report (not counted: it is no part of the path);
    # a gap; segment 1: kept 4000, 4010, and a report rejected after 4010 (not counted)
    points = [
        (0, 0.0, 0.0),
        (10, 0.01, 0.0),
        (20, 0.02, 0.5),  # outlier
        (30, 0.03, 0.0),
        (30, 0.03, 0.0),  # duplicate
        (4000, 0.04, 0.0),
        (4010, 0.05, 0.0),
        (4010, 0.06, 0.0),  # same time, other position
    ]
    out = prepare_tracks(reports(points), max_gap_s=1800)
    assert out.table["segment"].to_pylist() == [0, 0, 0, 1, 1]
    assert out.segment_reports.tolist() == [4, 4, 4, 2, 2]
    assert len(out.rejects) == 3
