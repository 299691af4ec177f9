"""track_kernels: the compiled sort equals numpy's lexsort, the outlier rule its definition."""

from __future__ import annotations

import math

import numba as nb
import numpy as np
import pytest

from airwitness import track_kernels
from airwitness.geodesy import haversine_m
from airwitness.track_kernels import _arc


@pytest.mark.parametrize("presorted", [True, False])
def test_sort_order_equals_lexsort_with_ties(presorted):
    rng = np.random.default_rng(3)
    n = 20_000
    track = rng.integers(0, 300, n)
    t = rng.integers(0, 50, n) * 1_000_000_000  # many equal times
    file = rng.integers(0, 3, n)
    record = rng.permutation(n)
    if presorted:  # sorted by time within each file, as real captures come
        by_time = np.lexsort((record, t, file))
        track, t, file, record = track[by_time], t[by_time], file[by_time], record[by_time]
    expected = np.lexsort((record, file, t, track))
    got = track_kernels.sort_order(track, 300, t, file, record)
    assert np.array_equal(got, expected)


def test_sort_order_keeps_input_order_of_identical_keys():
    track = np.array([1, 0, 1, 0, 1])
    same = np.zeros(5, dtype=np.int64)
    assert track_kernels.sort_order(track, 2, same, same, same).tolist() == [1, 3, 0, 2, 4]


def _reference_outliers(lon, lat, t_s, factor=2.0, min_speed=50.0):
    """docs/architecture.md §4, literally: one track, all interior reports judged at once."""
    out = np.zeros(len(lon), dtype=bool)
    for i in range(1, len(lon) - 1):
        v_in = haversine_m(lon[i - 1], lat[i - 1], lon[i], lat[i]) / (t_s[i] - t_s[i - 1])
        v_out = haversine_m(lon[i], lat[i], lon[i + 1], lat[i + 1]) / (t_s[i + 1] - t_s[i])
        v = haversine_m(lon[i - 1], lat[i - 1], lon[i + 1], lat[i + 1]) / (t_s[i + 1] - t_s[i - 1])
        limit = max(factor * v, min_speed)
        out[i] = v_in > limit and v_out > limit
    return out


def test_outliers_match_the_rule_on_a_noisy_track():
    rng = np.random.default_rng(5)
    n = 2_000
    t_s = np.cumsum(rng.uniform(1, 10, n))
    lon = 20 + np.cumsum(rng.normal(0.002, 0.0005, n))
    lat = 45 + np.cumsum(rng.normal(0.001, 0.0005, n))
    jumps = rng.choice(np.arange(1, n - 1), 40, replace=False)
    lon[jumps] += rng.choice([-1, 1], 40) * rng.uniform(0.01, 0.5, 40)
    t_ns = np.round(t_s * 1e9).astype(np.int64)
    reason, segment = track_kernels.clean(
        np.zeros(n, dtype=np.int64), t_ns, lon, lat, np.full(n, np.nan),
        np.zeros(n, dtype=bool), np.arange(n), np.full(n, 10.0), 2.0, 50.0, 5.0, True, 1800.0,
    )  # fmt: skip
    expected = _reference_outliers(lon, lat, t_ns / 1e9)
    assert expected.sum() >= 30
    assert np.array_equal(reason == track_kernels.OUTLIER, expected)
    assert len(segment) == n - expected.sum()


@nb.njit(cache=True)
def _every_distance_outliers(t, lon, lat, factor, min_speed):
    """The rule with every haversine computed (the kernel before its bounds)."""
    m = t.shape[0]
    rad = math.pi / 180.0
    cos = np.cos(lat * rad)
    out = np.zeros(m, dtype=np.bool_)
    for u in range(1, m - 1):
        a, b, c = u - 1, u, u + 1
        v_in = _arc(lon[a], lat[a], cos[a], lon[b], lat[b], cos[b]) / max((t[b] - t[a]) / 1e9, 1e-9)
        v_out = _arc(lon[b], lat[b], cos[b], lon[c], lat[c], cos[c]) / max(
            (t[c] - t[b]) / 1e9, 1e-9
        )
        if v_in <= min_speed or v_out <= min_speed:
            continue
        d = _arc(lon[a], lat[a], cos[a], lon[c], lat[c], cos[c])
        limit = max(factor * d / max((t[c] - t[a]) / 1e9, 1e-9), min_speed)
        out[u] = v_in > limit and v_out > limit
    return out


def _kernel_outliers(track, t, lon, lat, factor, min_speed):
    reason = np.zeros(len(t), dtype=np.int8)
    track_kernels._mark_outliers(reason, track, t, lon, lat, factor, min_speed)
    return reason == track_kernels.OUTLIER


def _triple(lon0, lat0, lon2, lat2, dlon, dlat, dt, h):
    """Three reports: the middle one pushed off the midpoint by ``h`` along (dlon, dlat)."""
    lon = np.array([lon0, (lon0 + lon2) / 2 + h * dlon, lon2])
    lat = np.array([lat0, (lat0 + lat2) / 2 + h * dlat, lat2])
    return lon, lat, np.array([0, dt[0], dt[0] + dt[1]], dtype=np.int64)


def _is_outlier(h, *args, factor, min_speed):
    lon, lat, t = _triple(*args, h=h)
    return bool(_every_distance_outliers(t, lon, lat, factor, min_speed)[1])


def _boundary(lo, hi, *args, factor, min_speed):
    """The float h where the middle report turns into an outlier (bisection)."""
    while np.nextafter(lo, hi) != hi:
        mid = lo + (hi - lo) / 2
        if mid in (lo, hi):
            break
        if _is_outlier(mid, *args, factor=factor, min_speed=min_speed):
            hi = mid
        else:
            lo = mid
    return hi


