"""Generate a seeded primary-radar scenario: anonymous plots, clutter and the truth behind them.

Usage::

    python scripts/generate_radar.py -o DIR [--seed 20250616] [--duration-s 5400]
        [--scan-period-s 5] [--clutter-per-scan 30] [--patch-per-scan 10] [--targets 11]
        [--pd 0.9] [--sigma-range-m 50] [--sigma-azimuth-deg 0.15] [--start ISO]

The scenario (issue 17) is made up but physically plausible. One rotating 2D primary
surveillance radar, ``AZ-PSR-1`` (SAC 1, SIC 17), stands on the Azerbaijani side of the
Aras river at 39.60 N 47.35 E, its antenna 250 m above the WGS-84 ellipsoid; the
Azerbaijan–Iran border (the ``osm`` boundary set, codes ``AZE`` and ``IRN``) runs
south-west to north-east about 21 km south of it. Defaults:

- the antenna turns clockwise once every ``--scan-period-s`` (5 s), pointing north at
  the start of every scan; a target's plot is made when the beam sweeps its azimuth,
  so plot times within a scan follow the azimuth (and clutter's too);
- coverage: slant range 0.5–60 km, every azimuth (no terrain, no radar horizon);
- measurement: slant range and azimuth of the true position (WGS-84 ECEF → the
  antenna's local east-north-up), with Gaussian noise σ = 50 m and 0.15°, then
  quantised to ASTERIX CAT048 resolution (1/256 NM, 360/2¹⁶ degrees, 1/128 s);
  no height is measured (a 2D radar): plots carry none;
- detection probability Pd = 0.9, independently at every sweep of a target;
- clutter: a Poisson number of false plots every scan, 30 on average uniform over the
  coverage (uniform in area: 0.00265 per km² per scan), plus 10 on average uniform in
  a dense patch of radius 2 km centred 10 km west and 18 km south of the radar
  (0.80 per km² per scan, 300 times denser) that drone T08 flies through;
- 11 targets (``radar_targets.py``): 9 small drones at 25–50 m/s, 150–3000 m above the
  ellipsoid, flying straight, turning, loitering or weaving, and 2 fast movers
  (220 and 180 m/s, at 5000 and 3500 m); 9 true border crossings in all;
- 90 minutes from 2025-06-16T04:00:00Z: 1,080 scans; with the default seed 46,048
  plots, of which 43,109 (93.6 %) clutter (10,823 in the patch) and 2,939 from targets.

The issue's "1-hour, 100k-plot, 30-clutter-per-scan capture" is
``--duration-s 3600 --scan-period-s 1.2 --clutter-per-scan 30 --patch-per-scan 0``
(a 50 rpm antenna; the 9 designed targets that start within the hour, 6 crossings):
98,942 plots with the default seed, 89,669 of them clutter.

Files written to DIR, byte-identical for the same options and seed:

- ``plots.csv`` — the plot CSV: ``time,sensor,range_m,azimuth_deg,alt_m,mode3a,amplitude``
  (ISO-8601 UTC, ms; slant range m; azimuth degrees from true north, clockwise, at the
  radar; the last three empty: a PSR measures none), in time order;
- ``plots.ast`` — the same plots as raw ASTERIX CAT048 data blocks, one block per
  eighth of a scan (``asterix_write.py``: I048/010, /140, /020 TYP = PSR, /040; no
  track number, address or flight level); record k is data line k of plots.csv;
- ``sensors.csv`` — ``name,sac,sic,lat,lon,alt_m,sigma_range_m,sigma_azimuth_deg,
  scan_period_s,pd,clutter_density`` (clutter_density: the uniform part, per km² per
  scan; the patch is for the tracker to cope with, not to know);
- ``truth.csv`` — ``target,time,lon,lat,alt_m,speed_mps,class`` at 1 s steps;
- ``truth_plots.csv`` — ``record,target,time`` for every plot (target empty for clutter);
- ``truth_crossings.csv`` — ``target,time,lon,lat,from,to``: airwitness's own crossing
  logic (``airwitness.pipeline.run_crossings``) run on the 1 s truth;
- ``scenario.json`` — every parameter, the seed, the targets' recipes and the counts.

Random streams (numpy PCG64, one child of the seed each): detection, measurement
noise, clutter, extra targets. The designed targets do not depend on the seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from pyproj import Transformer

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asterix_write
import radar_targets

SEED = 20250616
PLOT_COLUMNS = "time,sensor,range_m,azimuth_deg,alt_m,mode3a,amplitude"
SENSOR_COLUMNS = (
    "name,sac,sic,lat,lon,alt_m,sigma_range_m,sigma_azimuth_deg,scan_period_s,pd,clutter_density"
)
SECTORS = 8  # data blocks per scan
NS = 10**9


@dataclass(frozen=True)
class Radar:
    name: str = "AZ-PSR-1"
    sac: int = 1
    sic: int = 17
    lat: float = 39.60
    lon: float = 47.35
    alt_m: float = 250.0


@dataclass(frozen=True)
class Scenario:
    """Every parameter of a run (SI units, degrees); ``start`` is ISO-8601 UTC."""

    seed: int = SEED
    start: str = "2025-06-16T04:00:00Z"
    duration_s: float = 5400.0
    scan_period_s: float = 5.0
    range_min_m: float = 500.0
    range_max_m: float = 60_000.0
    sigma_range_m: float = 50.0
    sigma_azimuth_deg: float = 0.15
    pd: float = 0.9
    clutter_per_scan: float = 30.0
    patch_per_scan: float = 10.0
    patch_east_m: float = -10_000.0
    patch_north_m: float = -18_000.0
    patch_radius_m: float = 2_000.0
    targets: int = 11
    radar: Radar = field(default_factory=Radar)

    @property
    def scans(self) -> int:
        return int(self.duration_s / self.scan_period_s + 1e-9)

    @property
    def coverage_km2(self) -> float:
        return math.pi * (self.range_max_m**2 - self.range_min_m**2) / 1e6

    @property
    def clutter_density(self) -> float:
        """Expected uniform false plots per km² per scan."""
        return self.clutter_per_scan / self.coverage_km2


class Geometry:
    """The radar's local plane (AEQD, metres) ↔ WGS-84, and measured slant range/azimuth."""

    def __init__(self, radar: Radar) -> None:
        aeqd = f"+proj=aeqd +lat_0={radar.lat} +lon_0={radar.lon} +ellps=WGS84 +units=m"
        self.to_lonlat = Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
        self.to_ecef = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
        self.origin = np.array(self.to_ecef.transform(radar.lon, radar.lat, radar.alt_m))
        p, lam = math.radians(radar.lat), math.radians(radar.lon)
        self.enu = np.array(
            [
                [-math.sin(lam), math.cos(lam), 0.0],
                [-math.sin(p) * math.cos(lam), -math.sin(p) * math.sin(lam), math.cos(p)],
                [math.cos(p) * math.cos(lam), math.cos(p) * math.sin(lam), math.sin(p)],
            ]
        )

    def lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = self.to_lonlat.transform(x, y)
        return np.asarray(lon), np.asarray(lat)

    def polar(self, lon, lat, h) -> tuple[np.ndarray, np.ndarray]:
        """True slant range (m) and azimuth (degrees from north, clockwise, in [0, 360))."""
        ecef = np.stack(self.to_ecef.transform(lon, lat, h), axis=-1) - self.origin
        east, north, up = (ecef @ self.enu.T).T
        return np.sqrt(east**2 + north**2 + up**2), np.degrees(np.arctan2(east, north)) % 360.0


