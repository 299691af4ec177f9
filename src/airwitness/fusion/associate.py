"""Which tracks of different sensors are the same object (docs/fusion.md).

Two tracks can be the same object only if different sensors made them (two
tracks of one sensor at once are two objects) and their times overlap.

1. **By identity.** Tracks that carry the same identity (a Mode S address in
   ADS-B, in a Mode S radar's plots, in CAT021/CAT062; a Remote ID UAS ID) are
   one object, whatever their positions say: that is what lets a spoofed ADS-B
   track be caught (:mod:`.spoofing`). Their agreement is measured and
   recorded all the same.
2. **By kinematics**, for tracks that share no identity (a primary radar's
   anonymous track, an aircraft whose transponder does not answer): one track's
   reports are compared with the other's path at the same instants
   (:mod:`.align`); each offset squared, in units of the combined stated σ, is
   χ² with 2 degrees of freedom if they are one object. They are one object when
   at least ``min_common`` reports can be compared, at least ``min_agree_fraction``
   of them lie within the 99.9 % gate (``gate_z2``: the parts that agree — a
   spoofed stretch must not hide the rest), and the agreeing ones' mean squared
   offset is at most ``max_mean_z2`` (χ²₂ has mean 2: twice that allows for
   errors stated somewhat too small). A track with an identity is never
   associated by kinematics with one carrying another identity.
3. **One to one.** A track is the same object as at most one track of each
   other sensor at any time: kinematic candidates are taken best first (smallest
   mean squared offset), and one whose compared stretch overlaps in time a
   stretch already taken for either track with that sensor is refused.

Candidates for (2) are found without comparing every pair: each track's
position every ``snapshot_s`` goes in a cell of ``cell_deg`` by minute, and only
tracks in the same or a neighbouring cell at the same minute are compared.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pyarrow as pa

from airwitness.fusion.align import Aligned, align
from airwitness.fusion.trackset import TrackSet

_NEIGHBOURS = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
IDENTITY = "identity"
KINEMATIC = "kinematic"

#: One row per pair of tracks judged the same object, with what the judgement rests on.
ASSOCIATION_SCHEMA = pa.schema(
    [
        pa.field("track_id", pa.string(), nullable=False),
        pa.field("other_track_id", pa.string(), nullable=False),
        pa.field("sensor", pa.string(), nullable=False),
        pa.field("other_sensor", pa.string(), nullable=False),
        pa.field("method", pa.string(), nullable=False),  # identity | kinematic
        pa.field("identity", pa.string()),
        pa.field("compared", pa.int64(), nullable=False),  # reports compared
        pa.field("agreeing", pa.int64(), nullable=False),  # within the gate
        pa.field("mean_z2", pa.float64()),  # of the agreeing ones
        pa.field("median_offset_m", pa.float64()),
        pa.field("first", pa.timestamp("ns", tz="UTC")),  # the compared stretch
        pa.field("last", pa.timestamp("ns", tz="UTC")),
    ]
)


@dataclass(frozen=True)
class AssociationRules:
    """The thresholds of association (see the module docs)."""

    max_interp_s: float = 30.0
    gate_z2: float = 13.815510557964274  # χ²₂ 99.9 %: −2 ln 0.001
    min_common: int = 8
    min_agree_fraction: float = 0.5
    max_mean_z2: float = 4.0
    snapshot_s: float = 60.0
    cell_deg: float = 0.1


@dataclass(frozen=True)
class Pair:
    """Two tracks judged one object: ``a``'s path, ``b``'s reports compared with it."""

    a: int
    b: int
    method: str
    aligned: Aligned
    agreeing: int
    mean_z2: float

    @property
    def stretch(self) -> tuple[int, int]:
        t = self.aligned.time_ns
        return (int(t[0]), int(t[-1])) if len(t) else (0, -1)


def associate(ts: TrackSet, rules: AssociationRules | None = None) -> list[Pair]:
    """Every pair of tracks judged the same object, identity pairs first."""
    rules = rules or AssociationRules()
    pairs = [_compare(ts, a, b, IDENTITY, rules) for a, b in _identity_candidates(ts)]
    taken: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for p in pairs:
        _take(ts, p, taken)
    found = []
    for a, b in _kinematic_candidates(ts, rules):
        p = _compare(ts, a, b, KINEMATIC, rules)
        if _agrees(p, rules):
            found.append(p)
    for p in sorted(found, key=lambda p: (p.mean_z2, ts.ids[p.a], ts.ids[p.b])):
        if _free(ts, p, taken):
            _take(ts, p, taken)
            pairs.append(p)
    return pairs


def association_table(ts: TrackSet, pairs: list[Pair]) -> pa.Table:
    """The pairs as :data:`ASSOCIATION_SCHEMA` rows, in track order."""
    rows = sorted(pairs, key=lambda p: (ts.ids[p.a], ts.ids[p.b]))
    offsets = [np.hypot(p.aligned.east_m, p.aligned.north_m) for p in rows]
    return pa.table(
        {
            "track_id": [ts.ids[p.a] for p in rows],
            "other_track_id": [ts.ids[p.b] for p in rows],
            "sensor": [ts.sensor[p.a] for p in rows],
            "other_sensor": [ts.sensor[p.b] for p in rows],
            "method": [p.method for p in rows],
            "identity": [ts.identity[p.a] if p.method == IDENTITY else None for p in rows],
            "compared": [len(p.aligned) for p in rows],
            "agreeing": [p.agreeing for p in rows],
            "mean_z2": [p.mean_z2 if p.agreeing else None for p in rows],
            "median_offset_m": [float(np.median(o)) if len(o) else None for o in offsets],
            "first": [p.stretch[0] if len(p.aligned) else None for p in rows],
            "last": [p.stretch[1] if len(p.aligned) else None for p in rows],
        },
        schema=ASSOCIATION_SCHEMA,
    )


def _compare(ts: TrackSet, a: int, b: int, method: str, rules: AssociationRules) -> Pair:
    """``b``'s reports against ``a``'s path, ``a`` being the measured track where one is
    (its path is what the other is held to), else the one with more reports."""
    longer_b = (ts.stop[b] - ts.start[b]) > (ts.stop[a] - ts.start[a])
    if (ts.measured(b), longer_b) > (ts.measured(a), False):
        a, b = b, a
    aligned = align(ts, a, b, rules.max_interp_s)
    z2 = aligned.z2
    good = z2 <= rules.gate_z2
    mean = float(z2[good].mean()) if good.any() else float("inf")
    return Pair(a, b, method, aligned, int(good.sum()), mean)


def _agrees(p: Pair, rules: AssociationRules) -> bool:
    n = len(p.aligned)
    return (
        p.agreeing >= rules.min_common
        and p.agreeing >= rules.min_agree_fraction * n
        and p.mean_z2 <= rules.max_mean_z2
    )


def _overlap(ts: TrackSet, a: int, b: int) -> bool:
    a0, a1 = ts.span(a)
    b0, b1 = ts.span(b)
    return a0 <= b1 and b0 <= a1


def _identity_candidates(ts: TrackSet) -> list[tuple[int, int]]:
    by_identity: dict[str, list[int]] = defaultdict(list)
    for k, ident in enumerate(ts.identity):
        if ident is not None:
            by_identity[ident].append(k)
    out = []
    for ident in sorted(by_identity):
        for a, b in combinations(by_identity[ident], 2):
            if ts.sensor[a] != ts.sensor[b] and _overlap(ts, a, b):
                out.append((a, b))
    return out


def _kinematic_candidates(ts: TrackSet, rules: AssociationRules) -> list[tuple[int, int]]:
    """Pairs of tracks of different sensors, not both with an identity, that are in
    neighbouring cells at some minute (see the module docs). In whole-array passes:
    each track's first report of each minute is a cell entry; the entries of tracks
    without an identity (the only ones a kinematic pair needs) look up the entries in
    their cell and the eight around it."""
    unidentified = np.array([i is None for i in ts.identity], dtype=bool)
    if not unidentified.any():
        return []
    step = int(rules.snapshot_s * 1e9)
    track = np.repeat(np.arange(len(ts)), ts.stop - ts.start)
    minute = ts.time_ns // step
    first = np.r_[True, (minute[1:] != minute[:-1]) | (track[1:] != track[:-1])]
    k, m = track[first], minute[first]
    cx = np.floor(ts.lon[first] / rules.cell_deg).astype(np.int64)
    cy = np.floor(ts.lat[first] / rules.cell_deg).astype(np.int64)
    key = cell_key(m, cx, cy)
    order = np.argsort(key, kind="stable")
    key_sorted, k_sorted = key[order], k[order]
    probe = unidentified[k]
    found = []
    for dx, dy in _NEIGHBOURS:
        wanted = cell_key(m[probe], cx[probe] + dx, cy[probe] + dy)
        which, at = key_matches(key_sorted, wanted)
        if len(which):
            found.append(np.stack([k[probe][which], k_sorted[at]], axis=1))
    if not found:
        return []
    pairs = np.concatenate(found)
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    codes = {s: c for c, s in enumerate(sorted(set(ts.sensor)))}
    sensor = np.array([codes[s] for s in ts.sensor], dtype=np.int64)
    a, b = pairs[:, 0], pairs[:, 1]
    keep = (a != b) & (sensor[a] != sensor[b]) & (unidentified[a] | unidentified[b])
    return [(int(x), int(y)) for x, y in pairs[keep].tolist()]


def key_matches(sorted_keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with ``sorted_keys[j] == wanted[i]``, as two arrays, in whole-array
    passes."""
    lo = np.searchsorted(sorted_keys, wanted, side="left")
    count = np.searchsorted(sorted_keys, wanted, side="right") - lo
    total = int(count.sum())
    which = np.repeat(np.arange(len(wanted)), count)
    within = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    return which, np.repeat(lo, count) + within


def cell_key(minute: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    """One integer per (minute, cell): cells of 0.1° and more fit in 12 bits each way."""
    return (minute * 4096 + (cx + 2048)) * 4096 + (cy + 2048)


def _free(ts: TrackSet, p: Pair, taken: dict[tuple[int, str], list[tuple[int, int]]]) -> bool:
    s0, s1 = p.stretch
    for k, other in ((p.a, p.b), (p.b, p.a)):
        for t0, t1 in taken.get((k, ts.sensor[other]), ()):
            if t0 <= s1 and s0 <= t1:
                return False
    return True


def _take(ts: TrackSet, p: Pair, taken: dict[tuple[int, str], list[tuple[int, int]]]) -> None:
    for k, other in ((p.a, p.b), (p.b, p.a)):
        taken[(k, ts.sensor[other])].append(p.stretch)
