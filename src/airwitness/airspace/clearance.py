"""How far a point lies from the nearest boundary: the depth a report reached.

The labelling index lists, for every fine cell of its grid, the boundary edges
touching it. The distance from a point to the nearest edge is found by visiting
the cells within a radius of it and measuring each listed edge, in metres, in a
local frame (longitudes scaled by the cosine of the point's latitude; within a few
tens of kilometres this differs from the geodesic by far less than a metre per
kilometre). A point with no edge within the radius gets the radius itself: the
caller asks only as far as it needs to know.

Conservative by design: every polygon's edges count, including an edge between two
polygons of one code (Natural Earth's coastline between a country's land and its
sea), and the search stops at ±180° and near the poles as if a boundary were
there, so a depth is never overstated.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from airwitness.airspace.label_index import LabelIndex
from airwitness.airspace.point_lookup import fine_window

M_PER_DEG = 6_371_008.8 * math.pi / 180.0  # along a meridian, on the sphere of geodesy.py
_LAT_LIMIT = 89.0


def boundary_distance_m(
    index: LabelIndex, lon: np.ndarray, lat: np.ndarray, radius_m: np.ndarray | float
) -> np.ndarray:
    """Distance (m) from each point to the nearest boundary edge, at most ``radius_m``.

    >>> import shapely
    >>> idx = LabelIndex.build([shapely.box(0, 0, 1, 1)])
    >>> d = boundary_distance_m(idx, np.array([0.5, 0.999]), np.array([0.5, 0.5]), 2000.0)
    >>> [round(float(v), 1) for v in d]  # 0.5°: beyond the radius; 0.001°: 111.2 m
    [2000.0, 111.2]
    """
    lon = np.ascontiguousarray(lon, dtype=np.float64).reshape(-1)
    lat = np.ascontiguousarray(lat, dtype=np.float64).reshape(-1)
    radius = np.broadcast_to(np.asarray(radius_m, dtype=np.float64), lon.shape).copy()
    out = np.empty(lon.shape, dtype=np.float64)
    points = np.arange(len(lon), dtype=np.int64)
    distances(points, lon, lat, radius, out, *index.grid())
    return out


@nb.njit(cache=True, nogil=True)
def distances(
    points, lon, lat, radius, out, x0g, y0g, w, nx, ny, coarse, sub, fine, leaf_ptr, stream, vx, vy
):  # fmt: skip
    """``out[k]`` = nearest-edge distance of point ``points[k]``, capped at ``radius[k]``."""
    for k in range(points.shape[0]):
        p = points[k]
        out[k] = nearest_edge_m(
            lon[p], lat[p], radius[k], x0g, y0g, w, nx, ny, coarse, sub, fine, leaf_ptr, stream,
            vx, vy,
        )  # fmt: skip


@nb.njit(cache=True, nogil=True)
def nearest_edge_m(
    x, y, radius_m, x0g, y0g, w, nx, ny, coarse, sub, fine, leaf_ptr, stream, vx, vy
):  # fmt: skip
    """Distance in metres from (x, y) to the nearest edge listed within ``radius_m``."""
    if not (x == x and y == y) or radius_m <= 0.0:
        return 0.0
    ky = M_PER_DEG
    kx = M_PER_DEG * math.cos(math.radians(y))
    best = radius_m
    # Stop at the poles and at ±180 as if a boundary were there: never overstate.
    best = min(best, (_LAT_LIMIT - abs(y)) * ky) if abs(y) < _LAT_LIMIT else 0.0
    best = min(best, (180.0 - abs(x)) * kx)
    if best <= 0.0:
        return 0.0
    dx = best / kx
    dy = best / ky
    xmin, xmax, ymin, ymax = x - dx, x + dx, y - dy, y + dy
    inv_w = 1.0 / w
    cx0 = max(math.floor((xmin - x0g) * inv_w), 0)
    cx1 = min(math.floor((xmax - x0g) * inv_w), nx - 1)
    cy0 = max(math.floor((ymin - y0g) * inv_w), 0)
    cy1 = min(math.floor((ymax - y0g) * inv_w), ny - 1)
    for cj in range(cy0, cy1 + 1):
        for ci in range(cx0, cx1 + 1):
            v = coarse[cj * nx + ci]
            if v >= -1:  # no edge in this coarse cell
                continue
            off, f, leaf0, fi0, fi1, fj0, fj1 = fine_window(
                v, ci, cj, xmin, xmax, ymin, ymax, x0g, y0g, w, sub
            )
            for fj in range(fj0, fj1 + 1):
                for fi in range(fi0, fi1 + 1):
                    fv = fine[off + fj * f + fi]
                    if fv >= -1:
                        continue
                    q = leaf_ptr[leaf0 - 2 - fv]
                    best = _leaf_nearest(stream, q, vx, vy, x, y, kx, ky, best)
    return best


@nb.njit(cache=True, nogil=True, inline="always")
def _leaf_nearest(stream, q, vx, vy, x, y, kx, ky, best):
    ncand = stream[q + 1]
    q += 2
    for _ in range(ncand):
        nruns = stream[q + 1]
        q += 2
        for r in range(nruns):
            e0 = stream[q + 2 * r]
            for e in range(e0, e0 + stream[q + 2 * r + 1]):
                ax = (vx[e] - x) * kx
                ay = (vy[e] - y) * ky
                bx = (vx[e + 1] - x) * kx
                by = (vy[e + 1] - y) * ky
                # an edge whose box lies further than the best so far cannot be nearer
                if min(ax, bx) > best or max(ax, bx) < -best:
                    continue
                if min(ay, by) > best or max(ay, by) < -best:
                    continue
                d = _segment_m(ax, ay, bx, by)
                if d < best:
                    best = d
        q += 2 * nruns
    return best


@nb.njit(cache=True, nogil=True, inline="always")
def _segment_m(ax, ay, bx, by):
    """Distance from the origin to segment a→b (all in metres)."""
    ex = bx - ax
    ey = by - ay
    ll = ex * ex + ey * ey
    t = 0.0 if ll == 0.0 else min(1.0, max(0.0, -(ax * ex + ay * ey) / ll))
    px = ax + t * ex
    py = ay + t * ey
    return math.sqrt(px * px + py * py)