@dataclass
class Plots:
    """Plots before ordering: time (s after the start), slant range, azimuth, target (-1)."""

    t_s: np.ndarray
    range_m: np.ndarray
    azimuth_deg: np.ndarray
    target: np.ndarray

    @staticmethod
    def concat(parts: list[Plots]) -> Plots:
        return Plots(
            *(np.concatenate([getattr(p, k) for p in parts]) for k in Plots.__annotations__)
        )


@dataclass
class Truth:
    """A target's flight at whole seconds of the scenario (``t_s``), in the plane and WGS-84."""

    target: radar_targets.Target
    t_s: np.ndarray
    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray


def truths(sc: Scenario, geo: Geometry, rng: np.random.Generator) -> list[Truth]:
    designed = list(radar_targets.DESIGNED[: sc.targets])
    extra = max(sc.targets - len(designed), 0)
    targets = designed + radar_targets.random_targets(extra, sc.duration_s, sc.range_max_m, rng)
    end_s = sc.scans * sc.scan_period_s
    return [tr for tr in (truth_of(t, geo, end_s) for t in targets) if tr is not None]


def truth_of(target: radar_targets.Target, geo: Geometry, end_s: float) -> Truth | None:
    """The target's flight up to ``end_s`` (s after the start); None if under 2 s of it."""
    t, x, y = radar_targets.fly(target)
    t = t + target.start_s
    keep = t <= end_s
    if keep.sum() < 2:
        return None
    lon, lat = geo.lonlat(x[keep], y[keep])
    return Truth(target, t[keep], x[keep], y[keep], lon, lat)


