"""Real recorded flights through the whole pipeline, checked against a slow reference.

The reference is independent of the kernel and of the boundary intersection:
it walks every great-circle path between consecutive reports in steps of at
most 20 m (0.1 m where the path comes within 50 m of a boundary: the OSM border
has corners a path can clip for a metre or two), labels every step with plain
shapely ``contains_xy`` against the built-in polygons, and notes each change of
label.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from airwitness.airspace import Airspace
from airwitness.geodesy import haversine_m, slerp
from airwitness.pipeline import run_crossings
from airwitness.times import rows_ns

DATA = Path(__file__).resolve().parents[2] / "examples" / "traffic"
STEP_M = 20.0
NEAR_STEP_M = 0.1
NEAR_M = 50.0
# Crossings follow the great circle by chords that depart from it by < 2 m; where a
# path meets a border at a grazing angle that moves the crossing several metres along it.
CHORD_M = 10.0


def reference_crossings(
    table, sky: Airspace
) -> list[tuple[str, int, str, str, float, float, float]]:
    """(track, segment, from, to, lon, lat, the step used) of each change of label."""
    lon = table["lon"].to_numpy()
    lat = table["lat"].to_numpy()
    ids = table["track_id"].to_pylist()
    seg = table["segment"].to_numpy()
    box = shapely.box(lon.min() - 1, lat.min() - 1, lon.max() + 1, lat.max() + 1)
    geoms = np.asarray(sky.boundaries.geoms)
    near = np.flatnonzero(shapely.intersects(geoms, box))
    for g in geoms[near]:
        shapely.prepare(g)
    names = [sky.boundaries.codes[i] for i in near]
    edges = shapely.union_all(shapely.boundary(geoms[near]))
    shapely.prepare(edges)
    near_deg = NEAR_M / 111_000.0 / np.cos(np.radians(np.abs(lat).max()))

    def labels(x, y):
        out = np.full(len(x), "INTL", dtype=object)
        for g, name in zip(geoms[near], names, strict=True):
            inside = shapely.contains_xy(g, x, y)
            out[inside & (out == "INTL")] = name
        return out

    found = []
    for i in range(len(lon) - 1):
        if ids[i] != ids[i + 1] or seg[i] != seg[i + 1]:
            continue
        d = float(haversine_m(lon[i], lat[i], lon[i + 1], lat[i + 1]))
        chord = shapely.LineString([(lon[i], lat[i]), (lon[i + 1], lat[i + 1])])
        step = NEAR_STEP_M if shapely.dwithin(edges, chord, near_deg) else STEP_M
        n = max(2, int(np.ceil(d / step)) + 1)
        x, y = slerp(lon[i], lat[i], lon[i + 1], lat[i + 1], np.linspace(0.0, 1.0, n))
        lab = labels(x, y)
        for k in np.flatnonzero(lab[1:] != lab[:-1]):
            found.append((ids[i], int(seg[i]), lab[k], lab[k + 1], x[k], y[k], step))
    return found


@pytest.mark.parametrize("boundary_set", ["osm", "ne10m"])
@pytest.mark.parametrize(
    "name",
    [
        "alto_adige.json.gz",
        "franconia.json.gz",
        "mecsek_mountains.json.gz",
        "ign_mercantour.json.gz",
    ],
)
def test_real_flights_match_the_slow_reference(name, boundary_set):
    sky = Airspace.builtin(boundary_set)
    run = run_crossings([DATA / name], sky)
    got = rows_ns(run.crossings)
    want = reference_crossings(run.prepared.table, sky)
    assert len(want) > 0, "sample chosen because it crosses a border"
    assert [(r["track_id"], r["segment"], r["from"], r["to"]) for r in got] == [w[:4] for w in want]
    for r, w in zip(got, want, strict=True):
        assert float(haversine_m(r["lon"], r["lat"], w[4], w[5])) <= 2 * w[6] + CHORD_M


def test_per_path_sums_are_those_of_each_path_alone():
    """Bit for bit, so a track's crossings never depend on the other tracks in the
    input: the engines process tracks in partitions and must agree byte for byte."""
    from airwitness.crossings import _cumsum_within

    rng = np.random.default_rng(5)
    lengths = rng.integers(1, 40, 3000)
    x = rng.normal(0, 1e3, lengths.sum()) * rng.choice([1e-6, 1.0, 1e6], lengths.sum())
    first = np.zeros(len(x), dtype=bool)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    first[starts] = True
    got = _cumsum_within(x, first)
    for a, n in zip(starts, lengths, strict=True):
        assert np.array_equal(got[a : a + n], np.cumsum(x[a : a + n]))
