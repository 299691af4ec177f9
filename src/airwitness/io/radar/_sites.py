"""Radar sites and monoradar geometry: placing a plot (slant range, azimuth) in WGS-84.

Also each radar's measurement accuracy (σ of range and azimuth), from which a
plot's position error is computed (``pos_sigma_m``, docs/formats.md).
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from airwitness.errors import UsageError
from airwitness.io._convert import position_problem

NM_TO_M = 1852.0
#: radar sites: (SAC, SIC) -> (lat, lon, height above the WGS-84 ellipsoid in m)
Sites = dict[tuple[int, int], tuple[float, float, float]]

#: σ of a radar's range and azimuth measurements when the sensors file gives none:
#: typical figures for a monopulse secondary radar, those quoted as the SSR random-error
#: requirement of the EUROCONTROL radar surveillance standard (SUR.ET1.ST01.1000-STD-01-01,
#: 1997); radars measured for the ECAC radar separation guidelines showed 44-77 m and
#: 0.11-0.18 degrees: give yours in the sensors file (docs/formats.md)
DEFAULT_SIGMA_RANGE_M = 70.0
DEFAULT_SIGMA_AZIMUTH_DEG = 0.08


class Accuracy(NamedTuple):
    """1-σ random errors of a radar's slant range (m) and azimuth (degrees)."""

    sigma_range_m: float = DEFAULT_SIGMA_RANGE_M
    sigma_azimuth_deg: float = DEFAULT_SIGMA_AZIMUTH_DEG


@dataclass(frozen=True)
class Sensors:
    """The sensors file: radar sites, and the accuracy of those that state one."""

    sites: Sites = field(default_factory=dict)
    accuracy: dict[tuple[int, int], Accuracy] = field(default_factory=dict)

    def accuracy_of(self, key: tuple[int, int]) -> Accuracy:
        """The radar's accuracy from the file, else the documented defaults."""
        return self.accuracy.get(key) or Accuracy()


SIGMA_COLUMNS = ("sigma_range_m", "sigma_azimuth_deg")


def load_sensors(path: Path) -> Sensors:
    """Radar sites from a CSV (header ``sac,sic,lat,lon,alt_m``) or JSON list of objects.

    ``lat, lon`` in WGS-84 degrees, ``alt_m`` the antenna's height above the
    WGS-84 ellipsoid in metres; optional ``sigma_range_m`` and
    ``sigma_azimuth_deg``, the radar's 1-σ random errors (an empty cell or a
    missing column: :data:`DEFAULT_SIGMA_RANGE_M`, :data:`DEFAULT_SIGMA_AZIMUTH_DEG`).
    A bad file is a usage error (exit 2).
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"sensors file {path}: cannot read it ({e})") from None
    if text.lstrip().startswith(("[", "{")):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as e:
            raise UsageError(f"sensors file {path}: bad JSON ({e.msg}, line {e.lineno})") from None
        if isinstance(rows, dict):
            rows = rows.get("sensors")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise UsageError(f"sensors file {path}: JSON must be a list of objects")
        numbered = [(i + 1, r) for i, r in enumerate(rows)]
        where = "entry"
    else:
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        reader = csv.DictReader(io.StringIO("\n".join(lines)))
        names = {(n or "").strip() for n in reader.fieldnames or ()}
        missing = {"sac", "sic", "lat", "lon", "alt_m"} - names
        if missing:
            raise UsageError(f"sensors file {path}: missing column(s) {', '.join(sorted(missing))}")
        numbered = [
            (i + 2, {(k or "").strip(): v for k, v in r.items()}) for i, r in enumerate(reader)
        ]
        where = "data row"
    sensors = Sensors()
    for n, row in numbered:
        try:
            sac, sic = int(str(row["sac"]).strip()), int(str(row["sic"]).strip())
            lat, lon, alt = (float(str(row[k]).strip()) for k in ("lat", "lon", "alt_m"))
        except (KeyError, ValueError, TypeError):
            raise UsageError(
                f"sensors file {path}: {where} {n} needs integers sac, sic "
                "and numbers lat, lon, alt_m"
            ) from None
        if not (0 <= sac <= 255 and 0 <= sic <= 255) or position_problem(lat, lon):
            raise UsageError(f"sensors file {path}: {where} {n} is out of range")
        if not math.isfinite(alt):
            raise UsageError(f"sensors file {path}: {where} {n} has a bad alt_m")
        sensors.sites[(sac, sic)] = (lat, lon, alt)
        accuracy = _accuracy(row)
        if accuracy is None:
            raise UsageError(
                f"sensors file {path}: {where} {n} needs positive numbers (or nothing) "
                "in sigma_range_m, sigma_azimuth_deg"
            )
        if accuracy != Accuracy():
            sensors.accuracy[(sac, sic)] = accuracy
    return sensors


def _accuracy(row: dict) -> Accuracy | None:
    """A row's accuracy columns, defaults where empty or absent; None if one is bad."""
    values = []
    for name, default in zip(SIGMA_COLUMNS, Accuracy(), strict=True):
        raw = row.get(name)
        text = "" if raw is None else str(raw).strip()
        if not text:
            values.append(default)
            continue
        try:
            value = float(text)
        except ValueError:
            return None
        if not math.isfinite(value) or value <= 0.0:
            return None
        values.append(value)
    return Accuracy(*values)


