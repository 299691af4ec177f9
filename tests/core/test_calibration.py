"""The confidence's guarantee, tested on tracks whose truth is known.

``scripts/generate_calibration.py`` (seeded) draws tracks near a straight border that
never enter ``BBB`` (parallel at 0.5–300 m, or approaching and turning back), that
cross to a depth of 0.25–10 combined σ, and deep ones; errors of 5–300 m, independent
or drifting; the border exact or itself off by σ_b = 50 m. The guarantee: among
tracks that never entered, at most a fraction 1 − c show a crossing into ``BBB`` at
confidence c or more. Checked at c = 0.5, 0.9 and 0.99 with a binomial margin of
three standard deviations; deep crossings must reach 0.99.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from airwitness.airspace import Airspace
from airwitness.crossings import find_crossings
from airwitness.schema import make_table
from airwitness.tracks import prepare_tracks

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "generate_calibration.py"
_spec = importlib.util.spec_from_file_location("generate_calibration", SCRIPT)
gen = importlib.util.module_from_spec(_spec)
sys.modules["generate_calibration"] = gen  # its dataclasses look their module up
_spec.loader.exec_module(gen)


@pytest.fixture(scope="module")
def confidences() -> tuple[dict[str, float], list]:
    """The highest confidence of a crossing into BBB of every calibration track."""
    table, recipes = gen.calibration(seed=16, per_case=6)
    sky = gen.calibration_sky()
    best: dict[str, float] = {}
    ids = np.asarray(table["track_id"].to_pylist(), dtype=object)
    for sb in gen.BOUNDARY_SIGMAS_M:
        wanted = {gen.track_id(i, c) for i, c in enumerate(recipes) if c.boundary_sigma_m == sb}
        part = table.filter(pa.array([i in wanted for i in ids]))
        canon = make_table(
            {**{k: part[k] for k in part.column_names}, "source_record": np.arange(part.num_rows)},
            source="csv",
            source_file="calibration.csv",
        )
        found = find_crossings(prepare_tracks(canon).table, sky, boundary_sigma_m=sb)
        for tid, to, c in zip(
            found["track_id"].to_pylist(), found["to"].to_pylist(),
            found["confidence"].to_pylist(), strict=True,
        ):  # fmt: skip
            if to == "BBB":
                best[tid] = max(best.get(tid, 0.0), c)
    return best, recipes


@pytest.mark.parametrize("c", [0.5, 0.9, 0.99])
def test_tracks_that_never_entered_are_rarely_sure(confidences, c):
    best, recipes = confidences
    never = [gen.track_id(i, r) for i, r in enumerate(recipes) if r.kind.startswith("never")]
    assert len(never) == 2 * 5 * 4 * 2 * 2 * 6  # kinds × distances × σ × σ_b × drift × repeats
    above = sum(best.get(t, 0.0) >= c for t in never)
    allowed = (1 - c) * len(never)
    margin = 3 * math.sqrt(len(never) * (1 - c) * c)
    assert above <= allowed + margin, (above, allowed)


def test_some_never_tracks_do_show_crossings(confidences):
    """The test has teeth: grazing tracks cross the drawn border often, just not surely."""
    best, recipes = confidences
    never = [gen.track_id(i, r) for i, r in enumerate(recipes) if r.kind.startswith("never")]
    assert sum(t in best for t in never) > len(never) // 4


def test_deep_crossings_are_sure(confidences):
    best, recipes = confidences
    deep = [gen.track_id(i, r) for i, r in enumerate(recipes) if r.kind == "deep"]
    assert len(deep) == 4 * 2 * 2 * 6
    assert min(best.get(t, 0.0) for t in deep) >= 0.99


def test_confidence_grows_with_depth(confidences):
    """The power curve: shallow crossings (a quarter S) are seldom sure, crossings of
    six S nearly always (docs/uncertainty.md has the whole curve)."""
    best, recipes = confidences
    by_depth: dict[float, list[float]] = {}
    for i, r in enumerate(recipes):
        if r.kind == "cross":
            by_depth.setdefault(round(r.depth_m / r.s_m, 2), []).append(
                best.get(gen.track_id(i, r), 0.0)
            )
    medians = {k: float(np.median(v)) for k, v in sorted(by_depth.items())}
    assert medians[0.25] < 0.5
    assert medians[6.0] >= 0.99
    values = list(medians.values())
    assert all(b >= a - 0.05 for a, b in itertools.pairwise(values))


@pytest.mark.parametrize(
    ("name", "border_lat"),
    [("osm", 48.999245), ("ne10m", 48.992669)],  # the USA–Canada border at 100° W
)
def test_the_guarantee_along_a_real_border_of_each_built_in_set(name, border_lat):
    """Never-crossing tracks along the 49th parallel, 0.5–300 m south of each set's
    drawn border, against that set's own stated boundary error."""
    sky = Airspace.builtin(name)
    rng = np.random.default_rng(49)
    tables, n_tracks = [], 0
    per_deg_lon = gen.M_PER_DEG * math.cos(math.radians(border_lat))
    for sigma in (5.0, 30.0, 100.0):
        for drifting in (False, True):
            for d in gen.DISTANCES_M:
                for _ in range(4):
                    case = gen.Case("never-parallel", -d, sigma, 0.0, drifting, 2.0)
                    t = np.arange(0.0, gen.DURATION_S + 1, case.step_s)
                    ex, ey = gen._errors(len(t), case, rng)
                    n = len(t)
                    tables.append(
                        make_table(
                            {
                                "track_id": [f"T{n_tracks}"] * n,
                                "time": pa.array(gen.T0_NS + np.round(t * 1e9).astype(np.int64)),
                                "lon": -100.0 + (gen.SPEED_MPS * t + ex) / per_deg_lon,
                                "lat": border_lat + (-d + ey) / gen.M_PER_DEG,
                                "source_record": np.arange(n),
                                "pos_sigma_m": np.full(n, sigma),
                            },
                            source="csv",
                            source_file="along.csv",
                        )
                    )
                    n_tracks += 1
    found = find_crossings(prepare_tracks(pa.concat_tables(tables)).table, sky)
    into_can = found.filter(pc.equal(found["to"], "CAN"))
    assert into_can.num_rows > 0  # grazing tracks do cross the drawn border
    best: dict[str, float] = {}
    for tid, c in zip(into_can["track_id"].to_pylist(), into_can["confidence"].to_pylist(),
                      strict=True):  # fmt: skip
        best[tid] = max(best.get(tid, 0.0), c)
    for c in (0.5, 0.9, 0.99):
        above = sum(v >= c for v in best.values())
        assert above <= (1 - c) * n_tracks + 3 * math.sqrt(n_tracks * (1 - c) * c)
