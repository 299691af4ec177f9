"""One object, several sensors (docs/fusion.md).

After tracking and cleaning, before crossings: which tracks of different sensors
are the same object (:mod:`.associate`: by identity, then by kinematics, one to
one), and which self-reported positions a sensor's measurement contradicts
(:mod:`.spoofing`). :func:`fuse` does both on a prepared table;
:func:`airwitness.corroboration.corroborate` then gives every crossing its
``sensors``, ``corroborated_by``, ``suspect`` and ``suspect_reason``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
from airwitness.fusion.spoofing import Spoofing, SpoofRules, find_spoofing
from airwitness.fusion.trackset import UNKNOWN, TrackSet, track_set

__all__ = [
    "ASSOCIATION_SCHEMA",
    "UNKNOWN",
    "AssociationRules",
    "Fusion",
    "SpoofRules",
    "fuse",
    "several_sensors",
]


@dataclass
class Fusion:
    """What fusion found in a prepared table, ``source`` (rows of ``tracks`` are its rows)."""

    source: pa.Table
    tracks: TrackSet
    pairs: list[Pair]
    spoofing: Spoofing

    @property
    def associations(self) -> pa.Table:
        return association_table(self.tracks, self.pairs)

    def associated_with(self) -> dict[str, list[str]]:
        """Per track id, the other tracks judged the same object (directly or through
        another), sorted; tracks with none are left out."""
        parent = list(range(len(self.tracks)))

        def root(k: int) -> int:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for p in self.pairs:
            parent[root(p.a)] = root(p.b)
        groups: dict[int, list[str]] = {}
        for k, t in enumerate(self.tracks.ids):
            groups.setdefault(root(k), []).append(t)
        return {
            t: sorted(o for o in members if o != t)
            for members in groups.values()
            if len(members) > 1
            for t in members
        }

    def suspect_tracks(self) -> set[str]:
        """Tracks with a report a measurement contradicts: they corroborate nothing."""
        return {self.tracks.ids[k] for k in self.spoofing.reasons}

    def suspect_rows(self) -> np.ndarray:
        return self.spoofing.suspect


def fuse(
    table: pa.Table,
    rules: AssociationRules | None = None,
    spoof_rules: SpoofRules | None = None,
) -> Fusion:
    """Associate the tracks of a prepared table and find spoofing by disagreement."""
    ts = track_set(table)
    pairs = associate(ts, rules)
    return Fusion(table, ts, pairs, find_spoofing(ts, pairs, spoof_rules))


def several_sensors(table: pa.Table) -> bool:
    """Whether the reports come from more than one sensor (else there is nothing to
    associate: two tracks of one sensor are two objects)."""
    if table.num_rows == 0 or "sensor" not in table.column_names:
        return False
    values = pc.unique(pc.cast(table["sensor"], pa.string()))
    return len(values) > 1