def target_plots(sc: Scenario, geo: Geometry, truth: Truth, index: int, rng_detect, rng_noise):
    """The target's plots: one at every sweep of the beam over it, kept with probability Pd.

    The beam points at 360·t/T degrees (unwrapped); the target at α(t) (unwrapped); the
    sweeps are where 360·t/T − α(t) is a whole number of turns (it only grows: the beam
    turns far faster than any target moves round the radar).
    """
    alt = np.full(len(truth.t_s), truth.target.alt_m)
    _, az = geo.polar(truth.lon, truth.lat, alt)
    lag = 360.0 * truth.t_s / sc.scan_period_s - np.degrees(np.unwrap(np.radians(az)))
    if np.any(np.diff(lag) <= 0):
        raise ValueError(f"target {truth.target.name} circles the radar faster than its beam")
    turns = np.arange(math.ceil(lag[0] / 360.0), math.floor(lag[-1] / 360.0) + 1)
    t_hit = np.interp(360.0 * turns, lag, truth.t_s)
    lon, lat = geo.lonlat(
        np.interp(t_hit, truth.t_s, truth.x), np.interp(t_hit, truth.t_s, truth.y)
    )
    rho, theta = geo.polar(lon, lat, np.full(len(t_hit), truth.target.alt_m))
    seen = rng_detect.uniform(size=len(t_hit)) < sc.pd
    seen &= (rho >= sc.range_min_m) & (rho <= sc.range_max_m)
    noise_r = rng_noise.normal(0.0, sc.sigma_range_m, len(t_hit))
    noise_a = rng_noise.normal(0.0, sc.sigma_azimuth_deg, len(t_hit))
    return Plots(
        t_hit[seen],
        (rho + noise_r)[seen],
        ((theta + noise_a) % 360.0)[seen],
        np.full(int(seen.sum()), index),
    )


def clutter_plots(sc: Scenario, rng: np.random.Generator) -> tuple[Plots, Plots]:
    """Uniform and patch clutter: Poisson counts per scan, positions uniform in area."""
    scans = np.arange(sc.scans)
    n = rng.poisson(sc.clutter_per_scan, sc.scans)
    r2 = rng.uniform(sc.range_min_m**2, sc.range_max_m**2, n.sum())
    az = rng.uniform(0.0, 360.0, n.sum())
    uniform = _clutter(sc, np.repeat(scans, n), np.sqrt(r2), az)
    m = rng.poisson(sc.patch_per_scan, sc.scans)
    r = sc.patch_radius_m * np.sqrt(rng.uniform(0.0, 1.0, m.sum()))
    phi = rng.uniform(0.0, 2 * math.pi, m.sum())
    east = sc.patch_east_m + r * np.sin(phi)
    north = sc.patch_north_m + r * np.cos(phi)
    patch_az = np.degrees(np.arctan2(east, north)) % 360.0
    return uniform, _clutter(sc, np.repeat(scans, m), np.hypot(east, north), patch_az)


def _clutter(sc: Scenario, scan: np.ndarray, rho: np.ndarray, az: np.ndarray) -> Plots:
    t = (scan + az / 360.0) * sc.scan_period_s
    return Plots(t, rho, az, np.full(len(t), -1))


@dataclass
class Ordered:
    """The plots in output order, as the raw ASTERIX counts both plot files carry."""

    tod: np.ndarray  # 1/128 s since midnight of the start day (may pass 24 h)
    rho: np.ndarray  # 1/256 NM
    theta: np.ndarray  # 360/2^16 degrees
    target: np.ndarray  # index into the truths, -1 for clutter
    block: np.ndarray  # data block group: the antenna's eighth of a scan


def order(sc: Scenario, plots: Plots, start_ns: int) -> Ordered:
    day_s = (start_ns % (86_400 * NS)) / NS
    tod = asterix_write.tod_units(day_s + plots.t_s)
    rho = asterix_write.rho_units(plots.range_m)
    theta = asterix_write.theta_units(plots.azimuth_deg)
    idx = np.lexsort((plots.target, rho, theta, tod))
    tod, rho, theta, target = tod[idx], rho[idx], theta[idx], plots.target[idx]
    eighth = sc.scan_period_s / SECTORS
    block = np.floor((tod / asterix_write.TOD_PER_S - day_s) / eighth + 1e-9).astype(np.int64)
    return Ordered(tod, rho, theta, target, block)


