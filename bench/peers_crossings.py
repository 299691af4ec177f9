"""Border crossings of the same 1,000 tracks: airwitness against traffic and MovingPandas.

    python bench/peers_crossings.py [--tracks 1000] [--seed 0] [--tolerance-s 1]
                                    [--work-dir /tmp/airwitness-peers] [--budget-s 1800]

**Tracks.** The real recorded flights in ``examples/traffic/`` and ``tests/data/traffic/``
(OpenSky data shipped with traffic 2.13; duplicates dropped), read with
``airwitness.io.read``, plus generated tracks (``scripts/generate_traffic.py``, seed
``--seed``) that cross a land border: 85 % airliners, 15 % drones loitering over a border.
Generated tracks are cut to ``--window-min`` minutes centred on their first
country-to-country change, so the slow peers finish in minutes (MovingPandas spends about
0.2 ms per point per polygon); the real ones are kept whole.

**The tools**, each on one thread, timed on the crossing work only (loading data and
building indexes or polygon objects is timed apart):

* airwitness: ``prepare_tracks`` + ``find_crossings``, with the built-in airspace (land
  plus 12 NM territorial sea: what users get) and with the land polygons alone (the same
  polygons the peers get: the agreement check uses this run); median of 3 runs.
* traffic 2.13 (``Flight.intersects``, then ``Flight.clip``, per flight and per country
  whose bounding box meets the flight's): traffic does not import under pandas 3, so the
  script creates its own venv (``pandas<3``, ``traffic==2.13``; a few minutes the first
  time, then reused from ``--work-dir``) and runs there in a subprocess with
  ``XDG_CONFIG_HOME``/``XDG_CACHE_HOME`` in the work dir; data goes both ways as Parquet.
* MovingPandas 0.23 (``TrajectoryCollection.clip`` per country polygon, on the
  trajectories whose bounding box meets the country's), in this environment.

A peer still running after ``--budget-s`` seconds stops at the next block of 100 tracks;
the table then says how many tracks it finished, and agreement covers those.

**Agreement.** The peers see land polygons only (Natural Earth 5.1.1 admin-0, as built
into airwitness, without the territorial sea), and interpolate in planar lon/lat degrees;
airwitness interpolates along great circles. Only land-border crossings (country to
country) are compared; coastline entries and exits are counted apart. An entry or exit
agrees when it lies within ``--tolerance-s`` of an airwitness crossing of the same track
and country. traffic's ``clip`` returns reports, not crossing times: one interval per
polygon, from the first entry to the last exit, ending at the 2nd report inside at each
end (it applies a strict ``between`` twice; with fewer than 3 reports inside it returns
None). So its ends are also checked against those reports ("at its reports"). Every
disagreement is put in one of a few named causes, printed under the table.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely

import airwitness
from airwitness.airspace import INTL, Airspace, BoundarySet
from airwitness.crossings import find_crossings
from airwitness.io import read
from airwitness.schema import concat
from airwitness.tracks import prepare_tracks
from bench._common import machine

ROOT = Path(__file__).resolve().parent.parent
REAL_DIRS = (ROOT / "examples" / "traffic", ROOT / "tests" / "data" / "traffic")
COUNTRIES = Path(airwitness.__file__).parent / "data" / "ne10m.parquet"  # land zones used
GENERATOR = ROOT / "scripts" / "generate_traffic.py"
TRAFFIC_REQ = ["pandas<3", "traffic==2.13"]
BLOCK = 100  # tracks per budget check
NS = 1_000_000_000


# ---------------------------------------------------------------- the tracks


def _generator():
    spec = importlib.util.spec_from_file_location("generate_traffic", GENERATOR)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["generate_traffic"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def real_tracks() -> pa.Table:
    """Every distinct real file under examples/traffic and tests/data/traffic."""
    seen, tables = set(), []
    for folder in REAL_DIRS:
        for path in sorted(folder.glob("*.json.gz")):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            result = read(path)
            if result.rejects:
                print(f"  {path.name}: {len(result.rejects)} records rejected by the reader")
            tables.append(result.table)
    return concat(tables)


def land_set() -> tuple[list[str], np.ndarray]:
    table = pq.read_table(COUNTRIES)
    land = table.filter(pc.equal(table["zone"], "land"))
    return land["code"].to_pylist(), shapely.from_wkb(
        land["geometry"].to_numpy(zero_copy_only=False)
    )


def generated_tracks(n: int, seed: int, window_s: float, land: Airspace) -> pa.Table:
    """n generated tracks that cross a land border, cut to a window around the first."""
    gt = _generator()
    n_drone = round(n * 0.15)
    n_air = n - n_drone
    fl = gt.fleet(int(n_air * 1.3) + 10, int(n_drone * 1.3) + 5, seed)
    table = gt.fleet_table(fl, seed, "generated")
    order = pc.sort_indices(table, [("track_id", "ascending"), ("time", "ascending")])
    table = table.take(order)
    ids = table["track_id"].to_numpy(zero_copy_only=False)
    t = table["time"].cast(pa.int64()).to_numpy()
    label = land.label_ids(table["lon"].to_numpy(), table["lat"].to_numpy())
    same = np.r_[False, ids[1:] == ids[:-1]]
    change = same & (label != np.r_[-2, label[:-1]]) & (label >= 0) & (np.r_[-1, label[:-1]] >= 0)
    start = np.flatnonzero(~same)
    first_change = {}
    for i in np.flatnonzero(change):
        first_change.setdefault(ids[i], t[i])
    kind = pc.equal(table["alt_kind"], "geo").to_numpy(zero_copy_only=False)
    drone_ids = {ids[i] for i in start if kind[i]}
    picked_air = sorted(k for k in first_change if k not in drone_ids)[:n_air]
    picked_drone = sorted(k for k in first_change if k in drone_ids)[:n_drone]
    picked = set(picked_air) | set(picked_drone)
    centre = np.array([first_change.get(k, 0) for k in ids], dtype=np.int64)
    keep = np.isin(ids, list(picked)) & (np.abs(t - centre) <= window_s / 2 * NS)
    out = table.filter(pa.array(keep))
    # Records numbered in this order, so "generated:<n>" finds a report again.
    i = out.schema.get_field_index("source_record")
    records = pa.array(np.arange(1, out.num_rows + 1, dtype=np.int64))
    return out.set_column(i, out.schema.field(i), records)


# ---------------------------------------------------------------- airwitness


def time_airwitness(table: pa.Table, sky: Airspace, runs: int = 3):
    warm = table.slice(0, min(20_000, table.num_rows))
    find_crossings(prepare_tracks(warm).table, sky)  # compile, build indexes
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        prepared = prepare_tracks(table)
        crossings = find_crossings(prepared.table, sky)
        times.append(time.perf_counter() - t)
        result = (prepared, crossings)
    return statistics.median(times), result


# ---------------------------------------------------------------- MovingPandas


def run_movingpandas(tracks: pa.Table, codes, geoms, budget_s: float) -> dict:
    warnings.filterwarnings("ignore", module="movingpandas")
    import geopandas as gpd
    import movingpandas as mpd
    import pandas as pd

    t = time.perf_counter()
    df = pd.DataFrame(
        {
            "track_id": tracks["track_id"].to_numpy(zero_copy_only=False),
            "t": pd.to_datetime(tracks["time"].cast(pa.int64()).to_numpy()),  # naive UTC
        }
    )
    gdf = gpd.GeoDataFrame(
        df,
        geometry=gpd.points_from_xy(tracks["lon"].to_numpy(), tracks["lat"].to_numpy()),
        crs="EPSG:4326",
    )
    collection = mpd.TrajectoryCollection(gdf, "track_id", t="t")
    trajs = sorted(collection.trajectories, key=lambda tr: str(tr.id))
    load_s = time.perf_counter() - t
    boxes = np.array([tr.get_bbox() for tr in trajs])
    cbox = shapely.bounds(geoms)

    pieces, done, spent = [], 0, 0.0
    for b0 in range(0, len(trajs), BLOCK):
        if spent > budget_s:
            break
        t = time.perf_counter()
        block = trajs[b0 : b0 + BLOCK]
        bb = boxes[b0 : b0 + BLOCK]
        for code, geom, (x0, y0, x1, y1) in zip(codes, geoms, cbox, strict=True):
            near = (bb[:, 0] <= x1) & (bb[:, 2] >= x0) & (bb[:, 1] <= y1) & (bb[:, 3] >= y0)
            if not near.any():
                continue
            clipped = mpd.TrajectoryCollection([block[i] for i in np.flatnonzero(near)]).clip(geom)
            for piece in clipped:
                pieces.append(
                    (
                        str(piece.parent.id),
                        code,
                        _ns(piece.get_start_time()),
                        _ns(piece.get_end_time()),
                    )
                )
        spent += time.perf_counter() - t
        done += len(block)
        print(f"  movingpandas: {done}/{len(trajs)} tracks, {spent:.0f} s", flush=True)
    return {
        "tool": "movingpandas",
        "version": mpd.__version__,
        "load_s": load_s,
        "clip_s": spent,
        "tracks": done,
        "tracks_done": [str(tr.id) for tr in trajs[:done]],
        "intervals": pieces,
    }


def _ns(ts) -> int:
    import pandas as pd

    return int(pd.Timestamp(ts).value)


# ---------------------------------------------------------------- traffic, in its own venv

TRAFFIC_PART = textwrap.dedent(
    '''
    """traffic's part of bench/peers_crossings.py: runs in a venv with pandas<3, traffic 2.13."""
    import json, sys, time
    import numpy as np
    import pandas as pd
    import shapely
    from traffic.core import Flight
    import traffic

    tracks, land, budget = sys.argv[1], sys.argv[2], float(sys.argv[3])
    t = time.perf_counter()
    df = pd.read_parquet(tracks)
    df = df.rename(columns={"time": "timestamp", "lat": "latitude", "lon": "longitude"})
    df["icao24"] = df["flight_id"] = df["track_id"]
    flights = [Flight(g.reset_index(drop=True)) for _, g in df.groupby("flight_id", sort=True)]
    poly = pd.read_parquet(land)
    codes = poly["code"].tolist()
    geoms = shapely.from_wkb(poly["geometry"].to_numpy())
    cbox = shapely.bounds(geoms)
    boxes = np.array([[f.data.longitude.min(), f.data.latitude.min(),
                       f.data.longitude.max(), f.data.latitude.max()] for f in flights])
    load_s = time.perf_counter() - t

    rows, done, spent = [], 0, 0.0
    for b0 in range(0, len(flights), 100):
        if spent > budget:
            break
        t = time.perf_counter()
        for flight, (x0, y0, x1, y1) in zip(flights[b0:b0 + 100], boxes[b0:b0 + 100]):
            near = (cbox[:, 0] <= x1) & (cbox[:, 2] >= x0) & (cbox[:, 1] <= y1) & (cbox[:, 3] >= y0)
            for i in np.flatnonzero(near):
                if not flight.intersects(geoms[i]):
                    continue
                clipped = flight.clip(geoms[i])
                if clipped is not None:
                    start, stop = pd.Timestamp(clipped.start), pd.Timestamp(clipped.stop)
                    rows.append((flight.flight_id, codes[i], start.value, stop.value))
        spent += time.perf_counter() - t
        done += len(flights[b0:b0 + 100])
        print(f"  traffic: {done}/{len(flights)} tracks, {spent:.0f} s", file=sys.stderr)
    print("RESULT " + json.dumps({
        "tool": "traffic", "version": traffic.__version__, "pandas": pd.__version__,
        "load_s": load_s, "clip_s": spent, "tracks": done,
        "tracks_done": [f.flight_id for f in flights[:done]], "intervals": rows,
    }))
    '''
)


def traffic_venv(work: Path, fresh: bool) -> Path:
    venv = work / "traffic-venv"
    python = venv / "bin" / "python"
    marker = venv / ".airwitness-ok"
    if marker.exists() and not fresh:
        print(f"  reusing the traffic venv {venv}")
        return python
    print(
        f"  creating a venv for traffic in {venv} ({' '.join(TRAFFIC_REQ)}); "
        "a few minutes the first time …",
        flush=True,
    )
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *TRAFFIC_REQ], check=True)
    marker.write_text("ok\n")
    return python


def run_traffic(python: Path, work: Path, tracks: Path, land: Path, budget_s: float) -> dict:
    script = work / "traffic_part.py"
    script.write_text(TRAFFIC_PART)
    xdg = work / "xdg"
    env = dict(
        os.environ,
        XDG_CONFIG_HOME=str(xdg / "config"),
        XDG_CACHE_HOME=str(xdg / "cache"),
        OMP_NUM_THREADS="1",
    )
    (xdg / "config").mkdir(parents=True, exist_ok=True)
    (xdg / "cache").mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [str(python), str(script), str(tracks), str(land), str(budget_s)],
        stdout=subprocess.PIPE,  # the result; progress and errors go straight to stderr
        text=True,
        env=env,
        cwd=work,
    )
    if proc.returncode != 0:
        raise SystemExit(f"traffic's part failed (exit {proc.returncode})")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


# ---------------------------------------------------------------- agreement


@dataclass
class Event:
    """One entry into or exit from a country along a track."""

    track: str
    time: int  # ns
    code: str  # the country entered or left
    entry: bool


@dataclass
class Crossing:
    """An airwitness crossing from one country straight into another."""

    track: str
    time: int
    left: str
    entered: str
    before: int  # ns, the bracketing reports
    after: int


@dataclass
class Tracks:
    """What explains a difference: report times, long gaps, rejected outliers."""

    times: dict[str, np.ndarray]  # sorted report times of each track
    long_gaps: dict[str, list[tuple[int, int]]]
    outliers: dict[str, list[int]]

    def neighbour(self, track: str, t: int, step: int) -> int | None:
        """The report time ``step`` reports after (or before, if negative) the one at t."""
        times = self.times[track]
        i = int(np.searchsorted(times, t)) + step
        return int(times[i]) if 0 <= i < len(times) else None

    def near_outlier(self, track: str, t: int) -> bool:
        return any(abs(o - t) < 3600 * NS for o in self.outliers.get(track, []))

    def in_long_gap(self, track: str, t: int) -> bool:
        return any(a <= t <= b for a, b in self.long_gaps.get(track, []))


@dataclass
class Agreement:
    crossings: int = 0  # airwitness land-border crossings on the tracks the peer finished
    agree: int = 0  # exit and entry both within the tolerance
    at_reports: int = 0  # traffic: both ends at the reports traffic's clip returns
    deltas: list[float] = field(default_factory=list)
    causes: Counter = field(default_factory=Counter)
    coast: int = 0  # airwitness coastline entries/exits
    coast_agree: int = 0
    peer_only: Counter = field(default_factory=Counter)


def airwitness_crossings(table: pa.Table, when: dict[str, int]) -> list[Crossing]:
    rows = table.select(["track_id", "from", "to", "before", "after"]).to_pylist()
    times = table["time"].cast(pa.int64()).to_pylist()
    return [
        Crossing(r["track_id"], t, r["from"], r["to"], when[r["before"]], when[r["after"]])
        for r, t in zip(rows, times, strict=True)
    ]


def peer_events(intervals, tracks: Tracks, skip_ends: int) -> list[Event]:
    """Entries and exits of the peer's clipped pieces.

    A piece that starts within the first ``skip_ends`` reports of its track (or ends
    within the last ones) starts (ends) with the data, not at a border.
    """
    out = []
    for track, code, t0, t1 in intervals:
        times = tracks.times[track]
        if t0 > times[min(skip_ends, len(times) - 1)]:
            out.append(Event(track, t0, code, True))
        if t1 < times[max(len(times) - 1 - skip_ends, 0)]:
            out.append(Event(track, t1, code, False))
    return out


def compare(
    tool: str,
    intervals,
    aw: list[Crossing],
    done: set[str],
    tracks: Tracks,
    tol_ns: int,
) -> Agreement:
    """Match every airwitness crossing with the peer's nearest exit and entry."""
    traffic = tool == "traffic"
    events = peer_events(intervals, tracks, skip_ends=2 if traffic else 0)
    spans = {(t, c): (t0, t1) for t, c, t0, t1 in intervals}
    index: dict[tuple, list[int]] = defaultdict(list)
    for e in events:
        index[(e.track, e.code, e.entry)].append(e.time)
    res = Agreement()

    def nearest(track: str, code: str, entry: bool, t: int) -> int | None:
        cands = index.get((track, code, entry), [])
        return min(cands, key=lambda x: abs(x - t)) if cands else None

    aw_keys: dict[tuple, list[int]] = defaultdict(list)
    for c in aw:
        if c.track not in done:
            continue
        for code, entry in ((c.entered, True), (c.left, False)):
            if code != INTL:
                aw_keys[(c.track, code, entry)].append(c.time)
        if INTL in (c.left, c.entered):  # a coastline (or the edge of the polygons)
            code, entry = (c.entered, True) if c.left == INTL else (c.left, False)
            if code == INTL:
                continue
            n = nearest(c.track, code, entry, c.time)
            res.coast += 1
            res.coast_agree += n is not None and abs(n - c.time) <= tol_ns
            continue
        res.crossings += 1
        sides = [
            (c.entered, True, nearest(c.track, c.entered, True, c.time)),
            (c.left, False, nearest(c.track, c.left, False, c.time)),
        ]
        found = [abs(n - c.time) for _, _, n in sides if n is not None]
        if len(found) == 2:
            res.deltas.append(max(found) / NS)
        if len(found) == 2 and max(found) <= tol_ns:
            res.agree += 1
            continue
        if traffic and all(
            n == tracks.neighbour(c.track, c.after if entry else c.before, 1 if entry else -1)
            for _, entry, n in sides
        ):
            res.at_reports += 1
        for code, entry, n in sides:
            if n is not None and abs(n - c.time) <= tol_ns:
                continue
            res.causes[_cause(traffic, c, code, entry, n, spans, tracks)] += 1
            break
    for e in events:  # the peer's entries/exits that airwitness has nothing like
        if e.track not in done:
            continue
        times = aw_keys.get((e.track, e.code, e.entry), [])
        if any(abs(t - e.time) <= 600 * NS for t in times):
            continue
        if tracks.in_long_gap(e.track, e.time):
            res.peer_only["across a gap > 30 min: airwitness splits the track there"] += 1
        elif tracks.near_outlier(e.track, e.time):
            res.peer_only["made by a position outlier that airwitness rejects"] += 1
        else:
            res.peer_only["other"] += 1
    return res


def _cause(traffic, c: Crossing, code, entry, n, spans, tracks: Tracks) -> str:
    if traffic:
        span = spans.get((c.track, code))
        if span and span[0] < c.time < span[1]:
            return "traffic: re-entry merged (clip spans first entry to last exit)"
        target = tracks.neighbour(c.track, c.after if entry else c.before, 1 if entry else -1)
        if n is not None and n == target:
            return "traffic: ends at the 2nd report inside (clip's strict `between`, twice)"
        if n is None:
            return "traffic: no clip of that country (clip gives None with < 3 reports inside)"
    if n is None:
        return "no such exit/entry in the peer's output"
    if tracks.near_outlier(c.track, c.time):
        return "near a position outlier that airwitness rejected"
    if c.before <= n <= c.after:
        return "same two reports, interpolated differently (planar degrees vs great circle)"
    return "the peer's nearest exit/entry lies outside the two bracketing reports"


# ---------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tracks", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--window-min", type=float, default=20.0)
    ap.add_argument("--tolerance-s", type=float, default=1.0)
    ap.add_argument("--budget-s", type=float, default=1800.0, help="per peer")
    ap.add_argument("--work-dir", type=Path, default=Path("/tmp/airwitness-peers"))
    ap.add_argument("--fresh-venv", action="store_true", help="rebuild traffic's venv")
    ap.add_argument("--skip", default="", help="comma-separated: traffic,movingpandas")
    ap.add_argument(
        "--reuse-results", action="store_true", help="report on the last peer runs in --work-dir"
    )
    a = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when piped to a file
    skip = set(filter(None, a.skip.split(",")))
    work = a.work_dir
    work.mkdir(parents=True, exist_ok=True)

    versions = (
        f"shapely {shapely.__version__}",
        f"numpy {np.__version__}",
        f"pyarrow {pa.__version__}",
    )
    print(f"machine: {machine(*versions)}", flush=True)
    print("building the tracks …", flush=True)
    codes, geoms = land_set()
    provenance = {"dataset": "Natural Earth 5.1.1 admin-0, land only"}
    land = Airspace(BoundarySet(tuple(codes), ("land",) * len(codes), tuple(geoms), provenance))
    real = real_tracks()
    n_real = len(real["track_id"].unique())
    gen = generated_tracks(a.tracks - n_real, a.seed, a.window_min * 60, land)
    tracks = concat([real, gen])
    n_tracks = len(tracks["track_id"].unique())
    print(
        f"  {n_tracks} tracks ({n_real} real, {n_tracks - n_real} generated), "
        f"{tracks.num_rows:,} reports",
        flush=True,
    )
    tracks_file, land_file = work / "tracks.parquet", work / "land.parquet"
    pq.write_table(tracks.select(["track_id", "time", "lon", "lat"]), tracks_file)
    pq.write_table(pa.table({"code": codes, "geometry": shapely.to_wkb(geoms)}), land_file)

    print("airwitness (built-in airspace, then land polygons only) …", flush=True)
    aw_s, (_, aw_builtin) = time_airwitness(tracks, Airspace.builtin())
    awl_s, (prepared, aw_land) = time_airwitness(tracks, land)

    saved = work / "peer_results.json"
    if a.reuse_results and saved.exists():
        print(f"reusing the peers' results in {saved}: their times come from that run")
        results = json.loads(saved.read_text())
    else:
        results = []
        if "movingpandas" not in skip:
            print("MovingPandas …", flush=True)
            results.append(run_movingpandas(tracks, codes, geoms, a.budget_s))
        if "traffic" not in skip:
            print("traffic …", flush=True)
            python = traffic_venv(work, a.fresh_venv)
            results.append(run_traffic(python, work, tracks_file, land_file, a.budget_s))
        saved.write_text(json.dumps(results))

    info, when = _context(tracks, prepared)
    aw = airwitness_crossings(aw_land, when)
    print(
        f"\n## Border crossings of {n_tracks:,} tracks ({n_real} real, {n_tracks - n_real:,} "
        f"generated; {tracks.num_rows:,} reports), load average {os.getloadavg()[0]:.2f}\n"
    )
    report(a, n_tracks, aw_s, awl_s, aw_builtin, aw, results, info)
    return 0


def _context(tracks: pa.Table, prepared) -> tuple[Tracks, dict[str, int]]:
    refs = [
        f"{f}:{r}"
        for f, r in zip(
            pc.cast(tracks["source_file"], pa.string()).to_pylist(),
            tracks["source_record"].to_pylist(),
            strict=True,
        )
    ]
    ids = tracks["track_id"].to_pylist()
    t_all = tracks["time"].cast(pa.int64()).to_numpy()
    when = dict(zip(refs, t_all.tolist(), strict=True))
    track_at = dict(zip(refs, ids, strict=True))
    per_track: dict[str, list[int]] = defaultdict(list)
    for k, t in zip(ids, t_all.tolist(), strict=True):
        per_track[k].append(t)
    times = {k: np.sort(np.asarray(v, dtype=np.int64)) for k, v in per_track.items()}
    long_gaps: dict[str, list[tuple[int, int]]] = defaultdict(list)
    pt = prepared.table
    pid = pt["track_id"].to_numpy(zero_copy_only=False)
    ptime = pt["time"].cast(pa.int64()).to_numpy()
    pseg = pt["segment"].to_numpy()
    for i in np.flatnonzero((pid[1:] == pid[:-1]) & (pseg[1:] != pseg[:-1])):
        long_gaps[pid[i]].append((int(ptime[i]), int(ptime[i + 1])))
    outliers: dict[str, list[int]] = defaultdict(list)
    for r in prepared.rejects:
        ref = f"{r.file}:{r.record}"
        outliers[track_at[ref]].append(when[ref])
    return Tracks(times, long_gaps, outliers), when


def report(a, n_tracks, aw_s, awl_s, aw_builtin, aw, results, info: Tracks) -> None:
    tol_ns = int(a.tolerance_s * NS)
    n_land = sum(c.left != INTL and c.entered != INTL for c in aw)
    header = [
        "tool",
        "tracks",
        "crossing s",
        "tracks/s",
        "aw ratio",
        "crossings",
        f"land-border agree (≤ {a.tolerance_s:g} s)",
        "coast agree",
        "load s",
        "note",
    ]
    rows = [
        [
            "airwitness",
            f"{n_tracks}",
            f"{aw_s:.3f}",
            f"{n_tracks / aw_s:,.0f}",
            "1.0×",
            f"{aw_builtin.num_rows}",
            "",
            "",
            "",
            "built-in airspace (land + 12 NM sea); median of 3",
        ],
        [
            "airwitness",
            f"{n_tracks}",
            f"{awl_s:.3f}",
            f"{n_tracks / awl_s:,.0f}",
            f"{aw_s / awl_s:.1f}×",
            f"{len(aw)}",
            f"{n_land} (reference)",
            "",
            "",
            "land polygons only (as the peers): the reference",
        ],
    ]
    notes = []
    for r in results:
        done = set(r["tracks_done"])
        g = compare(r["tool"], r["intervals"], aw, done, info, tol_ns)
        rate = r["tracks"] / r["clip_s"] if r["clip_s"] else float("nan")
        traffic = r["tool"] == "traffic"
        agree = f"{g.agree}/{g.crossings}"
        if traffic:
            agree += f" ({g.at_reports} at its reports)"
        rows.append(
            [
                f"{r['tool']} {r['version']}",
                f"{r['tracks']}",
                f"{r['clip_s']:.1f}",
                f"{rate:,.1f}",
                f"{(n_tracks / aw_s) / rate:,.0f}×",
                f"{len(r['intervals'])} pieces",
                agree,
                f"{g.coast_agree}/{g.coast}",
                f"{r['load_s']:.1f}",
                "intersects + clip per flight, per country"
                if traffic
                else "TrajectoryCollection.clip per country",
            ]
        )
        d = sorted(g.deltas)
        spread = f"; |Δt| median {d[len(d) // 2]:.3f} s, max {d[-1]:,.1f} s" if d else ""
        notes.append(
            f"{r['tool']}: {g.agree} of {g.crossings} land-border crossings within "
            f"{a.tolerance_s:g} s{spread}." + (" The others:" if g.causes else "")
        )
        notes += [f"  {n:6d}  {cause}" for cause, n in g.causes.most_common()]
        if g.peer_only:
            notes.append(
                f"  {r['tool']}'s entries/exits with no airwitness crossing within 10 min:"
            )
            notes += [f"  {n:6d}  {cause}" for cause, n in g.peer_only.most_common()]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print("\n" + "\n".join(notes))


if __name__ == "__main__":
    sys.exit(main())
