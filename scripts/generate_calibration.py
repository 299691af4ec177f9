"""Calibration tracks near a border: what a crossing's confidence must be sure about.

Usage::

    python scripts/generate_calibration.py [--seed 0] [--per-case 8] [-o DIR]
                                           [--plot docs/uncertainty-power.svg]

A seeded generator (numpy's PCG64) of tracks whose truth is known, near a straight
border: the meridian 10° E on the equator, country ``AAA`` west of it and ``BBB``
east (``border.geojson``, a user boundary file, code field ``code``), where a metre
east is 1/111,195 of a degree. Every report states its error honestly
(``pos_sigma_m``), and the errors are drawn as stated:

- **never**: tracks that never enter ``BBB`` — parallel to the border at 0.5, 10, 30,
  100 or 300 m west of it for five minutes, or approaching to within that much and
  turning back;
- **cross**: tracks that cross and stay at a depth of k × S for at least a minute
  (S = √(σ² + σ_b²), k from 0.25 to 10), and **deep** ones (8 S and at least 1 km);
- position errors of σ = 5, 30, 100 or 300 m per axis, **white** (independent) or
  **drifting** (Gauss–Markov, correlation time 120 s: GNSS errors wander slowly);
- the border itself either exact or drawn with an error: the true border lies
  e_b ~ N(0, σ_b²) east of the drawn one, the same for every report of a track
  (σ_b = 0 or 50 m; the run passes ``boundary_sigma_m`` = σ_b).

Writes ``never.csv``, ``cross.csv`` (the plain CSV format; track ids say what each
track is) and ``border.geojson`` to DIR, and with ``--plot`` the power curve: the
median confidence of crossings against their depth in units of S.

The test suite (``tests/core/test_calibration.py``) generates the same tracks in
memory with :func:`calibration` and asserts the guarantee on them.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

M_PER_DEG = 6_371_008.8 * np.pi / 180.0
BORDER_LON = 10.0
T0_NS = 1_750_000_000 * 10**9
SIGMAS_M = (5.0, 30.0, 100.0, 300.0)
BOUNDARY_SIGMAS_M = (0.0, 50.0)
DISTANCES_M = (0.5, 10.0, 30.0, 100.0, 300.0)
DEPTHS_S = (0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0, 10.0)
DRIFT_S = 120.0  # correlation time of the drifting errors
DURATION_S = 300.0
SPEED_MPS = 40.0  # along the border (parallel tracks) or toward it


@dataclass(frozen=True)
class Case:
    """One track's recipe; ``depth_m`` is how far east of the true border it gets
    (negative: how far west it stays)."""

    kind: str  # never-parallel, never-turn, cross, deep
    depth_m: float
    sigma_m: float
    boundary_sigma_m: float
    drifting: bool
    step_s: float

    @property
    def s_m(self) -> float:
        return float(np.hypot(self.sigma_m, self.boundary_sigma_m))


def cases(per_case: int) -> list[Case]:
    """Every recipe, ``per_case`` times."""
    out = []
    for sigma in SIGMAS_M:
        for sb in BOUNDARY_SIGMAS_M:
            for drifting in (False, True):
                step = 1.0 if sigma <= 30 else 5.0
                s = float(np.hypot(sigma, sb))
                for d in DISTANCES_M:
                    out.append(Case("never-parallel", -d, sigma, sb, drifting, step))
                    out.append(Case("never-turn", -d, sigma, sb, drifting, step))
                for k in DEPTHS_S:
                    out.append(Case("cross", k * s, sigma, sb, drifting, step))
                out.append(Case("deep", max(8 * s, 1000.0), sigma, sb, drifting, step))
    return [c for c in out for _ in range(per_case)]


def calibration(seed: int = 0, per_case: int = 8) -> tuple[pa.Table, list[Case]]:
    """All tracks as one plain-CSV-like table (ids ``<kind>-<n>``), and each one's recipe."""
    rng = np.random.default_rng(seed)
    recipes = cases(per_case)
    parts = [_track(i, c, rng) for i, c in enumerate(recipes)]
    columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    table = pa.table(
        {
            "track_id": pa.array(columns["track_id"], pa.string()),
            "time": pa.array(columns["time"], pa.int64()).cast(pa.timestamp("ns", tz="UTC")),
            "lat": pa.array(columns["lat"], pa.float64()),
            "lon": pa.array(columns["lon"], pa.float64()),
            "pos_sigma_m": pa.array(columns["pos_sigma_m"], pa.float64()),
        }
    )
    return table, recipes


