"""Exact point-in-polygon labelling at tens of millions of points per second.

`LabelIndex` answers, for each point, "which is the first polygon that contains
it?" — the same answer as :func:`reference_lookup` (a plain shapely
``contains_xy``) for every point not exactly on a boundary, but two orders of
magnitude faster (bench/label.py).

How (one core, numba):

* A coarse grid of 1° cells, shifted by an odd dyadic offset so that no polygon
  vertex lies on any grid line (checked exactly; another offset is tried if one
  does). A cell no boundary touches holds its label directly.
* A cell that edges touch holds a sub-grid of F × F fine cells (F a power of
  two picked from its edge count). A fine cell no edge touches holds its label;
  the others are *mixed*: they list the edges touching them (as runs of
  consecutive ring edges, grouped by polygon), each candidate polygon's status
  at the cell's south-east corner ``C``, and the lowest polygon containing the
  whole cell.
* A point ``p`` in a mixed cell walks the path p → (x_C, y_p) → C inside the
  cell: polygon k contains p iff k contains C xor the path crosses k's edges an
  odd number of times. Every predicate is an orientation sign computed with
  Shewchuk's error-bounded filter and an exact expansion fallback, and cell
  membership is made robust by a 1e-9° margin, so the parity is exact.
* Pure-cell labels and corner statuses come from one exact scanline sweep per
  grid row (crossings sorted by x, ties resolved exactly).
* Queries run in blocks of points, phase by phase (coarse cells, fine cells,
  mixed cells), so that the cache misses of random points overlap.

Boundary rule: a point exactly on a polygon's boundary (where shapely's
``contains_xy`` says False) gets the label of the point displaced
infinitesimally north — and, if that point is still on the boundary (a
north–south edge), infinitesimally east: formally the label of
p + (δ, ε) with 0 < δ ≪ ε → 0 (simulation of simplicity). So the bottom and
left edges of a square belong to it, the top and right edges do not.

Polygons are tested by the even–odd rule over all their rings, which is
containment for valid (Multi)Polygons (run ``shapely.make_valid`` first).
Exactness assumes coordinate products do not underflow: every coordinate, of
points and vertices, is 0 or larger than 1e-140 in magnitude.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numba as nb
import numpy as np
import shapely

__all__ = ["LabelIndex", "reference_lookup", "wrap_lon"]

_FORMAT = 1
COARSE_DEG = 1.0  # coarse cell size (a power of two, in degrees)
FINE_MAX = 32  # largest sub-grid (F × F fine cells) per coarse cell
LOG2_CHECK = 10  # vertices are kept off every line of the 2**-10 ° lattice
EDGES_PER_LEAF = 3.0  # target edges per mixed fine cell when choosing F
MARGIN = 1e-9  # degrees: cells are widened by this when listing touching edges
_OFFSET_BITS = 30  # grid offsets are multiples of 2**-30 °, so all grid lines are exact
_SWEEP_TOL = 1e-8  # crossings this close to a corner are ordered exactly

# Shewchuk's orient2d filter constant (epsilon = 2**-53).
_EPS = 2.0**-53
_CCW_ERRBOUND_A = (3.0 + 16.0 * _EPS) * _EPS
_SPLITTER = 134217729.0  # 2**27 + 1


# --------------------------------------------------------------------------- predicates


@nb.njit(cache=True, nogil=True)
def _two_sum(a, b):
    s = a + b
    bv = s - a
    av = s - bv
    return s, (a - av) + (b - bv)


@nb.njit(cache=True, nogil=True)
def _two_prod(a, b):
    p = a * b
    c = _SPLITTER * a
    ahi = c - (c - a)
    alo = a - ahi
    c = _SPLITTER * b
    bhi = c - (c - b)
    blo = b - bhi
    err = alo * blo - (((p - ahi * bhi) - alo * bhi) - ahi * blo)
    return p, err


@nb.njit(cache=True, nogil=True)
def _orient_exact(ax, ay, bx, by, cx, cy):
    """Exact sign of the orientation determinant (rare fallback)."""
    terms = np.empty(12)
    terms[0], terms[1] = _two_prod(ax, by)
    terms[2], terms[3] = _two_prod(-ay, bx)
    terms[4], terms[5] = _two_prod(bx, cy)
    terms[6], terms[7] = _two_prod(-by, cx)
    terms[8], terms[9] = _two_prod(cx, ay)
    terms[10], terms[11] = _two_prod(-cy, ax)
    # Grow-Expansion: exp holds a nonoverlapping expansion, increasing magnitude.
    exp = np.zeros(12)
    n = 0
    for t in range(12):
        q = terms[t]
        for i in range(n):
            q, h = _two_sum(q, exp[i])
            exp[i] = h
        exp[n] = q
        n += 1
    for i in range(n - 1, -1, -1):
        if exp[i] > 0.0:
            return 1
        if exp[i] < 0.0:
            return -1
    return 0


@nb.njit(cache=True, nogil=True)
def _orient(ax, ay, bx, by, cx, cy):
    """Sign of (b - a) × (c - a): +1 if c is left of a→b, -1 right, 0 on the line."""
    detleft = (ax - cx) * (by - cy)
    detright = (ay - cy) * (bx - cx)
    det = detleft - detright
    if detleft > 0.0:
        if detright <= 0.0:
            return 1 if det > 0.0 else (-1 if det < 0.0 else 0)
        detsum = detleft + detright
    elif detleft < 0.0:
        if detright >= 0.0:
            return 1 if det > 0.0 else (-1 if det < 0.0 else 0)
        detsum = -detleft - detright
    else:
        return 1 if det > 0.0 else (-1 if det < 0.0 else 0)
    errbound = _CCW_ERRBOUND_A * detsum
    if det >= errbound:
        return 1
    if -det >= errbound:
        return -1
    return _orient_exact(ax, ay, bx, by, cx, cy)


@nb.njit(cache=True, nogil=True, inline="always")
def _side_sos(ax, ay, bx, by, cx, cy):
    """Side of c + (δ, ε), 0 < δ ≪ ε → 0, relative to a→b (never 0 for a ≠ b)."""
    s = _orient(ax, ay, bx, by, cx, cy)
    if s != 0:
        return s
    if bx != ax:
        return 1 if bx > ax else -1
    if by != ay:
        return 1 if ay > by else -1
    return 0


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


# --------------------------------------------------------------------------- query


_BLOCK = 1024  # points per block: each phase issues independent memory loads


#: a point gets a clear cell (:meth:`LabelIndex.lookup_cells`) only when it is
#: further than this from the cell's sides: 4× ``pathfilter.PAD_DEG``, so a
#: path between two points of one clear cell stays inside it with its pad
CELL_MARGIN_DEG = 4e-9


@nb.njit(cache=True, nogil=True)
def _lookup(
    lon, lat, out, cell, x0g, y0g, w, nx, ny, coarse, sub, fine, leaf_ptr, stream, vx, vy
):  # fmt: skip
    """Label points in blocks: coarse cells, then fine cells, then mixed cells.

    Splitting the work into phases keeps many independent cache misses in flight
    (random points miss the caches on the fine grid and on mixed-cell data).
    With a ``cell`` array as long as the points, also the clear cell of each
    (see :meth:`LabelIndex.lookup_cells`).
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
            fx = (x - x0g) * inv_w
            fy = (y - y0g) * inv_w
            ci = min(int(fx), nx - 1)
            cj = min(int(fy), ny - 1)
            v = coarse[cj * nx + ci]
            out[n] = v
            if cells and v >= -1:
                west = x0g + ci * w
                south = y0g + cj * w
                clear = _clear(x, y, west, south, w, margin)
                cell[n] = cj * nx + ci if clear else -1
            if v < -1:
                s3 = 3 * (-2 - v)
                sh = sub[s3 + 1]
                f = 1 << sh
                fi = min(max(int((fx - ci) * f), 0), f - 1)
                fj = min(max(int((fy - cj) * f), 0), f - 1)
                step = w / f
                p_n[npend] = n
                p_idx[npend] = sub[s3] + fj * f + fi
                p_leaf0[npend] = sub[s3 + 2]
                p_x[npend] = x
                p_y[npend] = y
                p_x1[npend] = x0g + (ci * f + fi + 1) * step  # exact: dyadic values
                p_yc[npend] = y0g + (cj * f + fj) * step
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
                    sp = _side_sos(ax, ay, bx, by, x, y)
                    sq = _side_sos(ax, ay, bx, by, x1, y)
                    if sp != sq:
                        par ^= 1
                if (ax > x1) != (bx > x1):  # straddles x1 (no vertex is on it)
                    sq = _side_sos(ax, ay, bx, by, x1, y)
                    sc = _orient(ax, ay, bx, by, x1, yc)
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
    same grid as :func:`_lookup` with a box instead of a point.
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


