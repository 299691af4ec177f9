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
def clean(track, t, lon, lat, alt, leg, factor, min_speed, outliers, max_gap_s):
    """Reason per report (KEEP, DUPLICATE, SAME_TIME, OUTLIER) and the segment
    number of each kept report (restarting at 0 on each track).

    Arrays are in :func:`sort_order`.

    Duplicates: every report after the first of a run sharing track and time
    (DUPLICATE when its position equals the run's first, else SAME_TIME).
    Outliers (``tracks.OutlierRule``): judged all at once on the de-duplicated
    sequence. Segments: a new one after a gap longer than ``max_gap_s`` or at
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
        _mark_outliers(reason, track, t, lon, lat, factor, min_speed)

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
def _mark_outliers(reason, track, t, lon, lat, factor, min_speed):
    """Report i is an outlier when the speeds from i−1 and to i+1 both exceed
    max(factor × the speed from i−1 to i+1, min_speed)."""
    rows = np.flatnonzero(reason == KEEP)
    m = rows.shape[0]
    if m < 3:
        return
    rad = math.pi / 180.0
    coslat = np.empty(m)
    for u in range(m):
        coslat[u] = math.cos(lat[rows[u]] * rad)
    outlier = np.zeros(m, dtype=np.bool_)
    d_next = np.zeros(m)  # distance from each report to the next of its track
    for u in range(m - 1):
        r = rows[u]
        rn = rows[u + 1]
        if track[r] == track[rn]:
            d_next[u] = _arc(lon[r], lat[r], coslat[u], lon[rn], lat[rn], coslat[u + 1])
    for u in range(1, m - 1):
        r = rows[u]
        rp = rows[u - 1]
        rn = rows[u + 1]
        if track[rp] != track[r] or track[rn] != track[r]:
            continue
        v_in = d_next[u - 1] / max((t[r] - t[rp]) / 1e9, 1e-9)
        v_out = d_next[u] / max((t[rn] - t[r]) / 1e9, 1e-9)
        if v_in <= min_speed or v_out <= min_speed:  # the limit is at least min_speed
            continue
        d_direct = _arc(lon[rp], lat[rp], coslat[u - 1], lon[rn], lat[rn], coslat[u + 1])
        limit = max(factor * d_direct / max((t[rn] - t[rp]) / 1e9, 1e-9), min_speed)
        outlier[u] = v_in > limit and v_out > limit
    for u in range(1, m - 1):
        if outlier[u]:
            reason[rows[u]] = OUTLIER


@nb.njit(cache=True, nogil=True, inline="always")
def _arc(lon0, lat0, cos0, lon1, lat1, cos1):
    """Great-circle distance in metres (haversine, as ``geodesy.haversine_m``)."""
    rad = math.pi / 180.0
    s_lat = math.sin((lat1 - lat0) * rad / 2)
    s_lon = math.sin((lon1 - lon0) * rad / 2)
    a = s_lat * s_lat + cos0 * cos1 * s_lon * s_lon
    a = min(max(a, 0.0), 1.0)
    return EARTH_RADIUS_M * 2.0 * math.asin(math.sqrt(a))