def track_id(i: int, case: Case) -> str:
    return f"{case.kind}-{i:05d}"


def _track(i: int, c: Case, rng: np.random.Generator) -> dict[str, np.ndarray]:
    t = np.arange(0.0, DURATION_S + c.step_s / 2, c.step_s)
    n = len(t)
    if c.kind == "never-parallel":
        x = np.full(n, c.depth_m)  # metres east of the true border (negative: west)
        y = SPEED_MPS * t
    elif c.kind == "never-turn":
        far = -2000.0
        x = c.depth_m + (far - c.depth_m) * np.abs(1.0 - 2.0 * t / DURATION_S)
        y = 0.2 * SPEED_MPS * t
    else:  # approach from 2 km west, reach the depth half way, stay there
        half = DURATION_S / 2
        x = np.where(t < half, -2000.0 + (c.depth_m + 2000.0) * t / half, c.depth_m)
        y = 0.2 * SPEED_MPS * t
    border_m = rng.normal(0.0, c.boundary_sigma_m) if c.boundary_sigma_m > 0 else 0.0
    ex, ey = _errors(n, c, rng)
    lon = BORDER_LON + (x + border_m + ex) / M_PER_DEG
    lat = (y + ey) / M_PER_DEG
    return {
        "track_id": np.full(n, track_id(i, c), dtype=object),
        "time": T0_NS + i * 10**12 + np.round(t * 1e9).astype(np.int64),
        "lat": lat,
        "lon": lon,
        "pos_sigma_m": np.full(n, c.sigma_m),
    }


