"""Which paths between consecutive reports may meet a boundary: the exact first filter.

Most paths between consecutive reports are a few hundred metres long and touch
no boundary. The labelling index (:mod:`airwitness.airspace.label_index`) already
knows, for every fine cell of its grid, every boundary edge that touches it;
a short path is set aside when no edge in the cells under it comes within
:data:`PAD_DEG` of it. Only the paths kept go on to the exact (and costlier)
intersection with the boundaries. Most paths need not even that look: given
each report's clear cell (found while labelling, see
``LabelIndex.lookup_cells``), a short path whose two ends share one lies
inside it with its pad, and no edge touches that cell; nor does any touch a
path from one clear cell into a neighbouring one through the side they share.

Conservative by construction: a path is kept when its straight lon/lat
segment comes within ``PAD_DEG`` of any edge (tested with that much slack), when
it may be long (a long crossing path bends to follow the great circle), when it
spans more cells than the filter looks at, or when it lies near ±180° or a
pole. ``PAD_DEG`` (1e-9°, 0.1 mm) is many orders of magnitude above the
rounding of the path's end points, so no path that meets a boundary is ever
set aside.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from airwitness.airspace.label_index import LabelIndex
from airwitness.airspace.point_lookup import CELL_MARGIN_DEG, fine_window

PAD_DEG = 1e-9
# a path between two points of one clear cell, padded, stays in that cell
assert CELL_MARGIN_DEG >= 2 * PAD_DEG
#: a pair whose ends differ by at most this in latitude and in longitude is
#: at most R·(0.08° in radians) = 8.9 km long: shorter than
#: ``crossings.PIECE_M``, so its crossing path is the straight lon/lat segment
STRAIGHT_DEG = 0.04
#: paths whose box spans more fine cells than this go to the exact test unfiltered
MAX_CELLS = 16
#: keep away from the edges of the grid (wrap-around, poles)
_LON_LIMIT = 179.9
_LAT_LIMIT = 89.9


def may_meet_boundary(
    index: LabelIndex,
    lon: np.ndarray,
    lat: np.ndarray,
    i0: np.ndarray,
    i1: np.ndarray,
    cell: np.ndarray | None = None,
) -> np.ndarray:
    """True for each pair (``i0[k]``, ``i1[k]``) whose path may touch a boundary edge.

    Pairs further apart than :data:`STRAIGHT_DEG` are always True. With each
    point's clear cell (``LabelIndex.lookup_cells``), a short path whose ends
    share one is False without a look at the grid: no edge touches that cell,
    and the padded path lies inside it (the answer the walk would give); so is
    one whose ends lie in neighbouring clear cells, through their shared side.
    """
    out = np.ones(len(i0), dtype=bool)
    if len(i0) == 0:
        return out
    _filter(
        np.ascontiguousarray(lon, dtype=np.float64),
        np.ascontiguousarray(lat, dtype=np.float64),
        np.ascontiguousarray(i0, dtype=np.int64),
        np.ascontiguousarray(i1, dtype=np.int64),
        np.zeros(0, dtype=np.int64) if cell is None else np.ascontiguousarray(cell, np.int64),
        out,
        *index.grid(),
    )
    return out


@nb.njit(cache=True, nogil=True)
def _filter(
    lon, lat, i0, i1, cell, out, x0g, y0g, w, nx, ny, coarse, sub, fine, leaf_ptr, stream, vx, vy
):
    cells = cell.shape[0] > 0
    pad = PAD_DEG
    inv_w = 1.0 / w  # w and every fine step are powers of two: products are exact
    for p in range(i0.shape[0]):
        xa = lon[i0[p]]
        ya = lat[i0[p]]
        xb = lon[i1[p]]
        yb = lat[i1[p]]
        if not (abs(xb - xa) <= STRAIGHT_DEG and abs(yb - ya) <= STRAIGHT_DEG):
            continue
        xmin = min(xa, xb) - pad
        xmax = max(xa, xb) + pad
        ymin = min(ya, yb) - pad
        ymax = max(ya, yb) + pad
        # NaN fails every comparison below and keeps the pair.
        if not (
            xmin > -_LON_LIMIT and xmax < _LON_LIMIT and ymin > -_LAT_LIMIT and ymax < _LAT_LIMIT
        ):
            continue
        if cells and cell[i0[p]] >= 0 and cell[i1[p]] >= 0:
            if cell[i0[p]] == cell[i1[p]]:
                out[p] = False  # both ends in one clear cell: so is the padded path
                continue
            wa, sa, za = _cell_box(xa, ya, x0g, y0g, w, nx, ny, coarse, sub)
            wb, sb, zb = _cell_box(xb, yb, x0g, y0g, w, nx, ny, coarse, sub)
            if _through_side(xa, ya, xb, yb, wa, sa, za, wb, sb, zb):
                out[p] = False  # from one clear cell into its neighbour, in both
                continue
        cx0 = math.floor((xmin - x0g) * inv_w)
        cx1 = math.floor((xmax - x0g) * inv_w)
        cy0 = math.floor((ymin - y0g) * inv_w)
        cy1 = math.floor((ymax - y0g) * inv_w)
        if cx0 < 0 or cy0 < 0 or cx1 >= nx or cy1 >= ny:
            continue
        out[p] = _near_edge(
            xa, ya, xb, yb, xmin, xmax, ymin, ymax, cx0, cx1, cy0, cy1,
            x0g, y0g, w, nx, coarse, sub, fine, leaf_ptr, stream, vx, vy,
        )  # fmt: skip


@nb.njit(cache=True, nogil=True, inline="always")
def _cell_box(x, y, x0g, y0g, w, nx, ny, coarse, sub):
    """(west, south, size) of the cell that holds (x, y) in the walk of
    ``lookup_points``: its coarse cell, or the fine cell within it."""
    inv_w = 1.0 / w
    fx = (x - x0g) * inv_w
    fy = (y - y0g) * inv_w
    ci = min(int(fx), nx - 1)
    cj = min(int(fy), ny - 1)
    v = coarse[cj * nx + ci]
    if v >= -1:
        return x0g + ci * w, y0g + cj * w, w
    f = 1 << sub[3 * (-2 - v) + 1]
    fi = min(max(int((fx - ci) * f), 0), f - 1)
    fj = min(max(int((fy - cj) * f), 0), f - 1)
    step = w / f
    return x0g + (ci * f + fi) * step, y0g + (cj * f + fj) * step, step


@nb.njit(cache=True, nogil=True, inline="always")
def _through_side(xa, ya, xb, yb, wa, sa, za, wb, sb, zb):
    """Does a→b (a well inside box A, b well inside box B) go from A into B
    through the part of a side they share, farther than the pad from its ends?

    Then the path lies in A ∪ B: a → the point on the side in A, the rest in B
    (each box is convex). Two clear cells: no edge comes within the index's
    margin of either, so none within the pad of the path. Boxes of different
    sizes share a part of a side; a path past a shared corner is not decided here.
    """
    pad = PAD_DEG  # far above the rounding of the point on the side
    if wa + za == wb or wb + zb == wa:  # side by side: a vertical side
        side = wb if wa + za == wb else wa
        at = ya + (side - xa) / (xb - xa) * (yb - ya)
        lo = max(sa, sb)
        hi = min(sa + za, sb + zb)
    elif sa + za == sb or sb + zb == sa:  # one above the other: a horizontal side
        side = sb if sa + za == sb else sa
        at = xa + (side - ya) / (yb - ya) * (xb - xa)
        lo = max(wa, wb)
        hi = min(wa + za, wb + zb)
    else:
        return False
    return lo + pad < at and at < hi - pad


@nb.njit(cache=True, nogil=True, inline="always")
def _near_edge(
    xa, ya, xb, yb, xmin, xmax, ymin, ymax, cx0, cx1, cy0, cy1,
    x0g, y0g, w, nx, coarse, sub, fine, leaf_ptr, stream, vx, vy,
):  # fmt: skip
    """Does any edge listed in the cells under the box come within the pad of a→b?"""
    for cj in range(cy0, cy1 + 1):
        for ci in range(cx0, cx1 + 1):
            v = coarse[cj * nx + ci]
            if v >= -1:  # no edge touches this coarse cell
                continue
            off, f, leaf0, fi0, fi1, fj0, fj1 = fine_window(
                v, ci, cj, xmin, xmax, ymin, ymax, x0g, y0g, w, sub
            )
            if (fi1 - fi0 + 1) * (fj1 - fj0 + 1) > MAX_CELLS:
                return True
            for fj in range(fj0, fj1 + 1):
                for fi in range(fi0, fi1 + 1):
                    fv = fine[off + fj * f + fi]
                    if fv >= -1:  # a pure fine cell
                        continue
                    q = leaf_ptr[leaf0 - 2 - fv]
                    if _leaf_near(stream, q, vx, vy, xa, ya, xb, yb, xmin, xmax, ymin, ymax):
                        return True
    return False


@nb.njit(cache=True, nogil=True, inline="always")
def _leaf_near(stream, q, vx, vy, xa, ya, xb, yb, xmin, xmax, ymin, ymax):
    ab_pad = PAD_DEG * math.sqrt((xb - xa) ** 2 + (yb - ya) ** 2)
    ncand = stream[q + 1]
    q += 2
    for _ in range(ncand):
        nruns = stream[q + 1]
        q += 2
        for r in range(nruns):
            e0 = stream[q + 2 * r]
            for e in range(e0, e0 + stream[q + 2 * r + 1]):
                if _segments_near(xa, ya, xb, yb, ab_pad, vx[e], vy[e], vx[e + 1], vy[e + 1],
                                  xmin, xmax, ymin, ymax):  # fmt: skip
                    return True
        q += 2 * nruns
    return False


@nb.njit(cache=True, nogil=True, inline="always")
def _segments_near(xa, ya, xb, yb, ab_pad, ex, ey, fx, fy, xmin, xmax, ymin, ymax):
    """False only when segment e→f clearly stays more than the pad away from a→b.

    Boxes apart, or one segment's ends both clearly on one side of the other's
    line: further from it than the pad. ``ab_pad`` is the pad times |a→b|, so a
    side test is a cross product against it (no division).
    """
    # one branch, not four: most edges of a cell lie clear of the path's box
    if (max(ex, fx) < xmin) | (min(ex, fx) > xmax) | (max(ey, fy) < ymin) | (min(ey, fy) > ymax):
        return False
    dx = xb - xa
    dy = yb - ya
    if ab_pad > 0.0:
        se = dx * (ey - ya) - dy * (ex - xa)
        sf = dx * (fy - ya) - dy * (fx - xa)
        if (se > ab_pad and sf > ab_pad) or (se < -ab_pad and sf < -ab_pad):
            return False
    gx = fx - ex
    gy = fy - ey
    ef_pad = PAD_DEG * math.sqrt(gx * gx + gy * gy)
    if ef_pad > 0.0:
        sa = gx * (ya - ey) - gy * (xa - ex)
        sb = gx * (yb - ey) - gy * (xb - ex)
        if (sa > ef_pad and sb > ef_pad) or (sa < -ef_pad and sb < -ef_pad):
            return False
    return True
