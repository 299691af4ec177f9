"""watch.window: reports kept in cleaning's order, and where a re-run must start."""

from __future__ import annotations

from airwitness.watch.window import KEEP, NEW, OUTLIER, Window


def row(t: int, record: int = 1, file: str = "f") -> tuple:
    return (t, file, record, 0.0, 0.0, 0.0, float("nan"), "sbs", False)


def test_reports_go_in_time_then_source_then_record_order():
    w = Window("t")
    assert w.add([row(10), row(20)]) == 0
    assert w.add([row(30)]) == 2  # in order: appended
    assert w.add([row(15, 2), row(15, 1)][::-1]) == 1  # sorted batch placed inside
    assert [(r[0], r[2]) for r in w.rows] == [(10, 1), (15, 1), (15, 2), (20, 1), (30, 1)]
    assert w.status == [NEW] * 5
    assert w.last_time == 30


def test_a_rerun_starts_two_kept_reports_before_the_last_judged_one_before_the_new():
    w = Window("t")
    w.add([row(t) for t in (10, 20, 30, 40, 50)])
    w.verdicts(0, [KEEP, KEEP, OUTLIER, KEEP, KEEP], [0, 0, 0, 0, 0])
    # new reports from 45 on: the last judged report before is 40 (index 3); past it
    # the kept ones are 20 (1) and 10 (0): the second of them is where to start
    assert w.start(45) == 0
    w.add([row(t) for t in (60, 70)])
    w.verdicts(0, [KEEP] * 2 + [OUTLIER] + [KEEP] * 4, [0] * 7)
    assert w.start(75) == 4  # last judged 70 (6); kept before it 60 (5), then 50 (4)
    # with too few kept reports before, the whole track is run again
    assert w.start(15) == 0


def test_after_the_front_is_dropped_a_report_too_early_to_place_has_no_start():
    w = Window("t")
    w.add([row(t) for t in range(0, 100, 10)])
    w.verdicts(0, [KEEP] * 10, [0] * 10)
    w.drop_before(5)
    assert not w.whole and w.rows[0][0] == 50
    assert w.segment_sizes() == {0: 10}  # the dropped reports still count
    assert w.start(95) == 2  # 90 is at 4 now; kept before it 80 (3), then 70 (2)
    assert w.start(55) is None  # its neighbours are gone: counted late by the tracker
    assert w.index_of((70, "f", 1)) == 2
    assert w.start(65) is None  # needs 40, dropped
    assert w.next_segment == 1


def test_next_segment_goes_on_from_a_retired_track():
    w = Window("t", base_segment=3)
    assert w.next_segment == 3
    w.add([row(1)])
    w.verdicts(0, [KEEP], [4])
    assert w.next_segment == 5


def test_segment_sizes_count_rejected_reports_between_kept_ones_of_one_segment():
    w = Window("t")
    w.add([row(t) for t in range(0, 80, 10)])
    # rejected before the first kept, between two of segment 0, between segments
    # 0 and 1, and after the last kept: only the one inside segment 0 counts
    w.verdicts(
        0, [OUTLIER, KEEP, OUTLIER, KEEP, OUTLIER, KEEP, KEEP, OUTLIER], [0, 0, 0, 0, 0, 1, 1, 0]
    )
    assert w.segment_sizes() == {0: 3, 1: 2}
    w.drop_before(3)  # drops the rejected one in segment 0 and its first kept report
    assert w.segment_sizes() == {0: 3, 1: 2}
    w.drop_before(1)  # the rejected one between segments: still not counted
    assert w.segment_sizes() == {0: 3, 1: 2}
    w.count_late(2)  # too late to place: counted with the last dropped kept report
    assert w.segment_sizes() == {0: 5, 1: 2}
