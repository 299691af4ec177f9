"""A seeded generator of small investigation scenarios, one per verdict.

Two square airspaces share a 22 km border along 10.3 E (``AAA`` west, ``BBB``
east, 45.0–45.2 N); the window is one hour, 2025-06-13 00:00–01:00 UTC (six
10-minute bins, two ~11 km border stretches). Tracks are written as plain CSV
(docs/formats.md) with small seeded position noise:

* ``PATROL`` flies up and down 10.25 E, 4 km inside AAA, reporting every 30 s:
  it keeps the whole border covered (within 30 km) for as long as it flies;
* ``X1`` flies east along 45.1 N from 10.2 E to 10.4 E at 50 m/s, crossing
  AAA → BBB at 10.3 E: every 5 s (observed) or only at its two ends, 900 s apart
  (inferred);
* ``SPOOF`` claims 50 m/s but its position freezes for 40 s, then jumps 8 km
  across the border (a spoofing signature): its crossing must be ``suspect``.

``write_scenario(kind, folder)`` writes ``boundaries.geojson``, ``tracks.csv``
and ``case.yaml`` for kind = confirmed | indicated | not_observed |
inconclusive | suspect.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

START = datetime(2025, 6, 13, 0, 0, tzinfo=UTC)
BORDER_LON = 10.3
M_PER_DEG_LAT = 111_132.0
M_PER_DEG_LON = 111_320.0 * np.cos(np.radians(45.1))

KINDS = ("confirmed", "indicated", "not_observed", "inconclusive", "suspect")


def _iso(seconds: float) -> str:
    return (START + timedelta(seconds=float(seconds))).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _patrol(rng: np.random.Generator, minutes: float) -> list[tuple]:
    rows = []
    for t in np.arange(0.0, minutes * 60 + 1e-9, 30.0):
        phase = (t / 1200.0) % 2.0  # 20 minutes up, 20 down
        lat = 45.0 + 0.2 * (phase if phase <= 1 else 2 - phase)
        rows.append(
            (
                "PATROL",
                _iso(t),
                lat + rng.normal(0, 1e-5),
                10.25 + rng.normal(0, 1e-5),
                1500.0,
                60.0,
            )
        )
    return rows


def _crossing(rng: np.random.Generator, step_s: float) -> list[tuple]:
    speed = 50.0
    length_m = 0.2 * M_PER_DEG_LON
    duration = length_m / speed
    times = np.arange(0.0, duration + 1e-9, step_s)
    if times[-1] < duration:
        times = np.append(times, duration)
    t0 = 1200.0
    return [
        (
            "X1",
            _iso(t0 + t),
            45.1 + rng.normal(0, 1e-6),
            10.2 + speed * t / M_PER_DEG_LON,
            900.0,
            speed,
        )
        for t in times
    ]


def _spoof() -> list[tuple]:
    rows = []
    lon = 10.2
    for k in range(12):  # flying east at 50 m/s, reports every 5 s
        rows.append(("SPOOF", _iso(600 + 5 * k), 45.15, lon, 700.0, 50.0))
        lon += 250.0 / M_PER_DEG_LON
    frozen = lon
    for k in range(12, 20):  # position frozen for 40 s while the speed says 50 m/s
        rows.append(("SPOOF", _iso(600 + 5 * k), 45.15, frozen, 700.0, 50.0))
    lon = frozen + 8000.0 / M_PER_DEG_LON  # an 8 km jump in 5 s, across the border
    for k in range(20, 30):
        rows.append(("SPOOF", _iso(600 + 5 * k), 45.15, lon, 700.0, 50.0))
        lon += 250.0 / M_PER_DEG_LON
    return rows


def rows_for(kind: str, seed: int = 7) -> list[tuple]:
    rng = np.random.default_rng(seed)
    if kind == "confirmed":
        return _patrol(rng, 60) + _crossing(rng, 5.0)
    if kind == "indicated":
        return _patrol(rng, 60) + _crossing(rng, 900.0)
    if kind == "not_observed":
        return _patrol(rng, 60)
    if kind == "inconclusive":
        return _patrol(rng, 10)
    if kind == "suspect":
        return _patrol(rng, 60) + _spoof()
    raise ValueError(kind)


def write_scenario(kind: str, folder: Path, seed: int = 7) -> Path:
    """Write the scenario's files into ``folder``; return the case file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    squares = {"AAA": (10.0, BORDER_LON), "BBB": (BORDER_LON, 10.6)}
    features = [
        {
            "type": "Feature",
            "properties": {"code": code},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[w, 45.0], [e, 45.0], [e, 45.2], [w, 45.2], [w, 45.0]]],
            },
        }
        for code, (w, e) in squares.items()
    ]
    (folder / "boundaries.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, indent=1)
    )
    lines = ["track_id,time,lat,lon,alt_m,ground_speed_mps"]
    lines += [
        f"{r[0]},{r[1]},{r[2]:.7f},{r[3]:.7f},{r[4]:.1f},{r[5]:.1f}" for r in rows_for(kind, seed)
    ]
    (folder / "tracks.csv").write_text("\n".join(lines) + "\n")
    case = folder / "case.yaml"
    case.write_text(
        f"title: Scenario {kind}\n"
        "allegation:\n  into: BBB\n  via: AAA\n"
        "  since: 2025-06-13T00:00:00Z\n  until: 2025-06-13T00:59:59Z\n  aircraft: any\n"
        "evidence:\n  - path: tracks.csv\n    sensor: generated\n"
        "airspace:\n  file: boundaries.geojson\n  code_field: code\n"
    )
    return case


