"""How sure a crossing is: a confidence that is a guarantee, and where and when it was.

**The guarantee.** For a crossing into airspace ``to`` with confidence ``c``:
among tracks that never entered ``to``, at most a fraction ``1 − c`` show a crossing
into ``to`` with confidence ``c`` or more — whatever their shape, and whether
their position errors are independent from report to report or correlated (docs/
uncertainty.md). ``1 − c`` is a p-value for "this track never entered ``to``".

**How.** After a crossing into ``to`` the track's reports lie in ``to`` until it
leaves again (the *excursion*). Report *i* at depth ``d_i`` (its distance to the
nearest boundary, :mod:`airwitness.airspace.clearance`) with per-axis position
error σ_i, against a boundary whose own error is σ_b: had the track never entered
``to``, the report would lie at depth ``d_i`` only if its error carried it that far.
The distance to a boundary moves by at most the length of the position error
(a Rayleigh variable of scale σ_i) plus the boundary's displacement (half-normal
of scale σ_b), whatever the boundary's shape; :func:`tail` is the chance of that.
The deepest report, relative to its errors, gives the smallest tail; a track has
``N`` reports in all (rejected ones included), so, by the union bound, which holds
under any dependence between the reports' errors,

    confidence = 1 − min(1, N × min over the excursion of tail(d_i; σ_i, σ_b)).

A crossing with no report inside ``to`` (a path clipping a corner) has confidence 0.

**Where and when.** The 95 % interval along the path: the whole unseen stretch
between the two bracketing reports, widened to the stretch where the path lies
within 1.96 combined σ of the boundary (its half-width is 1.96 σ divided by the
sine of the crossing angle, estimated as (d_before + d_after) / path length), at
the path's constant speed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

from airwitness.airspace.clearance import distances, nearest_edge_m

Z95 = 1.959963984540054
#: N × tail below this: the confidence is 1 to double precision; the walk stops
SATURATED = 1e-17
#: depth is sought this many times (σ_i + σ_b) deep, no further (tail < 1e-21 there)
SEARCH_SIGMAS = 10.0
#: the 95 % half-width along a path that grazes the boundary is capped here (m)
MAX_HALF_WIDTH_M = 100_000.0
_SQRT2 = math.sqrt(2.0)


@nb.njit(cache=True, nogil=True)
def tail(t, sigma_pos, sigma_boundary):
    """P(R + H ≥ t): R Rayleigh of scale ``sigma_pos`` (a circular position error's
    length), H half-normal of scale ``sigma_boundary`` (a boundary's displacement).

    >>> round(tail(3.0, 1.0, 0.0), 6), round(tail(3.0, 0.0, 1.0), 6)  # e^-4.5, 2 Q(3)
    (0.011109, 0.0027)
    """
    if t <= 0.0:
        return 1.0
    sp = sigma_pos
    sb = sigma_boundary
    if sb <= 0.0:
        return math.exp(-0.5 * (t / sp) ** 2) if sp > 0.0 else 0.0
    beyond = math.erfc(t / (sb * _SQRT2))  # P(H ≥ t)
    if sp <= 0.0:
        return beyond
    s2 = sp * sp + sb * sb
    s = math.sqrt(s2)
    mu = t * sb * sb / s2
    tau = sb * sp / s
    inside = _phi((t - mu) / tau) - _phi(-mu / tau)
    return min(1.0, beyond + 2.0 * (sp / s) * math.exp(-0.5 * t * t / s2) * inside)


@nb.njit(cache=True, nogil=True, inline="always")
def _phi(x):
    return 0.5 * math.erfc(-x / _SQRT2)


@dataclass
class Evidence:
    """Per crossing: the confidence and what it rests on, and the 95 % interval."""

    confidence: np.ndarray
    best: np.ndarray  # report index of the deciding report, -1 for none
    depth_m: np.ndarray  # its depth (NaN for none)
    sigma_m: np.ndarray  # its σ (NaN for none)
    along_min_m: np.ndarray  # from the crossing point along the path (negative: before)
    along_max_m: np.ndarray
    time_min_ns: np.ndarray
    time_max_ns: np.ndarray


def crossing_evidence(
    index,
    lon: np.ndarray,
    lat: np.ndarray,
    time_ns: np.ndarray,
    row_sigma: np.ndarray,
    rows: np.ndarray,
    n_reports: np.ndarray,
    i0: np.ndarray,
    i1: np.ndarray,
    frac: np.ndarray,
    path_m: np.ndarray,
    time_x_ns: np.ndarray,
    first: np.ndarray,
    stop: np.ndarray,
    sigma_boundary_m: float,
) -> Evidence:
    """The evidence of each crossing: reports ``first[k]:stop[k]`` are its excursion
    into the crossing's ``to``; ``i0``/``i1`` its bracketing reports, ``frac`` where
    between them, ``path_m`` the path's length, ``time_x_ns`` the crossing's time,
    ``n_reports`` its track's number of reports. Report ``r``'s σ is
    ``row_sigma[rows[r]]`` (looked up only for the reports that matter)."""
    grid = index.grid()
    m = len(i0)
    min_tail = np.ones(m)
    best = np.full(m, -1, dtype=np.int64)
    depth = np.full(m, np.nan)
    n_reports = np.asarray(n_reports, dtype=np.float64)
    d1 = np.full(m, np.nan)  # the depth of each crossing's later report, when walked
    _deepest(
        first, stop, lon, lat, row_sigma, rows, n_reports, sigma_boundary_m, min_tail, best, depth,
        d1, *grid,
    )  # fmt: skip
    has = best >= 0
    confidence = 1.0 - np.minimum(1.0, n_reports * min_tail)
    confidence[~has] = 0.0
    # the bracketing reports' distances to the boundary, for the interval
    sigma0, sigma1 = row_sigma[rows[i0]], row_sigma[rows[i1]]
    ask = np.flatnonzero(np.isnan(d1))  # not walked: an empty excursion
    ends = np.concatenate([i0, i1[ask]])
    radius = SEARCH_SIGMAS * (np.concatenate([sigma0, sigma1[ask]]) + sigma_boundary_m) + 1.0
    d = np.empty(len(ends))
    distances(ends, lon, lat, radius, d, *grid)
    d0 = d[:m]
    d1[ask] = d[m:]
    s = np.sqrt(np.maximum(sigma0, sigma1) ** 2 + sigma_boundary_m**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = np.minimum(Z95 * s * path_m / np.maximum(d0 + d1, 1e-9), MAX_HALF_WIDTH_M)
    along_min = -np.maximum(frac * path_m, half)
    along_max = np.maximum((1.0 - frac) * path_m, half)
    gap = (time_ns[i1] - time_ns[i0]).astype(np.float64)
    per_m = np.where(path_m > 0, gap / np.where(path_m > 0, path_m, 1.0), 0.0)
    t_min = time_x_ns + np.round(along_min * per_m).astype(np.int64)
    t_max = time_x_ns + np.round(along_max * per_m).astype(np.int64)
    t_min = np.where(path_m > 0, t_min, time_ns[i0])
    t_max = np.where(path_m > 0, t_max, time_ns[i1])
    return Evidence(
        confidence=confidence,
        best=best,
        depth_m=depth,
        sigma_m=np.where(has, row_sigma[rows[np.maximum(best, 0)]], np.nan),
        along_min_m=along_min,
        along_max_m=along_max,
        time_min_ns=np.minimum(t_min, time_ns[i0]),
        time_max_ns=np.maximum(t_max, time_ns[i1]),
    )


@nb.njit(cache=True, nogil=True)
def _deepest(
    first, stop, lon, lat, row_sigma, rows, n_reports, sb, min_tail, best, depth, d_first,
    x0g, y0g, w, nx, ny, coarse, sub, fine, leaf_ptr, stream, vx, vy,
):  # fmt: skip
    """For each excursion, the report whose depth is least likely under "never
    entered": walked from the crossing on, until that is certain to double precision.
    ``d_first``: the depth of each excursion's first report (the interval needs it)."""
    for k in range(first.shape[0]):
        for r in range(first[k], stop[k]):
            s = row_sigma[rows[r]]
            radius = SEARCH_SIGMAS * (s + sb) + 1.0
            d = nearest_edge_m(
                lon[r], lat[r], radius, x0g, y0g, w, nx, ny, coarse, sub, fine, leaf_ptr,
                stream, vx, vy,
            )  # fmt: skip
            if r == first[k]:
                d_first[k] = d
            p = tail(d, s, sb)
            if p < min_tail[k] or best[k] < 0:
                min_tail[k] = p
                best[k] = r
                depth[k] = d
            if n_reports[k] * min_tail[k] <= SATURATED:
                break
