"""Exact orientation predicates: the sign every labelling and crossing decision rests on.

:func:`orient` is Shewchuk's orient2d: a floating-point determinant with an
error bound, and an exact expansion (rarely needed) when the bound cannot
decide. :func:`side_sos` breaks the ties of points exactly on a line by
simulation of simplicity, so a point is never "on" an edge. Both are numba
functions, callable from other compiled code (and from Python).

Exactness assumes coordinate products do not underflow: every coordinate is 0
or larger than 1e-140 in magnitude.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["orient", "side_sos"]

# Shewchuk's orient2d filter constant (epsilon = 2**-53).
_EPS = 2.0**-53
_CCW_ERRBOUND_A = (3.0 + 16.0 * _EPS) * _EPS
_SPLITTER = 134217729.0  # 2**27 + 1


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
def orient(ax, ay, bx, by, cx, cy):
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
def side_sos(ax, ay, bx, by, cx, cy):
    """Side of c + (δ, ε), 0 < δ ≪ ε → 0, relative to a→b (never 0 for a ≠ b)."""
    s = orient(ax, ay, bx, by, cx, cy)
    if s != 0:
        return s
    if bx != ax:
        return 1 if bx > ax else -1
    if by != ay:
        return 1 if ay > by else -1
    return 0
