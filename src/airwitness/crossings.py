"""Entry and exit events between airspaces (docs/architecture.md §4).

For every two consecutive accepted reports of one track segment, the
great-circle path between them is intersected with the airspace boundaries.
The points where it meets a boundary cut the path into intervals; each
interval is labelled by the exact labelling kernel at its midpoint, and every
change of label is one crossing. So a path that clips a thin sliver gives two
crossings, a path that only touches a vertex gives none, and a report lying
exactly on a boundary gives a crossing at that report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.confidence import crossing_evidence
from airwitness.geodesy import haversine_m, slerp
from airwitness.schema import one_array
from airwitness.tracks import track_starts
from airwitness.uncertainty import effective_sigma

if TYPE_CHECKING:
    from airwitness.airspace import Airspace

DEFAULT_OBSERVED_GAP_S = 60.0
PIECE_M = 10_000.0  # chord length used to follow a great circle in lon/lat
_T_EPS = 1e-12
_BISECT_STEPS = 60

CROSSING_SCHEMA = pa.schema(
    [
        pa.field("track_id", pa.string(), nullable=False),
        pa.field("segment", pa.int32(), nullable=False),
        pa.field("time", pa.timestamp("ns", tz="UTC"), nullable=False),
        pa.field("lon", pa.float64(), nullable=False),
        pa.field("lat", pa.float64(), nullable=False),
        pa.field("alt_m", pa.float64()),
        pa.field("from", pa.string(), nullable=False),
        pa.field("to", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("gap_s", pa.float64(), nullable=False),
        pa.field("before", pa.string(), nullable=False),
        pa.field("after", pa.string(), nullable=False),
        # How sure, and what it rests on (airwitness.confidence, docs/uncertainty.md)
        pa.field("confidence", pa.float64(), nullable=False),
        pa.field("time_min", pa.timestamp("ns", tz="UTC"), nullable=False),
        pa.field("time_max", pa.timestamp("ns", tz="UTC"), nullable=False),
        pa.field("along_min_m", pa.float64(), nullable=False),
        pa.field("along_max_m", pa.float64(), nullable=False),
        pa.field("evidence", pa.string()),  # the deciding report, file:record
        pa.field("depth_m", pa.float64()),  # its distance inside `to`
        pa.field("sigma_m", pa.float64()),  # its position error
        pa.field("boundary_sigma_m", pa.float64(), nullable=False),
        # One object, several sensors (airwitness.corroboration, docs/fusion.md): how
        # many independent sensors show this crossing, the other tracks that do,
        # and whether a measurement contradicts the reports that make it
        pa.field("sensors", pa.int32(), nullable=False),
        pa.field("corroborated_by", pa.string()),  # track ids, comma-separated
        pa.field("suspect", pa.bool_(), nullable=False),
        pa.field("suspect_reason", pa.string()),
    ]
)


@dataclass(frozen=True)
class CrossingFilter:
    """Which crossings to keep. Codes are airspace codes (``INTL`` allowed);
    times are UTC nanoseconds since the epoch, ``until`` inclusive; with
    ``min_confidence``, only crossings at least that sure."""

    from_codes: Sequence[str] = ()
    into_codes: Sequence[str] = ()
    since_ns: int | None = None
    until_ns: int | None = None
    tracks: Sequence[str] = ()
    min_confidence: float | None = None


def find_crossings(
    tracks: pa.Table,
    airspace: Airspace,
    *,
    observed_gap_s: float = DEFAULT_OBSERVED_GAP_S,
    where: CrossingFilter | None = None,
    boundary_sigma_m: float | None = None,
    segment_reports: np.ndarray | None = None,
) -> pa.Table:
    """Every change of airspace along prepared tracks, each with its confidence.

    ``tracks`` is the table of :func:`airwitness.tracks.prepare_tracks`
    (sorted by track and time, with a ``segment`` column). Returns a table of
    :data:`CROSSING_SCHEMA`, sorted by track, time and position along the path.
    ``boundary_sigma_m`` overrides the airspace set's stated boundary error;
    ``segment_reports`` is, per row, how many reports its segment had before
    cleaning (the ``N`` of the confidence: :attr:`PreparedTracks.segment_reports`;
    default: the segment's rows in ``tracks``).
    """
    n = tracks.num_rows
    segment = tracks["segment"].to_numpy() if n else np.zeros(0, dtype=np.int32)
    new_track = track_starts(tracks["track_id"]) if n else np.zeros(0, dtype=bool)
    new_run = new_track.copy()
    new_run[1:] |= segment[1:] != segment[:-1]
    sizes = _segment_sizes(new_run) if segment_reports is None else segment_reports
    points = TrackPoints(
        rows=np.arange(n),
        lon=np.ascontiguousarray(tracks["lon"].to_numpy(), dtype=np.float64),
        lat=np.ascontiguousarray(tracks["lat"].to_numpy(), dtype=np.float64),
        time_ns=np.asarray(one_array(tracks["time"]).cast(pa.int64()).to_numpy()),
        alt=tracks["alt_m"].to_numpy(zero_copy_only=False).astype(np.float64),
        segment=segment,
        new_run=new_run,
        segment_reports=np.asarray(sizes, dtype=np.int64),
        row_sigma=effective_sigma(tracks) if n else np.zeros(0),
    )
    return crossings_of_points(
        tracks,
        points,
        airspace,
        observed_gap_s=observed_gap_s,
        where=where,
        boundary_sigma_m=boundary_sigma_m,
    )


def _segment_sizes(new_run: np.ndarray) -> np.ndarray:
    """Per row: the number of rows of its segment (``new_run`` marks each one's first)."""
    run = np.cumsum(new_run) - 1
    return np.bincount(run)[run].astype(np.int64) if len(run) else np.zeros(0, np.int64)


@dataclass
class TrackPoints:
    """Cleaned reports in track and time order, as arrays, with the row of
    ``source`` (the table they came from) that each one is."""

    rows: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    time_ns: np.ndarray
    alt: np.ndarray
    segment: np.ndarray
    #: True where a report starts a new track segment (a new track or segment)
    new_run: np.ndarray
    #: per report: how many reports its segment had before cleaning, rejected ones
    #: between its kept ones included (the N of the confidence)
    segment_reports: np.ndarray
    #: per row of ``source`` (not per report: only a crossing's reports are looked
    #: up): the position error, m (:func:`airwitness.uncertainty.effective_sigma`)
    row_sigma: np.ndarray

    def subset(self, keep: np.ndarray) -> TrackPoints:
        """Only the reports where ``keep`` (whole tracks, so runs stay runs)."""
        shared = ("row_sigma",)  # indexed by source row: unchanged
        per_report = [f.name for f in fields(self) if f.name not in shared]
        return replace(self, **{f: getattr(self, f)[keep] for f in per_report})


def crossings_of_points(
    source: pa.Table,
    points: TrackPoints,
    airspace: Airspace,
    *,
    observed_gap_s: float = DEFAULT_OBSERVED_GAP_S,
    where: CrossingFilter | None = None,
    boundary_sigma_m: float | None = None,
) -> pa.Table:
    """:func:`find_crossings` on arrays; ``source`` gives track ids and record numbers."""
    where = where or CrossingFilter()
    if where.tracks and len(points.rows):
        ids = pc.cast(source["track_id"], pa.string())  # plain or dictionary
        wanted = pc.is_in(ids, pa.array(list(where.tracks)))
        wanted = np.asarray(wanted.to_numpy(zero_copy_only=False), dtype=bool)
        points = points.subset(wanted[points.rows])
    if len(points.rows) < 2:
        return CROSSING_SCHEMA.empty_table()
    events = _events(points.lon, points.lat, points.new_run, airspace)
    sigma_b = airspace.boundary_sigma_m if boundary_sigma_m is None else float(boundary_sigma_m)
    return _event_table(source, points, events, airspace, observed_gap_s, where, sigma_b)


@dataclass
class _Events:
    pair: np.ndarray  # index into i0/i1 of the pair the event lies on
    i0: np.ndarray  # report before
    i1: np.ndarray  # report after
    frac: np.ndarray  # fraction of the way along the great circle
    lon: np.ndarray
    lat: np.ndarray
    from_id: np.ndarray
    to_id: np.ndarray


def _events(lon, lat, new_run, airspace: Airspace) -> _Events:
    """Crossings between consecutive reports of a run (rows are report indices)."""
    i0 = np.flatnonzero(~new_run[1:])
    i1 = i0 + 1
    label, cell = airspace.label_ids_and_cells(lon, lat, along_tracks=True)
    changed = (label[1:] != label[:-1])[i0]  # label[i0] != label[i1], without two gathers
    # Cheap, exact filter: a path that comes near no boundary edge, between
    # reports with one label, crosses nothing. Only the rest go on.
    cand = np.flatnonzero(changed | airspace.may_meet_boundary(lon, lat, i0, i1, cell))
    if cand.size == 0:
        none = np.zeros(0, dtype=np.int64)
        return _Events(none, none, none, np.zeros(0), np.zeros(0), np.zeros(0), none, none)
    # The candidates and their reports form a small problem of their own:
    # rows outside it cannot change label (see _label_changes).
    rows = np.unique(np.concatenate([i0[cand], i1[cand]]))
    c0 = np.searchsorted(rows, i0[cand])
    c1 = c0 + 1
    clon, clat, clabel = lon[rows], lat[rows], label[rows]
    ev = _candidate_events(clon, clat, clabel, c0, c1, changed[cand], airspace)
    return _Events(
        pair=cand[ev.pair],
        i0=rows[ev.i0],
        i1=rows[ev.i1],
        frac=ev.frac,
        lon=ev.lon,
        lat=ev.lat,
        from_id=ev.from_id,
        to_id=ev.to_id,
    )


def _candidate_events(lon, lat, label, i0, i1, changed, airspace: Airspace) -> _Events:
    bp_pair, bp_t, bp_lon, bp_lat = _breakpoints(lon, lat, i0, i1, airspace)

    found = np.zeros(len(i0), dtype=bool)
    found[bp_pair] = True
    lost = np.flatnonzero(changed & ~found)
    if lost.size:  # numerically missed intersections: find the change by bisection
        t_b, lon_b, lat_b = _bisect(lon, lat, i0[lost], i1[lost], label, airspace)
        bp_pair = np.concatenate([bp_pair, lost])
        bp_t = np.concatenate([bp_t, t_b])
        bp_lon = np.concatenate([bp_lon, lon_b])
        bp_lat = np.concatenate([bp_lat, lat_b])

    return _label_changes(lon, lat, label, i0, i1, bp_pair, bp_t, bp_lon, bp_lat, airspace)


@dataclass
class _Paths:
    """Great-circle paths as lon/lat polylines, unwrapped across ±180.

    Path k has vertices ``start[k]:start[k+1]`` of x, y, at fractions ``frac``
    along its arc, and belongs to pair ``pair[k]`` (a path crossing the
    antimeridian appears twice, once shifted by 360°).
    """

    x: np.ndarray
    y: np.ndarray
    frac: np.ndarray
    start: np.ndarray
    pair: np.ndarray


def _paths(lon, lat, i0, i1) -> _Paths:
    dist = haversine_m(lon[i0], lat[i0], lon[i1], lat[i1])
    pieces = np.maximum(1, np.ceil(dist / PIECE_M).astype(np.int64))
    owner = np.repeat(np.arange(len(i0)), pieces + 1)
    first = np.concatenate([[0], np.cumsum(pieces + 1)[:-1]])
    k = np.arange(len(owner)) - np.repeat(first, pieces + 1)
    frac = k / np.repeat(pieces, pieces + 1)
    plon, plat = slerp(lon[i0][owner], lat[i0][owner], lon[i1][owner], lat[i1][owner], frac)
    # Unwrap longitudes so each path is continuous.
    step = np.diff(plon, prepend=plon[:1])
    step[k == 0] = 0.0
    step = (step + 180.0) % 360.0 - 180.0
    starts = np.zeros(len(owner), dtype=bool)
    starts[first] = True
    plon = np.repeat(plon[first], pieces + 1) + _cumsum_within(step, starts)

    xs, ys, fracs, sizes, pairs = [plon], [plat], [frac], [pieces + 1], [np.arange(len(i0))]
    pmin = np.minimum.reduceat(plon, first)
    pmax = np.maximum.reduceat(plon, first)
    for shifted, shift in (
        (np.flatnonzero(pmax > 180.0), -360.0),
        (np.flatnonzero(pmin < -180.0), 360.0),
    ):
        if shifted.size:
            sel = np.isin(owner, shifted)
            xs.append(plon[sel] + shift)
            ys.append(plat[sel])
            fracs.append(frac[sel])
            sizes.append(pieces[shifted] + 1)
            pairs.append(shifted)
    start = np.zeros(sum(len(s) for s in sizes) + 1, dtype=np.int64)
    np.cumsum(np.concatenate(sizes), out=start[1:])
    return _Paths(
        np.concatenate(xs), np.concatenate(ys), np.concatenate(fracs), start, np.concatenate(pairs)
    )


def _breakpoints(lon, lat, i0, i1, airspace: Airspace):
    """Where each candidate path meets a boundary: (pair, frac, lon, lat)."""
    empty = np.zeros(0)
    if len(i0) == 0:
        return np.zeros(0, dtype=np.int64), empty, empty, empty
    paths = _paths(lon, lat, i0, i1)
    path, chord, t = airspace.path_hits(paths.x, paths.y, paths.start)
    x = paths.x[chord] + t * (paths.x[chord + 1] - paths.x[chord])
    y = paths.y[chord] + t * (paths.y[chord + 1] - paths.y[chord])
    frac = paths.frac[chord] + t * (paths.frac[chord + 1] - paths.frac[chord])
    out_lon = (x + 180.0) % 360.0 - 180.0
    return paths.pair[path], np.clip(frac, 0.0, 1.0), out_lon, y


def _cumsum_within(x: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting wherever ``first`` is True.

    Each group's sums are bit for bit those of ``np.cumsum`` on the group
    alone: a path's geometry never depends on which other paths share the
    array, so a track gives the same crossings whatever else is in the input
    (the engines rely on this to give byte-identical results per partition).
    """
    out = np.array(x, dtype=np.float64, copy=True)
    if out.size == 0:
        return out
    start = np.flatnonzero(first)
    length = np.diff(np.r_[start, out.size])
    order = np.argsort(-length, kind="stable")  # longest groups first
    start, length = start[order], length[order]
    for k in range(1, int(length[0])):  # most paths have 2 vertices: one step
        longer = np.searchsorted(-length, -k, side="left")  # groups longer than k
        idx = start[:longer] + k
        out[idx] += out[idx - 1]
    return out


def _bisect(lon, lat, i0, i1, label, airspace: Airspace):
    lo = np.zeros(len(i0))
    hi = np.ones(len(i0))
    l0 = label[i0]
    for _ in range(_BISECT_STEPS):
        mid = (lo + hi) / 2
        mlon, mlat = slerp(lon[i0], lat[i0], lon[i1], lat[i1], mid)
        same = airspace.label_ids(mlon, mlat) == l0
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    blon, blat = slerp(lon[i0], lat[i0], lon[i1], lat[i1], hi)
    return hi, blon, blat


def _label_changes(lon, lat, label, i0, i1, bp_pair, bp_t, bp_lon, bp_lat, airspace) -> _Events:
    """Walk each track segment as one sequence of states and emit a row per change.

    States, in order along the segment: each report, then the intervals its
    path to the next report is cut into by breakpoints. A report lying exactly
    on a boundary (a breakpoint at its own position) has no state of its own:
    its label is ambiguous, and the intervals on either side decide.
    """
    order = np.lexsort((bp_t, bp_pair))
    bp_pair, bp_t, bp_lon, bp_lat = bp_pair[order], bp_t[order], bp_lon[order], bp_lat[order]
    keep = np.ones(len(bp_t), dtype=bool)
    keep[1:] = ~((bp_pair[1:] == bp_pair[:-1]) & (bp_t[1:] - bp_t[:-1] <= _T_EPS))
    bp_pair, bp_t, bp_lon, bp_lat = bp_pair[keep], bp_t[keep], bp_lon[keep], bp_lat[keep]

    n = len(label)
    first_of_pair = np.ones(len(bp_t), dtype=bool)
    first_of_pair[1:] = bp_pair[1:] != bp_pair[:-1]
    last_of_pair = np.ones(len(bp_t), dtype=bool)
    last_of_pair[:-1] = first_of_pair[1:]
    # Interval states: one before each pair's first breakpoint, one after each breakpoint.
    head = np.flatnonzero(first_of_pair)
    iv_pair = np.concatenate([bp_pair[head], bp_pair])
    iv_lo = np.concatenate([np.zeros(head.size), bp_t])
    iv_hi = np.concatenate([bp_t[head], np.where(last_of_pair, 1.0, np.roll(bp_t, -1))])
    iv_lon = np.concatenate([lon[i0[bp_pair[head]]], bp_lon])  # where the interval starts
    iv_lat = np.concatenate([lat[i0[bp_pair[head]]], bp_lat])
    nonempty = iv_hi - iv_lo > _T_EPS
    iv_pair, iv_lo, iv_hi, iv_lon, iv_lat = (
        x[nonempty] for x in (iv_pair, iv_lo, iv_hi, iv_lon, iv_lat)
    )
    p0, p1 = i0[iv_pair], i1[iv_pair]
    mlon, mlat = slerp(lon[p0], lat[p0], lon[p1], lat[p1], (iv_lo + iv_hi) / 2)
    iv_label = airspace.label_ids(mlon, mlat)

    # Reports on a boundary: a breakpoint at t=0 of the pair after, or t=1 of the one before.
    on_boundary = np.zeros(n, dtype=bool)
    on_boundary[i0[bp_pair[bp_t <= _T_EPS]]] = True
    on_boundary[i1[bp_pair[bp_t >= 1.0 - _T_EPS]]] = True
    rows = np.flatnonzero(~on_boundary)

    # All states; sort by (row the state starts from, position, reports first).
    st_row = np.concatenate([rows, i0[iv_pair]])
    st_t = np.concatenate([np.zeros(rows.size), iv_lo])
    st_rank = np.concatenate([np.zeros(rows.size), np.ones(iv_pair.size)])
    st_label = np.concatenate([label[rows], iv_label])
    st_pair = np.concatenate([np.full(rows.size, -1), iv_pair])  # -1: a report state
    st_lon = np.concatenate([lon[rows], iv_lon])
    st_lat = np.concatenate([lat[rows], iv_lat])
    order = np.lexsort((st_rank, st_t, st_row))
    st_row, st_t, st_label, st_pair, st_lon, st_lat = (
        x[order] for x in (st_row, st_t, st_label, st_pair, st_lon, st_lat)
    )

    # Rows r and r+1 belong to one segment exactly when (r, r+1) is a pair.
    linked = np.zeros(n, dtype=bool)
    linked[i0] = True
    run = np.cumsum(np.r_[True, ~linked[:-1]])  # segment-run number of each row
    change = np.zeros(len(st_row), dtype=bool)
    change[1:] = (run[st_row[1:]] == run[st_row[:-1]]) & (st_label[1:] != st_label[:-1])
    idx = np.flatnonzero(change)

    # A change at an interval belongs to its pair; at a report, to the pair ending there.
    pair_of = np.full(n, -1)
    pair_of[i1] = np.arange(len(i1))
    is_report = st_pair[idx] < 0
    pair = np.where(is_report, pair_of[st_row[idx]], st_pair[idx])
    frac = np.where(is_report, 1.0, st_t[idx])
    return _Events(
        pair=pair,
        i0=i0[pair],
        i1=i1[pair],
        frac=frac,
        lon=st_lon[idx],
        lat=st_lat[idx],
        from_id=st_label[idx - 1],
        to_id=st_label[idx],
    )


def _event_table(
    source: pa.Table, points: TrackPoints, ev: _Events, airspace, observed_gap_s, where, sigma_b
) -> pa.Table:
    order = np.lexsort((ev.frac, ev.i0))
    ev = _Events(*(getattr(ev, f)[order] for f in ev.__dataclass_fields__))
    t_ns, alt = points.time_ns, points.alt
    t0, t1 = t_ns[ev.i0], t_ns[ev.i1]
    gap_ns = t1 - t0
    time_ns = t0 + np.round(ev.frac * gap_ns).astype(np.int64)
    first, stop = _excursions(ev, points.new_run)
    path_m = haversine_m(points.lon[ev.i0], points.lat[ev.i0], points.lon[ev.i1], points.lat[ev.i1])
    proof = crossing_evidence(
        airspace.index, points.lon, points.lat, t_ns, points.row_sigma, points.rows,
        points.segment_reports[ev.i1], ev.i0, ev.i1, ev.frac,
        np.asarray(path_m, dtype=np.float64), time_ns, first, stop, sigma_b,
    )  # fmt: skip
    has = proof.best >= 0
    evidence = np.full(len(has), None, dtype=object)
    if has.any():
        evidence[has] = _record_refs(source, points.rows[proof.best[has]])
    alt_x = alt[ev.i0] + ev.frac * (alt[ev.i1] - alt[ev.i0])  # NaN when either is unknown
    gap_s = gap_ns / 1e9
    names = np.asarray([*airspace.code_names, "INTL"], dtype=object)
    from_code = names[ev.from_id]  # -1 indexes the trailing INTL
    to_code = names[ev.to_id]
    before, after = points.rows[ev.i0], points.rows[ev.i1]
    table = pa.table(
        {
            "track_id": pc.cast(source["track_id"].take(pa.array(before)), pa.string()),
            "segment": pa.array(points.segment[ev.i0], type=pa.int32()),
            "time": pa.array(time_ns, type=pa.int64()).cast(pa.timestamp("ns", tz="UTC")),
            "lon": pa.array(ev.lon, type=pa.float64()),
            "lat": pa.array(ev.lat, type=pa.float64()),
            "alt_m": pa.array(alt_x, type=pa.float64(), from_pandas=True),
            "from": pa.array(from_code.tolist(), type=pa.string()),
            "to": pa.array(to_code.tolist(), type=pa.string()),
            "kind": pa.array(
                np.where(gap_s <= observed_gap_s, "observed", "inferred").tolist(), type=pa.string()
            ),
            "gap_s": pa.array(gap_s, type=pa.float64()),
            "before": pa.array(_record_refs(source, before), type=pa.string()),
            "after": pa.array(_record_refs(source, after), type=pa.string()),
            "confidence": pa.array(proof.confidence, type=pa.float64()),
            "time_min": _timestamps(proof.time_min_ns),
            "time_max": _timestamps(proof.time_max_ns),
            "along_min_m": pa.array(proof.along_min_m, type=pa.float64()),
            "along_max_m": pa.array(proof.along_max_m, type=pa.float64()),
            "evidence": pa.array(evidence.tolist(), type=pa.string()),
            "depth_m": pa.array(proof.depth_m, type=pa.float64(), from_pandas=True),
            "sigma_m": pa.array(proof.sigma_m, type=pa.float64(), from_pandas=True),
            "boundary_sigma_m": pa.array(np.full(len(has), sigma_b), type=pa.float64()),
            # one sensor, nothing contradicting, until corroboration says otherwise
            "sensors": pa.array(np.ones(len(has), dtype=np.int32)),
            "corroborated_by": pa.nulls(len(has), pa.string()),
            "suspect": pa.array(np.zeros(len(has), dtype=bool)),
            "suspect_reason": pa.nulls(len(has), pa.string()),
        },
        schema=CROSSING_SCHEMA,
    )
    return _apply_filter(table, time_ns, where)


def filter_crossings(table: pa.Table, where: CrossingFilter) -> pa.Table:
    """The crossings of ``table`` that ``where`` keeps (its track list too)."""
    if where.tracks:
        wanted = pc.is_in(table["track_id"], pa.array(list(where.tracks), pa.string()))
        table = table.filter(wanted)
    time_ns = np.asarray(one_array(table["time"]).cast(pa.int64()).to_numpy())
    return _apply_filter(table, time_ns, where)


def _timestamps(ns: np.ndarray) -> pa.Array:
    return pa.array(ns, type=pa.int64()).cast(pa.timestamp("ns", tz="UTC"))


def _excursions(ev: _Events, new_run: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each crossing (sorted along the tracks), the reports after it inside its
    ``to``: from its later report up to the earlier report of the next crossing of the
    same run (none when that one lies on the same path), else to the run's end."""
    n = len(new_run)
    run = np.cumsum(new_run) - 1
    run_end = np.r_[np.flatnonzero(new_run[1:]), n - 1] if n else np.zeros(0, dtype=np.int64)
    first = ev.i1.astype(np.int64)
    stop = run_end[run[first]] + 1 if len(first) else np.zeros(0, dtype=np.int64)
    if len(first) > 1:
        same_run = run[ev.i0[1:]] == run[ev.i0[:-1]]
        nxt = np.where(same_run, ev.i0[1:] + 1, stop[:-1])
        stop[:-1] = nxt
    return first, np.maximum(stop, first)


def _record_refs(source: pa.Table, rows: np.ndarray) -> list[str]:
    """``source_file:source_record`` of the given rows."""
    idx = pa.array(rows, type=pa.int64())
    files = pc.cast(source["source_file"].take(idx), pa.string()).to_pylist()
    recs = source["source_record"].take(idx).to_pylist()
    return [f"{f}:{r}" for f, r in zip(files, recs, strict=True)]


def _apply_filter(table: pa.Table, time_ns: np.ndarray, where: CrossingFilter) -> pa.Table:
    mask = np.ones(table.num_rows, dtype=bool)
    if where.from_codes:
        mask &= np.isin(np.asarray(table["from"].to_pylist(), dtype=object), list(where.from_codes))
    if where.into_codes:
        mask &= np.isin(np.asarray(table["to"].to_pylist(), dtype=object), list(where.into_codes))
    if where.since_ns is not None:
        mask &= time_ns >= where.since_ns
    if where.until_ns is not None:
        mask &= time_ns <= where.until_ns
    if where.min_confidence is not None:
        mask &= table["confidence"].to_numpy() >= where.min_confidence
    return table.filter(pa.array(mask))
