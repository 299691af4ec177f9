"""The compiled loops behind :func:`airwitness.tracks.prepare_tracks`.

One pass each, over plain arrays: order the reports by track then time, mark
duplicates and outliers, number segments. Keys arrive as integer ranks
(strings were ranked beforehand), so nothing here touches text.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from airwitness.geodesy import EARTH_RADIUS_M

KEEP = 0
DUPLICATE = 1
SAME_TIME = 2
OUTLIER = 3


@nb.njit(cache=True, nogil=True)
def sort_order(track, n_tracks, t, file, record):
    """Rows in (track, time, file, record) order; ties keep input order.

    A stable counting sort by track, then each track's rows are checked and,
    only where they are not in order already, sorted by time (stable) with
    ties put in (file, record) order. Inputs are usually time-sorted per
    source, so most tracks need no sort at all.
    """
    n = track.shape[0]
    start = np.zeros(n_tracks + 1, dtype=np.int64)
    for i in range(n):
        start[track[i] + 1] += 1
    for k in range(n_tracks):
        start[k + 1] += start[k]
    pos = start[:-1].copy()
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        k = track[i]
        order[pos[k]] = i
        pos[k] += 1
    for k in range(n_tracks):
        a = start[k]
        b = start[k + 1]
        for j in range(a + 1, b):
            if _after(order[j - 1], order[j], t, file, record):
                _sort_track(order, a, b, t, file, record)
                break
    return order


@nb.njit(cache=True, nogil=True)
def gather(order, track, t, lon, lat, alt, leg):
    """The columns' rows ``order`` (one pass for all, instead of one per column)."""
    n = order.shape[0]
    o_track = np.empty(n, dtype=track.dtype)
    o_t = np.empty(n, dtype=t.dtype)
    o_lon = np.empty(n)
    o_lat = np.empty(n)
    o_alt = np.empty(n)
    o_leg = np.empty(n, dtype=np.bool_)
    for i in range(n):
        r = order[i]
        o_track[i] = track[r]
        o_t[i] = t[r]
        o_lon[i] = lon[r]
        o_lat[i] = lat[r]
        o_alt[i] = alt[r]
        o_leg[i] = leg[r]
    return o_track, o_t, o_lon, o_lat, o_alt, o_leg


@nb.njit(cache=True, nogil=True, inline="always")
def _after(r, s, t, file, record):
    """Row r sorts strictly after row s."""
    if t[r] != t[s]:
        return t[r] > t[s]
    if file[r] != file[s]:
        return file[r] > file[s]
    return record[r] > record[s]


@nb.njit(cache=True, nogil=True)
def _sort_track(order, a, b, t, file, record):
    rows = order[a:b].copy()
    rows = rows[np.argsort(t[rows], kind="mergesort")]
    j = 0
    m = rows.shape[0]
    while j < m:  # runs of equal times: insertion sort by (file, record), stable
        e = j + 1
        while e < m and t[rows[e]] == t[rows[j]]:
            e += 1
        for u in range(j + 1, e):
            r = rows[u]
            v = u - 1
            while v >= j and _after(rows[v], r, t, file, record):
                rows[v + 1] = rows[v]
                v -= 1
            rows[v + 1] = r
        j = e
    order[a:b] = rows


@nb.njit(cache=True, nogil=True)
def clean(
    track, t, lon, lat, alt, leg, order, sigma, factor, min_speed, sigma_factor, outliers,
    max_gap_s,
):  # fmt: skip
    """Reason per report (KEEP, DUPLICATE, SAME_TIME, OUTLIER) and the segment
    number of each kept report (restarting at 0 on each track).

    Arrays are in :func:`sort_order` ``order``, except ``sigma``, which is per input
    row (it matters only for the few outliers, so it is not gathered).

    Duplicates: every report after the first of a run sharing track and time
    (DUPLICATE when its position equals the run's first, else SAME_TIME).
    Outliers (``tracks.OutlierRule``): judged all at once on the de-duplicated
    sequence; a jump the reports' stated errors explain (``sigma``, ``sigma_factor``)
    is noise, not an outlier. Segments: a new one after a gap longer than ``max_gap_s`` or at
    a source-declared leg start.
    """
    n = track.shape[0]
    reason = np.zeros(n, dtype=np.int8)
    f = 0
    for r in range(1, n):
        if track[r] == track[r - 1] and t[r] == t[r - 1]:
            same_alt = alt[r] == alt[f] or (math.isnan(alt[r]) and math.isnan(alt[f]))
            exact = lon[r] == lon[f] and lat[r] == lat[f] and same_alt
            reason[r] = DUPLICATE if exact else SAME_TIME
        else:
            f = r
    if outliers:
        found = _mark_outliers(reason, track, t, lon, lat, factor, min_speed)
        if found and sigma_factor > 0.0:
            _pardon_noise(reason, t, lon, lat, order, sigma, sigma_factor)

    segment = np.empty(n, dtype=np.int32)
    kept = 0
    prev = -1
    s = 0
    for r in range(n):
        if reason[r] != KEEP:
            continue
        if prev < 0 or track[r] != track[prev]:
            s = 0
        elif (t[r] - t[prev]) > max_gap_s * 1e9 or leg[r]:
            s += 1
        segment[kept] = s
        kept += 1
        prev = r
    return reason, segment[:kept].copy()