# --------------------------------------------------------------------------- build


@nb.njit(cache=True, nogil=True)
def _raster(ax, ay, bx, by, gx0, gy0, step, nxc, nyc, margin, out, pos, write):
    """Cells of an nxc × nyc grid whose box, widened by margin, the segment may touch.

    Conservative (may list a few extra cells). Writes linear ids j * nxc + i to
    out[pos:] when write, and returns the new pos.
    """
    xmin = min(ax, bx)
    xmax = max(ax, bx)
    i0 = max(math.floor((xmin - margin - gx0) / step), 0)
    i1 = min(math.floor((xmax + margin - gx0) / step), nxc - 1)
    dx = bx - ax
    for i in range(i0, i1 + 1):
        xa = max(gx0 + i * step - margin, xmin)
        xb = min(gx0 + (i + 1) * step + margin, xmax)
        if dx == 0.0:
            ylo = min(ay, by)
            yhi = max(ay, by)
        else:
            ta = min(max((xa - ax) / dx, 0.0), 1.0)
            tb = min(max((xb - ax) / dx, 0.0), 1.0)
            ya = ay + ta * (by - ay)
            yb = ay + tb * (by - ay)
            ylo = min(ya, yb)
            yhi = max(ya, yb)
        j0 = max(math.floor((ylo - margin - gy0) / step), 0)
        j1 = min(math.floor((yhi + margin - gy0) / step), nyc - 1)
        for j in range(j0, j1 + 1):
            if write:
                out[pos] = j * nxc + i
            pos += 1
    return pos


