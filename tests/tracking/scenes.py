"""Radar scenes built by hand for the tracker's tests: known targets, a rotating radar.

Targets move in the radar's azimuthal-equidistant plane (x east, y north, m)
along paths given as functions of time; the beam sweeps north through east once
per scan, and a target's plot is made when the beam crosses it. Slant range
comes from the ground distance and the target's height on a sphere of the
local radius (the inverse of the tracker's geometry), so with zero noise the
tracker's measurements are exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pyproj import CRS, Transformer

SITE = (39.45, 47.05, 100.0)  # lat, lon, antenna height: Azerbaijan, north of the Aras
T0 = np.datetime64("2025-06-16T00:00:00", "ns")
Path2D = Callable[[float], tuple[float, float]]


def straight(x0: float, y0: float, vx: float, vy: float) -> Path2D:
    return lambda t: (x0 + vx * t, y0 + vy * t)


def circle(cx: float, cy: float, radius: float, speed: float, phase: float = 0.0) -> Path2D:
    w = speed / radius
    return lambda t: (cx + radius * math.cos(phase + w * t), cy + radius * math.sin(phase + w * t))


@dataclass
class Scene:
    targets: list[Path2D]
    scans: int = 60
    period_s: float = 5.0
    height_m: float = 1000.0
    pd: float = 1.0
    clutter_per_scan: float = 0.0
    range_m: float = 60_000.0
    sigma_range_m: float = 0.0
    sigma_azimuth_deg: float = 0.0
    seed: int = 1
    missed: dict[int, set[int]] = field(default_factory=dict)  # target -> scans not seen
    mode3a: dict[int, str] = field(default_factory=dict)

    def plane(self) -> tuple[Transformer, Transformer]:
        crs = CRS.from_proj4(
            f"+proj=aeqd +lat_0={SITE[0]!r} +lon_0={SITE[1]!r} +ellps=WGS84 +units=m"
        )
        return (
            Transformer.from_crs("EPSG:4326", crs, always_xy=True),
            Transformer.from_crs(crs, "EPSG:4326", always_xy=True),
        )

    def plots(self) -> list[dict]:
        """Every plot, in time order: time_s, range_m, azimuth_deg, target (-1 clutter)."""
        rng = np.random.default_rng(self.seed)
        out = []
        for k in range(self.scans):
            start = k * self.period_s
            for i, path in enumerate(self.targets):
                x, y = path(start)
                az = math.degrees(math.atan2(x, y)) % 360.0
                t = start + az / 360.0 * self.period_s
                x, y = path(t)  # where it is when the beam crosses it
                if k in self.missed.get(i, set()) or rng.uniform() > self.pd:
                    continue
                d, az = math.hypot(x, y), math.degrees(math.atan2(x, y)) % 360.0
                rho = slant_range(d, self.height_m, az)
                rho += rng.normal(0.0, self.sigma_range_m) if self.sigma_range_m else 0.0
                az += rng.normal(0.0, self.sigma_azimuth_deg) if self.sigma_azimuth_deg else 0.0
                out.append({"time_s": t, "range_m": rho, "azimuth_deg": az % 360.0, "target": i})
            n = rng.poisson(self.clutter_per_scan) if self.clutter_per_scan else 0
            for _ in range(n):
                az = rng.uniform(0.0, 360.0)
                d = self.range_m * math.sqrt(rng.uniform(0.05, 1.0))
                out.append({
                    "time_s": start + az / 360.0 * self.period_s,
                    "range_m": slant_range(d, self.height_m, az),
                    "azimuth_deg": az, "target": -1,
                })  # fmt: skip
        out.sort(key=lambda p: (p["time_s"], p["azimuth_deg"]))
        return out

    def write(self, folder: Path, name: str = "RADAR-1") -> tuple[Path, Path, list[dict]]:
        """plots.csv and sensors.csv in ``folder``; returns their paths and the plots."""
        plots = self.plots()
        lines = ["time,sensor,range_m,azimuth_deg,mode3a"]
        for p in plots:
            t = T0 + np.timedelta64(round(p["time_s"] * 1e9), "ns")
            code = self.mode3a.get(p["target"], "")
            lines.append(f"{t}Z,{name},{p['range_m']!r},{p['azimuth_deg']!r},{code}")
        csv = folder / "plots.csv"
        csv.write_text("\n".join(lines) + "\n")
        sensors = folder / "sensors.csv"
        sensors.write_text(
            "name,lat,lon,alt_m,sigma_range_m,sigma_azimuth_deg,scan_period_s\n"
            f"{name},{SITE[0]},{SITE[1]},{SITE[2]},{max(self.sigma_range_m, 1.0)},"
            f"{max(self.sigma_azimuth_deg, 0.001)},{self.period_s}\n"
        )
        return csv, sensors, plots

    def write_asterix(
        self, folder: Path, sac: int = 7, sic: int = 9, extra: bytes = b""
    ) -> tuple[Path, Path, list[dict]]:
        """plots.ast (one CAT048 block of 2D plots: no height, no track number, no
        address; then ``extra``) and sensors.csv by SAC/SIC; the date is T0's."""
        from tests.io.radar.captures import NM, block, cat048

        plots = self.plots()
        tod0 = float((T0 - T0.astype("datetime64[D]")) / np.timedelta64(1, "s"))
        records = [
            cat048(tod0 + p["time_s"], p["range_m"] / NM, p["azimuth_deg"], sac=sac, sic=sic)
            for p in plots
        ]
        ast = folder / "plots.ast"
        ast.write_bytes(block(48, *records) + extra)
        sensors = folder / "sensors.csv"
        sensors.write_text(
            "sac,sic,lat,lon,alt_m,sigma_range_m,sigma_azimuth_deg,scan_period_s\n"
            f"{sac},{sic},{SITE[0]},{SITE[1]},{SITE[2]},{max(self.sigma_range_m, 10.0)},"
            f"{max(self.sigma_azimuth_deg, 0.01)},{self.period_s}\n"
        )
        return ast, sensors, plots


def radius_along(az_deg: float) -> float:
    a, f = 6_378_137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    phi = math.radians(SITE[0])
    w = 1 - e2 * math.sin(phi) ** 2
    n, m = a / math.sqrt(w), a * (1 - e2) / w**1.5
    th = math.radians(az_deg)
    return m * n / (m * math.sin(th) ** 2 + n * math.cos(th) ** 2)


def slant_range(d: float, h: float, az_deg: float) -> float:
    r = radius_along(az_deg)
    a, b = r + SITE[2], r + h
    return math.sqrt((a - b) ** 2 + 4 * a * b * math.sin(d / r / 2) ** 2)


def over_the_aras(*, scans: int, clutter_per_scan: float, seed: int) -> Scene:
    """A drone flying south at 40 m/s from Azerbaijan over the Aras into Iran, and a
    second target flying west that crosses nothing, in clutter, with real errors."""
    return Scene(
        [straight(-5_000.0, 15_000.0, 10.0, -40.0), straight(20_000.0, 20_000.0, -45.0, 0.0)],
        scans=scans,
        clutter_per_scan=clutter_per_scan,
        sigma_range_m=30.0,
        sigma_azimuth_deg=0.1,
        seed=seed,
    )


def split_in_halves(csv: Path) -> list[Path]:
    """The plots of the first and the second half of the capture, each in a file."""
    header, *lines = csv.read_text().splitlines(keepends=True)
    files = [csv.with_name("first.csv"), csv.with_name("second.csv")]
    files[0].write_text(header + "".join(lines[: len(lines) // 2]))
    files[1].write_text(header + "".join(lines[len(lines) // 2 :]))
    return files
