"""Shared checks of the label index against its definition, shapely's point-in-polygon."""

from __future__ import annotations

import numpy as np
import shapely

from airwitness.airspace.label_index import LabelIndex, reference_lookup
from airwitness.airspace.point_lookup import wrap_lon


def label(geoms, lon, lat) -> list[int]:
    idx = LabelIndex.build(geoms)
    return idx.lookup(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)).tolist()


def on_boundary(geoms, x, y) -> np.ndarray:
    """Points on some geometry's boundary, where shapely says False by definition."""
    hit = np.zeros(len(x), dtype=bool)
    for g in geoms:
        hit |= shapely.intersects_xy(shapely.boundary(g), x, y)
    return hit


def assert_matches_reference(geoms, x, y, *, skip_boundary=True) -> LabelIndex:
    idx = LabelIndex.build(geoms)
    got = idx.lookup(x, y)
    want = reference_lookup(geoms, x, y)
    ok = got == want
    if skip_boundary:
        ok |= on_boundary(geoms, wrap_lon(x), y)
    bad = np.flatnonzero(~ok)
    assert len(bad) == 0, (
        f"{len(bad)} differ, first at ({x[bad[0]]!r}, {y[bad[0]]!r}): "
        f"kernel {got[bad[0]]}, shapely {want[bad[0]]}"
    )
    return idx