#: The routes scenario: ``BBB`` reaches east to 11.2 E, and ``CCC`` lies south of its far
#: end (10.9-11.2 E, 44.8-45.0 N), 50 km or more from the patrol: that border is never seen.
ROUTE_SQUARES = {
    "AAA": (10.0, BORDER_LON, 45.0, 45.2),
    "BBB": (BORDER_LON, 11.2, 45.0, 45.2),
    "CCC": (10.9, 11.2, 44.8, 45.0),
}


def _from_the_north(step_s: float = 5.0) -> list[tuple]:
    """``X2`` flies south along 10.5 E from 45.3 N (outside every square: INTL) to 45.1 N,
    at 50 m/s from 00:30, crossing into BBB at 45.2 N."""
    speed, length_m = 50.0, 0.2 * M_PER_DEG_LAT
    times = np.arange(0.0, length_m / speed + 1e-9, step_s)
    return [
        ("X2", _iso(1800 + t), 45.3 - speed * t / M_PER_DEG_LAT, 10.5, 800.0, speed) for t in times
    ]


def write_routes_scenario(folder: Path, via: str, *, with_crossings: bool = True) -> Path:
    """Three airspaces, the patrol, and (``with_crossings``) X1 entering BBB from AAA and
    X2 from international airspace; the case alleges entry into BBB ``via`` as given
    (``[AAA, CCC]``, ``any``, ...). Returns the case file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    features = [
        {
            "type": "Feature",
            "properties": {"code": code},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
            },
        }
        for code, (w, e, s, n) in ROUTE_SQUARES.items()
    ]
    (folder / "boundaries.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, indent=1)
    )
    rng = np.random.default_rng(7)
    rows = _patrol(rng, 60)
    if with_crossings:
        rows += _crossing(rng, 5.0) + _from_the_north()
    lines = ["track_id,time,lat,lon,alt_m,ground_speed_mps"]
    lines += [f"{r[0]},{r[1]},{r[2]:.7f},{r[3]:.7f},{r[4]:.1f},{r[5]:.1f}" for r in rows]
    (folder / "tracks.csv").write_text("\n".join(lines) + "\n")
    case = folder / "case.yaml"
    case.write_text(
        "title: Scenario of routes\n"
        f"allegation:\n  into: BBB\n  via: {via}\n"
        "  since: 2025-06-13T00:00:00Z\n  until: 2025-06-13T00:59:59Z\n  aircraft: any\n"
        "evidence:\n  - path: tracks.csv\n    sensor: generated\n"
        "airspace:\n  file: boundaries.geojson\n  code_field: code\n"
    )
    return case
