"""Live tracks: the rules of ``airwitness crossings``, re-run on each track's window as
reports come, and the decisions they lead to (docs/watch.md).

Every batch of new reports is put into its tracks' windows (:mod:`.window`);
the part of each window that the new reports can change is run through the
batch functions themselves — :func:`airwitness.tracks.clean_tracks` and
:func:`airwitness.crossings.find_crossings`, all touched tracks in one call —
and the crossings found there are compared with those already announced:

- a new one is announced at once, ``provisional``, with its confidence as the
  reports so far give it;
- an announced one that is no longer found (its report turned out to be an
  isolated outlier when the next one came) is ``withdrawn`` at once;
- when the track is retired (nothing heard for ``max_gap_s``) or the watch
  stops, its crossings are decided: the rules are run once more on every report
  from before its first announced crossing on, with each segment's report
  count (the N of the confidence, :meth:`Window.segment_sizes`), exactly as
  ``crossings`` runs them, and each crossing found is
  ``confirmed`` (the alert then carries exactly the fields ``crossings`` writes
  for it), each announced one not found ``withdrawn``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.airspace import Airspace
from airwitness.crossings import CrossingFilter, find_crossings
from airwitness.schema import TIME_TYPE
from airwitness.tracks import OutlierRule, clean_tracks, track_columns
from airwitness.watch.alerts import CONFIRMED, PROVISIONAL, WITHDRAWN, Alert, crossing_rows
from airwitness.watch.association import LiveAssociation
from airwitness.watch.window import FILE, KEEP, RECORD, TIME, Row, Window

#: Reports of one track may arrive this much out of time order and still be placed
#: exactly (the window keeps them); older ones are counted as late (docs/watch.md).
REORDER_S = 10.0
#: A window is trimmed when it has grown by this many reports since the last trim.
TRIM_EVERY = 32


@dataclass(frozen=True)
class Rules:
    """The options of ``crossings`` that the live rules take."""

    max_gap_s: float
    observed_gap_s: float
    where: CrossingFilter = field(default_factory=CrossingFilter)
    outliers: OutlierRule | None = None
    boundary_sigma_m: float | None = None


@dataclass
class _Live:
    """A track's window, its undecided announced crossings and where they pin it."""

    window: Window
    announced: dict[tuple, dict] = field(default_factory=dict)  # key -> the alert's fields
    pin: tuple[int, str, int] | None = None  # sort key of the first report to keep
    since_trim: int = 0


@dataclass
class TrackerStats:
    positions: int = 0
    late: int = 0
    retired: int = 0
    reborn: int = 0
    alerts: Counter[str] = field(default_factory=Counter)


