"""The query: which polygon holds each point, by a walk of the label index's grid.

Points go through in blocks, phase by phase (coarse cells, fine cells, mixed
cells), so that the cache misses of random points overlap. A pure cell holds
its label. In a mixed cell, a point ``p`` walks the path p → (x_C, y_p) → C
inside the cell (``C`` its south-east corner): polygon k contains p iff k
contains C xor the path crosses k's edges an odd number of times, every
crossing decided by the exact predicates of :mod:`airwitness.airspace.predicates`.

Boundary rule: a point exactly on a polygon's boundary (where shapely's
``contains_xy`` says False) gets the label of the point displaced
infinitesimally north — and, if that point is still on the boundary (a
north–south edge), infinitesimally east: formally the label of
p + (δ, ε) with 0 < δ ≪ ε → 0 (simulation of simplicity). So the bottom and
left edges of a square belong to it, the top and right edges do not.

The grid's layout is :mod:`airwitness.airspace.index_build`'s;
:class:`~airwitness.airspace.label_index.LabelIndex` hands it over as
``LabelIndex.grid()``.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from airwitness.airspace.predicates import orient, side_sos

__all__ = ["CELL_MARGIN_DEG", "fine_window", "lookup_points", "wrap_lon"]

_BLOCK = 1024  # points per block: each phase issues independent memory loads
#: a point gets a clear cell (:meth:`LabelIndex.lookup_cells`) only when it is
#: further than this from the cell's sides: 4× ``pathfilter.PAD_DEG``, so a
#: path between two points of one clear cell stays inside it with its pad
CELL_MARGIN_DEG = 4e-9


@nb.njit(cache=True, nogil=True)
def _wrap(lon):
    if lon >= -180.0 and lon < 180.0:
        return lon
    w = lon - 360.0 * np.floor((lon + 180.0) / 360.0)  # float floor: inf stays inf
    if w >= 180.0:
        w -= 360.0
    if w < -180.0:
        w += 360.0
    return w


def wrap_lon(lon: np.ndarray) -> np.ndarray:
    """Longitudes wrapped into [-180, 180); values already there are returned unchanged."""
    lon = np.asarray(lon, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        inside = (lon >= -180.0) & (lon < 180.0)
        w = lon - 360.0 * np.floor((lon + 180.0) / 360.0)
        w = np.where(w >= 180.0, w - 360.0, w)
        w = np.where(w < -180.0, w + 360.0, w)
    return np.where(inside, lon, w)


@nb.njit(cache=True, nogil=True)
def lookup_points(
    lon, lat, out, cell, runs, x0g, y0g, w, nx, ny, coarse, sub, fine, leaf_ptr, stream, vx, vy
):  # fmt: skip
    """Label points in blocks: coarse cells, then fine cells, then mixed cells.

    Splitting the work into phases keeps many independent cache misses in flight
    (random points miss the caches on the fine grid and on mixed-cell data).
    With a ``cell`` array as long as the points, also the clear cell of each
    (see :meth:`LabelIndex.lookup_cells`).

    With ``runs`` (points along tracks: most follow one in the same cell) a point
    well inside the last clear cell met takes its answer at once, and one in the
    fine cell of the point before is settled without waiting for the next phase.
    The answers are the same either way; random points are faster without.
    """
    cells = cell.shape[0] > 0
    margin = CELL_MARGIN_DEG
    inv_w = 1.0 / w
    n_pts = lon.shape[0]
    p_n = np.empty(_BLOCK, dtype=np.int64)  # pending point
    p_idx = np.empty(_BLOCK, dtype=np.int64)  # its fine cell
    p_leaf0 = np.empty(_BLOCK, dtype=np.int64)
    p_x = np.empty(_BLOCK)
    p_y = np.empty(_BLOCK)
    p_x1 = np.empty(_BLOCK)
    p_yc = np.empty(_BLOCK)
    p_step = np.empty(_BLOCK)
    q_k = np.empty(_BLOCK, dtype=np.int64)  # mixed: position in p_* arrays
    q_leaf = np.empty(_BLOCK, dtype=np.int64)
    q_e = np.empty(_BLOCK, dtype=np.int64)
    out_sink = np.zeros(1)
    # The last clear cell met (see _clear): a point well inside it has its label
    # and is clear in it, the answer the walk would give.
    memo_west = math.nan
    memo_south = math.nan
    memo_size = 0.0
    memo_label = -1
    memo_cell = -1
    last_idx = -1  # the fine cell of the last point sent to the fine grid
    for start in range(0, n_pts, _BLOCK):
        stop = min(start + _BLOCK, n_pts)
        npend = 0
        for n in range(start, stop):
            y = lat[n]
            x = _wrap(lon[n])
            if not (y >= -90.0 and y <= 90.0 and x == x):
                out[n] = -1
                if cells:
                    cell[n] = -1
                continue
            if runs and _inside(x, y, memo_west, memo_south, memo_size, margin):
                out[n] = memo_label
                if cells:
                    cell[n] = memo_cell
                continue
            fx = (x - x0g) * inv_w
            fy = (y - y0g) * inv_w
            ci = min(int(fx), nx - 1)
            cj = min(int(fy), ny - 1)
            v = coarse[cj * nx + ci]
            out[n] = v
            if v >= -1:
                west = x0g + ci * w
                south = y0g + cj * w
                clear = _clear(x, y, west, south, w, margin)
                if cells:
                    cell[n] = cj * nx + ci if clear else -1
                if clear:
                    memo_west, memo_south, memo_size = west, south, w
                    memo_label, memo_cell = v, cj * nx + ci
                continue
            s3 = 3 * (-2 - v)
            sh = sub[s3 + 1]
            f = 1 << sh
            fi = min(max(int((fx - ci) * f), 0), f - 1)
            fj = min(max(int((fy - cj) * f), 0), f - 1)
            step = w / f
            idx = sub[s3] + fj * f + fi
            x1 = x0g + (ci * f + fi + 1) * step  # exact: dyadic values
            yc = y0g + (cj * f + fj) * step
            if runs and idx == last_idx:
                # the fine cell of the point before, so in the cache: a pure one is
                # settled here, not in the next phase
                fv = fine[idx]
                if fv >= -1:
                    out[n] = fv
                    clear = _clear(x, y, x1 - step, yc, step, margin)
                    if cells:
                        cell[n] = nx * ny + idx if clear else -1
                    if clear:
                        memo_west, memo_south, memo_size = x1 - step, yc, step
                        memo_label, memo_cell = fv, nx * ny + idx
                    continue
            last_idx = idx
            p_n[npend] = n
            p_idx[npend] = idx
            p_leaf0[npend] = sub[s3 + 2]
            p_x[npend] = x
            p_y[npend] = y
            p_x1[npend] = x1
            p_yc[npend] = yc
            p_step[npend] = step
            npend += 1
        nmix = 0
        for k in range(npend):
            v = fine[p_idx[k]]
            out[p_n[k]] = v
            if cells:
                step = p_step[k]
                clear = v >= -1 and _clear(p_x[k], p_y[k], p_x1[k] - step, p_yc[k], step, margin)
                cell[p_n[k]] = nx * ny + p_idx[k] if clear else -1
            q_k[nmix] = k
            q_leaf[nmix] = leaf_ptr[p_leaf0[k] - 2 - v] if v < -1 else 0
            nmix += v < -1
        # Touch each mixed cell's record and first vertex so those misses overlap.
        for u in range(nmix):
            q = q_leaf[u]
            q_e[u] = stream[q + 4] if stream[q + 1] > 0 else 0
        sink = 0.0
        for u in range(nmix):
            sink += vx[q_e[u]] + vy[q_e[u]]
        out_sink[0] = sink
        for u in range(nmix):
            k = q_k[u]
            out[p_n[k]] = _mixed(stream, q_leaf[u], vx, vy, p_x[k], p_y[k], p_x1[k], p_yc[k])


@nb.njit(cache=True, nogil=True, inline="always")
def _inside(x, y, west, south, size, margin):
    """:func:`_clear` with one branch, not four: random points fail it unpredictably."""
    return (
        (x - west > margin)
        & (west + size - x > margin)
        & (y - south > margin)
        & (south + size - y > margin)
    )


@nb.njit(cache=True, nogil=True, inline="always")
def _clear(x, y, west, south, size, margin):
    """(x, y) lies further than ``margin`` inside the cell [west, west + size) ×
    [south, south + size)."""
    return (
        x - west > margin
        and west + size - x > margin
        and y - south > margin
        and south + size - y > margin
    )


@nb.njit(cache=True, nogil=True)
def _mixed(stream, q, vx, vy, x, y, x1, yc):
    """Label of p = (x, y) in a mixed cell with south-east corner (x1, yc)."""
    label = stream[q]
    ncand = stream[q + 1]
    q += 2
    for _ in range(ncand):
        k = stream[q] >> 1
        par = stream[q] & 1
        nruns = stream[q + 1]
        q += 2
        if label != -1 and k >= label:
            break
        for r in range(nruns):
            e0 = stream[q + 2 * r]
            for e in range(e0, e0 + stream[q + 2 * r + 1]):
                ax = vx[e]
                ay = vy[e]
                bx = vx[e + 1]
                by = vy[e + 1]
                if (ay > y) != (by > y):  # straddles the line y + ε
                    sp = side_sos(ax, ay, bx, by, x, y)
                    sq = side_sos(ax, ay, bx, by, x1, y)
                    if sp != sq:
                        par ^= 1
                if (ax > x1) != (bx > x1):  # straddles x1 (no vertex is on it)
                    sq = side_sos(ax, ay, bx, by, x1, y)
                    sc = orient(ax, ay, bx, by, x1, yc)
                    if sq != sc:
                        par ^= 1
        q += 2 * nruns
        if par:
            return k
    return label


@nb.njit(cache=True, nogil=True, inline="always")
def fine_window(v, ci, cj, xmin, xmax, ymin, ymax, x0g, y0g, w, sub):
    """The fine cells of coarse cell (ci, cj) (``v`` its ``coarse`` entry, < -1)
    that the box meets: (offset into ``fine``, F, first leaf, fi0, fi1, fj0, fj1).

    Shared by the path filter and the path/edge intersections, which walk the
    same grid as :func:`lookup_points` with a box instead of a point.
    """
    s3 = 3 * (-2 - v)
    f = 1 << sub[s3 + 1]
    inv_step = f / w  # a power of two: the products below are exact
    gx = x0g + ci * w
    gy = y0g + cj * w
    fi0 = max(math.floor((xmin - gx) * inv_step), 0)
    fi1 = min(math.floor((xmax - gx) * inv_step), f - 1)
    fj0 = max(math.floor((ymin - gy) * inv_step), 0)
    fj1 = min(math.floor((ymax - gy) * inv_step), f - 1)
    return sub[s3], f, sub[s3 + 2], fi0, fi1, fj0, fj1
