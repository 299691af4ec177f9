"""Which tracks the partitioned engines must associate together (docs/fusion.md).

The local and Dask engines cross each partition of tracks on its own, but
:func:`airwitness.fusion.fuse` compares tracks of different sensors, which may lie
in any partition. Before pass 1, a first read of the inputs gives a *sketch* of
every track: the sensors and identities its reports carry, and the cells of
``cell_deg`` it is in at each minute. From the sketches, every track that could
take part in fusion — a superset of what ``fuse`` can associate, whatever
cleaning later rejects — is picked out (:func:`fusion_tracks`); those tracks are
crossed together, in one process, exactly as the in-memory engine crosses them,
and all others in their partitions.

A track is picked when

- it shares an identity with a track of another sensor (association by identity);
- it lies, at some minute, within two cells and a minute of a track of another
  sensor, one of the two with a report that carries no identity (the candidates
  of association by kinematics are the same cell or a neighbouring one at the
  same minute; the extra cell and minute cover reports that a radar's estimated
  bias moves by less than a cell and a minute);
- it has a report of a radar whose site is known (its bias, once estimated, moves
  every report of that radar).

"Another sensor" is judged on the set of sensors a track's reports carry: two
tracks are passed over only when both carry one and the same sensor.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.fusion.associate import AssociationRules, cell_key, key_matches
from airwitness.schema import one_array

#: The canonical columns a sketch is made of
SKETCHED = ("track_id", "time", "lon", "lat", "sensor", "identity")
#: How far around a cell and its minute candidates are looked for (see the module docs)
CELL_REACH = 2
MINUTE_REACH = 1
#: a track's sensors, when they are more than one
MIXED = -1


@dataclass
class Sketch:
    """Tracks ``k = 0..n-1``, what their reports carry, and where they were."""

    ids: list[str] = field(default_factory=list)
    sensors: list[frozenset[str | None]] = field(default_factory=list)
    identities: list[frozenset[str]] = field(default_factory=list)
    #: per track: some report carries no identity
    unidentified: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    #: distinct (track, cell key) pairs: minute, cell column and cell row in one key
    entries: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64))

    @property
    def seen(self) -> set[str | None]:
        """Every sensor value met (None: a report that does not say)."""
        return set().union(*self.sensors) if self.sensors else set()


def sketch_of(table: pa.Table, rules: AssociationRules | None = None) -> Sketch:
    """The sketch of the tracks in ``table`` (canonical columns, any row order)."""
    rules = rules or AssociationRules()
    n = table.num_rows
    if n == 0:
        return Sketch()
    encoded = one_array(pc.dictionary_encode(pc.cast(table["track_id"], pa.string())))
    ids = encoded.dictionary.to_pylist()
    track = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    sensors = _values_per_track(table, "sensor", track, len(ids), keep_null=True)
    identities = _values_per_track(table, "identity", track, len(ids), keep_null=False)
    unidentified = np.ones(len(ids), dtype=bool)
    if "identity" in table.column_names:
        missing = table["identity"].is_null().to_numpy(zero_copy_only=False)
        unidentified = np.bincount(track[missing], minlength=len(ids)) > 0
    time_ns = np.asarray(one_array(table["time"]).cast(pa.int64()).to_numpy())
    minute = time_ns // int(rules.snapshot_s * 1e9)
    lon = one_array(table["lon"]).to_numpy(zero_copy_only=False)
    lat = one_array(table["lat"]).to_numpy(zero_copy_only=False)
    cx = np.floor(lon / rules.cell_deg).astype(np.int64)
    cy = np.floor(lat / rules.cell_deg).astype(np.int64)
    entries = distinct_pairs(track, cell_key(minute, cx, cy))
    return Sketch(ids, sensors, identities, unidentified, entries)


def merged(sketches: Iterable[Sketch]) -> Sketch:
    """One sketch of all tracks in ``sketches`` (a track in several is one track)."""
    number: dict[str, int] = {}
    out = Sketch()
    unidentified: list[bool] = []
    entries = []
    for s in sketches:
        local = np.empty(len(s.ids), dtype=np.int64)
        for k, track_id in enumerate(s.ids):
            at = number.get(track_id)
            if at is None:
                at = number[track_id] = len(out.ids)
                out.ids.append(track_id)
                out.sensors.append(s.sensors[k])
                out.identities.append(s.identities[k])
                unidentified.append(bool(s.unidentified[k]))
            else:
                out.sensors[at] |= s.sensors[k]
                out.identities[at] |= s.identities[k]
                unidentified[at] |= bool(s.unidentified[k])
            local[k] = at
        if len(s.entries):
            entries.append(np.stack([local[s.entries[:, 0]], s.entries[:, 1]], axis=1))
    out.unidentified = np.asarray(unidentified, dtype=bool)
    if entries:
        both = np.concatenate(entries)
        out.entries = distinct_pairs(both[:, 0], both[:, 1])
    return out


def distinct_pairs(track: np.ndarray, key: np.ndarray) -> np.ndarray:
    """The distinct (track, key) pairs, as rows of two columns (sorted by key, then
    track, or by track, then key). One integer per pair where they fit in 62 bits
    (a sort of plain integers, far faster than of rows)."""
    if not len(track):
        return np.zeros((0, 2), dtype=np.int64)
    low = int(key.min())
    span, n = int(key.max()) - low + 1, int(track.max()) + 1
    if span * n < 1 << 62:
        code = np.unique((key - low) * n + track)
        return np.stack([code % n, code // n + low], axis=1)
    order = np.lexsort((key, track))
    t, k = track[order], key[order]
    first = np.ones(len(t), dtype=bool)
    first[1:] = (t[1:] != t[:-1]) | (k[1:] != k[:-1])
    return np.stack([t[first], k[first]], axis=1)


def fusion_tracks(sketch: Sketch, sited: Collection[str] = ()) -> set[str]:
    """The tracks that could take part in fusion (see the module docs); ``sited``:
    the sensors whose sites are known (their biases can be estimated)."""
    if len(sketch.seen) < 2:
        return set()
    code = _sensor_codes(sketch)
    picked = np.zeros(len(sketch.ids), dtype=bool)
    for members in _by_identity(sketch).values():
        if len(members) > 1 and len(set().union(*(sketch.sensors[k] for k in members))) > 1:
            picked[members] = True
    picked |= _near_other_sensors(sketch, code)
    sited = set(sited)
    for k, sensors in enumerate(sketch.sensors):
        if sensors & sited:
            picked[k] = True
    return {sketch.ids[k] for k in np.flatnonzero(picked)}


def _values_per_track(
    table: pa.Table, name: str, track: np.ndarray, n_tracks: int, keep_null: bool
) -> list[frozenset]:
    """Per track, the distinct values of column ``name`` (None for null if ``keep_null``)."""
    if name not in table.column_names:
        return [frozenset({None}) if keep_null else frozenset()] * n_tracks
    encoded = one_array(pc.dictionary_encode(pc.cast(table[name], pa.string())))
    values = encoded.dictionary.to_pylist()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    width = len(values) + 1  # code 0: null
    pairs = np.unique(track * width + codes + 1)
    out: list[set] = [set() for _ in range(n_tracks)]
    for t, c in zip((pairs // width).tolist(), (pairs % width).tolist(), strict=True):
        if c:
            out[t].add(values[c - 1])
        elif keep_null:
            out[t].add(None)
    return [frozenset(s) for s in out]


def _sensor_codes(sketch: Sketch) -> np.ndarray:
    """Per track, a number for its one sensor, or :data:`MIXED`."""
    numbers: dict[str | None, int] = {}
    out = np.empty(len(sketch.ids), dtype=np.int64)
    for k, sensors in enumerate(sketch.sensors):
        if len(sensors) == 1:
            (only,) = sensors
            out[k] = numbers.setdefault(only, len(numbers))
        else:
            out[k] = MIXED
    return out


def _by_identity(sketch: Sketch) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for k, identities in enumerate(sketch.identities):
        for identity in identities:
            groups.setdefault(identity, []).append(k)
    return groups


def _near_other_sensors(sketch: Sketch, code: np.ndarray) -> np.ndarray:
    """Per track, whether it is within :data:`CELL_REACH` cells and
    :data:`MINUTE_REACH` minutes of a track of another sensor, one of the two
    without an identity somewhere. Sensor by sensor: the entries of its tracks
    without an identity against those of every other sensor's tracks, looked up
    from the smaller side (the neighbourhood is symmetric)."""
    picked = np.zeros(len(sketch.ids), dtype=bool)
    if not len(sketch.entries) or not sketch.unidentified.any():
        return picked
    track, key = sketch.entries[:, 0], sketch.entries[:, 1]
    probing = sketch.unidentified[track]
    of_entry = code[track]
    for c in np.unique(of_entry[probing]).tolist():
        mine = probing & (of_entry == c)
        if c == MIXED:  # a track of several sensors differs from every other track
            _mark_pairs(track[mine], key[mine], track, key, picked)
        else:
            others = of_entry != c
            _mark_near(track[mine], key[mine], track[others], key[others], picked)
    return picked


def _offsets(key: np.ndarray) -> Iterator[np.ndarray]:
    """``key`` moved to every cell and minute within reach."""
    minute, rest = np.divmod(key, 4096 * 4096)
    cx, cy = np.divmod(rest, 4096)
    cx, cy = cx - 2048, cy - 2048
    reach = range(-CELL_REACH, CELL_REACH + 1)
    for dm in range(-MINUTE_REACH, MINUTE_REACH + 1):
        for dx in reach:
            for dy in reach:
                yield cell_key(minute + dm, cx + dx, cy + dy)


def _mark_near(
    a_track: np.ndarray, a_key: np.ndarray, b_track: np.ndarray, b_key: np.ndarray, picked
) -> None:
    """Mark the tracks of ``a`` and ``b`` (disjoint) with an entry near one of the other."""
    if not len(a_track) or not len(b_track):
        return
    if len(a_track) > len(b_track):
        a_track, a_key, b_track, b_key = b_track, b_key, a_track, a_key
    order = np.argsort(b_key, kind="stable")
    b_key, b_track = b_key[order], b_track[order]
    covered = np.zeros(len(b_key) + 1, dtype=np.int64)
    for wanted in _offsets(a_key):
        lo = np.searchsorted(b_key, wanted, side="left")
        hi = np.searchsorted(b_key, wanted, side="right")
        hit = hi > lo
        if hit.any():
            picked[a_track[hit]] = True
            np.add.at(covered, lo[hit], 1)
            np.add.at(covered, hi[hit], -1)
    picked[b_track[np.cumsum(covered[:-1]) > 0]] = True


def _mark_pairs(
    a_track: np.ndarray, a_key: np.ndarray, b_track: np.ndarray, b_key: np.ndarray, picked
) -> None:
    """Mark the tracks of ``a`` and of ``b`` with an entry near one of another track."""
    order = np.argsort(b_key, kind="stable")
    b_key, b_track = b_key[order], b_track[order]
    for wanted in _offsets(a_key):
        which, at = key_matches(b_key, wanted)
        first, second = a_track[which], b_track[at]
        other = first != second
        picked[first[other]] = True
        picked[second[other]] = True