class Tracker:
    """Every live track, and the alerts their reports lead to."""

    def __init__(self, airspace: Airspace, rules: Rules, *, associate: bool = False) -> None:
        self.airspace = airspace
        self.rules = rules
        #: with sources of several sensors, the reports kept to associate decided tracks
        self.association = (
            LiveAssociation(
                airspace,
                rules.max_gap_s,
                rules.observed_gap_s,
                rules.outliers,
                rules.boundary_sigma_m,
            )
            if associate
            else None
        )
        self.tracks: dict[str, _Live] = {}
        #: each retired track's next segment number, so that a track heard again, even
        #: months later, goes on as ``crossings`` numbers it (one small entry per
        #: track id ever retired: docs/watch.md)
        self.retired: dict[str, int] = {}
        self.stats = TrackerStats()
        self._reorder_ns = int(REORDER_S * 1e9)
        # provisional runs keep every crossing the confidence may still let through
        self._provisional_filter = replace(rules.where, tracks=(), min_confidence=None)
        self._final_filter = replace(rules.where, tracks=())

    # ------------------------------------------------------------ reports in

    def add(self, rows: pa.Table, received_ns: int) -> list[Alert]:
        """Take a batch of canonical rows; the alerts they lead to."""
        if self.association is not None:
            self.association.add(rows)
        wanted = self.rules.where.tracks
        if wanted and rows.num_rows:
            ids = pc.cast(rows["track_id"], pa.string())
            rows = rows.filter(pc.is_in(ids, pa.array(list(wanted))))
        self.stats.positions += rows.num_rows
        if rows.num_rows == 0:
            return []
        runs = []
        for track_id, new in _group(rows).items():
            live = self.tracks.get(track_id)
            if live is None:
                live = self.tracks[track_id] = self._born(track_id)
            w = live.window
            start = w.start(new[0][TIME]) if w.rows else 0
            if start is None:  # too late to place: counted, not used
                keep = self._placeable(w, new)
                w.count_late(len(new) - len(keep))
                self.stats.late += len(new) - len(keep)
                if not keep:
                    continue
                new = keep
                start = w.start(new[0][TIME])
            w.add(new)
            live.since_trim += len(new)
            runs.append((live, start))
        alerts = self._rerun(runs, received_ns)
        for live, _ in runs:
            if live.since_trim >= TRIM_EVERY:
                self._trim(live)
        return alerts

    def _born(self, track_id: str) -> _Live:
        """A new live track, going on from where it was retired if it was."""
        before = self.retired.pop(track_id, None)
        if before is None:
            return _Live(Window(track_id))
        self.stats.reborn += 1
        return _Live(Window(track_id, base_segment=before))

    def _placeable(self, w: Window, new: list[Row]) -> list[Row]:
        """The reports of ``new`` that can still be placed exactly."""
        return [row for row in new if w.start(row[TIME]) is not None]

    def _rerun(self, runs: list[tuple[_Live, int]], received_ns: int) -> list[Alert]:
        """The rules on the changed part of each window, all at once; the alerts."""
        if not runs:
            return []
        found = self._crossings(
            [(live.window, start) for live, start in runs], self._provisional_filter
        )
        alerts: list[Alert] = []
        for (live, start), crossings in zip(runs, found, strict=True):
            w = live.window
            first = w.rows[start][:3]
            now = _identify(crossings)
            for key, fields_ in now.items():
                if key in live.announced:
                    live.announced[key] = fields_
                else:
                    live.announced[key] = fields_
                    live.pin = first if live.pin is None else min(live.pin, first)
                    alerts.append(self._alert(PROVISIONAL, fields_, received_ns))
            for key in [k for k in live.announced if k not in now and k[0] >= first]:
                alerts.append(self._alert(WITHDRAWN, live.announced.pop(key), received_ns))
            if not live.announced:
                live.pin = None
        return alerts

    def _crossings(self, parts: list[tuple[Window, int]], where: CrossingFilter) -> list[list]:
        """The crossings of ``window.rows[start:]`` for each part, by the batch functions,
        each with the sort key of its earlier report; the windows get the verdicts."""
        table, owner = _table(parts)
        cleaned = clean_tracks(
            track_columns(table), max_gap_s=self.rules.max_gap_s, outliers=self.rules.outliers
        )
        n = table.num_rows
        reason = np.empty(n, dtype=np.int64)
        reason[cleaned.order] = cleaned.reason
        offset = np.array([_first_segment(w, s) for w, s in parts], dtype=np.int64)
        segment = np.zeros(n, dtype=np.int64)
        segment[cleaned.kept] = cleaned.segment + offset[owner[cleaned.kept]]
        bounds = np.searchsorted(owner, np.arange(len(parts) + 1))
        sizes = np.zeros(n, dtype=np.int64)
        for k, (w, s) in enumerate(parts):
            a, b = bounds[k], bounds[k + 1]
            w.verdicts(s, reason[a:b].tolist(), segment[a:b].tolist())
            of = w.segment_sizes()
            sizes[a:b] = [of[g] for g in w.segment[s:]]
        kept = table.take(pa.array(cleaned.kept))
        kept = kept.append_column("segment", pa.array(segment[cleaned.kept], type=pa.int32()))
        crossings = find_crossings(
            kept,
            self.airspace,
            observed_gap_s=self.rules.observed_gap_s,
            where=where,
            boundary_sigma_m=self.rules.boundary_sigma_m,
            segment_reports=sizes[cleaned.kept],
        )
        by_track: dict[str, list] = {w.track_id: [] for w, _ in parts}
        if crossings.num_rows:
            keys = _before_keys(crossings, parts)
            for fields_, key in zip(crossing_rows(crossings), keys, strict=True):
                by_track[fields_["track_id"]].append((key, fields_))
        return [by_track[w.track_id] for w, _ in parts]

    # ------------------------------------------------------------ decisions

    def retire(self, now_ns: int, received_ns: int) -> list[Alert]:
        """Decide and forget the tracks not heard from for ``max_gap_s`` before ``now_ns``."""
        limit = now_ns - int(self.rules.max_gap_s * 1e9)
        old = [t for t, live in self.tracks.items() if live.window.last_time < limit]
        return self._decide(old, received_ns)

    def finish(self, received_ns: int) -> list[Alert]:
        """The watch stops: decide every track."""
        return self._decide(list(self.tracks), received_ns)

    def _decide(self, track_ids: Iterable[str], received_ns: int) -> list[Alert]:
        lives = [self.tracks.pop(t) for t in track_ids]
        self.stats.retired += len(lives)
        for live in lives:
            w = live.window
            self.retired[w.track_id] = w.next_segment
        pinned = [live for live in lives if live.pin is not None]
        parts = [(live.window, live.window.index_of(live.pin)) for live in pinned]
        found = self._crossings(parts, self._final_filter) if parts else []
        finals = [
            _identify([c for c in crossings if c[0] >= live.pin])
            for live, crossings in zip(pinned, found, strict=True)
        ]
        if self.association is not None:
            confirmed: dict[str, list[dict]] = {live.window.track_id: [] for live in lives}
            for live, final in zip(pinned, finals, strict=True):
                confirmed[live.window.track_id] = list(final.values())
            self.association.decide(confirmed)
        alerts: list[Alert] = []
        for live, final in zip(pinned, finals, strict=True):
            for fields_ in final.values():
                alerts.append(self._alert(CONFIRMED, fields_, received_ns))
            for key, fields_ in live.announced.items():
                if key not in final:
                    alerts.append(self._alert(WITHDRAWN, fields_, received_ns))
        return alerts

    def _alert(self, status: str, fields_: dict, received_ns: int) -> Alert:
        self.stats.alerts[status] += 1
        return Alert(status, fields_, received_ns)

    # ------------------------------------------------------------ memory

    def _trim(self, live: _Live) -> None:
        """Drop the reports no late report or undecided crossing can need."""
        w = live.window
        live.since_trim = 0
        keep = w.start(w.last_time - self._reorder_ns)
        if keep is None:
            return
        if live.pin is not None:
            keep = min(keep, w.index_of(live.pin))
        w.drop_before(keep)

    @property
    def retained(self) -> int:
        """Reports held in all windows."""
        return sum(len(live.window.rows) for live in self.tracks.values())


