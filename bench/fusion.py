"""Fusion across sensors: association purity and completeness, spoofing caught by
disagreement, speed — airwitness beside Stone Soup's track-to-track association.

    python bench/fusion.py [--seeds 20250616 20250617 20250618]
                           [--data-dir /tmp/airwitness-bench/fusion] [--airliners 100]
                           [--kinematic 20] [--spoofed 20] [--targets 40] [--repeat 5]
                           [--z-flags 2.5 3 4 5] [--stonesoup-m 500 1000]
                           [--stonesoup-sweep-m 250 4000] [--no-stonesoup]

1. **Data**: ``scripts/generate_fusion.py --airliners 100 --kinematic 20 --spoofed 20
   --targets 40`` per seed (160 objects: 100 airliners seen by a Mode S radar and
   broadcasting ADS-B, 20 of them spoofed for a while; 20 aircraft on the primary
   radar only, with a portable ADS-B; 40 drones and fast movers on the primary radar;
   ~43,000 clutter plots; its docstring says everything) in ``--data-dir/s<seed>/``,
   reused when its arguments match.
2. **airwitness**, as every command runs it: ``pipeline.read_inputs([plots.ast,
   adsb.csv], options=ReadOptions(date, sensors))`` (read, and track the primary
   radar's plots), ``tracks.prepare_tracks``, then ``fusion.fuse(table,
   sites=inputs.sites)`` (the radars' biases estimated, and taken out where
   significant, as every command does) — timed alone,
   best CPU time of ``--repeat`` runs (one core: numba and BLAS on one thread), as
   tracks/s and reports/s. Then ``fusion.find_spoofing`` on the same pairs with
   ``SpoofRules(z_flag=z)`` for each ``--z-flags`` (the trade-off).
3. **Stone Soup** (``stonesoup.dataassociator.tracktotrack.TrackToTrackCounting``,
   the counting technique of Sagild, Hem and Brekke 2021): the same prepared tracks
   become Stone Soup ``Track``s of position states (x, y in m, an azimuthal
   equidistant plane at the radar) at the scenario's 5 s ticks — the counting
   technique compares states at equal timestamps; a tick is interpolated linearly
   between two reports of one segment at most 30 s apart, as airwitness's ``align``
   does; ADS-B tracks form one set, the radars' tracks the other. Euclidean distance
   on position, ``consec_pairs_confirm`` 3, ``consec_misses_end`` 2 (its defaults),
   thresholds ``--stonesoup-m`` on every seed and ``--stonesoup-sweep-m`` on the
   first; a pair is associated when it has any association. ``one_to_one=True``
   is tried at the last ``--stonesoup-m`` on every seed (Stone Soup 1.9.1's
   ``multidimensional_deconfliction`` raises a TypeError on some of these sets:
   reported as such, and left out of the totals). Time: CPU of
   ``associate_tracks`` (conversion apart).
4. **Metrics** (``bench/_fusion_metrics.py``): purity and completeness per category
   (identity pairs, kinematic-only pairs), spoofing detection per report and per
   episode of displaced reports ≥ 3 combined σ, false flags among honest reports
   with a measured partner.

Targets (issue 21): purity ≥ 99.5 % for identity pairs and ≥ 95 % for kinematic
ones, ≥ 95 % of spoofed reports ≥ 3 combined σ detected at ≤ 1 % false flags.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # one core: figures per core
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from pyproj import Transformer

from airwitness.fusion import Fusion, SpoofRules, fuse
from airwitness.fusion.spoofing import find_spoofing
from airwitness.fusion.trackset import TrackSet
from airwitness.io.options import ReadOptions
from airwitness.pipeline import read_inputs
from airwitness.tracks import prepare_tracks
from bench import _fusion_metrics as fm
from bench._common import machine

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "scripts" / "generate_fusion.py"
STEP_NS = 5 * 10**9
MAX_INTERP_NS = 30 * 10**9


@dataclass
class Run:
    """One tool on one seed: its pairs' scores and what it took."""

    tool: str
    config: str
    scores: dict[str, fm.AssociationScore]
    cpu_s: float
    wall_s: float
    note: str = ""
    failed: bool = False


