"""The memory engine on reports of several sensors: crossings corroborated across them,
exactly as :func:`airwitness.pipeline.crossings_of_inputs` gives them (docs/fusion.md).
The partitioned engines keep each track's partition apart, so they do not associate."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

if TYPE_CHECKING:
    from airwitness.engine.partition import AirspaceSpec, Counts, CrossingOptions
    from airwitness.io.options import ReadOptions


def fused_crossings(
    table: pa.Table,
    airspace: AirspaceSpec,
    options: CrossingOptions,
    read_options: ReadOptions | None,
) -> tuple[pa.Table, Counts, tuple[str, ...]] | None:
    """The corroborated crossings of ``table``, the summary's counts (those
    :func:`crossings_of_partition` gives) and its fusion lines; None when the reports
    come from one sensor (the engine's own path gives the same crossings)."""
    # imported here: the engines' worker processes never need them
    from airwitness.corroboration import crossings_across_sensors
    from airwitness.engine.partition import Counts
    from airwitness.fusion import several_sensors
    from airwitness.io.sensors import load_sensors
    from airwitness.pipeline import fusion_lines
    from airwitness.tracks import prepare_tracks, track_starts

    if not several_sensors(table):
        return None
    path = read_options.sensors if read_options is not None else None
    sites = load_sensors(path).site_by_id() if path else {}
    prepared = prepare_tracks(table, max_gap_s=options.max_gap_s, outliers=options.outliers)
    crossings, fusion = crossings_across_sensors(
        prepared.table,
        airspace.open(),
        observed_gap_s=options.observed_gap_s,
        where=options.where,
        boundary_sigma_m=options.boundary_sigma_m,
        segment_reports=prepared.segment_reports,
        sites=sites,
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
    return crossings, counts, fusion_lines(fusion) if fusion is not None else ()


#: what kind of sensor a file of each format holds (``radar``: CAT048/062 plots and
#: tracks, though a CAT021 capture is ADS-B; ``unknown``: the format does not say)
SENSOR_OF_FORMAT = {
    **dict.fromkeys(("opensky", "traffic", "sbs", "beast", "avr", "modes_raw", "readsb"), "adsb"),
    **dict.fromkeys(("ulog", "dataflash", "mavlink"), "log"),
    "remoteid": "remoteid",
    **dict.fromkeys(("asterix", "plots", "detections"), "radar"),
}


def unassociated_note(formats: list[str], engine: str) -> tuple[str, ...]:
    """The summary's line where a partitioned engine reads files of several kinds of
    sensor, which it does not associate (docs/fusion.md)."""
    kinds = sorted({SENSOR_OF_FORMAT.get(f, "unknown") for f in formats} - {"unknown"})
    if len(kinds) < 2:
        return ()
    return (
        f"not associated: inputs of several sensors ({', '.join(kinds)}); the {engine} "
        "engine keeps each track's partition apart, so crossings have sensors 1 and no "
        "spoofing flags (--engine memory associates them)",
    )
