"""Geographic detections (passive RF, acoustic, optical) written for the tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .scenes import SITE, T0


def write_sightings(path: Path, *, n: int = 60, clutter: int = 5, seed: int = 2) -> Path:
    """A target flying due south at 40 m/s from 8 km north of SITE, seen every 2 s
    with 30 m errors; ``clutter`` stray detections scattered within 20 km."""
    rng = np.random.default_rng(seed)
    m_per_deg = 111_195.0
    rows = []
    for k in range(n):
        north = 8_000.0 - 80.0 * k + rng.normal(0.0, 30.0)
        east = rng.normal(0.0, 30.0)
        lat = SITE[0] + north / m_per_deg
        lon = SITE[1] + east / (m_per_deg * np.cos(np.radians(SITE[0])))
        rows.append((2.0 * k, float(lat), float(lon)))
    for _ in range(clutter):
        t = rng.uniform(0.0, 2.0 * n)
        north, east = rng.uniform(-20_000.0, 20_000.0, 2)
        lon = SITE[1] + east / (m_per_deg * np.cos(np.radians(SITE[0])))
        rows.append((float(t), float(SITE[0] + north / m_per_deg), float(lon)))
    rows.sort()
    lines = ["time,sensor,lat,lon,pos_sigma_m"]
    for t, lat, lon in rows:
        stamp = T0 + np.timedelta64(round(t * 1e9), "ns")
        lines.append(f"{stamp}Z,RF-EAST,{lat!r},{lon!r},30")
    path.write_text("\n".join(lines) + "\n")
    return path
