"""Where lon/lat polylines meet the boundary edges of a labelling index.

The exact step of the crossing search: each path (the chords that follow a
great circle between two reports) is walked chord by chord; the boundary
edges listed in the index cells under a chord are tested against it, with
Shewchuk-robust orientation signs (:mod:`airwitness.airspace.predicates`) deciding
whether they meet, and the meeting point computed on the chord. Edges running
along a chord give both ends of the overlap. A point found twice (an edge
listed in two cells, a point at a chord's end) is reported twice; the caller
merges points closer than it cares about.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from airwitness.airspace.label_index import LabelIndex
from airwitness.airspace.point_lookup import fine_window
from airwitness.airspace.predicates import orient

#: cells of the index are widened by this when listing a chord's cells (the
#: index lists every edge within 1e-9° of a cell, so this is belt and braces)
_PAD = 1e-9


def path_hits(
    index: LabelIndex, x: np.ndarray, y: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every point where path k (vertices ``start[k]:start[k+1]`` of x, y) meets an edge.

    Returns three arrays, one entry per point: the path, the index of the
    chord's first vertex, and the fraction t (0..1) along that chord; in path
    order, unsorted within a path.
    """
    return _hits(
        np.ascontiguousarray(x, dtype=np.float64),
        np.ascontiguousarray(y, dtype=np.float64),
        np.ascontiguousarray(start, dtype=np.int64),
        *index.grid(),
    )


@nb.njit(cache=True, nogil=True)
def _hits(x, y, start, x0g, y0g, w, nx, ny, coarse, sub, fine, leaf_ptr, stream, vx, vy):
    cap = 64
    out_chord = np.empty(cap, dtype=np.int64)
    out_path = np.empty(cap, dtype=np.int64)
    out_t = np.empty(cap)
    n = 0
    inv_w = 1.0 / w
    for k in range(start.shape[0] - 1):
        for v in range(start[k], start[k + 1] - 1):
            ax, ay, bx, by = x[v], y[v], x[v + 1], y[v + 1]
            xmin = min(ax, bx) - _PAD
            xmax = max(ax, bx) + _PAD
            ymin = min(ay, by) - _PAD
            ymax = max(ay, by) + _PAD
            cx0 = max(math.floor((xmin - x0g) * inv_w), 0)
            cx1 = min(math.floor((xmax - x0g) * inv_w), nx - 1)
            cy0 = max(math.floor((ymin - y0g) * inv_w), 0)
            cy1 = min(math.floor((ymax - y0g) * inv_w), ny - 1)
            for cj in range(cy0, cy1 + 1):
                for ci in range(cx0, cx1 + 1):
                    c = coarse[cj * nx + ci]
                    if c >= -1:  # no edge in this coarse cell
                        continue
                    off, f, leaf0, fi0, fi1, fj0, fj1 = fine_window(
                        c, ci, cj, xmin, xmax, ymin, ymax, x0g, y0g, w, sub
                    )
                    for fj in range(fj0, fj1 + 1):
                        for fi in range(fi0, fi1 + 1):
                            fv = fine[off + fj * f + fi]
                            if fv >= -1:
                                continue
                            q = leaf_ptr[leaf0 - 2 - fv]
                            ncand = stream[q + 1]
                            q += 2
                            for _ in range(ncand):
                                nruns = stream[q + 1]
                                q += 2
                                for r in range(nruns):
                                    e0 = stream[q + 2 * r]
                                    for e in range(e0, e0 + stream[q + 2 * r + 1]):
                                        if n + 2 > cap:
                                            cap *= 2
                                            out_chord = _grow_int(out_chord, cap)
                                            out_path = _grow_int(out_path, cap)
                                            out_t = _grow_float(out_t, cap)
                                        n = _meet(
                                            ax, ay, bx, by, vx[e], vy[e], vx[e + 1], vy[e + 1],
                                            k, v, out_path, out_chord, out_t, n,
                                        )  # fmt: skip
                                q += 2 * nruns
    return out_path[:n].copy(), out_chord[:n].copy(), out_t[:n].copy()


@nb.njit(cache=True, nogil=True)
def _grow_int(a, cap):
    b = np.empty(cap, dtype=a.dtype)
    b[: a.shape[0]] = a
    return b


@nb.njit(cache=True, nogil=True)
def _grow_float(a, cap):
    b = np.empty(cap)
    b[: a.shape[0]] = a
    return b


@nb.njit(cache=True, nogil=True, inline="always")
def _meet(ax, ay, bx, by, ex, ey, fx, fy, k, v, out_path, out_chord, out_t, n):
    """Append where chord a→b meets edge e→f (0, 1 or 2 points); returns the new count."""
    if max(ex, fx) < min(ax, bx) or min(ex, fx) > max(ax, bx):
        return n
    if max(ey, fy) < min(ay, by) or min(ey, fy) > max(ay, by):
        return n
    se = orient(ax, ay, bx, by, ex, ey)
    sf = orient(ax, ay, bx, by, fx, fy)
    if se == sf and se != 0:
        return n
    sa = orient(ex, ey, fx, fy, ax, ay)
    sb = orient(ex, ey, fx, fy, bx, by)
    if sa == sb and sa != 0:
        return n
    dx = bx - ax
    dy = by - ay
    if se == 0 and sf == 0:  # collinear: both ends of the overlap
        if dx == 0.0 and dy == 0.0:  # a chord of zero length on the edge
            out_path[n] = k
            out_chord[n] = v
            out_t[n] = 0.0
            return n + 1
        horizontal = abs(dx) >= abs(dy)
        d = dx if horizontal else dy
        te = ((ex - ax) if horizontal else (ey - ay)) / d
        tf = ((fx - ax) if horizontal else (fy - ay)) / d
        lo = max(min(te, tf), 0.0)
        hi = min(max(te, tf), 1.0)
        if lo > hi:
            return n
        out_path[n] = k
        out_chord[n] = v
        out_t[n] = lo
        n += 1
        if hi > lo:
            out_path[n] = k
            out_chord[n] = v
            out_t[n] = hi
            n += 1
        return n
    # Proper or touching: the point on a→b where e→f's line cuts it.
    gx = fx - ex
    gy = fy - ey
    denom = dx * gy - dy * gx
    if denom != 0.0:
        t = ((ex - ax) * gy - (ey - ay) * gx) / denom
    elif sa != 0 and sb != 0:  # (underflow) the edge end that lies on the chord
        px, py = (ex, ey) if se == 0 else (fx, fy)
        t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
    else:
        t = 0.0 if sa == 0 else 1.0
    out_path[n] = k
    out_chord[n] = v
    out_t[n] = min(max(t, 0.0), 1.0)
    return n + 1
