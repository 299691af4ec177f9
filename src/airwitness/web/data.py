"""What the web app serves, computed once per version of the data.

Cleaning tracks, labelling reports and finding crossings take seconds; a
request must take milliseconds. So everything a request needs is computed here
once — at start-up and after each upload — as numpy columns to filter and JSON
items already serialised (and validated against their model), and requests
only filter and slice. A :class:`Snapshot` never changes; an upload builds a
new one and swaps it in.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from airwitness.airspace import INTL, Airspace
from airwitness.pipeline import Inputs, crossings_of_inputs, summarize, track_summaries
from airwitness.times import iso_times
from airwitness.web import models

#: Colours of airspaces on the map (qualitative, readable on a light background).
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#393b79",
    "#ad494a",
    "#637939",
)
INTL_COLOUR = "#7f7f7f"
#: Track lines on the map are simplified to this tolerance (degrees, ~50 m).
MAP_TOLERANCE_DEG = 0.0005


def colours_of(codes: list[str]) -> dict[str, str]:
    """A colour per airspace code the data visits, distinct for up to 12 codes.

    Assigned in code order, so every page (and every run over the same data)
    agrees; ``INTL`` is grey.
    """
    named = [c for c in sorted(codes) if c != INTL]
    out = {code: PALETTE[k % len(PALETTE)] for k, code in enumerate(named)}
    if INTL in codes:
        out[INTL] = INTL_COLOUR
    return out


def public_name(path: str, base: Path | None) -> str:
    """How a source file is named to web clients: never a path outside ``base``.

    Paths under ``base`` (the store's or the case's folder) are shown relative
    to it; anything else by its file name only.
    """
    p = Path(path)
    if not p.is_absolute() and ".." not in p.parts:
        return PurePosixPath(*p.parts).as_posix() if p.parts else path
    if base is not None:
        try:
            return p.resolve().relative_to(base.resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return p.name or path


def _public_sources(table: pa.Table, base: Path | None) -> pa.Table:
    """The table with every ``source_file`` replaced by its public name (unique)."""
    col = table["source_file"]
    paths = sorted({v for chunk in col.chunks for v in chunk.dictionary.to_pylist()})
    names: dict[str, str] = {}
    used: Counter[str] = Counter()
    for path in paths:
        name = public_name(path, base)
        used[name] += 1
        names[path] = name if used[name] == 1 else f"{name} [{used[name]}]"
    chunks = [
        pa.DictionaryArray.from_arrays(
            chunk.indices, pa.array([names[v] for v in chunk.dictionary.to_pylist()], pa.string())
        )
        for chunk in col.chunks
    ]
    column = pa.chunked_array(chunks, type=col.type)
    return table.set_column(table.schema.get_field_index("source_file"), "source_file", column)


def _floats(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def _opt(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


@dataclass(frozen=True)
class Tracks:
    """Per-track columns (ordered by first seen, then id) and serialised summaries."""

    ids: list[str]
    position: dict[str, int]
    first_ns: np.ndarray
    last_ns: np.ndarray
    rows: np.ndarray  # (n, 2): first and one-past-last row in the prepared table
    by_code: dict[str, np.ndarray]  # airspace code -> tracks that visit it
    report_track: np.ndarray  # track index of each prepared row
    summaries: list[models.TrackSummary]
    items: list[bytes]
    map_features: list[list[bytes]]  # per track: its airspace runs as GeoJSON features


@dataclass(frozen=True)
class Crossings:
    """Crossings ordered by time, as columns to filter and serialised items."""

    table: pa.Table
    time_ns: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    frm: np.ndarray
    to: np.ndarray
    observed: np.ndarray
    track: np.ndarray  # track index of each crossing
    models: list[models.Crossing]
    items: list[bytes]


@dataclass(frozen=True)
class Snapshot:
    generation: int
    airspace: Airspace
    prepared: pa.Table  # accepted reports sorted by track and time, with segment
    labels: np.ndarray  # airspace code of each prepared report
    tracks: Tracks
    crossings: Crossings
    files: int
    records: int
    rejects: dict[str, int]
    codes: list[str]

    @property
    def time_span_ns(self) -> tuple[int, int] | None:
        if len(self.tracks.ids) == 0:
            return None
        return int(self.tracks.first_ns.min()), int(self.tracks.last_ns.max())

    @property
    def bbox(self) -> models.BBox | None:
        if self.prepared.num_rows == 0:
            return None
        lon, lat = self.prepared["lon"], self.prepared["lat"]
        lo, la = pc.min_max(lon), pc.min_max(lat)
        return models.BBox(
            min_lon=lo["min"].as_py(),
            min_lat=la["min"].as_py(),
            max_lon=lo["max"].as_py(),
            max_lat=la["max"].as_py(),
        )


def build_snapshot(
    inputs: Inputs,
    airspace: Airspace,
    *,
    generation: int,
    base: Path | None,
    max_gap_s: float = 1800.0,
    observed_gap_s: float = 60.0,
) -> Snapshot:
    """Clean, label and cross once; everything the endpoints need, ready to slice."""
    inputs = Inputs(_public_sources(inputs.table, base), inputs.rejects, inputs.files)
    run = crossings_of_inputs(inputs, airspace, max_gap_s=max_gap_s, observed_gap_s=observed_gap_s)
    # where fusion took a radar's bias out, its reports where the crossings were found
    prepared = run.fusion.source if run.fusion is not None else run.prepared.table
    lon = prepared["lon"].to_numpy()
    lat = prepared["lat"].to_numpy()
    labels = airspace.decode_labels(airspace.label(lon, lat))
    summary_table = track_summaries(run.prepared, airspace, run.fusion)
    bounds = _track_bounds(prepared)
    crossing_order = _crossing_order(run.crossings)
    table = run.crossings.take(crossing_order)
    tracks = _tracks(prepared, labels, summary_table, bounds, table)
    crossings = _crossings(table, tracks.position)
    summary = summarize(inputs, run.prepared, table.num_rows, "crossings")
    codes = set(labels.tolist()) | set(crossings.frm.tolist()) | set(crossings.to.tolist())
    return Snapshot(
        generation=generation,
        airspace=airspace,
        prepared=prepared,
        labels=labels,
        tracks=tracks,
        crossings=crossings,
        files=summary.files,
        records=summary.records,
        rejects=dict(sorted(summary.rejects.items())),
        codes=sorted(codes),
    )


def _track_bounds(prepared: pa.Table) -> np.ndarray:
    """Row ranges of each track in the prepared table (sorted by track_id)."""
    n = prepared.num_rows
    if n == 0:
        return np.zeros((0, 2), dtype=np.int64)
    ids = np.asarray(pc.cast(prepared["track_id"], pa.string()).to_numpy(zero_copy_only=False))
    cuts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
    return np.column_stack([cuts[:-1], cuts[1:]]).astype(np.int64)


def _crossing_order(crossings: pa.Table) -> pa.Array:
    if crossings.num_rows == 0:
        return pa.array([], type=pa.int64())
    keys = pa.table({"time": crossings["time"], "track_id": crossings["track_id"]})
    return pc.sort_indices(keys, sort_keys=[("time", "ascending"), ("track_id", "ascending")])


def _tracks(
    prepared: pa.Table,
    labels: np.ndarray,
    summary: pa.Table,
    bounds: np.ndarray,
    crossings: pa.Table,
) -> Tracks:
    n = summary.num_rows
    ids_in_table = summary["track_id"].to_pylist()
    first = summary["first_seen"].cast(pa.int64()).to_numpy()
    last = summary["last_seen"].cast(pa.int64()).to_numpy()
    order = np.lexsort((np.asarray(ids_in_table, dtype=object).astype(str), first)) if n else []
    order = np.asarray(order, dtype=np.int64)
    ids = [ids_in_table[i] for i in order]
    position = {tid: k for k, tid in enumerate(ids)}
    rows = bounds[order] if n else np.zeros((0, 2), dtype=np.int64)
    report_track = np.zeros(prepared.num_rows, dtype=np.int64)
    for k, (a, b) in enumerate(rows.tolist()):
        report_track[a:b] = k

    lon = prepared["lon"].to_numpy()
    lat = prepared["lat"].to_numpy()
    x_ids = crossings["track_id"].to_pylist()
    x_count = Counter(x_ids)
    x_codes: dict[str, set[str]] = {}
    for tid, frm, to in zip(
        x_ids, crossings["from"].to_pylist(), crossings["to"].to_pylist(), strict=True
    ):
        x_codes.setdefault(tid, set()).update((frm, to))

    cols = {
        name: summary[name].to_pylist()
        for name in summary.column_names
        if not pa.types.is_timestamp(summary.schema.field(name).type)  # as ISO text below
    }
    first_iso = iso_times(summary["first_seen"])
    last_iso = iso_times(summary["last_seen"])
    by_code: dict[str, list[int]] = {}
    summaries, items = [], []
    for k, i in enumerate(order.tolist()):
        a, b = rows[k]
        tid = ids[k]
        visited = set(np.unique(labels[a:b]).tolist()) | x_codes.get(tid, set())
        for code in visited:
            by_code.setdefault(code, []).append(k)
        model = models.TrackSummary(
            track_id=tid,
            callsign=cols["callsign"][i],
            first_seen=first_iso[i],
            last_seen=last_iso[i],
            reports=cols["reports"][i],
            segments=cols["segments"][i],
            rejects=cols["rejects"][i],
            airspaces=cols["airspaces"][i].split(" > ") if cols["airspaces"][i] else [],
            crossings=x_count.get(tid, 0),
            sensor=cols["sensor"][i],
            associated_with=_ids(cols["associated_with"][i]),
            bbox=models.BBox(
                min_lon=float(lon[a:b].min()),
                min_lat=float(lat[a:b].min()),
                max_lon=float(lon[a:b].max()),
                max_lat=float(lat[a:b].max()),
            ),
        )
        summaries.append(model)
        items.append(model.model_dump_json().encode())
    return Tracks(
        ids=ids,
        position=position,
        first_ns=first[order] if n else np.zeros(0, np.int64),
        last_ns=last[order] if n else np.zeros(0, np.int64),
        rows=rows,
        by_code={c: np.asarray(v, dtype=np.int64) for c, v in by_code.items()},
        report_track=report_track,
        summaries=summaries,
        items=items,
        map_features=_map_features(prepared, labels, ids, rows),
    )


def _ids(text: str | None) -> list[str]:
    """Comma-separated track ids as a list (none: empty)."""
    return text.split(",") if text else []


def _finite(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else value


def _crossings(table: pa.Table, position: dict[str, int]) -> Crossings:
    stamps = ("time", "time_min", "time_max")
    cols = {name: table[name].to_pylist() for name in table.column_names if name not in stamps}
    times, t_min, t_max = (iso_times(table[n]) if table.num_rows else [] for n in stamps)
    out_models, items = [], []
    for k in range(table.num_rows):
        alt = cols["alt_m"][k]
        model = models.Crossing(
            track_id=cols["track_id"][k],
            segment=cols["segment"][k],
            time=times[k],
            lon=cols["lon"][k],
            lat=cols["lat"][k],
            alt_m=None if alt is None or not np.isfinite(alt) else alt,
            from_=cols["from"][k],
            to=cols["to"][k],
            kind=cols["kind"][k],
            gap_s=cols["gap_s"][k],
            before=cols["before"][k],
            after=cols["after"][k],
            confidence=cols["confidence"][k],
            time_min=t_min[k],
            time_max=t_max[k],
            along_min_m=cols["along_min_m"][k],
            along_max_m=cols["along_max_m"][k],
            evidence=cols["evidence"][k],
            depth_m=_finite(cols["depth_m"][k]),
            sigma_m=_finite(cols["sigma_m"][k]),
            boundary_sigma_m=cols["boundary_sigma_m"][k],
            sensors=cols["sensors"][k],
            corroborated_by=_ids(cols["corroborated_by"][k]),
            suspect=cols["suspect"][k],
            suspect_reason=cols["suspect_reason"][k],
        )
        out_models.append(model)
        items.append(model.model_dump_json(by_alias=True).encode())
    return Crossings(
        table=table,
        time_ns=table["time"].cast(pa.int64()).to_numpy() if table.num_rows else np.zeros(0, int),
        lon=_floats(table["lon"]),
        lat=_floats(table["lat"]),
        frm=np.asarray(cols["from"], dtype=object).astype(str),
        to=np.asarray(cols["to"], dtype=object).astype(str),
        observed=np.asarray([k == "observed" for k in cols["kind"]], dtype=bool),
        track=np.asarray([position[t] for t in cols["track_id"]], dtype=np.int64),
        models=out_models,
        items=items,
    )


def _map_features(
    prepared: pa.Table, labels: np.ndarray, ids: list[str], rows: np.ndarray
) -> list[list[bytes]]:
    """Each track as runs of one airspace (GeoJSON LineStrings), simplified for the map.

    A run ends at the first report of the next run, so the drawn line is
    continuous; each run carries its time span for the map's time slider.
    """
    n = prepared.num_rows
    out: list[list[bytes]] = [[] for _ in ids]
    if n == 0:
        return out
    lon = prepared["lon"].to_numpy()
    lat = prepared["lat"].to_numpy()
    t = prepared["time"].combine_chunks().cast(pa.int64()).to_numpy()
    seg = prepared["segment"].to_numpy()
    calls = prepared["callsign"].to_pylist()
    track_of = np.zeros(n, dtype=np.int64)
    for k, (a, b) in enumerate(rows.tolist()):
        track_of[a:b] = k
    piece_start = np.r_[True, (track_of[1:] != track_of[:-1]) | (seg[1:] != seg[:-1])]
    run_start = piece_start | np.r_[True, labels[1:] != labels[:-1]]
    run_id = np.cumsum(run_start) - 1
    starts = np.flatnonzero(run_start)
    ends = np.r_[starts[1:], n]  # one past the last row of each run
    # Runs continue to the next run's first report when both lie on one segment.
    link = np.r_[~piece_start[ends[:-1]], False]
    idx = np.concatenate([np.arange(n), ends[:-1][link[:-1]]])
    owner = np.concatenate([run_id, np.flatnonzero(link[:-1])])
    single = (ends - starts == 1) & ~link  # a run of one report: draw it as a dot
    idx = np.concatenate([idx, starts[single]])
    owner = np.concatenate([owner, np.flatnonzero(single)])
    order = np.lexsort((idx, owner))
    idx, owner = idx[order], owner[order]
    lines = shapely.linestrings(lon[idx], lat[idx], indices=owner)
    lines = shapely.simplify(lines, MAP_TOLERANCE_DEG)
    coords, which = shapely.get_coordinates(lines, return_index=True)
    coords = np.round(coords, 5)
    cuts = np.flatnonzero(np.r_[True, which[1:] != which[:-1], True])
    last_idx = np.full(len(starts), -1)
    np.maximum.at(last_idx, owner, idx)
    t0s = iso_times(pa.array(t[starts]).cast(pa.timestamp("ns", tz="UTC")))
    t1s = iso_times(pa.array(t[last_idx]).cast(pa.timestamp("ns", tz="UTC")))
    for a, b in itertools.pairwise(cuts):
        r = int(which[a])
        s = starts[r]
        k = int(track_of[s])
        props = {
            "track_id": ids[k],
            "segment": int(seg[s]),
            "airspace": str(labels[s]),
            "callsign": next((c for c in calls[s : ends[r]] if c), None),
            "t0": t0s[r],
            "t1": t1s[r],
            "t0_ms": int(t[s] // 1_000_000),
            "t1_ms": int(t[last_idx[r]] // 1_000_000),
        }
        feature = {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": coords[a:b].tolist()},
            "properties": props,
        }
        out[k].append(json.dumps(feature, separators=(",", ":")).encode())
    return out


def report_page_items(snap: Snapshot, track: int, offset: int, limit: int) -> list[models.Report]:
    """Reports ``offset … offset+limit`` of one track, as models."""
    a, b = snap.tracks.rows[track].tolist()
    lo, hi = a + offset, min(b, a + offset + limit)
    if lo >= hi:
        return []
    part = snap.prepared.slice(lo, hi - lo)
    cols = {name: part[name].to_pylist() for name in part.column_names if name != "time"}
    times = iso_times(part["time"])
    out = []
    for j in range(hi - lo):
        out.append(
            models.Report(
                time=times[j],
                lon=cols["lon"][j],
                lat=cols["lat"][j],
                alt_m=_opt_value(cols["alt_m"][j]),
                alt_kind=cols["alt_kind"][j],
                ground_speed_mps=_opt_value(cols["ground_speed_mps"][j]),
                track_deg=_opt_value(cols["track_deg"][j]),
                vrate_mps=_opt_value(cols["vrate_mps"][j]),
                callsign=cols["callsign"][j],
                segment=cols["segment"][j],
                airspace=str(snap.labels[lo + j]),
                source_file=cols["source_file"][j],
                source_record=cols["source_record"][j],
            )
        )
    return out


def _opt_value(value: float | None) -> float | None:
    return None if value is None else _opt(value)
