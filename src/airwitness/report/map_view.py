"""The map's window and projection.

Equirectangular with the longitude scaled by cos(middle latitude): true to
scale in both directions at the map's centre, which is all a map of a few
hundred kilometres needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

KM_PER_DEG = 111.195  # great-circle km per degree of latitude (mean Earth radius)


@dataclass(frozen=True)
class View:
    """A lon/lat window and its projection onto pixels (y down)."""

    lon0: float
    lat0: float
    lon1: float
    lat1: float
    k: float  # pixels per degree of latitude
    cos: float

    @property
    def width(self) -> float:
        return (self.lon1 - self.lon0) * self.cos * self.k

    @property
    def height(self) -> float:
        return (self.lat1 - self.lat0) * self.k

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return self.lon0, self.lat0, self.lon1, self.lat1

    def xy(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        return np.column_stack([(lon - self.lon0) * self.cos * self.k, (self.lat1 - lat) * self.k])

    def project(self, geom: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geom, lambda c: self.xy(c[:, 0], c[:, 1]))

    def contains(self, lon: float, lat: float) -> bool:
        return self.lon0 <= lon <= self.lon1 and self.lat0 <= lat <= self.lat1


def fit_view(
    bounds: tuple[float, float, float, float],
    *,
    width: float = 960.0,
    pad: float = 0.06,
    min_span_deg: float = 0.25,
    aspect: tuple[float, float] = (0.5, 0.8),
) -> View:
    """The window around ``bounds``, padded and widened to a pleasant aspect ratio."""
    lon0, lat0, lon1, lat1 = bounds
    cx, cy = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    hw = max(lon1 - lon0, min_span_deg) * (0.5 + pad)
    hh = max(lat1 - lat0, min_span_deg) * (0.5 + pad)
    cos = math.cos(math.radians(min(max(cy, -80.0), 80.0)))
    sx, sy = 2 * hw * cos, 2 * hh
    if sy / sx > aspect[1]:
        hw = sy / aspect[1] / cos / 2
    elif sy / sx < aspect[0]:
        hh = sx * aspect[0] / 2
    lat0, lat1 = max(cy - hh, -85.0), min(cy + hh, 85.0)
    lon0, lon1 = max(cx - hw, -180.0), min(cx + hw, 180.0)
    return View(lon0, lat0, lon1, lat1, width / ((lon1 - lon0) * cos), cos)