@pytest.mark.parametrize("factor, min_speed", [(2.0, 50.0), (3.0, 0.0), (1.5, 200.0)])
def test_outlier_bounds_decide_exactly_as_every_haversine(factor, min_speed):
    """Tracks of three reports placed on the decision boundary (found by
    bisection on the rule with every distance), a few ulps either side, and
    in awkward places: across the antimeridian, near a pole, huge jumps,
    repeated positions and times."""
    rng = np.random.default_rng(11)
    lons, lats, times = [], [], []
    kw = {"factor": factor, "min_speed": min_speed}
    for k in range(120):
        lat0 = rng.uniform(-85, 85) if k % 10 else rng.uniform(88.5, 89.5)
        lon0 = rng.uniform(-180, 180) if k % 7 else 179.99
        step = rng.choice([1e-4, 1e-2, 0.3, 40.0])
        lon2 = lon0 + rng.normal(0, step)
        lon2 = lon2 - 360 if lon2 > 180 else lon2
        lat2 = float(np.clip(lat0 + rng.normal(0, step), -89.9, 89.9))
        dlon, dlat = rng.normal(size=2)
        dt = rng.integers(0, 20_000_000_000, 2) if k % 13 else np.array([0, 10**10])
        args = (lon0, lat0, lon2, lat2, dlon, dlat, dt)
        hi = 1e-9
        while not _is_outlier(hi, *args, **kw) and hi < 100:
            hi *= 4
        h = _boundary(0.0, hi, *args, **kw) if hi < 100 else 0.0
        for off in (-3, -1, 0, 1, 3):
            hk = h + off * np.spacing(max(h, 1e-300))
            lon, lat, t = _triple(*args, h=max(hk, 0.0))
            lons.append(lon)
            lats.append(lat)
            times.append(t + len(times) * 10**12)
    lon, lat, t = np.concatenate(lons), np.concatenate(lats), np.concatenate(times)
    track = np.repeat(np.arange(len(lons)), 3)
    lon = np.where(lon > 180, lon - 360, np.where(lon < -180, lon + 360, lon))
    expected = np.concatenate(
        [_every_distance_outliers(t[i : i + 3], lon[i : i + 3], lat[i : i + 3], factor, min_speed)
         for i in range(0, len(t), 3)]
    )  # fmt: skip
    got = _kernel_outliers(track, t, lon, lat, factor, min_speed)
    assert 100 < expected.sum() < len(lons)  # both outcomes, many on the edge
    assert np.array_equal(got, expected)


def test_outlier_bounds_on_long_noisy_tracks():
    rng = np.random.default_rng(12)
    n = 50_000
    track = np.repeat(np.arange(50), n // 50)
    t = np.cumsum(rng.integers(0, 12_000_000_000, n))
    lon = np.clip(10 + np.cumsum(rng.normal(0, 0.01, n)), -180, 180)
    lat = np.clip(45 + np.cumsum(rng.normal(0, 0.01, n)), -90, 90)
    jumps = rng.random(n) < 0.02
    lat[jumps] += rng.normal(0, 0.5, jumps.sum())
    lat = np.clip(lat, -90, 90)
    for factor, min_speed in [(2.0, 50.0), (1.0, 0.0)]:
        expected = np.concatenate(
            [_every_distance_outliers(t[track == k], lon[track == k], lat[track == k],
                                      factor, min_speed) for k in range(50)]
        )  # fmt: skip
        got = _kernel_outliers(track, t, lon, lat, factor, min_speed)
        assert expected.sum() > 500
        assert np.array_equal(got, expected)


def test_outliers_are_judged_on_the_kept_reports_only():
    """Reports already removed (duplicates) are not neighbours: the rule runs on
    the rest, as if they were not there, and they keep their reason."""
    rng = np.random.default_rng(13)
    n = 30_000
    track = np.repeat(np.arange(30), n // 30)
    t = np.cumsum(rng.integers(1, 12_000_000_000, n))
    lon = 10 + np.cumsum(rng.normal(0, 0.01, n))
    lat = 45 + np.cumsum(rng.normal(0, 0.01, n))
    jumps = rng.random(n) < 0.03
    lat[jumps] += rng.normal(0, 0.5, jumps.sum())
    removed = rng.random(n) < 0.1
    reason = np.where(removed, track_kernels.DUPLICATE, track_kernels.KEEP).astype(np.int8)
    track_kernels._mark_outliers(reason, track, t, lon, lat, 2.0, 50.0)
    kept = ~removed
    expected = np.concatenate(
        [_every_distance_outliers(t[kept & (track == k)], lon[kept & (track == k)],
                                  lat[kept & (track == k)], 2.0, 50.0) for k in range(30)]
    )  # fmt: skip
    assert expected.sum() > 300
    assert np.array_equal(reason[kept] == track_kernels.OUTLIER, expected)
    assert (reason[removed] == track_kernels.DUPLICATE).all()


def test_cosine_bounds_hold_the_cosine_tightly():
    """The outlier bounds use brackets of each latitude's cosine, not the
    cosine: they must contain it (else a decision could differ from the
    haversine's), and be tight enough to decide nearly everything."""
    rng = np.random.default_rng(2)
    lats = np.concatenate(
        [rng.uniform(-90, 90, 200_000), [-90.0, -89.999999, -45.0, 0.0, 1e-300, 60.0, 90.0]]
    )
    for lat in lats:
        lo, hi = track_kernels._cos_bounds(lat)
        exact = math.cos(lat * math.pi / 180.0)
        assert lo <= exact <= hi
        assert hi - lo < 1e-10
    assert track_kernels._cos_bounds(90.5) == (-1.0, 1.0)
    assert track_kernels._cos_bounds(float("nan")) == (-1.0, 1.0)
