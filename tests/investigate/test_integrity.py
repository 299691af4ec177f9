"""investigate.integrity: spoofing/jamming-style hand-built tracks, then clean real flights."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from airwitness.geodesy import EARTH_RADIUS_M
from airwitness.investigate.integrity import (
    FLAG_SCHEMA,
    IntegrityRules,
    implausible_segments,
    integrity_flags,
)
from airwitness.io import read
from airwitness.schema import concat, make_table
from airwitness.tracks import OutlierRule, prepare_tracks

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_750_000_000 * 10**9
M_PER_DEG = np.radians(1.0) * EARTH_RADIUS_M  # metres per degree of latitude on the sphere


def reports(
    north_m,
    *,
    dt: float = 10.0,
    gs=None,
    alt=1_000.0,
    vr=None,
    track: str = "t",
    times=None,
    first_record: int = 1,
) -> pa.Table:
    """Reports on the meridian 45 E, ``north_m`` metres north of 40 N, every ``dt`` s."""
    north_m = np.asarray(north_m, dtype=float)
    n = north_m.size
    secs = np.arange(n) * dt if times is None else np.asarray(times, dtype=float)
    cols = {
        "track_id": [track] * n,
        "time": T0 + np.round(secs * 1e9).astype(np.int64),
        "lon": np.full(n, 45.0),
        "lat": 40.0 + north_m / M_PER_DEG,
        "source_record": np.arange(first_record, first_record + n),
    }
    for name, value in (("ground_speed_mps", gs), ("alt_m", alt), ("vrate_mps", vr)):
        if value is not None:
            cols[name] = np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()
    return make_table(cols, source="csv", source_file="spoof.csv")


def rows(table: pa.Table, **kw) -> list[tuple]:
    out = integrity_flags(table, **kw)
    assert out.schema == FLAG_SCHEMA
    return [tuple(r.values()) for r in out.to_pylist()]


def test_clean_flight_has_no_flags():
    table = reports(np.arange(30) * 600.0, gs=60.0)
    assert rows(table) == []
    assert implausible_segments(table) == set()


def frozen_then_jump() -> pa.Table:
    """60 m/s northwards; the position holds for 60 s (7 reports) while the
    aircraft reports 60 m/s, then jumps to where it really is and goes on."""
    true = np.arange(20) * 600.0
    shown = true.copy()
    shown[5:12] = true[5]  # held fix (GNSS jammed), reports 6..12
    return reports(shown, gs=60.0)


def test_frozen_then_jumping_track_is_flagged():
    table = frozen_then_jump()
    assert rows(table) == [
        (
            "t", 0, "frozen", "spoof.csv:6", "spoof.csv:12",
            "1 frozen run: 7 reports over 60 s at one position while reporting 60 m/s",
        ),
        (
            "t", 0, "jump", "spoof.csv:12", "spoof.csv:13",
            "1 jump: 4,200 m in 10 s (420 m/s, reported 60 m/s)",
        ),
    ]  # fmt: skip
    assert implausible_segments(table) == {("t", 0)}


def test_prepare_tracks_keeps_the_spoofed_segment_for_the_checks():
    prepared = prepare_tracks(frozen_then_jump())
    assert prepared.rejects == []
    assert implausible_segments(prepared.table) == {("t", 0)}


def test_one_repeated_position_is_neither_frozen_nor_a_jump():
    shown = np.arange(20) * 600.0
    shown[6] = shown[5]  # one report repeats the previous fix; the next catches up (120 m/s)
    assert rows(reports(shown, gs=60.0)) == []


def test_jump_limit_is_max_of_factor_and_margin():
    # 60 m/s reported: limit max(3 x 60, 60 + 150) = 210 m/s.
    # First step of a segment (no report before the previous one): 2,000 m in 10 s passes,
    # 2,200 m is a jump.
    assert rows(reports([0.0, 2_000.0, 2_600.0], gs=60.0)) == []
    assert [f[2:5] for f in rows(reports([0.0, 2_200.0, 2_800.0], gs=60.0))] == [
        ("jump", "spoof.csv:1", "spoof.csv:2")
    ]

    # Later steps must also fail from two reports back: a step of D metres after 600 m steps
    # is (D + 600) / 20 s from there, so D = 3,500 m passes and D = 3,700 m is a jump.
    # The smallest displacement seen is thus about 2 dt (limit - v) + v dt.
    def offset(d: float) -> np.ndarray:
        return np.concatenate([np.arange(10) * 600.0, 5_400 + d + np.arange(10) * 600.0])

    assert rows(reports(offset(3_500.0), gs=60.0)) == []
    assert [f[2:] for f in rows(reports(offset(3_700.0), gs=60.0))] == [
        (
            "jump",
            "spoof.csv:10",
            "spoof.csv:11",
            "1 jump: 3,700 m in 10 s (370 m/s, reported 60 m/s)",
        )
    ]


def test_persistent_offset_without_reported_speed_uses_neighbouring_steps():
    # GPX-like: no speed reported. A 30 km displacement within 2 s among 40 m/s steps.
    north = np.concatenate([np.arange(10) * 80.0, 30_000 + np.arange(10) * 80.0])
    flags = rows(reports(north, dt=2.0, alt=None))
    assert flags == [
        (
            "t", 0, "jump", "spoof.csv:10", "spoof.csv:11",
            "1 jump: 29,280 m in 2 s (14,640 m/s, no speed reported)",
        )
    ]  # fmt: skip


def test_single_stale_report_is_not_a_jump():
    # Report 6 carries the position of 40 s earlier (OpenSky stamps a state with the time of
    # the last message): the step 6 -> 7 looks like 300 m/s, but 5 -> 7 is a plain 60 m/s.
    true = np.arange(12) * 600.0
    shown = true.copy()
    shown[5] = true[5] - 2_400.0
    assert rows(reports(shown, gs=60.0)) == []


def test_small_displacements_are_noise_not_jumps():
    # 250 m in 1 s while standing (reported 0 m/s): faster than 150 m/s but under 300 m.
    north = [0.0, 0.0, 250.0, 250.0, 250.0]
    assert rows(reports(north, dt=1.0, gs=0.0)) == []


def test_jump_over_600_mps_whatever_the_reported_speed():
    # 250 m/s reported: max(750, 400) is capped at 600 m/s.
    north = np.concatenate([np.arange(5) * 2_500.0, 22_000 + np.arange(5) * 2_500.0])
    flags = rows(reports(north, gs=250.0))
    assert [f[2:] for f in flags] == [
        (
            "jump",
            "spoof.csv:5",
            "spoof.csv:6",
            "1 jump: 12,000 m in 10 s (1,200 m/s, reported 250 m/s)",
        )
    ]


def test_frozen_needs_a_reported_flying_speed():
    held = np.zeros(10)
    assert rows(reports(held, gs=0.0)) == []  # parked
    assert rows(reports(held)) == []  # no speed reported: a hovering drone may stand still
    assert [f[2] for f in rows(reports(held, gs=35.0))] == ["frozen"]
    # a hold of 2 reports (10 s) is a repeated message, not a frozen position
    assert rows(reports([0.0, 0.0, 600.0, 1200.0], gs=60.0)) == []


def test_impossible_states():
    n = 6
    north = np.arange(n) * 600.0
    fast_low = rows(reports(np.arange(n) * 4_000.0, gs=400.0, alt=1_000.0))
    assert fast_low == [
        (
            "t", 0, "impossible", "spoof.csv:1", "spoof.csv:6",
            "6 impossible reports; worst: 400 m/s reported at 1,000 m",
        )
    ]  # fmt: skip
    high_slow = rows(reports(north[:3] / 20, gs=30.0, alt=21_000.0))
    assert [f[5] for f in high_slow] == ["3 impossible reports; worst: 30 m/s at 21,000 m"]
    climb = rows(reports(north, gs=60.0, vr=[0, 0, 200, 0, 0, 0]))
    assert [f[3:] for f in climb] == [
        ("spoof.csv:3", "spoof.csv:3", "1 impossible report: vertical rate 200 m/s reported")
    ]


def test_altitude_step_is_impossible_but_ground_zero_is_not():
    north = np.arange(8) * 600.0
    step = [1_000.0] * 4 + [5_000.0] * 4  # 4,000 m in 10 s (200 m/s from 2 reports back)
    assert [f[3:] for f in rows(reports(north, gs=60.0, alt=step))] == [
        (
            "spoof.csv:4",
            "spoof.csv:5",
            "1 impossible report: altitude changes 400 m/s (1,000 m to 5,000 m)",
        )
    ]
    landing = [2_200.0] * 4 + [0.0] * 4  # some feeds give 0 for "on the ground"
    assert rows(reports(north, gs=60.0, alt=landing)) == []


def test_segments_are_checked_separately():
    # Two flights an hour apart, the second starting 500 km away: no jump between them.
    a = reports(np.arange(10) * 600.0, gs=60.0)
    later = 3_600 + np.arange(10) * 10.0
    b = reports(500_000 + np.arange(10) * 600.0, gs=60.0, times=later, first_record=11)
    prepared = prepare_tracks(concat([a, b])).table
    assert prepared["segment"].to_pylist()[-1] == 1
    assert rows(prepared) == []
    # held in the second segment only
    c = reports(500_000 + np.zeros(10), gs=60.0, times=later, first_record=11)
    assert implausible_segments(prepare_tracks(concat([a, c])).table) == {("t", 1)}


def test_rules_are_frozen_and_tunable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        IntegrityRules().jump_factor = 1.0  # type: ignore[misc]
    table = frozen_then_jump()
    lenient = IntegrityRules(frozen_min_s=120.0, jump_max_mps=1_000.0, jump_margin_mps=500.0)
    assert rows(table, rules=lenient) == []


def test_empty_table():
    out = integrity_flags(reports([0.0]).slice(0, 0))
    assert out.num_rows == 0 and out.schema == FLAG_SCHEMA


# ---- real data -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["alto_adige", "franconia", "ign_mercantour", "mecsek_mountains"])
def test_real_flights_are_clean(name):
    # traffic 2.13 samples (OpenSky data). Without the stale-report rule the gliders and
    # the IGN survey would show 6 false jumps (timestamps of old positions).
    table = prepare_tracks(read(ROOT / "examples" / "traffic" / f"{name}.json.gz").table).table
    assert rows(table) == []


def test_caucasus_spike_is_removed_as_an_outlier_or_flagged_as_a_jump():
    path = ROOT / "examples" / "caucasus" / "opensky_states.csv"
    table = read(path).table
    assert rows(prepare_tracks(table).table) == []
    kept = prepare_tracks(table, outliers=OutlierRule(enabled=False)).table
    f = str(path)
    assert rows(kept) == [
        (
            "896458", 0, "jump", f"{f}:2237", f"{f}:2238",
            "1 jump: 28,109 m in 9.212 s (3,051 m/s, reported 245 m/s)",
        )
    ]  # fmt: skip