@nb.njit(cache=True, nogil=True)
def kept_reports(reason, segment, order, track, t, lon, lat, alt):
    """The kept reports, in one pass: their input rows (``order``'s), their values
    (the other arrays are in :func:`sort_order` order, as :func:`clean` takes them),
    per kept report how many reports its segment has (the N of the confidence) and
    whether it starts a track segment, and how many tracks have kept reports.

    A segment's reports are its kept ones and every report cleaning rejected
    between two of them, in :func:`sort_order` order (``reason`` is in that order;
    ``segment`` is :func:`clean`'s, per kept report). A report rejected before a
    segment's first kept report or after its last belongs to none: it cannot be
    part of that segment's path.
    """
    m = segment.shape[0]
    rows = np.empty(m, dtype=order.dtype)
    k_track = np.empty(m, dtype=track.dtype)
    k_t = np.empty(m, dtype=t.dtype)
    k_lon = np.empty(m)
    k_lat = np.empty(m)
    k_alt = np.empty(m)
    size = np.empty(m, dtype=np.int64)
    new_run = np.empty(m, dtype=np.bool_)
    tracks = 0
    k = -1
    start = 0  # the current segment's first kept report
    pending = 0  # reports rejected since the last kept one
    for r in range(reason.shape[0]):
        if reason[r] != KEEP:
            pending += 1
            continue
        k += 1
        rows[k] = order[r]
        k_track[k] = track[r]
        k_t[k] = t[r]
        k_lon[k] = lon[r]
        k_lat[k] = lat[r]
        k_alt[k] = alt[r]
        same_track = k > 0 and track[r] == k_track[k - 1]
        tracks += not same_track
        new_run[k] = not (same_track and segment[k] == segment[k - 1])
        if not new_run[k]:
            size[start] += pending + 1
        else:  # a new segment: the last one's size to all its reports
            for j in range(start + 1, k):
                size[j] = size[start]
            start = k
            size[start] = 1
        pending = 0
    for j in range(start + 1, k + 1):
        size[j] = size[start]
    return rows, k_track, k_t, k_lon, k_lat, k_alt, size, new_run, tracks


_M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0

#: relative width added to the bounds of squared distances: far above the
#: rounding of the haversine and of the comparisons (~1e-15), far below any
#: decision that matters
_SLACK = 4e-9
#: 1/(2k)! for k = 0…8: Taylor coefficients of the cosine, in x²
_INV_FACT = tuple(1.0 / math.factorial(2 * k) for k in range(9))
#: above the rounding of evaluating the cosine's Taylor polynomial on |x| ≤ π/2
#: (terms below 1.3, eight steps of ~1.1e-16 each)
_POLY_ROUNDING = 1e-14


