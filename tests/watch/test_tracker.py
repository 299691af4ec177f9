"""watch.tracker: live decisions on hand-built tracks, and on real recorded flights the
confirmed alerts are exactly what batch ``crossings`` finds on the same reports."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import shapely

from airwitness.airspace import Airspace
from airwitness.crossings import CrossingFilter, find_crossings
from airwitness.io import read
from airwitness.schema import concat
from airwitness.tracks import prepare_tracks
from airwitness.watch.alerts import CONFIRMED, PROVISIONAL, WITHDRAWN, crossing_rows
from airwitness.watch.tracker import REORDER_S, Rules, Tracker
from tests.helpers import T0, hand_airspace, reports

from ..io.helpers import DATA, TRAFFIC

SKY = hand_airspace({"AAA": shapely.box(0, -1, 2, 1), "BBB": shapely.box(2, -1, 4, 1)})
RULES = Rules(max_gap_s=1800.0, observed_gap_s=60.0)
NOW = 1_800_000_000 * 10**9  # the wall clock the alerts are stamped with


def one_by_one(tracker: Tracker, table: pa.Table) -> list[list[tuple[str, str, str]]]:
    """Feed ``table`` a row at a time; per row, the alerts as (status, from, to)."""
    return [
        [(a.status, a.fields["from"], a.fields["to"]) for a in tracker.add(table.slice(i, 1), NOW)]
        for i in range(table.num_rows)
    ]


def batch_rows(table: pa.Table, sky: Airspace, rules: Rules = RULES) -> list[dict]:
    prepared = prepare_tracks(table, max_gap_s=rules.max_gap_s)
    found = find_crossings(
        prepared.table, sky, observed_gap_s=rules.observed_gap_s, where=rules.where
    )
    return crossing_rows(found)


def test_a_crossing_is_provisional_at_once_and_confirmed_when_the_track_is_decided():
    table = reports([(0, 1.90, 0.0), (10, 1.95, 0.0), (20, 2.05, 0.0), (30, 2.10, 0.0)])
    tracker = Tracker(SKY, RULES)
    assert one_by_one(tracker, table) == [[], [], [(PROVISIONAL, "AAA", "BBB")], []]
    final = tracker.finish(NOW)
    assert [a.status for a in final] == [CONFIRMED]
    # exactly the row batch crossings writes for it, then status and the wall clock
    assert final[0].fields == batch_rows(table, SKY)[0]
    record = final[0].record()
    assert list(record)[-2:] == ["status", "received"]
    assert record["received"] == "2027-01-15T08:00:00.000Z"
    assert (record["before"], record["after"], record["time"]) == (
        "hand.csv:2",
        "hand.csv:3",
        "2025-06-15T15:06:55.000Z",
    )
    assert tracker.tracks == {}
    assert tracker.stats.alerts == {PROVISIONAL: 1, CONFIRMED: 1}


def test_an_isolated_spike_is_provisional_then_withdrawn_and_never_confirmed():
    # the third report jumps 160 km east (into BBB) and back within 20 s: an outlier,
    # known as one only when the fourth report comes
    table = reports([(0, 1.00, 0.0), (10, 1.01, 0.0), (20, 2.50, 0.0), (30, 1.03, 0.0)])
    tracker = Tracker(SKY, RULES)
    assert one_by_one(tracker, table) == [
        [],
        [],
        [(PROVISIONAL, "AAA", "BBB")],
        [(WITHDRAWN, "AAA", "BBB")],
    ]
    assert tracker.finish(NOW) == []
    assert batch_rows(table, SKY) == []


def test_a_spike_whose_next_report_never_comes_is_withdrawn_when_the_watch_stops():
    # at the end of a track an isolated report is not an outlier for batch either: it
    # stands, so here the crossing is confirmed (the batch answer), never withdrawn
    table = reports([(0, 1.00, 0.0), (10, 1.01, 0.0), (20, 2.50, 0.0)])
    tracker = Tracker(SKY, RULES)
    one_by_one(tracker, table)
    final = tracker.finish(NOW)
    assert [(a.status, a.fields) for a in final] == [
        (CONFIRMED, row) for row in batch_rows(table, SKY)
    ]
    assert len(final) == 1


def test_a_report_out_of_time_order_is_placed_where_it_belongs():
    # the report at 15 s (still in AAA) arrives after the one at 20 s (in BBB)
    ordered = reports([(0, 1.90, 0.0), (10, 1.95, 0.0), (15, 1.99, 0.0), (20, 2.05, 0.0)])
    late_last = ordered.take(pa.array([0, 1, 3, 2]))
    tracker = Tracker(SKY, RULES)
    steps = one_by_one(tracker, late_last)
    # announced with the reports so far (10 s -> 20 s), then the late one moves the
    # crossing (15 s -> 20 s): the first is withdrawn, the second announced
    assert steps == [
        [],
        [],
        [(PROVISIONAL, "AAA", "BBB")],
        [(PROVISIONAL, "AAA", "BBB"), (WITHDRAWN, "AAA", "BBB")],
    ]
    final = tracker.finish(NOW)
    assert [(a.status, a.fields) for a in final] == [
        (CONFIRMED, row) for row in batch_rows(ordered, SKY)
    ]
    assert final[0].fields["before"] == "hand.csv:3"
    assert tracker.stats.late == 0


def test_a_report_later_than_the_window_keeps_is_counted_late_not_used():
    points = [(t, 1.0 + t * 1e-4, 0.0) for t in range(0, 400, 10)]
    table = reports(points)
    tracker = Tracker(SKY, RULES)
    for i in range(table.num_rows):
        tracker.add(table.slice(i, 1), NOW)
    # trimmed: far fewer reports held than the 40 the track had
    assert tracker.retained < 40
    stale = reports([(5, 1.0005, 0.0)], source_file="late.csv")
    assert tracker.add(stale, NOW) == []
    assert tracker.stats.late == 1
    assert tracker.tracks["t1"].window.segment_sizes() == {0: 41}  # counted in the N


def test_tracks_not_heard_from_for_max_gap_are_retired_and_decided():
    a = reports([(0, 1.95, 0.0), (10, 2.05, 0.0)], track="a")
    b = reports([(1000, 1.0, 0.0)], track="b")
    tracker = Tracker(SKY, Rules(max_gap_s=600.0, observed_gap_s=60.0))
    assert [x.status for x in tracker.add(a, NOW)] == [PROVISIONAL]
    tracker.add(b, NOW)
    t_b = T0 + 1000 * 10**9
    decided = tracker.retire(t_b, NOW)  # "a" last heard 990 s before
    assert [(x.status, x.fields["track_id"]) for x in decided] == [(CONFIRMED, "a")]
    assert list(tracker.tracks) == ["b"]
    assert tracker.stats.retired == 1
    # heard again: it goes on with its next segment, as batch numbers them
    again = reports([(2000, 1.9, 0.0), (2010, 2.1, 0.0)], track="a", source_file="again.csv")
    alerts = tracker.add(again, NOW)
    assert [(x.status, x.fields["segment"]) for x in alerts] == [(PROVISIONAL, 1)]
    assert tracker.stats.reborn == 1
    # and months later (the soak's tracks came back after 135 days), still as batch
    tracker.finish(NOW)
    later = reports([(10**7, 1.9, 0.0), (10**7 + 10, 2.1, 0.0)], track="a", source_file="l.csv")
    tracker.add(b, NOW)
    tracker.retire(T0 + 10**7 * 10**9, NOW)
    alerts = tracker.add(later, NOW)
    assert [(x.status, x.fields["segment"]) for x in alerts] == [(PROVISIONAL, 2)]


def test_filters_of_crossings_apply_live():
    table = reports([(0, 1.99, 0.0), (50, 2.01, 0.0), (100, 1.99, 0.0)])
    only_into_a = Rules(1800.0, 60.0, CrossingFilter(into_codes=("AAA",)))
    tracker = Tracker(SKY, only_into_a)
    alerts = tracker.add(table, NOW) + tracker.finish(NOW)
    assert [(x.status, x.fields["to"]) for x in alerts] == [
        (PROVISIONAL, "AAA"),
        (CONFIRMED, "AAA"),
    ]
    other = Tracker(SKY, Rules(1800.0, 60.0, CrossingFilter(tracks=("zzz",))))
    assert other.add(table, NOW) + other.finish(NOW) == []
    assert other.stats.positions == 0


# --- real flights --------------------------------------------------------------


def _real_reports() -> pa.Table:
    """Four recorded flights and the readsb trace (Belize, Mexico, the USA), in time order."""
    tables = [read(p).table for p in sorted(TRAFFIC.glob("*.json.gz"))]
    tables.append(read(DATA / "readsb" / "trace_full_ac671b.json.gz").table)
    table = concat(tables)
    order = pc.sort_indices(table["time"].cast(pa.int64()))
    return table.take(order)


def _key(fields: dict) -> str:
    return json.dumps(fields, sort_keys=True)


@pytest.mark.parametrize("batch", [1, 7, 500])
def test_confirmed_alerts_on_real_flights_are_exactly_the_batch_crossings(batch):
    table = _real_reports()
    sky = Airspace.builtin("ne10m")
    want = batch_rows(table, sky)
    assert len(want) >= 10  # the flights cross borders
    tracker = Tracker(sky, RULES)
    alerts = []
    rng = np.random.default_rng(batch)
    i = 0
    while i < table.num_rows:
        k = int(rng.integers(1, 2 * batch + 1))
        piece = table.slice(i, k)
        alerts += tracker.add(piece, NOW)
        newest = int(pc.max(piece["time"].cast(pa.int64())).as_py())
        alerts += tracker.retire(newest, NOW)
        i += k
    alerts += tracker.finish(NOW)
    confirmed = sorted(_key(a.fields) for a in alerts if a.status == CONFIRMED)
    assert confirmed == sorted(_key(r) for r in want)
    # every crossing was announced before it was confirmed, none withdrawn here
    assert tracker.stats.alerts[PROVISIONAL] >= len(want)
    provisional = {
        (a.fields["track_id"], a.fields["before"]) for a in alerts if a.status == PROVISIONAL
    }
    assert {(r["track_id"], r["before"]) for r in want} <= provisional
    # memory: every track retired, nothing held
    assert tracker.tracks == {} and tracker.retained == 0
    assert REORDER_S == 10.0


def test_a_track_heard_again_after_retirement_keeps_its_confidence_as_batch_gives_it():
    # the N of the confidence is per segment: the reports of a later life of the same
    # track id (after retirement, a new segment) change nothing of an earlier crossing
    first = reports([(0, 1.99, 0.0), (10, 1.999, 0.0), (20, 2.003, 0.0), (30, 2.004, 0.0)])
    later = reports([(5000 + 10 * i, 3.0, 0.5) for i in range(40)], source_file="later.csv")
    both = concat([first, later])
    sigma = pa.array([150.0] * both.num_rows)
    both = both.set_column(both.schema.get_field_index("pos_sigma_m"), "pos_sigma_m", sigma)
    tracker = Tracker(SKY, RULES)
    tracker.add(both.slice(0, 4), NOW)
    decided = tracker.retire(T0 + 5000 * 10**9, NOW)
    tracker.add(both.slice(4), NOW)
    assert [a.status for a in decided] == [CONFIRMED]
    (alone,) = batch_rows(both.slice(0, 4), SKY)
    (whole,) = batch_rows(both, SKY)
    assert 0.0 < whole["confidence"] < 1.0  # not saturated: N shows in it
    assert decided[0].fields == whole == alone
