"""track_kernels: the compiled sort equals numpy's lexsort, the outlier rule its definition."""

from __future__ import annotations

import numpy as np
import pytest

from airwitness import track_kernels
from airwitness.geodesy import haversine_m


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
    """ARCHITECTURE §4, literally: one track, all interior reports judged at once."""
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
        np.zeros(n, dtype=bool), 2.0, 50.0, True, 1800.0,
    )  # fmt: skip
    expected = _reference_outliers(lon, lat, t_ns / 1e9)
    assert expected.sum() >= 30
    assert np.array_equal(reason == track_kernels.OUTLIER, expected)
    assert len(segment) == n - expected.sum()