@nb.njit(cache=True, nogil=True)
def _mark_outliers(reason, track, t, lon, lat, factor, min_speed):
    """Report i is an outlier when the speeds from i−1 and to i+1 both exceed
    max(factor × the speed from i−1 to i+1, min_speed).

    Decided on cheap bounds of the squared distances (:func:`_arc2_bounds`:
    no trigonometry, no square root) wherever they settle the question,
    which is almost always; otherwise on the haversine itself
    (:func:`_exact_outlier`), so the outcome is exactly that of computing
    every distance. The bounds and the verdicts are whole-array loops without
    branches (the compiler runs them several reports at a time); only the
    reports they leave open go on, one by one."""
    rows, m = _kept_rows(reason)
    if m < 3:
        return 0
    every = m == reason.shape[0]  # nothing removed yet (the usual case): no copies
    if every:
        k_track, k_t, k_lon, k_lat = track, t, lon, lat
    else:
        k_track, k_t, k_lon, k_lat = track[rows], t[rows], lon[rows], lat[rows]
    cos_lo = np.empty(m)  # bounds of the cosine of each latitude
    cos_hi = np.empty(m)
    for u in range(m):
        cos_lo[u], cos_hi[u] = _cos_bounds(k_lat[u])
    lo2 = np.empty(m)  # bounds of the squared distance from each report to the next
    hi2 = np.empty(m)
    for u in range(m - 1):
        lo2[u], hi2[u] = _arc2_bounds(
            k_lon[u], k_lat[u], k_lon[u + 1], k_lat[u + 1],
            cos_lo[u], cos_hi[u], cos_lo[u + 1], cos_hi[u + 1],
        )  # fmt: skip
    verdict = np.zeros(m, dtype=np.int8)  # 0 not an outlier, 1 an outlier, 2 open
    f2 = factor * factor
    m2 = min_speed * min_speed
    for u in range(1, m - 1):
        dt_in = max((k_t[u] - k_t[u - 1]) * 1e-9, 1e-9)
        dt_out = max((k_t[u + 1] - k_t[u]) * 1e-9, 1e-9)
        dt_direct = max((k_t[u + 1] - k_t[u - 1]) * 1e-9, 1e-9)
        din2 = dt_in * dt_in
        dout2 = dt_out * dt_out
        ddir2 = dt_direct * dt_direct
        d_lo2, d_hi2 = _arc2_bounds(
            k_lon[u - 1], k_lat[u - 1], k_lon[u + 1], k_lat[u + 1],
            cos_lo[u - 1], cos_hi[u - 1], cos_lo[u + 1], cos_hi[u + 1],
        )  # fmt: skip
        one_track = (k_track[u - 1] == k_track[u]) & (k_track[u + 1] == k_track[u])
        # a speed at most min_speed: not an outlier
        slow = (hi2[u - 1] <= m2 * din2) | (hi2[u] <= m2 * dout2)
        fast = (lo2[u - 1] > m2 * din2) & (lo2[u] > m2 * dout2)
        # a speed at most factor × the direct speed: not an outlier
        direct = (hi2[u - 1] * ddir2 <= f2 * d_lo2 * din2) | (hi2[u] * ddir2 <= f2 * d_lo2 * dout2)
        beyond = (lo2[u - 1] * ddir2 > f2 * d_hi2 * din2) & (lo2[u] * ddir2 > f2 * d_hi2 * dout2)
        judged = one_track & ~slow & ~(fast & direct)
        verdict[u] = (1 if fast & beyond else 2) if judged else 0
    found = 0
    for u in range(1, m - 1):
        if verdict[u] == 0:
            continue
        r, rp, rn = (u, u - 1, u + 1) if every else (rows[u], rows[u - 1], rows[u + 1])
        if verdict[u] == 1 or _exact_outlier(t, lon, lat, rp, r, rn, factor, min_speed):
            reason[r] = OUTLIER
            found += 1
    return found


@nb.njit(cache=True, nogil=True)
def _kept_rows(reason):
    """The rows whose reason is KEEP (none listed when all are), and how many."""
    removed = 0
    for r in range(reason.shape[0]):
        removed += reason[r] != KEEP
    if removed == 0:
        return np.zeros(0, dtype=np.int64), reason.shape[0]
    rows = np.empty(reason.shape[0] - removed, dtype=np.int64)
    m = 0
    for r in range(reason.shape[0]):
        if reason[r] == KEEP:
            rows[m] = r
            m += 1
    return rows, m


@nb.njit(cache=True, nogil=True)
def _pardon_noise(reason, t, lon, lat, order, sigma, sigma_factor):
    """Keep an outlier whose departure from its neighbours their stated errors explain.

    The departure is the distance from report i to where i−1 and i+1, interpolated
    in time, put it; its error, for circular errors of per-axis σ, has the per-axis
    σ_c = √(σ_i² + (1−a)² σ_{i−1}² + a² σ_{i+1}²) (a the time fraction of i). Within
    ``sigma_factor`` × σ_c it is noise: the report is kept.
    """
    rows = np.flatnonzero((reason == KEEP) | (reason == OUTLIER))
    for u in range(1, rows.shape[0] - 1):
        r = rows[u]
        if reason[r] != OUTLIER:
            continue
        rp = rows[u - 1]
        rn = rows[u + 1]
        span = t[rn] - t[rp]
        a = 0.5 if span <= 0 else (t[r] - t[rp]) / span
        x = lon[rp] + a * (((lon[rn] - lon[rp] + 180.0) % 360.0) - 180.0)
        y = lat[rp] + a * (lat[rn] - lat[rp])
        k = math.cos(math.radians(lat[r]))
        dx = (((lon[r] - x + 180.0) % 360.0) - 180.0) * k
        dy = lat[r] - y
        departure = math.sqrt(dx * dx + dy * dy) * _M_PER_DEG
        s, sp, sn = sigma[order[r]], sigma[order[rp]], sigma[order[rn]]
        sc = math.sqrt(s * s + ((1.0 - a) * sp) ** 2 + (a * sn) ** 2)
        if departure <= sigma_factor * sc:
            reason[r] = KEEP


