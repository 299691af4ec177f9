"""One object, several sensors (docs/fusion.md).

After tracking and cleaning, before crossings: which tracks of different sensors
are the same object (:mod:`.associate`: by identity, then by kinematics, one to
one), and which self-reported positions a sensor's measurement contradicts
(:mod:`.spoofing`). :func:`fuse` does both on a prepared table;
:func:`airwitness.corroboration.corroborate` then gives every crossing its
``sensors``, ``corroborated_by``, ``suspect`` and ``suspect_reason``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.fusion.associate import (
    ASSOCIATION_SCHEMA,
    AssociationRules,
    Pair,
    associate,
    association_table,
)
from airwitness.fusion.bias import BiasRules, RadarBias, estimate_biases, remove_biases
from airwitness.fusion.spoofing import Spoofing, SpoofRules, find_spoofing
from airwitness.fusion.trackset import UNKNOWN, TrackSet, track_set

__all__ = [
    "ASSOCIATION_SCHEMA",
    "UNKNOWN",
    "AssociationRules",
    "BiasRules",
    "Fusion",
    "RadarBias",
    "SpoofRules",
    "connected",
    "fuse",
    "sensors_of",
    "several_sensors",
]


@dataclass
class Fusion:
    """What fusion found in a prepared table, ``source`` (rows of ``tracks`` are its rows)."""

    source: pa.Table
    tracks: TrackSet
    pairs: list[Pair]
    spoofing: Spoofing
    #: the radars' estimated biases (those applied are taken out of ``source``)
    biases: list[RadarBias] = field(default_factory=list)

    @property
    def associations(self) -> pa.Table:
        return association_table(self.tracks, self.pairs)

    def associated_with(self) -> dict[str, list[str]]:
        """Per track id, the other tracks judged the same object (directly or through
        another), sorted; tracks with none are left out."""
        ids = self.tracks.ids
        groups = connected(len(ids), [(p.a, p.b) for p in self.pairs])
        return {
            ids[k]: sorted(ids[o] for o in members if o != k)
            for members in groups
            if len(members) > 1
            for k in members
        }

    def suspect_tracks(self) -> set[str]:
        """Tracks with a report a measurement contradicts: they corroborate nothing."""
        return {self.tracks.ids[k] for k in self.spoofing.reasons}

    def suspect_rows(self) -> np.ndarray:
        return self.spoofing.suspect


def connected(n: int, links: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The items ``0..n-1`` grouped by the links between them (each group in order)."""
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in links:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for k in range(n):
        groups.setdefault(root(k), []).append(k)
    return list(groups.values())


def fuse(
    table: pa.Table,
    rules: AssociationRules | None = None,
    spoof_rules: SpoofRules | None = None,
    *,
    sites: Mapping[str, tuple[float, float, float]] | None = None,
    bias_rules: BiasRules | None = None,
) -> Fusion:
    """Associate the tracks of a prepared table and find spoofing by disagreement.

    With the radars' ``sites`` (sensor → lon, lat, height), their biases are estimated from
    the associated tracks first (:mod:`.bias`), and those applied are taken out of
    their reports (``Fusion.source``) before association and spoofing are decided."""
    ts = track_set(table)
    pairs = associate(ts, rules)
    biases = estimate_biases(ts, pairs, sites, bias_rules) if sites else []
    if any(b.applied for b in biases):
        table = remove_biases(table, biases, sites or {})
        ts = track_set(table)
        pairs = associate(ts, rules)
    return Fusion(table, ts, pairs, find_spoofing(ts, pairs, spoof_rules), biases)


def several_sensors(table: pa.Table) -> bool:
    """Whether the reports come from more than one sensor (else there is nothing to
    associate: two tracks of one sensor are two objects)."""
    if table.num_rows == 0 or "sensor" not in table.column_names:
        return False
    return len(sensors_of(table["sensor"])) > 1


def sensors_of(column: pa.ChunkedArray) -> set[str | None]:
    """The distinct values of a ``sensor`` column (None for null), without spelling out
    a string per row: a dictionary column is read through its indices."""
    seen: set[str | None] = set()
    for chunk in column.chunks:
        if chunk.null_count:
            seen.add(None)
        if pa.types.is_dictionary(chunk.type):
            used = pc.unique(chunk.indices).drop_null().to_numpy(zero_copy_only=False)
            seen.update(chunk.dictionary.take(pa.array(used)).to_pylist())
        else:
            seen.update(pc.unique(chunk).drop_null().to_pylist())
    return seen