def _first_segment(w: Window, start: int) -> int:
    """The segment of ``w.rows[start]``, where a run of the rules begins."""
    return w.segment[start] if w.status[start] == KEEP else w.base_segment


def _identify(crossings: list[tuple[tuple, dict]]) -> dict[tuple, dict]:
    """Each crossing by its identity: its earlier report's sort key, its reports and
    codes, and its rank among crossings alike (a path through a sliver and back
    crosses the same way twice)."""
    seen: Counter[tuple] = Counter()
    out: dict[tuple, dict] = {}
    for before_key, f in crossings:
        same = (before_key, f["before"], f["after"], f["from"], f["to"])
        out[(*same, seen[same])] = f
        seen[same] += 1
    return out


def _group(rows: pa.Table) -> dict[str, list[Row]]:
    """The rows by track, each sorted as cleaning sorts them (time, source, record)."""
    track_ids, track = _codes(rows["track_id"])
    files, file_rank = _codes(rows["source_file"])
    sources, source = _codes(rows["source"])
    time_ns = rows["time"].cast(pa.int64()).to_numpy(zero_copy_only=False)
    record = rows["source_record"].to_numpy(zero_copy_only=False)
    order = np.lexsort((record, file_rank, time_ns, track))
    columns = (
        time_ns[order].tolist(),
        [files[k] for k in file_rank[order].tolist()],
        record[order].tolist(),
        _floats(rows["lon"], order),
        _floats(rows["lat"], order),
        _floats(rows["alt_m"], order),
        _floats(rows["pos_sigma_m"], order),
        [sources[k] for k in source[order].tolist()],
        rows["leg_start"].fill_null(False).to_numpy(zero_copy_only=False)[order].tolist(),
    )
    ordered: list[Row] = list(zip(*columns, strict=True))
    cut = np.flatnonzero(np.diff(track[order])) + 1
    bounds = [0, *cut.tolist(), len(order)]
    first = track[order][bounds[:-1]].tolist() if len(order) else []
    return {track_ids[k]: ordered[a:b] for k, a, b in zip(first, bounds, bounds[1:], strict=False)}