@nb.njit(cache=True, nogil=True)
def _coarse_counts(vx, vy, is_edge, x0g, y0g, w, nx, ny, margin):
    cnt = np.zeros(nx * ny, dtype=np.int64)
    buf = np.empty(nx * ny, dtype=np.int64)
    for e in range(vx.shape[0] - 1):
        if not is_edge[e]:
            continue
        k = _raster(vx[e], vy[e], vx[e + 1], vy[e + 1], x0g, y0g, w, nx, ny, margin, buf, 0, True)
        for t in range(k):
            cnt[buf[t]] += 1
    return cnt


@nb.njit(cache=True, nogil=True)
def _fine_incidence(
    vx, vy, is_edge, x0g, y0g, w, nx, ny, margin, sub_of, sub_off, sub_shift, n_fine, ptr, write
):
    """Count (write=False) or list (write=True, ptr = CSR starts) edges per fine cell."""
    cnt = np.zeros(n_fine, dtype=np.int32)
    edges = np.empty(ptr[-1] if write else 0, dtype=np.int32)
    cbuf = np.empty(nx * ny, dtype=np.int64)
    fbuf = np.empty(FINE_MAX * FINE_MAX, dtype=np.int64)
    for e in range(vx.shape[0] - 1):
        if not is_edge[e]:
            continue
        ax = vx[e]
        ay = vy[e]
        bx = vx[e + 1]
        by = vy[e + 1]
        kc = _raster(ax, ay, bx, by, x0g, y0g, w, nx, ny, margin, cbuf, 0, True)
        for t in range(kc):
            c = cbuf[t]
            s = sub_of[c]
            f = 1 << sub_shift[s]
            ci = c % nx
            cj = c // nx
            kf = _raster(
                ax, ay, bx, by, x0g + ci * w, y0g + cj * w, w / f, f, f, margin, fbuf, 0, True
            )
            base = sub_off[s]
            for u in range(kf):
                idx = base + fbuf[u]
                if write:
                    edges[ptr[idx] + cnt[idx]] = e
                cnt[idx] += 1
    return cnt, edges


