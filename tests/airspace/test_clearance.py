"""clearance: the distance to the nearest boundary edge equals the nearest of all edges."""

from __future__ import annotations

import math

import numpy as np
import shapely

from airwitness.airspace.clearance import M_PER_DEG, boundary_distance_m
from airwitness.airspace.label_index import LabelIndex


def _every_edge_m(geoms, lon, lat, radius):
    """The definition: the nearest of every edge of every ring, in the local frame
    (longitudes scaled by the cosine of the point's latitude), at most ``radius``."""
    rings = [r for g in geoms for p in getattr(g, "geoms", [g])
             for r in [p.exterior, *p.interiors]]  # fmt: skip
    a = np.concatenate([np.asarray(r.coords)[:-1] for r in rings])
    b = np.concatenate([np.asarray(r.coords)[1:] for r in rings])
    out = np.empty(len(lon))
    for k, (x, y) in enumerate(zip(lon, lat, strict=True)):
        kx, ky = M_PER_DEG * math.cos(math.radians(y)), M_PER_DEG
        ax, ay = (a[:, 0] - x) * kx, (a[:, 1] - y) * ky
        ex, ey = (b[:, 0] - a[:, 0]) * kx, (b[:, 1] - a[:, 1]) * ky
        ll = ex * ex + ey * ey
        t = np.clip(-(ax * ex + ay * ey) / np.where(ll > 0, ll, 1.0), 0.0, 1.0)
        out[k] = min(radius[k], float(np.hypot(ax + t * ex, ay + t * ey).min()))
    return out


def test_nearest_edge_is_the_nearest_of_all_edges():
    """Points near and far from a star, a box with a hole and a thin sliver, at
    radii from metres to tens of kilometres: the grid search (which skips cells
    beyond the radius and edges whose box is further than the best so far) finds
    the nearest edge of all."""
    star = shapely.Polygon(
        [(20 + (0.5 if k % 2 else 0.2) * math.cos(k * math.pi / 20),
          45 + (0.5 if k % 2 else 0.2) * math.sin(k * math.pi / 20)) for k in range(40)]
    )  # fmt: skip
    holed = shapely.box(21.0, 44.0, 22.0, 45.0).difference(shapely.box(21.4, 44.4, 21.6, 44.6))
    sliver = shapely.Polygon([(19.0, 44.0), (19.5, 44.001), (19.0, 44.002)])
    geoms = [star, holed, sliver]
    index = LabelIndex.build(geoms)
    rng = np.random.default_rng(21)
    lon = rng.uniform(18.8, 22.2, 3_000)
    lat = rng.uniform(43.8, 45.7, 3_000)
    radius = rng.choice([50.0, 2_000.0, 30_000.0], 3_000)
    got = boundary_distance_m(index, lon, lat, radius)
    want = _every_edge_m(geoms, lon, lat, radius)
    assert np.allclose(got, want, rtol=1e-12, atol=1e-9)
    assert 300 < (got < radius).sum() < 2_900  # both: edges within reach, and none
