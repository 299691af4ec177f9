"""The exact scanline sweep: labels of pure cells and polygon statuses at cell corners.

One sweep per horizontal grid line (each coarse row's lines down to its finest
sub-grid): the edges crossing the line are sorted by x and walked west to east,
toggling which polygons the line is inside. At each cell's south-east corner
that set gives the label of a cell no edge touches (the lowest polygon
containing it) and, for a mixed cell, each candidate polygon's status at the
corner. Crossings within ``_SWEEP_TOL`` of a corner are ordered by the exact
:func:`~airwitness.airspace.predicates.orient`, so every status is exact.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from airwitness.airspace.predicates import orient

__all__ = ["line_crossings", "sweep"]

_SWEEP_TOL = 1e-8  # crossings this close to a corner are ordered exactly


@nb.njit(cache=True, nogil=True)
def line_crossings(vx, vy, is_edge, y0g, w, ny, f_max, row_f, ptr, write):
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
def sweep(
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
                            o = orient(vx[e], vy[e], vx[e + 1], vy[e + 1], xq, yl)
                        else:
                            o = orient(vx[e + 1], vy[e + 1], vx[e], vy[e], xq, yl)
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