@nb.njit(cache=True, nogil=True)
def _leaves(fine_ptr, inc_edges, edge_poly):
    """Group each mixed fine cell's edges into candidate polygons and runs."""
    n_fine = fine_ptr.shape[0] - 1
    n_inc = inc_edges.shape[0]
    leaf_of = np.full(n_fine, -1, dtype=np.int32)
    leaf_cand = np.empty(n_fine + 1, dtype=np.int64)
    cand_poly = np.empty(n_inc, dtype=np.int32)
    cand_run = np.empty(n_inc + 1, dtype=np.int64)
    run_first = np.empty(n_inc, dtype=np.int32)
    run_len = np.empty(n_inc, dtype=np.int32)
    nl = 0
    nc = 0
    nr = 0
    for idx in range(n_fine):
        a = fine_ptr[idx]
        b = fine_ptr[idx + 1]
        if a == b:
            continue
        leaf_of[idx] = nl
        leaf_cand[nl] = nc
        nl += 1
        prev_e = -2
        prev_p = -1
        for t in range(a, b):
            e = inc_edges[t]
            p = edge_poly[e]
            if p != prev_p:
                cand_poly[nc] = p
                cand_run[nc] = nr
                nc += 1
                prev_p = p
                prev_e = -2
            if e == prev_e + 1:
                run_len[nr - 1] += 1
            else:
                run_first[nr] = e
                run_len[nr] = 1
                nr += 1
            prev_e = e
    leaf_cand[nl] = nc
    cand_run[nc] = nr
    return (
        leaf_of,
        leaf_cand[: nl + 1].copy(),
        cand_poly[:nc].copy(),
        cand_run[: nc + 1].copy(),
        run_first[:nr].copy(),
        run_len[:nr].copy(),
    )