def _codes(column: pa.ChunkedArray) -> tuple[list[str], np.ndarray]:
    """A text column as its distinct values in text order and each row's rank among them."""
    encoded = pc.dictionary_encode(pc.cast(column, pa.string())).combine_chunks()
    values = encoded.dictionary.to_pylist()
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return [values[k] for k in order], rank[indices]


def _floats(column: pa.ChunkedArray, order: np.ndarray) -> list[float]:
    return column.to_numpy(zero_copy_only=False).astype(np.float64)[order].tolist()


_ROW_DTYPE = np.dtype(
    [
        ("time", "i8"),
        ("file", "O"),
        ("record", "i8"),
        ("lon", "f8"),
        ("lat", "f8"),
        ("alt", "f8"),
        ("sigma", "f8"),
        ("source", "O"),
        ("leg", "?"),
    ]
)


def _table(parts: list[tuple[Window, int]]) -> tuple[pa.Table, np.ndarray]:
    """The reports ``window.rows[start:]`` of every part as one table (cleaning sorts
    it by track), and each row's part."""
    rows: list[Row] = []
    ids: list[str] = []
    sizes: list[int] = []
    for w, s in parts:
        piece = w.rows[s:]
        rows.extend(piece)
        ids.append(w.track_id)
        sizes.append(len(piece))
    a = np.array(rows, dtype=_ROW_DTYPE)
    owner = np.repeat(np.arange(len(parts), dtype=np.int64), sizes)
    names = pa.array(ids, pa.string())
    table = pa.table(
        {
            "track_id": pa.DictionaryArray.from_arrays(pa.array(owner.astype(np.int32)), names),
            "time": pa.array(a["time"]).cast(TIME_TYPE),
            "lon": pa.array(a["lon"]),
            "lat": pa.array(a["lat"]),
            "alt_m": pa.array(a["alt"], from_pandas=True),
            "source": pa.array(a["source"], type=pa.string()).dictionary_encode(),
            "source_file": pa.array(a["file"], type=pa.string()).dictionary_encode(),
            "source_record": pa.array(a["record"]),
            "leg_start": pa.array(a["leg"]),
            "pos_sigma_m": pa.array(a["sigma"], from_pandas=True),
        }
    )
    return table, owner


def _before_keys(crossings: pa.Table, parts: list[tuple[Window, int]]) -> list[tuple]:
    """The sort key of each crossing's earlier report (its ``before`` reference)."""
    ids = crossings["track_id"].to_pylist()
    before = crossings["before"].to_pylist()
    wanted = set(ids)
    refs: dict[tuple[str, str], tuple[int, str, int]] = {}
    for w, s in parts:
        if w.track_id in wanted:
            for row in w.rows[s:]:
                refs[(w.track_id, f"{row[FILE]}:{row[RECORD]}")] = row[:3]
    return [refs[(t, b)] for t, b in zip(ids, before, strict=True)]
