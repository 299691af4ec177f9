"""The label-index cache: used when intact, rebuilt when damaged, optional."""

from __future__ import annotations

import numpy as np
import shapely

from airwitness.airspace import index_cache as cache
from airwitness.airspace.label_index import LabelIndex

GEOMS = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]
LON = np.array([0.5, 1.5, 3.0])
LAT = np.array([0.5, 0.5, 0.5])


def test_cache_round_trip_and_damage(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRWITNESS_CACHE", str(tmp_path))
    builds = []

    def build():
        builds.append(1)
        return LabelIndex.build(GEOMS)

    first = cache.cached_index("k1", build)
    second = cache.cached_index("k1", build)
    assert len(builds) == 1
    assert second.lookup(LON, LAT).tolist() == first.lookup(LON, LAT).tolist() == [0, 1, -1]
    (entry,) = tmp_path.glob("labelindex-k1.bin")
    blob = bytearray(entry.read_bytes())
    blob[100] ^= 0xFF
    entry.write_bytes(bytes(blob))
    third = cache.cached_index("k1", build)
    assert len(builds) == 2  # damaged entry ignored and replaced
    assert third.lookup(LON, LAT).tolist() == [0, 1, -1]


def test_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRWITNESS_CACHE", "off")
    assert cache.cache_dir() is None
    index = cache.cached_index("k2", lambda: LabelIndex.build(GEOMS))
    assert index.lookup(LON, LAT).tolist() == [0, 1, -1]


def test_key_depends_on_the_data():
    assert cache.cache_key("a" * 64, "code") != cache.cache_key("b" * 64, "code")
    assert cache.cache_key("a" * 64, "code") != cache.cache_key("a" * 64, "other")