def iso_ms(ns: np.ndarray) -> list[str]:
    """ISO-8601 UTC with milliseconds (rounded to nearest) and ``Z``."""
    ms = (np.asarray(ns, dtype=np.int64) + 500_000) // 1_000_000
    return [s + "Z" for s in np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")]


def plot_times_ns(plots: Ordered, start_ns: int) -> np.ndarray:
    midnight = start_ns - start_ns % (86_400 * NS)
    return midnight + plots.tod * (NS // asterix_write.TOD_PER_S)


def write_plots(out: Path, sc: Scenario, plots: Ordered, start_ns: int) -> None:
    times = iso_ms(plot_times_ns(plots, start_ns))
    range_m = plots.rho * asterix_write.NM_M / asterix_write.RHO_PER_NM
    az = plots.theta * 360.0 / asterix_write.THETA_PER_TURN
    name = sc.radar.name
    lines = [PLOT_COLUMNS]
    lines += [f"{t},{name},{r:.3f},{a:.6f},,," for t, r, a in zip(times, range_m, az, strict=True)]
    (out / "plots.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tod = plots.tod % (86_400 * asterix_write.TOD_PER_S)
    blocks = asterix_write.blocks(
        sc.radar.sac, sc.radar.sic, tod, plots.rho, plots.theta, plots.block
    )
    (out / "plots.ast").write_bytes(b"".join(blocks))


def write_sensors(out: Path, sc: Scenario) -> None:
    r = sc.radar
    row = (
        f"{r.name},{r.sac},{r.sic},{r.lat},{r.lon},{r.alt_m},{sc.sigma_range_m},"
        f"{sc.sigma_azimuth_deg},{sc.scan_period_s},{sc.pd},{sc.clutter_density:.6g}"
    )
    (out / "sensors.csv").write_text(f"{SENSOR_COLUMNS}\n{row}\n", encoding="utf-8")


def write_truth(out: Path, truth: list[Truth], start_ns: int, name: str = "target") -> str:
    """truth.csv (its first column called ``name``); returns the plain-CSV copy
    (``track_id`` first) for the crossing logic."""
    rows = [f"{name},time,lon,lat,alt_m,speed_mps,class"]
    plain = ["track_id,time,lat,lon,alt_m"]
    for tr in truth:
        tg = tr.target
        times = iso_ms(start_ns + np.rint(tr.t_s * NS).astype(np.int64))
        for t, lon, lat in zip(times, tr.lon, tr.lat, strict=True):
            rows.append(
                f"{tg.name},{t},{lon:.7f},{lat:.7f},{tg.alt_m:.1f},{tg.speed_mps:.2f},{tg.klass}"
            )
            plain.append(f"{tg.name},{t},{lat:.7f},{lon:.7f},{tg.alt_m:.1f}")
    (out / "truth.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return "\n".join(plain) + "\n"


def write_truth_plots(out: Path, truth: list[Truth], plots: Ordered, start_ns: int) -> None:
    times = iso_ms(plot_times_ns(plots, start_ns))
    names = [tr.target.name for tr in truth]
    lines = ["record,target,time"]
    for k, (target, t) in enumerate(zip(plots.target, times, strict=True)):
        lines.append(f"{k + 1},{names[target] if target >= 0 else ''},{t}")
    (out / "truth_plots.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def truth_crossings(plain_csv: str) -> list[dict]:
    """The crossings airwitness finds on the 1 s truth (``osm`` boundary set)."""
    from airwitness.airspace import Airspace
    from airwitness.pipeline import run_crossings

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "truth_tracks.csv"
        path.write_text(plain_csv, encoding="utf-8")
        table = run_crossings([path], Airspace.builtin("osm")).crossings
    times = iso_ms(table["time"].cast("int64").to_numpy())
    rows = [
        {"target": tid, "time": t, "lon": f"{lon:.7f}", "lat": f"{lat:.7f}", "from": a, "to": b}
        for tid, t, lon, lat, a, b in zip(
            table["track_id"].to_pylist(),
            times,
            table["lon"].to_pylist(),
            table["lat"].to_pylist(),
            table["from"].to_pylist(),
            table["to"].to_pylist(),
            strict=True,
        )
    ]
    return sorted(rows, key=lambda r: (r["target"], r["time"]))


def write_crossings(out: Path, rows: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, ["target", "time", "lon", "lat", "from", "to"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    (out / "truth_crossings.csv").write_text(buf.getvalue(), encoding="utf-8")


def generate(sc: Scenario, out: Path) -> dict:
    """Write every file of the scenario to ``out``; returns what scenario.json holds."""
    out.mkdir(parents=True, exist_ok=True)
    start_ns = int(dt.datetime.fromisoformat(sc.start).timestamp()) * NS
    rng_detect, rng_noise, rng_clutter, rng_targets = (
        np.random.default_rng(s) for s in np.random.SeedSequence(sc.seed).spawn(4)
    )
    geo = Geometry(sc.radar)
    truth = truths(sc, geo, rng_targets)
    parts = [target_plots(sc, geo, tr, k, rng_detect, rng_noise) for k, tr in enumerate(truth)]
    uniform, patch = clutter_plots(sc, rng_clutter)
    plots = order(sc, Plots.concat([*parts, uniform, patch]), start_ns)
    write_plots(out, sc, plots, start_ns)
    write_sensors(out, sc)
    plain = write_truth(out, truth, start_ns)
    write_truth_plots(out, truth, plots, start_ns)
    crossings = truth_crossings(plain)
    write_crossings(out, crossings)
    summary = {
        "generator": "scripts/generate_radar.py",
        "parameters": asdict(sc),
        "scans": sc.scans,
        "coverage_km2": round(sc.coverage_km2, 3),
        "clutter_density_per_km2_scan": float(f"{sc.clutter_density:.6g}"),
        "date": sc.start[:10],
        "counts": {
            "plots": len(plots.tod),
            "clutter_plots": len(uniform.t_s) + len(patch.t_s),
            "uniform_clutter_plots": len(uniform.t_s),
            "patch_clutter_plots": len(patch.t_s),
            "target_plots": {
                tr.target.name: len(p.t_s) for tr, p in zip(truth, parts, strict=True)
            },
            "crossings": len(crossings),
        },
        "targets": [asdict(tr.target) for tr in truth],
    }
    text = json.dumps(summary, indent=2, sort_keys=True)
    (out / "scenario.json").write_text(text + "\n", encoding="utf-8")
    return summary


def add_radar_arguments(ap: argparse.ArgumentParser, role: str = "") -> None:
    """The primary radar's options (``role``, e.g. ``"PSR: "``, prefixes their help):
    shared with the scenarios built on this one (``generate_fusion.py``)."""
    d = Scenario()
    ap.add_argument("--seed", type=int, default=d.seed)
    ap.add_argument("--start", default=d.start, help="ISO-8601 UTC start (default %(default)s)")
    ap.add_argument("--duration-s", type=float, default=d.duration_s)
    ap.add_argument("--scan-period-s", type=float, default=d.scan_period_s)
    ap.add_argument(
        "--clutter-per-scan", type=float, default=d.clutter_per_scan,
        help=f"{role}expected false plots per scan, uniform over the coverage",
    )  # fmt: skip
    ap.add_argument(
        "--patch-per-scan", type=float, default=d.patch_per_scan,
        help=f"{role}expected false plots per scan in the dense patch",
    )  # fmt: skip
    ap.add_argument(
        "--targets", type=int, default=d.targets, help=f"{role}11 designed, more are random"
    )
    ap.add_argument("--pd", type=float, default=d.pd, help=f"{role}detection probability")
    ap.add_argument("--sigma-range-m", type=float, default=d.sigma_range_m, help=role or None)
    ap.add_argument(
        "--sigma-azimuth-deg", type=float, default=d.sigma_azimuth_deg, help=role or None
    )


def scenario_of(args: argparse.Namespace) -> Scenario:
    """The :class:`Scenario` the options of :func:`add_radar_arguments` describe."""
    start = dt.datetime.fromisoformat(args.start)
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    return Scenario(
        seed=args.seed,
        start=start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        duration_s=args.duration_s,
        scan_period_s=args.scan_period_s,
        sigma_range_m=args.sigma_range_m,
        sigma_azimuth_deg=args.sigma_azimuth_deg,
        pd=args.pd,
        clutter_per_scan=args.clutter_per_scan,
        patch_per_scan=args.patch_per_scan,
        targets=args.targets,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--out", type=Path, required=True, help="folder to write to")
    add_radar_arguments(ap)
    args = ap.parse_args(argv)
    sc = scenario_of(args)
    summary = generate(sc, args.out)
    counts = summary["counts"]
    print(
        f"{counts['plots']:,} plots ({counts['clutter_plots']:,} clutter), "
        f"{len(summary['targets'])} targets, {counts['crossings']} crossings → {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
