"""The engines on reports of several sensors: crossings corroborated across them,
exactly as :func:`airwitness.pipeline.crossings_of_inputs` gives them (docs/fusion.md).
The memory engine fuses its whole table; the partitioned ones the tracks that
:mod:`airwitness.engine.sketch` picks out, crossed together
(:mod:`airwitness.engine.associating`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from airwitness.schema import one_array

if TYPE_CHECKING:
    from airwitness.engine.partition import AirspaceSpec, Counts, CrossingOptions
    from airwitness.fusion import Fusion
    from airwitness.io.options import ReadOptions


def fused_crossings(
    table: pa.Table,
    airspace: AirspaceSpec,
    options: CrossingOptions,
    read_options: ReadOptions | None,
    *,
    partitioned: bool = False,
    stated_sites: Mapping[str, tuple[float, float, float]] | None = None,
) -> tuple[pa.Table, Counts, tuple[str, ...]] | None:
    """The corroborated crossings of ``table``, the summary's counts (those
    :func:`crossings_of_partition` gives) and its fusion lines; None when the reports
    come from one sensor (the engine's own path gives the same crossings).
    ``partitioned``: ``table`` holds the tracks a partitioned engine kept apart for
    fusion, fused whatever their sensors (they are part of a larger whole).
    ``stated_sites``: the radar sites the inputs state (CAT034); the sensors file's
    come first."""
    # imported here: the engines' worker processes never need them
    from airwitness.corroboration import crossings_across_sensors
    from airwitness.engine.partition import Counts
    from airwitness.fusion import several_sensors
    from airwitness.io.sensors import load_sensors
    from airwitness.pipeline import fusion_lines
    from airwitness.tracks import prepare_tracks, track_starts

    if not partitioned and not several_sensors(table):
        return None
    path = read_options.sensors if read_options is not None else None
    sites = {**(stated_sites or {}), **(load_sensors(path).site_by_id() if path else {})}
    prepared = prepare_tracks(table, max_gap_s=options.max_gap_s, outliers=options.outliers)
    crossings, fusion = crossings_across_sensors(
        prepared.table,
        airspace.open(),
        observed_gap_s=options.observed_gap_s,
        where=options.where,
        boundary_sigma_m=options.boundary_sigma_m,
        segment_reports=prepared.segment_reports,
        sites=sites,
        always=partitioned,
    )
    kept = prepared.table
    new_track = track_starts(kept["track_id"]) if kept.num_rows else np.zeros(0, bool)
    segment = kept["segment"].to_numpy()
    new_run = new_track.copy()
    new_run[1:] |= segment[1:] != segment[:-1]
    counts = Counts(
        reports=kept.num_rows,
        tracks=int(new_track.sum()),
        segments=int(new_run.sum()),
        rejects=Counter(r.reason for r in prepared.rejects),
        reject_list=prepared.rejects if options.keep_rejects else [],
    )
    lines = fusion_lines(fusion) if fusion is not None else ()
    if partitioned and fusion is not None:
        lines = (*lines, *_beyond_reach(kept, fusion))
    return crossings, counts, lines


def _beyond_reach(before: pa.Table, fusion: Fusion) -> tuple[str, ...]:
    """The summary's warning when an applied radar bias moved reports farther than the
    sketch looks for candidates (a cell, a minute: :mod:`airwitness.engine.sketch`):
    tracks beyond that reach were crossed in their partitions, unassociated."""
    from airwitness.fusion import AssociationRules

    after = fusion.source
    if after is before or not any(b.applied for b in fusion.biases):
        return ()
    rules = AssociationRules()
    moved = [
        np.abs(_numbers(after[c]) - _numbers(before[c])).max(initial=0.0) for c in ("lon", "lat")
    ]
    moved_s = np.abs(_numbers(after["time"]) - _numbers(before["time"])).max(initial=0) / 1e9
    if max(moved) < rules.cell_deg and moved_s < rules.snapshot_s:
        return ()
    return (
        f"a radar bias moved reports by up to {max(moved):.3g}° and {moved_s:.3g} s, farther "
        f"than the partitioned engines look for tracks to associate ({rules.cell_deg}°, "
        f"{rules.snapshot_s:g} s): --engine memory may associate more",
    )


def _numbers(column: pa.ChunkedArray) -> np.ndarray:
    array = one_array(column)
    if pa.types.is_timestamp(array.type):
        array = array.cast(pa.int64())
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.float64)
