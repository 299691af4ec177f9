"""Building the label index: the two-level grid over the polygons' edges.

* A coarse grid of 1° cells, shifted by an odd dyadic offset so that no polygon
  vertex lies on any grid line (checked exactly; another offset is tried if one
  does). A cell no boundary touches holds its label directly.
* A cell that edges touch holds a sub-grid of F × F fine cells (F a power of
  two picked from its edge count). A fine cell no edge touches holds its label;
  the others are *mixed*: they list the edges touching them (as runs of
  consecutive ring edges, grouped by polygon), each candidate polygon's status
  at the cell's south-east corner ``C``, and the lowest polygon containing the
  whole cell, packed in one record per mixed cell.
* Which edges touch which cell comes from a conservative rasterisation of each
  edge, with cells widened by :data:`MARGIN`; labels and corner statuses come
  from the exact sweep of :mod:`airwitness.airspace.index_sweep`.

The result is the plain arrays :class:`~airwitness.airspace.label_index.LabelIndex`
holds; :mod:`airwitness.airspace.point_lookup` walks them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numba as nb
import numpy as np
import shapely

from airwitness.airspace.index_sweep import line_crossings, sweep

__all__ = ["COARSE_DEG", "FINE_MAX", "MARGIN", "build_grid"]

COARSE_DEG = 1.0  # coarse cell size (a power of two, in degrees)
FINE_MAX = 32  # largest sub-grid (F × F fine cells) per coarse cell
LOG2_CHECK = 10  # vertices are kept off every line of the 2**-10 ° lattice
EDGES_PER_LEAF = 3.0  # target edges per mixed fine cell when choosing F
MARGIN = 1e-9  # degrees: cells are widened by this when listing touching edges
_OFFSET_BITS = 30  # grid offsets are multiples of 2**-30 °, so all grid lines are exact


def build_grid(geoms: Sequence[shapely.Geometry]) -> tuple[dict, dict[str, np.ndarray]]:
    """The grid's metadata and arrays for Polygon/MultiPolygon geometries in lon/lat degrees."""
    vx, vy, is_edge, edge_poly, n = _rings(geoms)
    for attempt in range(64):
        x0g, y0g = _grid_origin(vx, vy, attempt)
        built = _build(vx, vy, is_edge, edge_poly, n, x0g, y0g)
        if built is not None:
            return built
    raise RuntimeError("could not place the grid off every polygon edge")  # pragma: no cover


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


def _build(
    vx, vy, is_edge, edge_poly, n_geoms, x0g, y0g
) -> tuple[dict, dict[str, np.ndarray]] | None:
    """The grid placed at (x0g, y0g), or None if a cell corner lies on an edge."""
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
    lcnt, _, _ = line_crossings(vx, vy, is_edge, y0g, w, ny, f_max, row_f, zero, False)
    line_ptr = np.zeros(len(lcnt) + 1, dtype=np.int64)
    np.cumsum(lcnt, out=line_ptr[1:])
    _, xs, es = line_crossings(vx, vy, is_edge, y0g, w, ny, f_max, row_f, line_ptr, True)

    coarse = np.full(nx * ny, -1, dtype=np.int32)
    coarse[touched] = (-2 - np.arange(len(touched))).astype(np.int32)
    fine = np.full(n_fine, -1, dtype=np.int32)
    n_leaves = len(leaf_cand) - 1
    cand_in = np.zeros(len(cand_poly), dtype=np.uint8)
    leaf_base = np.full(n_leaves, -1, dtype=np.int32)
    # Fine cells name mixed cells by a number local to their sub-grid (leaf0[s] is
    # the first mixed cell of sub-grid s), so that int16 suffices whenever labels do.
    leaf0 = np.searchsorted(np.flatnonzero(leaf_of >= 0), sub_off).astype(np.int64)
    ok = sweep(
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
    return meta, arrays


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