@lru_cache(maxsize=1)
def _transformers() -> tuple[Any, Any]:
    from pyproj import Transformer

    return (
        Transformer.from_crs("EPSG:4979", "EPSG:4978"),  # lat, lon, h -> X, Y, Z
        Transformer.from_crs("EPSG:4978", "EPSG:4979"),  # X, Y, Z -> lat, lon, h
    )


WGS84_A = 6_378_137.0
WGS84_F = 1.0 / 298.257223563
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)


def polar_to_wgs84(
    site: tuple[float, float, float],
    rho_m: np.ndarray,
    theta_deg: np.ndarray,
    height_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 (lat, lon) of radar plots given as slant range and azimuth.

    ``site`` is the antenna (lat, lon, height above the ellipsoid); ``rho_m``
    the slant range, ``theta_deg`` the azimuth from geodetic north, clockwise;
    ``height_m`` the target's height above the ellipsoid (NaN: unknown, taken
    as the site's height). The elevation is solved on a sphere with the local
    radius of curvature along the azimuth, then corrected until the computed
    point's ellipsoidal height equals ``height_m`` (to 1 mm).
    """
    lat0, lon0, h0 = site
    rho = np.asarray(rho_m, dtype=np.float64)
    theta = np.radians(np.asarray(theta_deg, dtype=np.float64))
    target = np.where(np.isnan(height_m), h0, np.asarray(height_m, dtype=np.float64))
    phi, lam = math.radians(lat0), math.radians(lon0)
    w = 1.0 - WGS84_E2 * math.sin(phi) ** 2
    n_radius = WGS84_A / math.sqrt(w)
    m_radius = WGS84_A * (1.0 - WGS84_E2) / w**1.5
    radius = m_radius * n_radius / (m_radius * np.sin(theta) ** 2 + n_radius * np.cos(theta) ** 2)
    to_ecef, to_geo = _transformers()
    x0, y0, z0 = to_ecef.transform(lat0, lon0, h0)
    sp, cp, sl, cl = math.sin(phi), math.cos(phi), math.sin(lam), math.cos(lam)
    aim = target.copy()
    safe = np.maximum(rho, 1e-3)
    for _ in range(8):
        sin_e = ((radius + aim) ** 2 - (radius + h0) ** 2 - rho**2) / (2.0 * (radius + h0) * safe)
        sin_e = np.clip(sin_e, -1.0, 1.0)
        cos_e = np.sqrt(1.0 - sin_e**2)
        east, north, up = rho * cos_e * np.sin(theta), rho * cos_e * np.cos(theta), rho * sin_e
        x = x0 - sl * east - sp * cl * north + cp * cl * up
        y = y0 + cl * east - sp * sl * north + cp * sl * up
        z = z0 + cp * north + sp * up
        lat, lon, h = to_geo.transform(x, y, z)
        error = target - h
        if not np.any(np.abs(error) > 1e-3):
            break
        aim = aim + error
    return np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
