"""Live association: a track's confirmed crossings corroborated across sensors when it
is decided (docs/watch.md, docs/fusion.md).

While a watch reads sources of several sensors, every report heard is kept (every
canonical column) as long as a live track it overlaps in time may still be decided.
When tracks are decided (retired, or the watch stops), the reports of every track
whose time span meets theirs go through the batch functions —
:func:`airwitness.tracks.prepare_tracks`, then
:func:`airwitness.corroboration.crossings_across_sensors` (association by identity
and by kinematics, spoofing by disagreement, corroboration) — and each confirmed
crossing takes ``sensors``, ``corroborated_by``, ``suspect`` and ``suspect_reason``
from there. A track is decided ``max_gap_s`` after its last report, so the other
sensors' reports over its whole span have come by then (feeds in real time).

What the live decision cannot know, batch ``crossings`` can: a partner track that a
measurement contradicts only after the decision, association decided against tracks
heard later, and radar biases (estimated from a whole capture: not estimated live).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from airwitness.airspace import Airspace
from airwitness.corroboration import crossings_across_sensors
from airwitness.engine.associating import in_tracks
from airwitness.schema import concat, one_array
from airwitness.tracks import OutlierRule, prepare_tracks
from airwitness.watch.alerts import crossing_rows

#: The fields a decided crossing takes from association
FIELDS = ("sensors", "corroborated_by", "suspect", "suspect_reason")
#: Reports this long before the first report of every live track are kept too (the
#: tolerance of corroboration, the alignment's interpolation, and more)
MARGIN_NS = 300 * 10**9
#: Small batches are joined into one block when this many are held
JOIN_EVERY = 64


@dataclass
class _Block:
    rows: pa.Table
    first_ns: int
    last_ns: int


@dataclass
class LiveAssociation:
    """The reports kept for association, and what each track's span is."""

    airspace: Airspace
    max_gap_s: float
    observed_gap_s: float
    outliers: OutlierRule | None = None
    boundary_sigma_m: float | None = None
    blocks: list[_Block] = field(default_factory=list)
    pending: list[pa.Table] = field(default_factory=list)
    #: every kept track's first and last report time, and whether it is still live
    first_ns: dict[str, int] = field(default_factory=dict)
    last_ns: dict[str, int] = field(default_factory=dict)
    live: set[str] = field(default_factory=set)

    def add(self, rows: pa.Table) -> None:
        """Keep a batch of canonical rows (every track, whatever the watch's filter)."""
        if rows.num_rows == 0:
            return
        spans = pa.table({"t": pc.cast(rows["track_id"], pa.string()), "time": rows["time"]})
        spans = spans.group_by("t").aggregate([("time", "min"), ("time", "max")])
        ids = spans["t"].to_pylist()
        lows = one_array(spans["time_min"]).cast(pa.int64()).to_pylist()
        highs = one_array(spans["time_max"]).cast(pa.int64()).to_pylist()
        for track_id, low, high in zip(ids, lows, highs, strict=True):
            self.first_ns[track_id] = min(low, self.first_ns.get(track_id, low))
            self.last_ns[track_id] = max(high, self.last_ns.get(track_id, high))
            self.live.add(track_id)
        self.pending.append(rows)
        if len(self.pending) >= JOIN_EVERY:
            self._join()

    @property
    def retained(self) -> int:
        """Reports kept."""
        return sum(b.rows.num_rows for b in self.blocks) + sum(t.num_rows for t in self.pending)

    def decide(self, confirmed: dict[str, list[dict]]) -> None:
        """Fill in the association fields of each decided track's confirmed crossings
        (``confirmed``: track id -> the crossings' fields, changed in place), then
        forget what no live track can need any more."""
        self.live.difference_update(confirmed)
        wanted = {t: f for t, f in confirmed.items() if f}
        if wanted:
            found = self._corroborated(list(wanted))
            for crossings in wanted.values():
                seen: Counter[tuple] = Counter()
                for fields in crossings:
                    key = _key(fields)
                    values = found.get((*key, seen[key]))
                    seen[key] += 1
                    if values is not None:
                        fields.update(values)
        self._forget()

    # ------------------------------------------------------------ internals

    def _corroborated(self, decided: list[str]) -> dict[tuple, dict]:
        """The association fields of every crossing of ``decided`` tracks, by the
        crossing's identity (track, reports, codes, rank among alike)."""
        low = min(self.first_ns[t] for t in decided) - MARGIN_NS
        high = max(self.last_ns[t] for t in decided) + MARGIN_NS
        meeting = [
            t for t, first in self.first_ns.items() if first <= high and self.last_ns[t] >= low
        ]
        table = self._rows_of(meeting)
        prepared = prepare_tracks(table, max_gap_s=self.max_gap_s, outliers=self.outliers)
        crossings, _ = crossings_across_sensors(
            prepared.table,
            self.airspace,
            observed_gap_s=self.observed_gap_s,
            boundary_sigma_m=self.boundary_sigma_m,
            segment_reports=prepared.segment_reports,
            always=True,
        )
        mine = crossings.filter(
            pc.is_in(pc.cast(crossings["track_id"], pa.string()), pa.array(decided, pa.string()))
        )
        out: dict[tuple, dict] = {}
        seen: Counter[tuple] = Counter()
        for fields in crossing_rows(mine):
            key = _key(fields)
            out[(*key, seen[key])] = {name: fields[name] for name in FIELDS}
            seen[key] += 1
        return out

    def _rows_of(self, track_ids: list[str]) -> pa.Table:
        self._join()
        wanted = pa.array(track_ids, pa.string())
        parts = []
        for block in self.blocks:
            parts.append(block.rows.filter(pa.array(in_tracks(block.rows["track_id"], wanted))))
        return concat(parts)

    def _join(self) -> None:
        if not self.pending:
            return
        rows = concat(self.pending)
        self.pending = []
        times = one_array(rows["time"]).cast(pa.int64()).to_numpy(zero_copy_only=False)
        self.blocks.append(_Block(rows, int(times.min()), int(times.max())))

    def _forget(self) -> None:
        """Drop the reports older than every live track's first by more than the margin,
        and the spans of tracks that ended before that."""
        horizon = min((self.first_ns[t] for t in self.live), default=None)
        if horizon is None:  # nothing live: nothing kept needs keeping
            self.blocks, self.pending = [], []
            self.first_ns, self.last_ns = {}, {}
            return
        horizon -= MARGIN_NS
        self.blocks = [b for b in self.blocks if b.last_ns >= horizon]
        gone = [t for t, last in self.last_ns.items() if last < horizon and t not in self.live]
        for t in gone:
            del self.first_ns[t], self.last_ns[t]


def _key(fields: dict) -> tuple:
    return (fields["track_id"], fields["before"], fields["after"], fields["from"], fields["to"])
