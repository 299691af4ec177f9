"""ADS-B of ``generate_fusion.py``: OpenSky state vectors of each aircraft, with GNSS
error, spoofing, and the truth of every report.

A state vector is written every ``period_s`` seconds of the scenario clock (``time``,
whole unix seconds, the same instants for every aircraft, as OpenSky samples them);
its position was measured ``u`` seconds earlier (``lastposupdate`` = time − u, u
uniform in [0, 1) s, to the millisecond) and is the true position then, plus the
GNSS error, plus the spoofing offset while the aircraft is spoofed. GNSS error: per
aircraft and axis a first-order Gauss–Markov process (correlation time 120 s) of σ
half the per-axis σ its NACp states (EPU / 2.4477 / 2: receivers beat their stated
bound). Reported velocity and heading are the true motion (geodesic, over the second
the position falls in) with σ 0.5 m/s and 0.2° of noise — also while spoofed: a
spoofer moves the position, not the velocity the aircraft measures. Heights: the
barometric altitude is the flight's height (pressure altitude = height above the
ellipsoid in the scenario), the geometric one that plus σ 5 m of noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import asterix_write
import cat021_write
import numpy as np
from fusion_objects import EPU_M, Aircraft
from pyproj import Geod

COLUMNS = (
    "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
    "baroaltitude,geoaltitude,lastposupdate,lastcontact"
)
TRUTH_COLUMNS = "line,object,icao24,spoof_east_m,spoof_north_m,gnss_east_m,gnss_north_m"
#: the ADS-B ground station of adsb.ast
STATION_SAC, STATION_SIC = 1, 30
GNSS_TAU_S = 120.0
R95_PER_SIGMA = 2.4477
_GEOD = Geod(ellps="WGS84")


@dataclass
class Reports:
    """One aircraft's state vectors (times in s after the scenario's start)."""

    aircraft: Aircraft
    time_s: np.ndarray  # the state vector's time (whole seconds)
    pos_s: np.ndarray  # when its position was measured
    lon: np.ndarray
    lat: np.ndarray
    speed: np.ndarray
    heading: np.ndarray
    geo_alt: np.ndarray
    spoof: np.ndarray  # (n, 2) east, north displacement, m
    gnss: np.ndarray  # (n, 2) east, north GNSS error, m


def gnss_error(n: int, nacp: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 2) east/north errors at 1 s steps: a stationary Gauss–Markov process per axis."""
    sigma = EPU_M[nacp] / R95_PER_SIGMA / 2.0
    a = math.exp(-1.0 / GNSS_TAU_S)
    w = rng.normal(0.0, sigma, (n, 2))
    e = np.empty((n, 2))
    e[0] = w[0]
    b = math.sqrt(1.0 - a * a)
    for k in range(1, n):
        e[k] = a * e[k - 1] + b * w[k]
    return e


def state_vectors(ac: Aircraft, truth, geo, period_s: int, rng: np.random.Generator) -> Reports:
    """The aircraft's state vectors over its flight (``truth``: generate_radar.Truth)."""
    t0, t1 = float(truth.t_s[0]), float(truth.t_s[-1])
    time_s = np.arange(math.ceil((t0 + 1.0) / period_s) * period_s, t1 + 1e-9, period_s)
    n = len(time_s)
    pos_s = time_s - np.round(rng.uniform(0.0, 1.0, n), 3)
    err = gnss_error(len(truth.t_s), ac.nacp, rng)
    gnss = np.stack([np.interp(pos_s, truth.t_s, err[:, k]) for k in (0, 1)], axis=-1)
    if ac.spoof is None:
        spoof = np.zeros((n, 2))
    else:
        spoof = np.stack(ac.spoof.offset(pos_s - ac.target.start_s), axis=-1)
    x = np.interp(pos_s, truth.t_s, truth.x) + gnss[:, 0] + spoof[:, 0]
    y = np.interp(pos_s, truth.t_s, truth.y) + gnss[:, 1] + spoof[:, 1]
    lon, lat = geo.lonlat(x, y)
    i = np.minimum(np.floor(pos_s - t0).astype(np.int64), len(truth.t_s) - 2)
    az, _, dist = _GEOD.inv(truth.lon[i], truth.lat[i], truth.lon[i + 1], truth.lat[i + 1])
    dt_s = truth.t_s[i + 1] - truth.t_s[i]
    speed = np.asarray(dist) / dt_s + rng.normal(0.0, 0.5, n)
    heading = (np.asarray(az) + rng.normal(0.0, 0.2, n)) % 360.0
    geo_alt = ac.target.alt_m + rng.normal(0.0, 5.0, n)
    return Reports(ac, time_s, pos_s, lon, lat, speed, heading, geo_alt, spoof, gnss)


def write(out, reports: list[Reports], start_s: int) -> dict[str, int]:
    """adsb.csv (rows in time, then address order), the same reports as CAT021 in
    adsb.ast (record k is data line k, one data block per state-vector time) and
    truth_adsb.csv (per state vector, by its line in adsb.csv — the header is line
    1, as airwitness's ``source_record`` counts — which object, its spoofing offset
    and GNSS error)."""
    rows = []
    for r in reports:
        ac = r.aircraft
        for k in range(len(r.time_s)):
            rows.append((int(r.time_s[k]), ac.icao24, r, k))
    rows.sort(key=lambda row: (row[0], row[1]))
    lines, truth, records = [COLUMNS], [TRUTH_COLUMNS], []
    spoofed = 0
    day_s = start_s % 86_400
    tod = asterix_write.tod_units(np.array([day_s + r.pos_s[k] for _, _, r, k in rows]))
    tod %= 86_400 * asterix_write.TOD_PER_S
    for line, (t, icao, r, k) in enumerate(rows, start=2):
        ac = r.aircraft
        pos = start_s + r.pos_s[k]
        contact = (start_s + t + pos) / 2.0
        lines.append(
            f"{start_s + t},{icao},{r.lat[k]:.6f},{r.lon[k]:.6f},{r.speed[k]:.2f},"
            f"{r.heading[k]:.2f},0.0,{ac.callsign.ljust(8)},False,False,False,"
            f"{ac.squawk:04o},{ac.target.alt_m:.2f},{r.geo_alt[k]:.2f},{pos:.3f},{contact:.3f}"
        )
        state = (ac.address, ac.squawk, round(ac.target.alt_m / 0.3048 / 25), ac.nacp)
        state += (r.speed[k], r.heading[k], ac.callsign)
        records.append(
            cat021_write.report(
                STATION_SAC, STATION_SIC, int(tod[line - 2]), r.lat[k], r.lon[k], state
            )
        )
        se, sn = r.spoof[k]
        ge, gn = r.gnss[k]
        spoofed += bool(se or sn)
        truth.append(f"{line},{ac.target.name},{icao},{_m(se)},{_m(sn)},{_m(ge)},{_m(gn)}")
    (out / "adsb.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "truth_adsb.csv").write_text("\n".join(truth) + "\n", encoding="utf-8")
    group = np.array([t for t, _, _, _ in rows], dtype=np.int64)
    blocks = asterix_write.pack(records, group, cat021_write.CAT021)
    (out / "adsb.ast").write_bytes(b"".join(blocks))
    return {"adsb_reports": len(rows), "spoofed_reports": spoofed}


def _m(value: float) -> str:
    """Metres to 0.1 m, never ``-0.0``."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text
