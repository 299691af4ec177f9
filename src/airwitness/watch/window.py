"""One live track's retained reports: the window the rules are re-run on.

A track's reports are kept in the order cleaning sorts them (time, then source,
then record number), each with what the last run of the rules decided about it
(kept, duplicate, outlier, and its segment). New reports go in at their place.

Which reports must be run again when new ones come (docs/watch.md)? Cleaning
is local: a report's fate depends on the report before it and the one after
it, de-duplicated (:mod:`airwitness.tracks`), and a crossing on the two kept
reports around it. So for new reports from time ``F`` on, only the last
de-duplicated report before ``F`` (its right neighbour changes) and everything
from ``F`` on can change; the kept report two kept reports before that one is
certain to stay kept with its segment, and the rules re-run from it give
exactly what running them on the whole track would (:meth:`Window.start`). A
crossing whose earlier report is that one or later is decided again.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field

from airwitness import track_kernels

#: Row layout: the sort key first (time, source, record), then the values the rules use.
TIME, FILE, RECORD, LON, LAT, ALT, SIGMA, SOURCE, LEG = range(9)
Row = tuple[int, str, int, float, float, float, float, str, bool]

KEEP = track_kernels.KEEP
OUTLIER = track_kernels.OUTLIER
NEW = -1  #: not yet judged


@dataclass
class Window:
    """The retained reports of one track and their last verdicts.

    ``whole`` is True while ``rows[0]`` is the track's first report (nothing was
    dropped from the front). The N of the confidence is per segment: its kept
    reports and the rejected ones between two of them, as
    :func:`airwitness.track_kernels.kept_reports` counts them in batch;
    ``counted`` holds those of the dropped reports, and ``carry`` the segment of
    the last dropped kept report and the rejected ones dropped after it.
    """

    track_id: str
    rows: list[Row] = field(default_factory=list)
    status: list[int] = field(default_factory=list)
    segment: list[int] = field(default_factory=list)
    whole: bool = True
    counted: Counter[int] = field(default_factory=Counter)
    carry: tuple[int | None, int] = (None, 0)
    #: the segment of the track's first report here (a track heard again after it was
    #: retired goes on numbering its segments)
    base_segment: int = 0

    @property
    def last_time(self) -> int:
        return self.rows[-1][TIME]

    @property
    def next_segment(self) -> int:
        """The segment a report after a gap would start."""
        kept = [s for s, v in zip(self.segment, self.status, strict=True) if v == KEEP]
        return (kept[-1] if kept else self.base_segment - 1) + 1

    def add(self, new: list[Row]) -> int:
        """Put ``new`` (sorted) in place; the index where the first of them went."""
        rows = self.rows
        if not rows or new[0] > rows[-1]:  # the usual case: they come in order
            at = len(rows)
            rows.extend(new)
            self.status.extend([NEW] * len(new))
            self.segment.extend([0] * len(new))
            return at
        at = bisect.bisect_right(rows, new[0])
        for row in new:
            i = bisect.bisect_right(rows, row)
            rows.insert(i, row)
            self.status.insert(i, NEW)
            self.segment.insert(i, 0)
        return at

    def start(self, first_time: int) -> int | None:
        """Where to re-run the rules from for new reports from ``first_time`` on: the
        index of the kept report two kept reports before the last de-duplicated
        report earlier than ``first_time`` (see the module docs); 0 when the
        window holds the whole track and there are fewer; None when it does not
        (the reports are too late to place)."""
        rows, status = self.rows, self.status
        i = bisect.bisect_left(rows, (first_time,)) - 1  # the last row earlier than first_time
        while i >= 0 and status[i] not in (KEEP, OUTLIER):
            i -= 1
        i -= 1  # past the last de-duplicated report: its neighbour changes
        found = 0
        while i >= 0:
            if status[i] == KEEP:
                found += 1
                if found == 2:
                    return i
            i -= 1
        return 0 if self.whole else None

    def verdicts(self, start: int, status: list[int], segment: list[int]) -> None:
        """Store the verdicts of a run of the rules on ``rows[start:]``."""
        self.status[start:] = status
        self.segment[start:] = segment

    def drop_before(self, index: int) -> None:
        """Forget the reports before ``index`` (they can no longer change anything)."""
        if index > 0:
            self.carry = _count(self.counted, self.status[:index], self.segment[:index], self.carry)
            del self.rows[:index], self.status[:index], self.segment[:index]
            self.whole = False

    def count_late(self, n: int) -> None:
        """Reports too late to place: counted in the segment they most likely fell in
        (that of the last dropped kept report), not used."""
        segment = self.carry[0]
        if segment is not None:
            self.counted[segment] += n

    def segment_sizes(self) -> Counter[int]:
        """Each segment's number of reports so far (the N of the confidence)."""
        sizes = Counter(self.counted)
        _count(sizes, self.status, self.segment, self.carry)
        return sizes

    def index_of(self, key: tuple[int, str, int]) -> int:
        """The index of the report with sort key ``key`` (it must be retained)."""
        return bisect.bisect_left(self.rows, key)


def _count(
    sizes: Counter[int], status: list[int], segment: list[int], carry: tuple[int | None, int]
) -> tuple[int | None, int]:
    """Add each report to its segment's size (a rejected one only between two kept
    reports of one segment); the carry for the reports that follow."""
    last, pending = carry
    for verdict, s in zip(status, segment, strict=True):
        if verdict != KEEP:
            pending += 1
            continue
        sizes[s] += 1 + (pending if s == last else 0)
        last, pending = s, 0
    return last, pending