@nb.njit(cache=True, nogil=True)
def _line_crossings(vx, vy, is_edge, y0g, w, ny, f_max, row_f, ptr, write):
    """Edges crossing each horizontal grid line (line id = row * f_max + t)."""
    h = w / f_max
    n_lines = ny * f_max
    cnt = np.zeros(n_lines, dtype=np.int64)
    xs = np.empty(ptr[-1] if write else 0, dtype=np.float64)
    es = np.empty(ptr[-1] if write else 0, dtype=np.int32)
    for e in range(vx.shape[0] - 1):
        if not is_edge[e]:
            continue
        ay = vy[e]
        by = vy[e + 1]
        if ay == by:
            continue
        ylo = min(ay, by)
        yhi = max(ay, by)
        la = max(math.ceil((ylo - y0g) / h) - 1, 0)
        lb = min(math.floor((yhi - y0g) / h) + 1, n_lines - 1)
        for ln in range(la, lb + 1):
            yl = y0g + ln * h
            if not (ylo < yl and yl < yhi):
                continue
            j = ln // f_max
            t = ln - j * f_max
            if t % (f_max // row_f[j]) != 0:
                continue
            if write:
                ax = vx[e]
                bx = vx[e + 1]
                q = ptr[ln] + cnt[ln]
                xs[q] = ax + (yl - ay) * (bx - ax) / (by - ay)
                es[q] = e
            cnt[ln] += 1
    return cnt, xs, es


@nb.njit(cache=True, nogil=True)
def _toggle(k, inside, act, act_pos, n_act):
    if inside[k]:
        inside[k] = 0
        p = act_pos[k]
        n_act -= 1
        last = act[n_act]
        act[p] = last
        act_pos[last] = p
    else:
        inside[k] = 1
        act[n_act] = k
        act_pos[k] = n_act
        n_act += 1
    return n_act


@nb.njit(cache=True, nogil=True)
def _sweep(
    vx,
    vy,
    edge_poly,
    n_polys,
    x0g,
    y0g,
    w,
    nx,
    ny,
    f_max,
    row_f,
    line_ptr,
    xs,
    es,
    coarse,
    sub_of,
    sub_off,
    sub_shift,
    leaf0,
    fine,
    leaf_of,
    leaf_cand,
    cand_poly,
    cand_in,
    leaf_base,
):
    """Exact labels of pure cells and candidate statuses at each mixed cell's SE corner.

    Returns False if some corner lies exactly on an edge (the caller then moves the grid).
    """
    h = w / f_max
    inside = np.zeros(n_polys, dtype=np.uint8)
    act = np.empty(n_polys, dtype=np.int64)
    act_pos = np.empty(n_polys, dtype=np.int64)
    stamp = np.full(n_polys, -1, dtype=np.int64)
    tmp = np.empty(n_polys + 16, dtype=np.int64)
    ok = True
    for j in range(ny):
        fr = row_f[j]
        for t in range(0, f_max, f_max // fr):
            ln = j * f_max + t
            yl = y0g + ln * h
            a = line_ptr[ln]
            b = line_ptr[ln + 1]
            order = np.argsort(xs[a:b]) + a
            q = 0  # crossings committed so far (index into order)
            n_act = 0
            for i in range(nx):
                c = j * nx + i
                s = sub_of[c]
                if s < 0:
                    if t != 0:
                        continue
                    f = 1
                    fj = 0
                else:
                    f = 1 << sub_shift[s]
                    stride = f_max // f
                    if t % stride != 0:
                        continue
                    fj = t // stride
                for fi in range(f):
                    xq = x0g + i * w + (fi + 1) * (w / f)
                    while q < b - a and xs[order[q]] < xq - _SWEEP_TOL:
                        n_act = _toggle(edge_poly[es[order[q]]], inside, act, act_pos, n_act)
                        q += 1
                    # crossings near the corner: exact side test, applied temporarily
                    nt = 0
                    r = q
                    while r < b - a and xs[order[r]] <= xq + _SWEEP_TOL:
                        e = es[order[r]]
                        if vy[e] < vy[e + 1]:
                            o = _orient(vx[e], vy[e], vx[e + 1], vy[e + 1], xq, yl)
                        else:
                            o = _orient(vx[e + 1], vy[e + 1], vx[e], vy[e], xq, yl)
                        if o == 0:
                            ok = False
                        elif o < 0:  # crossing lies west of the corner
                            if nt >= tmp.shape[0]:
                                tmp = np.concatenate((tmp, np.empty(tmp.shape[0], np.int64)))
                            tmp[nt] = edge_poly[e]
                            nt += 1
                            n_act = _toggle(edge_poly[e], inside, act, act_pos, n_act)
                        r += 1
                    if s < 0:
                        best = -1
                        for u in range(n_act):
                            if best == -1 or act[u] < best:
                                best = act[u]
                        coarse[c] = best
                    else:
                        idx = sub_off[s] + fj * f + fi
                        m = leaf_of[idx]
                        if m < 0:
                            best = -1
                            for u in range(n_act):
                                if best == -1 or act[u] < best:
                                    best = act[u]
                            fine[idx] = best
                        else:
                            fine[idx] = -2 - (m - leaf0[s])
                            for cc in range(leaf_cand[m], leaf_cand[m + 1]):
                                k = cand_poly[cc]
                                cand_in[cc] = inside[k]
                                stamp[k] = m
                            best = -1
                            for u in range(n_act):
                                k = act[u]
                                if stamp[k] != m and (best == -1 or k < best):
                                    best = k
                            leaf_base[m] = best
                    for u in range(nt):
                        n_act = _toggle(tmp[u], inside, act, act_pos, n_act)
            for u in range(n_act):
                inside[act[u]] = 0
    return ok


@nb.njit(cache=True, nogil=True)
def _pack_leaves(leaf_base, leaf_cand, cand_poly, cand_in, cand_run, run_first, run_len):
    """One int32 record per mixed cell, so a query touches one place:
    [base, ncand, then per candidate: poly << 1 | status at C, nruns, (first edge, count)...].
    """
    nl = leaf_base.shape[0]
    nc = cand_poly.shape[0]
    nr = run_first.shape[0]
    leaf_ptr = np.empty(nl, dtype=np.int64)
    stream = np.empty(2 * nl + 2 * nc + 2 * nr, dtype=np.int32)
    q = 0
    for m in range(nl):
        leaf_ptr[m] = q
        stream[q] = leaf_base[m]
        stream[q + 1] = leaf_cand[m + 1] - leaf_cand[m]
        q += 2
        for c in range(leaf_cand[m], leaf_cand[m + 1]):
            stream[q] = (cand_poly[c] << 1) | cand_in[c]
            stream[q + 1] = cand_run[c + 1] - cand_run[c]
            q += 2
            for r in range(cand_run[c], cand_run[c + 1]):
                stream[q] = run_first[r]
                stream[q + 1] = run_len[r]
                q += 2
    return leaf_ptr, stream


# --------------------------------------------------------------------------- index


_ARRAYS = ("coarse", "sub", "fine", "leaf_ptr", "stream", "vx", "vy")


class LabelIndex:
    """Exact point → polygon index; build once, look up many points.

    >>> import shapely
    >>> idx = LabelIndex.build([shapely.box(0, 0, 10, 10), shapely.box(5, 5, 20, 20)])
    >>> idx.lookup(np.array([1.0, 7.0, 15.0, 30.0]), np.array([1.0, 7.0, 15.0, 0.0])).tolist()
    [0, 0, 1, -1]
    """

    def __init__(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        self.meta = meta
        self.arrays = arrays

    @property
    def n_geoms(self) -> int:
        return int(self.meta["n_geoms"])

    @classmethod
    def build(cls, geoms: Sequence[shapely.Geometry]) -> LabelIndex:
        """Index Polygon/MultiPolygon geometries given in lon/lat degrees."""
        vx, vy, is_edge, edge_poly, n = _rings(geoms)
        for attempt in range(64):
            x0g, y0g = _grid_origin(vx, vy, attempt)
            built = _build(vx, vy, is_edge, edge_poly, n, x0g, y0g)
            if built is not None:
                return built
        raise RuntimeError("could not place the grid off every polygon edge")  # pragma: no cover

    def lookup(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Index of the first geometry containing each point (int32, -1 = none).

        Longitudes are wrapped into [-180, 180); NaN or |lat| > 90 give -1.
        Points exactly on a boundary follow the module's north-then-east rule.
        """
        lon = np.ascontiguousarray(lon, dtype=np.float64)
        lat = np.ascontiguousarray(lat, dtype=np.float64)
        if lon.shape != lat.shape:
            raise ValueError(f"lon and lat differ in shape: {lon.shape} vs {lat.shape}")
        out = np.empty(lon.shape, dtype=np.int32)
        _lookup(
            lon.reshape(-1),
            lat.reshape(-1),
            out.reshape(-1),
            np.empty(0, dtype=np.int64),
            *self.grid(),
        )
        return out

    def lookup_cells(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`lookup` (1-d points), and each point's clear cell: a number for
        the coarse or fine cell holding it when no boundary edge touches that cell
        and the point is more than :data:`CELL_MARGIN_DEG` from its sides, else -1.

        Two points with one clear cell are joined by a straight segment that no
        edge comes near: the path filter's shortcut, found in the same walk as
        the labels.
        """
        lon = np.ascontiguousarray(lon, dtype=np.float64).reshape(-1)
        lat = np.ascontiguousarray(lat, dtype=np.float64).reshape(-1)
        if lon.shape != lat.shape:
            raise ValueError(f"lon and lat differ in shape: {lon.shape} vs {lat.shape}")
        out = np.empty(lon.shape, dtype=np.int32)
        cell = np.empty(lon.shape, dtype=np.int64)
        if len(lon):
            _lookup(lon, lat, out, cell, *self.grid())
        return out, cell

    def grid(self) -> tuple:
        """The grid and its arrays as the compiled walkers take them:
        (x0, y0, w, nx, ny, coarse, sub, fine, leaf_ptr, stream, vx, vy)."""
        m, a = self.meta, self.arrays
        return (m["x0"], m["y0"], m["w"], m["nx"], m["ny"], *(a[k] for k in _ARRAYS))

    def stats(self) -> dict[str, int]:
        """Sizes, for benchmarks and tuning."""
        a = self.arrays
        return {
            "vertices": len(a["vx"]),
            "coarse_cells": len(a["coarse"]),
            "subgrids": len(a["sub"]) // 3,
            "fine_cells": len(a["fine"]),
            "mixed_cells": len(a["leaf_ptr"]),
            "stream_words": len(a["stream"]),
            "nbytes": sum(v.nbytes for v in a.values()),
        }

    def to_bytes(self) -> bytes:
        """A compressed, self-describing serialisation (see :meth:`from_bytes`)."""
        buf = io.BytesIO()
        meta = np.array(
            [_FORMAT, self.meta["n_geoms"], self.meta["nx"], self.meta["ny"]], dtype=np.int64
        )
        geo = np.array([self.meta["x0"], self.meta["y0"], self.meta["w"]], dtype=np.float64)
        packed = {k: v for k, v in self.arrays.items() if k not in ("vx", "vy")}
        packed["vx"] = _pack_coords(self.arrays["vx"])
        packed["vy"] = _pack_coords(self.arrays["vy"])
        np.savez_compressed(buf, meta=meta, geo=geo, **packed)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> LabelIndex:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta_a = z["meta"]
            if int(meta_a[0]) != _FORMAT:
                raise ValueError(f"LabelIndex format {int(meta_a[0])}, expected {_FORMAT}")
            geo = z["geo"]
            arrays = {k: z[k] for k in _ARRAYS}
        arrays["vx"] = _unpack_coords(arrays["vx"])
        arrays["vy"] = _unpack_coords(arrays["vy"])
        meta = {
            "n_geoms": int(meta_a[1]),
            "nx": int(meta_a[2]),
            "ny": int(meta_a[3]),
            "x0": float(geo[0]),
            "y0": float(geo[1]),
            "w": float(geo[2]),
        }
        return cls(meta, arrays)


def _pack_coords(v: np.ndarray) -> np.ndarray:
    """Delta-code the float64 bit patterns and split them into byte planes (compresses ~2×)."""
    bits = v.view(np.int64)
    delta = np.diff(bits, prepend=np.int64(0))
    return np.ascontiguousarray(delta.view(np.uint8).reshape(-1, 8).T)


def _unpack_coords(planes: np.ndarray) -> np.ndarray:
    delta = np.ascontiguousarray(planes.T).view(np.int64).reshape(-1)
    return np.cumsum(delta).view(np.float64)


def _rings(geoms: Sequence[shapely.Geometry]):
    """All ring vertices, concatenated, with per-vertex edge flag and polygon index."""
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    kinds = shapely.get_type_id(geoms)
    bad = np.flatnonzero(~np.isin(kinds, (-1, 3, 6)) & ~shapely.is_empty(geoms))
    if len(bad):
        i = int(bad[0])
        raise ValueError(
            f"geometry {i} is a {geoms[i].geom_type}, "
            "expected Polygon or MultiPolygon (or empty / None)"
        )
    parts, part_geom = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, vert_ring = shapely.get_coordinates(rings, return_index=True)
    if not np.isfinite(coords).all():
        raise ValueError("polygon coordinates must be finite")
    vx = np.ascontiguousarray(coords[:, 0])
    vy = np.ascontiguousarray(coords[:, 1])
    edge_poly = part_geom[ring_part[vert_ring]].astype(np.int32)
    is_edge = np.zeros(len(vx), dtype=np.bool_)
    is_edge[:-1] = vert_ring[1:] == vert_ring[:-1]
    return vx, vy, is_edge, edge_poly, n


def _grid_origin(vx: np.ndarray, vy: np.ndarray, attempt: int) -> tuple[float, float]:
    """Grid origin with odd dyadic offsets such that no vertex lies on a lattice line."""
    unit = 2.0**-_OFFSET_BITS
    period = int(COARSE_DEG / unit)
    mx, my = 0x0A5C3E7B, 0x05A3C1D9  # arbitrary odd numbers below 2**30
    while True:
        ox = ((mx + attempt * 0x2F0B3A49) % period) | 1
        oy = ((my + attempt * 0x1C6D9E37) % period) | 1
        x0g = -180.0 - ox * unit
        y0g = -90.0 - oy * unit
        if not (_on_lattice(vx, x0g) or _on_lattice(vy, y0g)):
            return x0g, y0g
        attempt += 1


def _on_lattice(v: np.ndarray, origin: float) -> bool:
    h = 2.0**-LOG2_CHECK
    k = np.round((v - origin) / h)
    return bool(np.any(origin + k * h == v))


def _build(vx, vy, is_edge, edge_poly, n_geoms, x0g, y0g) -> LabelIndex | None:
    w = COARSE_DEG
    nx = math.ceil(360.0 / w) + 1
    ny = math.ceil(180.0 / w) + 1
    ccount = _coarse_counts(vx, vy, is_edge, x0g, y0g, w, nx, ny, MARGIN)
    touched = np.flatnonzero(ccount)
    f = np.ceil(ccount[touched] / EDGES_PER_LEAF).astype(np.int64)
    shift = np.minimum(np.ceil(np.log2(np.maximum(f, 1))), math.log2(FINE_MAX)).astype(np.int64)
    sub_of = np.full(nx * ny, -1, dtype=np.int64)
    sub_of[touched] = np.arange(len(touched))
    sizes = 1 << (2 * shift)
    sub_off = np.zeros(len(touched), dtype=np.int64)
    sub_off[1:] = np.cumsum(sizes)[:-1]
    n_fine = int(sizes.sum())
    sub_shift = shift.astype(np.int32)

    zero = np.zeros(1, dtype=np.int64)
    cnt, _ = _fine_incidence(
        vx,
        vy,
        is_edge,
        x0g,
        y0g,
        w,
        nx,
        ny,
        MARGIN,
        sub_of,
        sub_off,
        sub_shift,
        n_fine,
        zero,
        False,
    )
    fine_ptr = np.zeros(n_fine + 1, dtype=np.int64)
    np.cumsum(cnt, out=fine_ptr[1:])
    _, inc = _fine_incidence(
        vx,
        vy,
        is_edge,
        x0g,
        y0g,
        w,
        nx,
        ny,
        MARGIN,
        sub_of,
        sub_off,
        sub_shift,
        n_fine,
        fine_ptr,
        True,
    )
    leaf_of, leaf_cand, cand_poly, cand_run, run_first, run_len = _leaves(fine_ptr, inc, edge_poly)
    del inc, fine_ptr, cnt

    f_max = 1 << int(shift.max()) if len(shift) else 1
    row_f = np.ones(ny, dtype=np.int64)
    np.maximum.at(row_f, touched // nx, 1 << shift)
    lcnt, _, _ = _line_crossings(vx, vy, is_edge, y0g, w, ny, f_max, row_f, zero, False)
    line_ptr = np.zeros(len(lcnt) + 1, dtype=np.int64)
    np.cumsum(lcnt, out=line_ptr[1:])
    _, xs, es = _line_crossings(vx, vy, is_edge, y0g, w, ny, f_max, row_f, line_ptr, True)

    coarse = np.full(nx * ny, -1, dtype=np.int32)
    coarse[touched] = (-2 - np.arange(len(touched))).astype(np.int32)
    fine = np.full(n_fine, -1, dtype=np.int32)
    n_leaves = len(leaf_cand) - 1
    cand_in = np.zeros(len(cand_poly), dtype=np.uint8)
    leaf_base = np.full(n_leaves, -1, dtype=np.int32)
    # Fine cells name mixed cells by a number local to their sub-grid (leaf0[s] is
    # the first mixed cell of sub-grid s), so that int16 suffices whenever labels do.
    leaf0 = np.searchsorted(np.flatnonzero(leaf_of >= 0), sub_off).astype(np.int64)
    ok = _sweep(
        vx,
        vy,
        edge_poly,
        max(n_geoms, 1),
        x0g,
        y0g,
        w,
        nx,
        ny,
        f_max,
        row_f,
        line_ptr,
        xs,
        es,
        coarse,
        sub_of,
        sub_off,
        sub_shift,
        leaf0,
        fine,
        leaf_of,
        leaf_cand,
        cand_poly,
        cand_in,
        leaf_base,
    )
    if not ok:
        return None
    leaf_ptr, stream = _pack_leaves(
        leaf_base, leaf_cand, cand_poly, cand_in, cand_run, run_first, run_len
    )
    small = n_geoms < 2**15 - 1 and FINE_MAX**2 < 2**15 - 2
    fine = fine.astype(np.int16 if small else np.int32)
    sub = np.stack([sub_off, sub_shift.astype(np.int64), leaf0]).T.reshape(-1).copy()
    if len(stream) < 2**31 and len(leaf_ptr):
        leaf_ptr = leaf_ptr.astype(np.int32)
    meta = {"n_geoms": n_geoms, "nx": nx, "ny": ny, "x0": x0g, "y0": y0g, "w": w}
    arrays = {
        "coarse": coarse,
        "sub": sub,
        "fine": fine,
        "leaf_ptr": leaf_ptr,
        "stream": stream,
        "vx": vx,
        "vy": vy,
    }
    return LabelIndex(meta, arrays)


# --------------------------------------------------------------------------- reference


def reference_lookup(
    geoms: Sequence[shapely.Geometry], lon: np.ndarray, lat: np.ndarray
) -> np.ndarray:
    """The definition `LabelIndex.lookup` must match: the first geometry whose
    prepared ``shapely.contains_xy`` is true, else -1 (after the same longitude
    wrap and validity rules). Points are pre-filtered by each geometry's bounding
    box; the geometries get prepared in place.
    """
    x = wrap_lon(np.asarray(lon, dtype=np.float64)).reshape(-1)
    y = np.asarray(lat, dtype=np.float64).reshape(-1)
    out = np.full(x.shape, -1, dtype=np.int32)
    with np.errstate(invalid="ignore"):
        valid = np.flatnonzero(~np.isnan(x) & (y >= -90.0) & (y <= 90.0))
    order = valid[np.argsort(x[valid], kind="stable")]
    xs = x[order]
    for i, g in enumerate(geoms):
        if g is None or shapely.is_empty(g):
            continue
        x0, y0, x1, y1 = shapely.bounds(g)
        band = order[np.searchsorted(xs, x0, "left") : np.searchsorted(xs, x1, "right")]
        yb = y[band]
        near = band[(yb >= y0) & (yb <= y1) & (out[band] == -1)]
        if len(near) == 0:
            continue
        shapely.prepare(g)
        out[near[shapely.contains_xy(g, x[near], y[near])]] = i
    return out.reshape(np.shape(lon))
