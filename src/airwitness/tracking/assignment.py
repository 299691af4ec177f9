"""The optimal assignment of tracks to detections, callable from compiled code.

The forward pass (:mod:`airwitness.tracking.forward`) runs as one compiled loop,
and scipy's ``linear_sum_assignment`` cannot be called from inside it: this is
the same algorithm (the shortest augmenting path of Jonker and Volgenant, in
Crouse's form, "On implementing 2D rectangular assignment algorithms", IEEE
TAES 52(4), 2016 — scipy's), with the same tie-breaking, so it gives scipy's
answer on the same matrix (tests/tracking/test_assignment.py checks that).
The matrices are small: the tracks and detections of a quarter scan.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True)
def solve(cost):
    """Rows and columns of a minimum-cost assignment of ``min(rows, cols)`` pairs,
    by row: what ``scipy.optimize.linear_sum_assignment(cost)`` returns."""
    nr, nc = cost.shape
    if nr == 0 or nc == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if nr > nc:
        cols, rows = _solve_wide(cost.T.copy())
        order = np.argsort(rows, kind="mergesort")
        return rows[order], cols[order]
    return _solve_wide(cost)


@nb.njit(cache=True, nogil=True)
def _solve_wide(cost):
    """:func:`solve` for rows ≤ columns: each row gets a column."""
    nr, nc = cost.shape
    u = np.zeros(nr)
    v = np.zeros(nc)
    shortest = np.empty(nc)
    path = np.full(nc, -1, np.int64)
    col4row = np.full(nr, -1, np.int64)
    row4col = np.full(nc, -1, np.int64)
    seen_row = np.zeros(nr, np.bool_)
    seen_col = np.zeros(nc, np.bool_)
    remaining = np.empty(nc, np.int64)
    for cur in range(nr):
        # the shortest augmenting path from row ``cur`` to a free column
        low_val = 0.0
        i = cur
        left = nc
        for it in range(nc):
            remaining[it] = nc - it - 1
        seen_row[:] = False
        seen_col[:] = False
        shortest[:] = math.inf
        sink = -1
        while sink == -1:
            index = -1
            lowest = math.inf
            seen_row[i] = True
            for it in range(left):
                j = remaining[it]
                r = low_val + cost[i, j] - u[i] - v[j]
                if r < shortest[j]:
                    path[j] = i
                    shortest[j] = r
                if shortest[j] < lowest or (shortest[j] == lowest and row4col[j] == -1):
                    lowest = shortest[j]
                    index = it
            low_val = lowest
            j = remaining[index]
            if row4col[j] == -1:
                sink = j
            else:
                i = row4col[j]
            seen_col[j] = True
            left -= 1
            remaining[index] = remaining[left]
        # the dual variables, then the augmentation along the path
        u[cur] += low_val
        for i in range(nr):
            if seen_row[i] and i != cur:
                u[i] += low_val - shortest[col4row[i]]
        for j in range(nc):
            if seen_col[j]:
                v[j] -= low_val - shortest[j]
        j = sink
        while True:
            i = path[j]
            row4col[j] = i
            j, col4row[i] = col4row[i], j
            if i == cur:
                break
    return np.arange(nr), col4row
