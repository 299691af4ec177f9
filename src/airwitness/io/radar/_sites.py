"""Monoradar geometry: placing a plot (slant range, azimuth) in WGS-84.

The radars themselves (sites, accuracy, scan settings) come from the sensors
file, :mod:`airwitness.io.sensors`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

NM_TO_M = 1852.0


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
