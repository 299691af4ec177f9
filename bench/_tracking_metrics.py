"""How good a set of tracks is against the generator's truth: the metrics of ``bench/tracking.py``.

Tracks are judged as airwitness's crossing logic sees them: the cleaned canonical
table (``track_id``, ``time``, ``lon``, ``lat``) of ``run.prepared.table``, whatever
tracker made them. Positions are compared in the radar's local plane (azimuthal
equidistant, metres), at the middle of every scan, t_k = start + (k + ½)·T:

- **truth at t_k**: every target whose 1 s truth covers t_k and whose ground range
  from the radar is at most the coverage (60 km), linear between its seconds;
- **a track at t_k**: when t_k lies within half a scan of the track's first to last
  report and its reports around t_k are at most 4 scans apart (a track may miss three
  scans); linear between those reports, the nearest one at the ends;
- **GOSPA** (Rahmathullah, García-Fernández, Svensson 2017) per scan with p = 2,
  c = 1,000 m, α = 2: the optimal assignment of tracks to targets (scipy's
  ``linear_sum_assignment`` on min(d, c)²), then √(Σ d² over pairs closer than c +
  c²/2 · (missed targets + false tracks)); the table gives the mean over all scans of
  the window, and its parts: the RMS distance of the assigned pairs, missed targets
  and false tracks per scan;
- **track switches**: for each target, how often the track assigned to it (in those
  assignments) changes from one assigned scan to the next; summed over targets;
- **false tracks**: tracks assigned to a target in fewer than half the scans they are
  present in;
- **crossings**: a found crossing matches a true one (``truth_crossings.csv``) when
  its track follows the same target (the target assigned to the track at the scan
  nearest the crossing, else the target it is assigned to most often), it has the same
  ``from`` and ``to``, and it is at most 60 s and 2 km from it; one-to-one, nearest in
  time first. Recall = matched / true crossings, precision = matched / found; a
  crossing of a false track is a crossing **from clutter**.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
from pyproj import Geod, Transformer
from scipy.optimize import linear_sum_assignment

P, C_M = 2, 1000.0
MAX_GAP_SCANS = 4.0
MATCH_S, MATCH_M = 60.0, 2000.0
NS = 10**9


@dataclass
class Scene:
    """What the metrics need from a generated scenario folder, for a window of it."""

    start_ns: int
    scan_period_s: float
    scans: int  # scans in the window
    range_max_m: float
    plane: Transformer  # lon, lat -> x east, y north (m) around the radar
    truth: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # target -> (ns, x, y)
    crossings: list[dict] = field(default_factory=list)

    @property
    def scan_ns(self) -> np.ndarray:
        k = np.arange(self.scans)
        return self.start_ns + np.rint((k + 0.5) * self.scan_period_s * NS).astype(np.int64)


def load_scene(folder: Path, scenario: dict, window_s: float) -> Scene:
    """The truth of ``folder`` up to ``window_s`` after its start."""
    p = scenario["parameters"]
    radar = p["radar"]
    aeqd = f"+proj=aeqd +lat_0={radar['lat']} +lon_0={radar['lon']} +ellps=WGS84 +units=m"
    plane = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)
    start_ns = int(dt.datetime.fromisoformat(p["start"]).timestamp()) * NS
    end_ns = start_ns + round(window_s * NS)
    rows: dict[str, list] = {}
    with (folder / "truth.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            rows.setdefault(r["target"], []).append((r["time"], r["lon"], r["lat"]))
    truth = {}
    for target, pts in rows.items():
        ns = _ns([t for t, _, _ in pts])
        x, y = plane.transform([float(v[1]) for v in pts], [float(v[2]) for v in pts])
        truth[target] = (ns, np.asarray(x), np.asarray(y))
    with (folder / "truth_crossings.csv").open(encoding="utf-8", newline="") as f:
        crossings = [r for r in csv.DictReader(f) if _ns([r["time"]])[0] < end_ns]
    scans = int(window_s / p["scan_period_s"] + 1e-9)
    return Scene(start_ns, p["scan_period_s"], scans, p["range_max_m"], plane, truth, crossings)


def _ns(texts: list[str]) -> np.ndarray:
    return np.array([np.datetime64(t.rstrip("Z"), "ns") for t in texts]).astype(np.int64)


def truth_at_scans(scene: Scene) -> list[tuple[list[str], np.ndarray]]:
    """Per scan: the targets in coverage and their positions (n × 2)."""
    at = scene.scan_ns
    names, pos = [], []
    for target, (ns, x, y) in sorted(scene.truth.items()):
        inside = (at >= ns[0]) & (at <= ns[-1])
        px, py = np.interp(at, ns, x), np.interp(at, ns, y)
        inside &= np.hypot(px, py) <= scene.range_max_m
        names.append(target)
        pos.append((inside, px, py))
    return _per_scan(names, pos, len(at))


def tracks_at_scans(scene: Scene, table: pa.Table) -> list[tuple[list[str], np.ndarray]]:
    """Per scan: the tracks present (see module doc) and their positions (n × 2)."""
    at = scene.scan_ns
    if table.num_rows == 0:
        return [([], np.empty((0, 2))) for _ in at]
    ids = np.asarray(table["track_id"].cast(pa.string()).to_pylist(), dtype=object)
    ns = table["time"].cast(pa.int64()).to_numpy()
    x, y = scene.plane.transform(table["lon"].to_numpy(), table["lat"].to_numpy())
    order = np.lexsort((ns, ids))
    ids, ns, x, y = ids[order], ns[order], np.asarray(x)[order], np.asarray(y)[order]
    edges = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
    half, gap = scene.scan_period_s * NS / 2, MAX_GAP_SCANS * scene.scan_period_s * NS
    names, pos = [], []
    for a, b in itertools.pairwise(edges):
        t = ns[a:b]
        inside = (at >= t[0] - half) & (at <= t[-1] + half)
        k = np.clip(np.searchsorted(t, at), 1, max(len(t) - 1, 1))
        if len(t) > 1:
            inside &= ~((at > t[0]) & (at < t[-1]) & (t[k] - t[k - 1] > gap))
        names.append(ids[a])
        pos.append((inside, np.interp(at, t, x[a:b]), np.interp(at, t, y[a:b])))
    return _per_scan(names, pos, len(at))


def _per_scan(names, pos, n_scans):
    out = []
    for k in range(n_scans):
        here = [i for i, (inside, _, _) in enumerate(pos) if inside[k]]
        xy = np.array([[pos[i][1][k], pos[i][2][k]] for i in here]).reshape(-1, 2)
        out.append(([names[i] for i in here], xy))
    return out


@dataclass
class Scores:
    gospa_m: float
    rms_m: float
    missed_per_scan: float
    false_per_scan: float
    switches: int
    tracks: int
    false_tracks: int
    crossings_found: int
    crossings_true: int
    recall: float
    precision: float
    from_clutter: int
    assigned: list = field(default_factory=list, repr=False)  # per scan: {track: target}


def score(scene: Scene, table: pa.Table, crossings: pa.Table) -> Scores:
    truth, tracks = truth_at_scans(scene), tracks_at_scans(scene, table)
    gospa, sq, pairs, missed, false = [], 0.0, 0, 0, 0
    assigned: list[dict[str, str]] = []
    present: Counter[str] = Counter()
    for (targets, tx), (ids, ty) in zip(truth, tracks, strict=True):
        present.update(ids)
        matched: dict[str, str] = {}
        local = 0.0
        if len(targets) and len(ids):
            d = np.hypot(*(tx[:, None, :] - ty[None, :, :]).transpose(2, 0, 1))
            rows, cols = linear_sum_assignment(np.minimum(d, C_M) ** P)
            for r, c in zip(rows, cols, strict=True):
                if d[r, c] < C_M:
                    matched[ids[c]] = targets[r]
                    local += d[r, c] ** P
            sq, pairs = sq + local, pairs + len(matched)
        m, f = len(targets) - len(matched), len(ids) - len(matched)
        missed, false = missed + m, false + f
        gospa.append((local + C_M**P / 2 * (m + f)) ** (1 / P))
        assigned.append(matched)
    follows = Counter(t for scan in assigned for t in scan)
    false_ids = {t for t, n in present.items() if follows[t] < n / 2}
    switches = 0
    last: dict[str, str] = {}
    for scan in assigned:
        for track, target in scan.items():
            if target in last and last[target] != track:
                switches += 1
            last[target] = track
    found, recall, precision, clutter = _crossings(scene, assigned, false_ids, crossings)
    n = max(len(truth), 1)
    return Scores(
        gospa_m=float(np.mean(gospa)) if gospa else 0.0,
        rms_m=float(np.sqrt(sq / pairs)) if pairs else float("nan"),
        missed_per_scan=missed / n,
        false_per_scan=false / n,
        switches=switches,
        tracks=len(present),
        false_tracks=len(false_ids),
        crossings_found=found,
        crossings_true=len(scene.crossings),
        recall=recall,
        precision=precision,
        from_clutter=clutter,
        assigned=assigned,
    )


def _crossings(scene, assigned, false_ids, crossings):
    """(found, recall, precision, from clutter) by the matching rule of the module doc."""
    true = scene.crossings
    if crossings.num_rows == 0:
        return 0, 0.0 if true else 1.0, 1.0, 0
    ids = crossings["track_id"].cast(pa.string()).to_pylist()
    ns = crossings["time"].cast(pa.int64()).to_numpy()
    lon, lat = crossings["lon"].to_numpy(), crossings["lat"].to_numpy()
    src, dst = crossings["from"].to_pylist(), crossings["to"].to_pylist()
    majority: dict[str, Counter] = {}
    for scan in assigned:
        for track, target in scan.items():
            majority.setdefault(track, Counter())[target] += 1
    geod = Geod(ellps="WGS84")
    candidates = []
    for i, track in enumerate(ids):
        k = round((ns[i] - scene.start_ns) / (scene.scan_period_s * NS) - 0.5)
        target = assigned[min(max(k, 0), len(assigned) - 1)].get(track) if assigned else None
        if target is None and track in majority:
            target = majority[track].most_common(1)[0][0]
        for j, c in enumerate(true):
            if (c["target"], c["from"], c["to"]) != (target, src[i], dst[i]):
                continue
            gap_s = abs(ns[i] - _ns([c["time"]])[0]) / NS
            dist = geod.inv(lon[i], lat[i], float(c["lon"]), float(c["lat"]))[2]
            if gap_s <= MATCH_S and dist <= MATCH_M:
                candidates.append((gap_s, i, j))
    used_found, used_true = set(), set()
    for _, i, j in sorted(candidates):
        if i not in used_found and j not in used_true:
            used_found.add(i)
            used_true.add(j)
    matched = len(used_true)
    clutter = sum(1 for t in ids if t in false_ids)
    recall = matched / len(true) if true else 1.0
    return len(ids), recall, matched / len(ids), clutter
