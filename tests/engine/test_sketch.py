"""engine.sketch: which tracks the partitioned engines keep apart for fusion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from airwitness.engine.sketch import fusion_tracks, merged, sketch_of
from airwitness.schema import concat, make_table

T0 = 1_750_000_000 * 10**9  # 2025-06-15 15:06:40 UTC
MINUTE = 60 * 10**9
FUSION = Path(__file__).resolve().parents[2] / "examples" / "fusion"


def _track(track_id, lon, lat, sensor, identity=None, minutes=(0, 1, 2)):
    n = len(minutes)
    return make_table(
        {
            "track_id": [track_id] * n,
            "time": [T0 + m * MINUTE for m in minutes],
            "lon": [lon] * n,
            "lat": [lat] * n,
            "source_record": list(range(1, n + 1)),
            "sensor": sensor,
            "identity": [identity] * n,
        },
        source="csv",
        source_file=f"{track_id}.csv",
    )


def test_identity_kinematics_and_sites_pick_tracks():
    """0.1° cells: a primary radar track two cells from an ADS-B track at the same
    minutes is a candidate, three cells away it is not; the same address on another
    sensor is one far away; two ADS-B tracks never pair; a sited radar's track is
    always picked."""
    table = concat(
        [
            _track("adsb-x", 40.05, 39.05, "adsb", "x"),
            _track("ssr-x", 45.05, 41.05, "asterix:1/18", "x"),  # far, same identity
            _track("adsb-y", 42.05, 39.05, "adsb", "y"),
            _track("psr-near", 42.25, 39.05, "asterix:1/17"),  # two cells east
            _track("psr-far", 42.35, 38.75, "asterix:1/17"),  # three east, three south
            _track("adsb-z", 40.15, 39.05, "adsb", "z"),  # next to adsb-x: same sensor
            _track("psr-sited", 30.0, 30.0, "asterix:9/9"),
        ]
    )
    sketch = sketch_of(table)
    assert sketch.seen == {"adsb", "asterix:1/17", "asterix:1/18", "asterix:9/9"}
    picked = fusion_tracks(sketch, sited={"asterix:9/9"})
    assert picked == {"adsb-x", "ssr-x", "adsb-y", "psr-near", "psr-sited"}
    assert fusion_tracks(sketch) == {"adsb-x", "ssr-x", "adsb-y", "psr-near"}


def test_a_minute_apart_is_within_reach_two_is_not():
    near = concat(
        [
            _track("adsb-y", 42.05, 39.05, "adsb", "y", minutes=(0,)),
            _track("psr", 42.05, 39.05, "asterix:1/17", minutes=(1,)),
        ]
    )
    assert fusion_tracks(sketch_of(near)) == {"adsb-y", "psr"}
    far = concat(
        [
            _track("adsb-y", 42.05, 39.05, "adsb", "y", minutes=(0,)),
            _track("psr", 42.05, 39.05, "asterix:1/17", minutes=(2,)),
        ]
    )
    assert fusion_tracks(sketch_of(far)) == set()


def test_one_sensor_picks_nothing_and_a_mixed_track_pairs_with_its_own_kind():
    one = concat([_track("a", 40.05, 39.05, "adsb"), _track("b", 40.05, 39.05, "adsb")])
    assert fusion_tracks(sketch_of(one)) == set()
    mixed = concat(
        [
            _track("a", 40.05, 39.05, "adsb", minutes=(0,)),
            _track("a", 40.05, 39.05, "mlat", minutes=(1,)),
            _track("b", 40.05, 39.05, "adsb"),
        ]
    )
    assert fusion_tracks(sketch_of(mixed)) == {"a", "b"}


def test_a_track_met_in_two_units_is_one_track():
    first = sketch_of(_track("a", 40.05, 39.05, "adsb", "x", minutes=(0,)))
    second = sketch_of(
        concat(
            [
                _track("a", 40.05, 39.05, "mlat", minutes=(1,)),
                _track("b", 41.0, 39.0, "adsb", "q"),
            ]
        )
    )
    whole = merged([first, second])
    assert whole.ids == ["a", "b"]
    assert whole.sensors == [frozenset({"adsb", "mlat"}), frozenset({"adsb"})]
    assert whole.identities == [frozenset({"x"}), frozenset({"q"})]
    assert whole.unidentified.tolist() == [True, False]
    assert len(whole.entries) == 2 + 3  # a: two minutes, one cell; b: three minutes


def test_every_track_fusion_associates_is_picked():
    """On the fusion example, the picked tracks hold every pair fuse() makes."""
    from airwitness.fusion import fuse
    from airwitness.io.options import ReadOptions
    from airwitness.io.sensors import load_sensors
    from airwitness.pipeline import read_inputs
    from airwitness.tracks import prepare_tracks

    options = ReadOptions(date=dt.date(2025, 6, 16), sensors=FUSION / "sensors.csv")
    inputs = read_inputs([FUSION / "plots.ast", FUSION / "adsb.csv"], options=options)
    prepared = prepare_tracks(inputs.table)
    fusion = fuse(prepared.table)
    paired = {fusion.tracks.ids[k] for p in fusion.pairs for k in (p.a, p.b)}
    assert len(paired) == 18
    picked = fusion_tracks(sketch_of(inputs.table))
    assert paired <= picked
    sited = load_sensors(FUSION / "sensors.csv").site_by_id()
    everything = fusion_tracks(sketch_of(inputs.table), sited)
    assert len(everything) == np.unique(inputs.table["track_id"].to_numpy()).size


def test_distinct_pairs_in_one_integer_or_by_rows():
    from airwitness.engine.sketch import distinct_pairs

    track = np.array([2, 0, 2, 1, 0, 2])
    key = np.array([7, 5, 7, 5, 5, 9])
    small = distinct_pairs(track, key)
    assert sorted(map(tuple, small.tolist())) == [(0, 5), (1, 5), (2, 7), (2, 9)]
    huge = key * (1 << 59)  # no room for one integer per pair: sorted as rows
    wide = distinct_pairs(track, huge)
    assert sorted(map(tuple, wide.tolist())) == [
        (0, 5 << 59),
        (1, 5 << 59),
        (2, 7 << 59),
        (2, 9 << 59),
    ]
    assert distinct_pairs(track[:0], key[:0]).shape == (0, 2)
