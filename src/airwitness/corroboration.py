"""Every crossing's corroboration and integrity across sensors (docs/fusion.md).

Given the crossings of every track and what :func:`airwitness.fusion.fuse` found:

- ``suspect``: one of the crossing's two reports (``before``, ``after``) is a
  report a measurement contradicts; ``suspect_reason`` says why (the track's
  reason from :mod:`airwitness.fusion.spoofing`). Such a crossing is listed,
  never a finding.
- ``corroborated_by``: the tracks judged the same object (associated, directly
  or through another) that show the same crossing — same ``from`` and ``to``,
  their time windows ``[time_min, time_max]`` overlapping within
  ``tolerance_s`` — and are not themselves suspect anywhere (a track a
  measurement contradicts corroborates nothing); comma-separated, sorted.
- ``sensors``: how many distinct sensors those tracks and the crossing's own
  track come from (two ADS-B receivers hearing one aircraft are one sensor:
  the aircraft's own). A crossing no other sensor shows keeps ``sensors`` 1:
  corroboration strengthens, its absence does not erase.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.airspace import Airspace
from airwitness.crossings import CrossingFilter, filter_crossings, find_crossings
from airwitness.fusion import Fusion, fuse, several_sensors
from airwitness.schema import one_array

#: Two tracks' crossings are the same event if their time windows overlap within this
TOLERANCE_S = 60.0


def crossings_across_sensors(
    tracks: pa.Table,
    airspace: Airspace,
    *,
    observed_gap_s: float,
    where: CrossingFilter | None = None,
    boundary_sigma_m: float | None = None,
    segment_reports: np.ndarray | None = None,
    sites: Mapping[str, tuple[float, float, float]] | None = None,
    always: bool = False,
) -> tuple[pa.Table, Fusion | None]:
    """:func:`airwitness.crossings.find_crossings` on prepared ``tracks``, each crossing
    corroborated across sensors where the reports come from several (the fusion
    too; None for one sensor: every crossing then keeps ``sensors`` 1). The filter
    applies after corroboration, so that a crossing filtered out still corroborates.
    With the radars' ``sites``, their estimated biases are taken out of their reports
    before crossings are found (:mod:`airwitness.fusion.bias`). ``always`` fuses even
    tracks of one sensor (some of a larger whole: the partitioned engines)."""
    where = where or CrossingFilter()
    if not always and not several_sensors(tracks):
        found = find_crossings(
            tracks,
            airspace,
            observed_gap_s=observed_gap_s,
            where=where,
            boundary_sigma_m=boundary_sigma_m,
            segment_reports=segment_reports,
        )
        return found, None
    fusion = fuse(tracks, sites=sites)
    every = find_crossings(
        fusion.source,
        airspace,
        observed_gap_s=observed_gap_s,
        boundary_sigma_m=boundary_sigma_m,
        segment_reports=segment_reports,
    )
    return filter_crossings(corroborate(every, fusion), where), fusion


def corroborate(crossings: pa.Table, fusion: Fusion, tolerance_s: float = TOLERANCE_S) -> pa.Table:
    """``crossings`` (of the table ``fusion`` was made from) with ``sensors``,
    ``corroborated_by``, ``suspect`` and ``suspect_reason`` filled in."""
    n = crossings.num_rows
    if n == 0:
        return crossings
    ts = fusion.tracks
    index = ts.index()
    suspect_refs = _suspect_refs(fusion)
    reasons = {ts.ids[k]: why for k, why in fusion.spoofing.reasons.items()}
    ids = crossings["track_id"].to_pylist()
    before, after = crossings["before"].to_pylist(), crossings["after"].to_pylist()
    suspect = np.array(
        [b in suspect_refs or a in suspect_refs for b, a in zip(before, after, strict=True)]
    )
    why = [reasons.get(t) if s else None for t, s in zip(ids, suspect.tolist(), strict=True)]

    events = _Events(crossings, suspect, tolerance_s)
    partners = fusion.associated_with()
    untrusted = fusion.suspect_tracks()
    sensors = np.ones(n, dtype=np.int32)
    by: list[str | None] = [None] * n
    for i, t in enumerate(ids):
        if suspect[i]:
            continue
        showing = [p for p in partners.get(t, ()) if p not in untrusted and events.shows(p, i)]
        if showing:
            kinds = {ts.sensor[index[t]]} | {ts.sensor[index[p]] for p in showing}
            sensors[i] = len(kinds)
            by[i] = ",".join(showing)
    out = crossings
    for name, values in (
        ("sensors", pa.array(sensors, pa.int32())),
        ("corroborated_by", pa.array(by, pa.string())),
        ("suspect", pa.array(suspect, pa.bool_())),
        ("suspect_reason", pa.array(why, pa.string())),
    ):
        i = out.schema.get_field_index(name)
        out = out.set_column(i, out.schema.field(i), values)  # its type and nullability
    return out


def _suspect_refs(fusion: Fusion) -> set[str]:
    """``file:record`` of every suspect report."""
    rows = np.flatnonzero(fusion.suspect_rows())
    if not len(rows):
        return set()
    source = fusion.source
    idx = pa.array(rows)
    files = pc.cast(source["source_file"].take(idx), pa.string()).to_pylist()
    records = source["source_record"].take(idx).to_pylist()
    return {f"{f}:{r}" for f, r in zip(files, records, strict=True)}


class _Events:
    """Each track's non-suspect crossings as (from, to, time_min, time_max)."""

    def __init__(self, crossings: pa.Table, suspect: np.ndarray, tolerance_s: float) -> None:
        self.tol = int(tolerance_s * 1e9)
        self.ids = crossings["track_id"].to_pylist()
        self.codes = list(
            zip(crossings["from"].to_pylist(), crossings["to"].to_pylist(), strict=True)
        )
        self.t0 = np.asarray(one_array(crossings["time_min"]).cast(pa.int64()).to_numpy())
        self.t1 = np.asarray(one_array(crossings["time_max"]).cast(pa.int64()).to_numpy())
        self.by_track: dict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(self.ids):
            if not suspect[i]:
                self.by_track[t].append(i)

    def shows(self, track: str, i: int) -> bool:
        """Whether ``track`` has a crossing that is crossing ``i`` seen by another sensor."""
        return any(
            self.codes[j] == self.codes[i]
            and self.t0[j] - self.tol <= self.t1[i]
            and self.t0[i] - self.tol <= self.t1[j]
            for j in self.by_track.get(track, ())
        )
