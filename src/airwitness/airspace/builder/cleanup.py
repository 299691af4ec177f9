"""Valid polygonal geometry without the debris that floating-point overlay leaves.

Overlay of neighbouring zones leaves slivers of a few square centimetres,
zero-width spikes along shared edges and coordinates an ulp outside the
lon/lat range; the territorial-sea build removes them with these.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import Geometry

from airwitness.airspace.polygonal import EMPTY, polygonal

__all__ = ["MIN_AREA_DEG2", "MIN_AREA_M2", "clamp", "clean", "despike"]

MIN_AREA_M2 = 1.0  # polygons smaller than this in a tile are floating-point debris
MIN_AREA_DEG2 = 1e-9  # same idea in lon/lat (~12 m² at the equator), e.g. the seams of
# Antarctica, whose edge at -180° is in places 1e-13° off


def clean(geom: Geometry, min_area: float = MIN_AREA_DEG2) -> Geometry:
    """Valid polygonal geometry without floating-point debris."""
    geom = polygonal(geom)
    if geom.is_empty:
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.area > min_area]
    if not parts:
        return EMPTY
    return parts[0] if len(parts) == 1 else shapely.multipolygons(parts)


def despike(geom: Geometry, max_angle: float = 1e-4) -> Geometry:
    """Remove zero-width spikes: ring vertices where the ring turns back on itself.

    Overlay leaves a few where two zones share an edge (e.g. along a
    neighbour's coast next to a land border); they hold no area but are
    not part of any sensible boundary.
    """
    polys = []
    changed = False
    for poly in shapely.get_parts(geom):
        rings = [shapely.get_coordinates(r) for r in shapely.get_rings(poly)]
        fixed = [_despike_ring(xy, max_angle) for xy in rings]
        if all(f is xy for f, xy in zip(fixed, rings, strict=True)):
            polys.append(poly)
            continue
        changed = True
        if fixed[0] is None:
            continue
        polys.append(shapely.Polygon(fixed[0], [h for h in fixed[1:] if h is not None]))
    if not changed:
        return geom
    return polygonal(shapely.multipolygons(polys)) if polys else EMPTY


def _despike_ring(xy: np.ndarray, max_angle: float) -> np.ndarray | None:
    """The ring without spike vertices (same object if none), None if it collapses."""
    ring = xy[:-1]
    out = xy
    while len(ring) >= 3:
        a = np.roll(ring, 1, axis=0) - ring
        b = np.roll(ring, -1, axis=0) - ring
        cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
        dot = (a * b).sum(axis=1)
        spike = (dot > 0) & (np.abs(cross) <= max_angle * dot)  # angle < max_angle
        spike |= ~np.any(a != 0, axis=1)  # repeated vertex
        if not spike.any():
            return out
        ring = ring[~spike]
        out = np.vstack([ring, ring[:1]])
    return None


def clamp(geom: Geometry) -> Geometry:
    """Coordinates within [-180, 180] x [-90, 90] (overlay may step out by an ulp)."""
    x0, y0, x1, y1 = geom.bounds
    if x0 >= -180.0 and x1 <= 180.0 and y0 >= -90.0 and y1 <= 90.0:
        return geom
    return shapely.transform(geom, lambda xy: np.clip(xy, [-180.0, -90.0], [180.0, 90.0]))