@dataclass
class Seed:
    seed: int
    info: dict
    reports: int
    tracks: int
    sensors: dict[str, int]
    read_cpu_s: float
    prepare_cpu_s: float
    fuse_cpu_s: list[float]
    fuse_wall_s: list[float]
    plain_cpu_s: list[float]  # fuse() without the sites: association and spoofing only
    runs: list[Run] = field(default_factory=list)
    sweep: dict[float, fm.SpoofCounts] = field(default_factory=dict)
    #: the reasons given to never-spoofed tracks (default rules): what to look at
    honest_reasons: list[str] = field(default_factory=list)
    biases: list[str] = field(default_factory=list)  # the radars' estimated biases


def timed(fn, repeat: int):
    """``fn()``'s result, and the CPU and wall seconds of each of ``repeat`` runs."""
    cpu, wall, out = [], [], None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
    return out, cpu, wall


def scenario(data_dir: Path, seed: int, args: argparse.Namespace) -> tuple[Path, dict]:
    """The generated scenario folder (made unless one with the same arguments is there)."""
    folder = data_dir / f"s{seed}"
    argv = [
        "--seed",
        str(seed),
        "--airliners",
        str(args.airliners),
        "--kinematic",
        str(args.kinematic),
        "--spoofed",
        str(args.spoofed),
        "--targets",
        str(args.targets),
    ]
    stamp = folder / "bench-args.json"
    if not (stamp.exists() and json.loads(stamp.read_text()) == argv):
        subprocess.run([sys.executable, str(GENERATOR), "-o", str(folder), *argv], check=True)
        stamp.write_text(json.dumps(argv))
    return folder, json.loads((folder / "scenario.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ airwitness


def run_seed(folder: Path, seed: int, info: dict, args: argparse.Namespace) -> Seed:
    day = dt.date.fromisoformat(info["date"])
    options = ReadOptions(date=day, sensors=folder / "sensors.csv")
    files = [folder / "plots.ast", folder / "adsb.csv"]
    inputs, read_cpu, _ = timed(lambda: read_inputs(files, options=options), 1)
    prepared, prep_cpu, _ = timed(lambda: prepare_tracks(inputs.table), 1)
    table = prepared.table
    _, plain_cpu, _ = timed(lambda: fuse(table), args.repeat)
    fusion, cpu, wall = timed(lambda: fuse(table, sites=inputs.sites), args.repeat)
    table, ts = fusion.source, fusion.tracks  # the radars' biases out, where applied
    sensors: dict[str, int] = {}
    for s in ts.sensor:
        sensors[s] = sensors.get(s, 0) + 1
    out = Seed(
        seed,
        info,
        table.num_rows,
        len(ts),
        sensors,
        read_cpu[0],
        prep_cpu[0],
        cpu,
        wall,
        plain_cpu,
    )
    obj = fm.objects_of_tracks(folder, table)
    pairs = [(p.a, p.b) for p in fusion.pairs]
    note = f"{len(pairs)} pairs"
    out.runs.append(
        Run("airwitness", "fuse", fm.score_association(ts, obj, pairs), min(cpu), min(wall), note)
    )
    rules = SpoofRules()
    truth = fm.spoof_truth(folder, table, ts, obj, rules.window_s, rules.max_interp_s)
    out.sweep = sweep(fusion, truth, args.z_flags, rules)
    out.biases = [b.describe() for b in fusion.biases]
    out.honest_reasons = [
        f"{ts.ids[k]} ({obj.get(ts.ids[k], '?')}): {why}"
        for k, why in sorted(fusion.spoofing.reasons.items())
        if k not in truth.spoofed_tracks
    ]
    if not args.no_stonesoup:
        first = seed == args.seeds[0]
        thresholds = args.stonesoup_m + (args.stonesoup_sweep_m if first else [])
        out.runs += run_stonesoup(ts, obj, info, thresholds, args.stonesoup_m[-1])
    return out


def sweep(fusion: Fusion, truth: fm.SpoofTruth, z_flags: list[float], rules: SpoofRules):
    """Spoofing counts at each ``z_flag`` (the default's from ``fuse`` itself)."""
    out = {}
    for z in sorted({*z_flags, rules.z_flag}):
        if z == rules.z_flag:
            suspect = fusion.spoofing.suspect
        else:
            suspect = find_spoofing(fusion.tracks, fusion.pairs, SpoofRules(z_flag=z)).suspect
        out[z] = truth.count(suspect)
    return out


# ------------------------------------------------------------------ Stone Soup


def stonesoup_tracks(ts: TrackSet, info: dict) -> dict[int, object]:
    """Each track as a Stone Soup ``Track`` of (x, y) states at the 5 s ticks it covers."""
    from stonesoup.types.array import StateVector
    from stonesoup.types.state import State
    from stonesoup.types.track import Track

    radar = info["parameters"]["psr"]["radar"]
    aeqd = f"+proj=aeqd +lat_0={radar['lat']} +lon_0={radar['lon']} +ellps=WGS84 +units=m"
    x, y = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True).transform(ts.lon, ts.lat)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    out = {}
    for k in range(len(ts)):
        lo, hi = int(ts.start[k]), int(ts.stop[k])
        t = ts.time_ns[lo:hi]
        if hi - lo < 2:
            continue
        ticks = np.arange(-(-t[0] // STEP_NS) * STEP_NS, t[-1] + 1, STEP_NS)
        i = np.clip(np.searchsorted(t, ticks, side="right") - 1, 0, hi - lo - 2)
        gap = t[i + 1] - t[i]
        frac = (ticks - t[i]) / np.where(gap > 0, gap, 1)
        ok = (frac >= 0) & (frac <= 1) & (gap > 0) & (gap <= MAX_INTERP_NS)
        ok &= ts.segment[lo + i] == ts.segment[lo + i + 1]
        xs = x[lo + i] + frac * (x[lo + i + 1] - x[lo + i])
        ys = y[lo + i] + frac * (y[lo + i + 1] - y[lo + i])
        states = [
            State(StateVector([a, b]), timestamp=epoch + dt.timedelta(microseconds=int(s) // 1000))
            for a, b, s in zip(xs[ok], ys[ok], ticks[ok], strict=True)
        ]
        if states:
            out[k] = Track(states, id=ts.ids[k])
    return out


def run_stonesoup(
    ts: TrackSet, obj: dict[str, str], info: dict, thresholds: list[float], one_to_one_m: float
):
    """Stone Soup's counting technique at each threshold (m), and one-to-one at one."""
    from stonesoup.dataassociator.tracktotrack import TrackToTrackCounting

    tracks, conv_cpu, _ = timed(lambda: stonesoup_tracks(ts, info), 1)
    index = ts.index()
    reported = {tr for k, tr in tracks.items() if ts.self_reported(k)}
    measured = {tr for k, tr in tracks.items() if ts.measured(k)}
    states = sum(len(tr) for tr in tracks.values())
    runs = []
    configs = [(m, False) for m in thresholds] + [(one_to_one_m, True)]
    for metres, one_to_one in configs:
        associator = TrackToTrackCounting(
            association_threshold=metres, pos_map=[0, 1], one_to_one=one_to_one
        )
        name = f"counting {metres:g} m" + (" 1:1" if one_to_one else "")
        c0, t0 = time.process_time(), time.perf_counter()
        try:
            found = associator.associate_tracks(reported, measured)
        except TypeError as e:  # Stone Soup 1.9.1's deconfliction (see the module docs)
            cpu, wall = time.process_time() - c0, time.perf_counter() - t0
            empty = {c: fm.AssociationScore() for c in fm.CATEGORIES}
            runs.append(Run("Stone Soup", name, empty, cpu, wall, f"raised TypeError: {e}", True))
            continue
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        pairs = sorted(
            {tuple(sorted(index[tr.id] for tr in a.objects)) for a in found.associations}
        )
        note = (
            f"{len(pairs)} pairs, {len(found.associations)} time ranges; {len(reported)} × "
            f"{len(measured)} tracks, {states:,} states (made in {conv_cpu[0]:.1f} s)"
        )
        runs.append(Run("Stone Soup", name, fm.score_association(ts, obj, pairs), cpu, wall, note))
    return runs


# ------------------------------------------------------------------ output


def pct(x: float) -> str:
    return "—" if np.isnan(x) else f"{100 * x:.2f} %"


def print_association(seeds: list[Seed]) -> None:
    print("\n## association (per seed, then all seeds)")
    head = (
        f"{'seed':>9} {'tool':<10} {'config':<20} {'category':<9} {'pairs':>5} "
        f"{'pure':>5} {'purity':>9} {'objects':>7} {'assoc':>5} {'complete':>9} "
        f"{'tracks':>9} {'CPU s':>7} {'× aw':>6}"
    )
    print(head)
    print("-" * len(head))
    totals: dict[tuple[str, str], dict[str, fm.AssociationScore]] = {}
    seconds: dict[tuple[str, str], list[float]] = {}  # its CPU s and airwitness's, same seeds
    runs: dict[tuple[str, str], list[int]] = {}  # seeds it ran on, seeds it failed on
    for s in seeds:
        aw = s.runs[0].cpu_s
        for r in s.runs:
            key = (r.tool, r.config)
            total = totals.setdefault(key, {c: fm.AssociationScore() for c in fm.CATEGORIES})
            count = runs.setdefault(key, [0, 0])
            count[r.failed] += 1
            if not r.failed:
                both = seconds.setdefault(key, [0.0, 0.0])
                both[0] += r.cpu_s
                both[1] += aw
            for c in fm.CATEGORIES:
                total[c].add(r.scores[c])
                _line(str(s.seed), r.tool, r.config, c, r.scores[c], r.cpu_s, aw)
            if r.note:
                print(f"{'':>10} {r.note}")
    for key, total in totals.items():
        ran, failed = runs[key]
        if not ran:
            continue
        label = f"all ({ran})" if not failed else f"{ran} of {ran + failed}"
        for c in fm.CATEGORIES:
            _line(label, *key, c, total[c], *seconds[key])
    print("\nwrong pairs (all seeds):")
    for (tool, config), total in totals.items():
        for c in fm.CATEGORIES:
            if total[c].wrong:
                shown = "; ".join(total[c].wrong[:6])
                more = f" (+{len(total[c].wrong) - 6} more)" if len(total[c].wrong) > 6 else ""
                print(f"  {tool} {config}, {c}: {shown}{more}")
    print(
        "\npurity = pairs of one object ÷ pairs; complete = objects two sensors tracked with a "
        "pure pair ÷ such objects; tracks = their tracks in a pure pair (the primary radar's, "
        "for kinematic); CPU s = the association's (airwitness: all of fuse(), spoofing "
        "included); × aw = that ÷ airwitness fuse()'s."
    )


def _line(seed, tool, config, c, sc: fm.AssociationScore, cpu, aw) -> None:
    ratio = cpu / aw if tool != "airwitness" and aw > 0 else float("nan")
    print(
        f"{seed:>9} {tool:<10} {config:<20} {c:<9} {sc.pairs:>5} {sc.pure:>5} "
        f"{pct(sc.purity):>9} {sc.objects:>7} {sc.associated:>5} {pct(sc.completeness):>9} "
        f"{f'{sc.tracks_associated}/{sc.tracks}':>9} {cpu:>7.2f} "
        + (f"{ratio:>5.0f}×" if not np.isnan(ratio) else f"{'':>6}")
    )


def print_spoofing(seeds: list[Seed], default_z: float) -> None:
    print("\n## spoofing by disagreement (displaced ADS-B reports ≥ 3 combined σ)")
    head = (
        f"{'seed':>9} {'z_flag':>6} {'reports':>11} {'detected':>9} {'episodes':>8} "
        f"{'per ep.':>8} {'honest':>7} {'false':>5} {'near':>4} {'false %':>8} "
        f"{'honest trk':>10} {'<3σ flagged':>11} {'untested':>8}"
    )
    print(head)
    print("-" * len(head))
    zs = sorted(seeds[0].sweep)
    for s in seeds:
        _spoof_line(str(s.seed), default_z, s.sweep[default_z])
    for z in zs:
        total = fm.SpoofCounts()
        for s in seeds:
            total.add(s.sweep[z])
        _spoof_line(f"all ({len(seeds)})", z, total)
    for s in seeds:
        for why in s.honest_reasons:
            print(f"  seed {s.seed}, a never-spoofed track flagged: {why}")
    print(
        "\nreports = displaced by ≥ 3 combined σ (the report's σ and the measured track's "
        "there, per axis) and detected of them; episodes with such reports and those with "
        "one flagged; honest = reports with no displacement that a measured track of the "
        "same object covers, false = flagged of them (near: within the window of an episode "
        "of that aircraft), false % = false ÷ honest; honest trk = never-spoofed ADS-B tracks "
        "with a flag ÷ such tracks; <3σ flagged = displaced by less, flagged anyway; untested "
        "= ADS-B reports no measured track of the same object covers."
    )


def _spoof_line(seed: str, z: float, c: fm.SpoofCounts) -> None:
    print(
        f"{seed:>9} {z:>6g} {f'{c.detected}/{c.eligible}':>11} {pct(c.detection):>9} "
        f"{f'{c.episodes_detected}/{c.episodes}':>8} {pct(c.episode_detection):>8} "
        f"{c.honest:>7} {c.false:>5} {c.near:>4} {pct(c.false_rate):>8} "
        f"{f'{c.flagged_honest_tracks}/{c.honest_tracks}':>10} "
        f"{f'{c.below_flagged}/{c.below}':>11} {c.untested:>8}"
    )


def print_speed(seeds: list[Seed]) -> None:
    print("\n## speed (CPU s, one core; best of the fuse() runs, slowest in brackets)")
    head = (
        f"{'seed':>9} {'reports':>8} {'tracks':>6} {'read+track':>10} {'prepare':>8} "
        f"{'fuse':>6} {'(slowest)':>9} {'wall':>6} {'tracks/s':>9} {'reports/s':>10} "
        f"{'no sites':>8} {'tracks/s':>9}"
    )
    print(head)
    print("-" * len(head))
    for s in seeds:
        best, plain = min(s.fuse_cpu_s), min(s.plain_cpu_s)
        print(
            f"{s.seed:>9} {s.reports:>8,} {s.tracks:>6} {s.read_cpu_s:>10.2f} "
            f"{s.prepare_cpu_s:>8.2f} {best:>6.3f} {f'({max(s.fuse_cpu_s):.3f})':>9} "
            f"{min(s.fuse_wall_s):>6.3f} {s.tracks / best:>9,.0f} {s.reports / best:>10,.0f} "
            f"{plain:>8.3f} {s.tracks / plain:>9,.0f}"
        )
    print(
        "\nfuse = fuse(table, sites=inputs.sites), as the commands run it: association, the "
        "radars' biases (and association again where one is applied), spoofing; no sites = "
        "fuse(table): association and spoofing only."
    )


def print_targets(seeds: list[Seed], default_z: float) -> None:
    total = {c: fm.AssociationScore() for c in fm.CATEGORIES}
    spoof = fm.SpoofCounts()
    for s in seeds:
        for c in fm.CATEGORIES:
            total[c].add(s.runs[0].scores[c])
        spoof.add(s.sweep[default_z])
    worst = {c: min(s.runs[0].scores[c].purity for s in seeds) for c in fm.CATEGORIES}
    checks = [
        ("identity purity ≥ 99.5 %", total["identity"].purity, worst["identity"], 0.995),
        ("kinematic purity ≥ 95 %", total["kinematic"].purity, worst["kinematic"], 0.95),
    ]
    print("\ntargets (issue 21), all seeds (worst seed):")
    for what, value, low, target in checks:
        ok = value >= target and low >= target
        print(f"  {'met ' if ok else 'NOT '} {what}: {pct(value)} ({pct(low)})")
    ok = spoof.detection >= 0.95 and spoof.false_rate <= 0.01
    print(
        f"  {'met ' if ok else 'NOT '} spoofing ≥ 95 % detected at ≤ 1 % false flags "
        f"(z_flag {default_z:g}): {pct(spoof.detection)} at {pct(spoof.false_rate)}"
    )


def versions() -> list[str]:
    out = []
    for pkg in ("airwitness", "stonesoup", "numpy", "numba"):
        try:
            out.append(f"{pkg} {importlib.metadata.version(pkg)}")
        except importlib.metadata.PackageNotFoundError:
            out.append(f"{pkg} absent")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[20250616, 20250617, 20250618])
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/airwitness-bench/fusion"))
    ap.add_argument("--airliners", type=int, default=100)
    ap.add_argument("--kinematic", type=int, default=20)
    ap.add_argument("--spoofed", type=int, default=20)
    ap.add_argument("--targets", type=int, default=40, help="drones and fast movers (PSR only)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of fuse() (best is shown)")
    ap.add_argument(
        "--z-flags",
        type=float,
        nargs="*",
        default=[2.5, 3.0, 3.5, 5.0],
        help="SpoofRules.z_flag values to sweep (the default is always run)",
    )
    ap.add_argument(
        "--stonesoup-m",
        type=float,
        nargs="+",
        default=[500.0, 1000.0],
        help="Stone Soup's association thresholds on every seed (m; one-to-one at the last)",
    )
    ap.add_argument(
        "--stonesoup-sweep-m",
        type=float,
        nargs="*",
        default=[250.0, 4000.0],
        help="more thresholds, on the first seed only (m)",
    )
    ap.add_argument("--no-stonesoup", action="store_true")
    args = ap.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine(*versions())}")
    default_z = SpoofRules().z_flag
    seeds = []
    for k, seed in enumerate(args.seeds):
        folder, info = scenario(args.data_dir, seed, args)
        if k == 0:  # numba compiles (or loads its cache) once, outside the timings
            read_inputs(
                [folder / "plots.ast"],
                options=ReadOptions(
                    date=dt.date.fromisoformat(info["date"]), sensors=folder / "sensors.csv"
                ),
            )
        s = run_seed(folder, seed, info, args)
        c = info["counts"]
        print(
            f"seed {seed}: {c['objects']} objects ({c['airliners']} airliners, {c['kinematic']} "
            f"kinematic-only, {c['drones']} drones and fast movers), {c['plots']:,} plots "
            f"({c['clutter_plots']:,} clutter), {c['adsb_reports']:,} ADS-B ({c['spoofed']} "
            f"episodes, {c['spoofed_reports']:,} displaced); {s.reports:,} reports in "
            f"{s.tracks} tracks ({', '.join(f'{n} {k}' for k, n in sorted(s.sensors.items()))})",
            flush=True,
        )
        for line in s.biases:
            print(f"  bias: {line}")
        seeds.append(s)
    print_association(seeds)
    print_spoofing(seeds, default_z)
    print_speed(seeds)
    print_targets(seeds, default_z)
    return 0


if __name__ == "__main__":
    sys.exit(main())