def _errors(n: int, c: Case, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per-axis errors of standard deviation σ: independent, or a stationary
    Gauss–Markov drift (ρ = exp(−step / 120 s))."""
    white = rng.normal(0.0, c.sigma_m, size=(2, n))
    if not c.drifting:
        return white[0], white[1]
    rho = float(np.exp(-c.step_s / DRIFT_S))
    out = np.empty((2, n))
    out[:, 0] = white[:, 0]
    scale = np.sqrt(1.0 - rho * rho)
    for k in range(1, n):
        out[:, k] = rho * out[:, k - 1] + scale * white[:, k]
    return out[0], out[1]


def border_geojson() -> dict:
    """AAA west of 10° E, BBB east of it, 1° either side."""

    def square(x0: float, x1: float) -> dict:
        ring = [[x0, -1.0], [x1, -1.0], [x1, 1.0], [x0, 1.0], [x0, -1.0]]
        return {"type": "Polygon", "coordinates": [ring]}

    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": "AAA"}, "geometry": square(9.0, 10.0)},
            {"type": "Feature", "properties": {"code": "BBB"}, "geometry": square(10.0, 11.0)},
        ],
    }


def power_svg(points: list[tuple[float, float, str]]) -> str:
    """A small SVG: median confidence (y) against depth in units of S (x), a line per
    series; ``points`` are (depth/S, confidence, series)."""
    width, height, pad = 560, 340, 48
    series = sorted({s for _, _, s in points})
    colours = ["#1a73e8", "#d93025", "#188038", "#f29900", "#8e24aa", "#00897b"]

    def px(x: float) -> float:
        return pad + (width - 2 * pad) * x / 10.0

    def py(y: float) -> float:
        return height - pad - (height - 2 * pad) * y

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for k in range(11):
        out.append(
            f'<line x1="{px(k):.1f}" y1="{py(0):.1f}" x2="{px(k):.1f}" y2="{py(1):.1f}" '
            'stroke="#eee"/>'
            f'<text x="{px(k):.1f}" y="{py(0) + 16:.1f}" text-anchor="middle">{k}</text>'
        )
    for v in (0.0, 0.25, 0.5, 0.75, 0.9, 1.0):
        out.append(
            f'<line x1="{px(0):.1f}" y1="{py(v):.1f}" x2="{px(10):.1f}" y2="{py(v):.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{pad - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:g}</text>'
        )
    for colour, name in zip(colours, series, strict=False):
        pts = sorted((x, y) for x, y, s in points if s == name)
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for k, (colour, name) in enumerate(zip(colours, series, strict=False)):
        y = py(0.5) + 16 * k  # the legend, lower right, where every curve is at 1
        out.append(
            f'<line x1="{px(5.6):.1f}" y1="{y:.1f}" x2="{px(6.1):.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="2"/>'
            f'<text x="{px(6.2):.1f}" y="{y + 4:.1f}">{name}</text>'
        )
    out.append(
        f'<text x="{width / 2}" y="{height - 10}" text-anchor="middle">'
        "depth reached ÷ S = √(σ² + σ_b²)</text>"
        f'<text x="14" y="{height / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {height / 2})">median confidence</text>'
        "</svg>"
    )
    return "\n".join(out) + "\n"


def calibration_sky():
    """The two airspaces the tracks fly between: AAA west of 10° E, BBB east of it
    (an exact border: the generator states its error per track). Needs airwitness."""
    import shapely

    from airwitness.airspace import Airspace
    from airwitness.airspace.boundaries import BoundarySet

    return Airspace(
        BoundarySet(
            ("AAA", "BBB"),
            ("land", "land"),
            (shapely.box(9, -1, 10, 1), shapely.box(10, -1, 11, 1)),
            {"name": "calibration"},
        )
    )


def power_points(table: pa.Table, recipes: list[Case]) -> list[tuple[float, float, str]]:
    """Median confidence per depth multiple, per error model (needs airwitness)."""
    from airwitness.crossings import find_crossings
    from airwitness.schema import make_table
    from airwitness.tracks import prepare_tracks

    sky = calibration_sky()
    ids = table["track_id"].to_pylist()
    groups: dict[tuple[str, float], list[float]] = {}
    for sb in BOUNDARY_SIGMAS_M:
        keep = [i for i, c in enumerate(recipes) if c.kind == "cross" and c.boundary_sigma_m == sb]
        wanted = {track_id(i, recipes[i]) for i in keep}
        mask = pa.array([x in wanted for x in ids])
        part = table.filter(mask)
        canon = make_table(
            {**{k: part[k] for k in part.column_names}, "source_record": np.arange(part.num_rows)},
            source="csv",
            source_file="cross.csv",
        )
        found = find_crossings(prepare_tracks(canon).table, sky, boundary_sigma_m=sb)
        best: dict[str, float] = {}
        for tid, to, conf in zip(
            found["track_id"].to_pylist(), found["to"].to_pylist(),
            found["confidence"].to_pylist(), strict=True,
        ):  # fmt: skip
            if to == "BBB":
                best[tid] = max(best.get(tid, 0.0), conf)
        for i in keep:
            c = recipes[i]
            name = f"σ {c.sigma_m:g} m, {'drifting' if c.drifting else 'white'}, σ_b {sb:g} m"
            if c.sigma_m not in (5.0, 100.0) or (sb > 0 and (c.sigma_m, c.drifting) != (5, False)):
                continue
            groups.setdefault((name, c.depth_m / c.s_m), []).append(best.get(track_id(i, c), 0.0))
    return [(k, float(np.median(v)), name) for (name, k), v in groups.items()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--per-case", type=int, default=8, help="tracks per recipe")
    p.add_argument("-o", "--output", default="calibration", help="folder to write")
    p.add_argument("--plot", help="also write the power curve (SVG) here")
    args = p.parse_args(argv)
    table, recipes = calibration(args.seed, args.per_case)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    (out / "border.geojson").write_text(json.dumps(border_geojson(), indent=1) + "\n")
    never = pa.array([i.startswith("never") for i in table["track_id"].to_pylist()])
    pacsv.write_csv(table.filter(never), out / "never.csv")
    pacsv.write_csv(table.filter(pc.invert(never)), out / "cross.csv")
    if args.plot:  # a smoother curve: more tracks per recipe than the files hold
        many, many_recipes = calibration(args.seed, max(args.per_case, 40))
        svg = power_svg(power_points(many, many_recipes))
        Path(args.plot).write_text(svg, encoding="utf-8")
    print(f"{len(recipes)} tracks, {table.num_rows:,} reports -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
