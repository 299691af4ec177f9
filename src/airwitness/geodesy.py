"""Great-circle helpers on a sphere of the mean Earth radius, vectorised.

A sphere is accurate to ~0.3 % against the ellipsoid: plenty for implied
speeds and for placing a crossing along a segment between two reports (the
crossing point itself is found on the boundary, not from a distance).
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_M = 6_371_008.8


def to_unit_vectors(lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors of lon/lat in degrees."""
    lon = np.radians(lon_deg)
    lat = np.radians(lat_deg)
    cl = np.cos(lat)
    return np.stack([cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)], axis=-1)


def from_unit_vectors(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """lon/lat in degrees of (n, 3) vectors (normalised here)."""
    x, y, z = v[..., 0], v[..., 1], v[..., 2]
    lon = np.degrees(np.arctan2(y, x))
    lat = np.degrees(np.arctan2(z, np.hypot(x, y)))
    return lon, lat


def central_angle(lon0, lat0, lon1, lat1) -> np.ndarray:
    """Angle in radians between points (haversine form, stable for short arcs)."""
    p0, p1 = np.radians(lat0), np.radians(lat1)
    dlat = p1 - p0
    dlon = np.radians(np.asarray(lon1) - np.asarray(lon0))
    a = np.sin(dlat / 2) ** 2 + np.cos(p0) * np.cos(p1) * np.sin(dlon / 2) ** 2
    return 2 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def haversine_m(lon0, lat0, lon1, lat1) -> np.ndarray:
    """Great-circle distance in metres."""
    return EARTH_RADIUS_M * central_angle(lon0, lat0, lon1, lat1)


def slerp(lon0, lat0, lon1, lat1, frac) -> tuple[np.ndarray, np.ndarray]:
    """Points at fraction ``frac`` (0..1) of the way along the great circle.

    Broadcasts over all arguments; longitudes come back in [-180, 180].
    """
    a = to_unit_vectors(np.asarray(lon0, float), np.asarray(lat0, float))
    b = to_unit_vectors(np.asarray(lon1, float), np.asarray(lat1, float))
    frac = np.asarray(frac, float)
    omega = central_angle(lon0, lat0, lon1, lat1)
    so = np.sin(omega)
    small = so < 1e-12
    safe = np.where(small, 1.0, so)
    wa = np.where(small, 1.0 - frac, np.sin((1.0 - frac) * omega) / safe)
    wb = np.where(small, frac, np.sin(frac * omega) / safe)
    v = wa[..., None] * a + wb[..., None] * b
    return from_unit_vectors(v)