@nb.njit(cache=True, nogil=True)
def _exact_outlier(t, lon, lat, rp, r, rn, factor, min_speed):
    """The rule on haversine distances, for the cases the bounds leave open."""
    rad = math.pi / 180.0
    cos_p = math.cos(lat[rp] * rad)
    cos_r = math.cos(lat[r] * rad)
    cos_n = math.cos(lat[rn] * rad)
    d_in = _arc(lon[rp], lat[rp], cos_p, lon[r], lat[r], cos_r)
    d_out = _arc(lon[r], lat[r], cos_r, lon[rn], lat[rn], cos_n)
    v_in = d_in / max((t[r] - t[rp]) / 1e9, 1e-9)
    v_out = d_out / max((t[rn] - t[r]) / 1e9, 1e-9)
    if v_in <= min_speed or v_out <= min_speed:
        return False
    d_direct = _arc(lon[rp], lat[rp], cos_p, lon[rn], lat[rn], cos_n)
    limit = max(factor * d_direct / max((t[rn] - t[rp]) / 1e9, 1e-9), min_speed)
    return v_in > limit and v_out > limit


@nb.njit(cache=True, nogil=True, inline="always")
def _cos_bounds(lat):
    """Lower and upper bounds of the cosine of ``lat`` (degrees), without
    calling the cosine (a quarter of the cleaning's time at 100 M reports).

    The Taylor series of cos x alternates, so for every real x its partial
    sum up to x¹⁴/14! lies below cos x and the next one, up to x¹⁶/16!,
    above: on |x| ≤ π/2 they are less than 7e-11 apart. Out of [−90, 90]
    (readers reject those) the bounds are −1 and 1.
    """
    x = lat * (math.pi / 180.0)
    x2 = x * x
    s = 0.0
    for k in range(7, -1, -1):  # Horner, in x², alternating signs
        s = s * x2 + (_INV_FACT[k] if k % 2 == 0 else -_INV_FACT[k])
    top = x2 * x2
    top = top * top
    top = top * top * _INV_FACT[8]  # x¹⁶/16!
    valid = -90.0 <= lat <= 90.0  # else :func:`_arc2_bounds` leaves the decision open
    lo = max(s - _POLY_ROUNDING, 0.0) if valid else -1.0
    return lo, min(s + top + _POLY_ROUNDING, 1.0) if valid else 1.0


@nb.njit(cache=True, nogil=True, inline="always")
def _arc2_bounds(lon0, lat0, lon1, lat1, cos_lo0, cos_hi0, cos_lo1, cos_hi1):
    """Lower and upper bounds of the square of :func:`_arc` between two
    points, from bounds of the cosines of their latitudes (:func:`_cos_bounds`).

    With y half the latitude or longitude difference: y²(1 − y²/3) ≤ sin²y ≤
    y² for |y| ≤ π/2, and x² ≤ asin²x ≤ x²/(1 − x²) ≤ x²(1 + 4x²/3) for
    x² ≤ 1/4. Outside that range, or across the antimeridian (where the
    haversine's own argument is off by rounding near ±π), the bounds are
    0 and infinity: the caller decides on the haversine.
    """
    rad = math.pi / 180.0
    dlon = lon1 - lon0
    y1 = (lat1 - lat0) * rad / 2
    y2 = dlon * rad / 2
    hi = y1 * y1 + cos_hi0 * cos_hi1 * y2 * y2
    lo = y1 * y1 * (1.0 - y1 * y1 / 3.0) + cos_lo0 * cos_lo1 * y2 * y2 * (1.0 - y2 * y2 / 3.0)
    four_r2 = 4.0 * EARTH_RADIUS_M * EARTH_RADIUS_M
    lo = four_r2 * max(lo, 0.0) * (1.0 - _SLACK)
    hi_bound = four_r2 * hi * (1.0 + 4.0 * hi / 3.0) * (1.0 + _SLACK)
    # no branch: the loops that call this run several pairs at a time
    open_ = (hi >= 0.25) | (cos_lo0 < 0.0) | (cos_lo1 < 0.0) | (dlon > 180.0) | (dlon < -180.0)
    open_ |= hi != hi  # NaN: the haversine decides (as it did before the bounds)
    return (0.0 if open_ else lo), (math.inf if open_ else hi_bound)


@nb.njit(cache=True, nogil=True, inline="always")
def _arc(lon0, lat0, cos0, lon1, lat1, cos1):
    """Great-circle distance in metres (haversine, as ``geodesy.haversine_m``)."""
    rad = math.pi / 180.0
    s_lat = math.sin((lat1 - lat0) * rad / 2)
    s_lon = math.sin((lon1 - lon0) * rad / 2)
    a = s_lat * s_lat + cos0 * cos1 * s_lon * s_lon
    a = min(max(a, 0.0), 1.0)
    return EARTH_RADIUS_M * 2.0 * math.asin(math.sqrt(a))
