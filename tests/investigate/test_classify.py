"""investigate.classify: track classes from kinematics; hand-built cases per rule, real data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from airwitness.geodesy import EARTH_RADIUS_M
from airwitness.investigate.classify import RESULT_SCHEMA, ClassRules, classify_tracks
from airwitness.io import read
from airwitness.schema import concat, make_table
from airwitness.tracks import prepare_tracks

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_750_000_000 * 10**9


def flight(
    speeds,
    *,
    track: str = "4b1234",  # an ICAO address in the Swiss block
    dt: float = 10.0,
    alt=1_500.0,
    gs: bool = True,
    vr=None,
    source: str = "csv",
    start_s: float = 0.0,
    lat0: float = 40.0,
) -> pa.Table:
    """Reports flying due north; step k covers ``speeds[k] * dt`` metres.

    Along a meridian the haversine distance is exactly ``R * dlat``, so the
    implied speeds are exactly ``speeds``. With ``gs`` each report carries the
    speed of the step into it (the first, of the step out of it).
    """
    speeds = np.asarray(speeds, dtype=float)
    n = speeds.size + 1
    dist = np.concatenate([[0.0], np.cumsum(speeds * dt)])
    cols = {
        "track_id": [track] * n,
        "time": T0 + np.round((start_s + np.arange(n) * dt) * 1e9).astype(np.int64),
        "lon": np.full(n, 45.0),
        "lat": lat0 + np.degrees(dist / EARTH_RADIUS_M),
        "source_record": np.arange(1, n + 1),
    }
    if alt is not None:
        cols["alt_m"] = np.broadcast_to(np.asarray(alt, dtype=float), (n,)).copy()
    if gs:
        cols["ground_speed_mps"] = np.concatenate([[speeds[0]], speeds])
    if vr is not None:
        cols["vrate_mps"] = np.broadcast_to(np.asarray(vr, dtype=float), (n,)).copy()
    return make_table(cols, source=source, source_file=f"{track}.csv")


def one(table: pa.Table, **kw) -> dict:
    out = classify_tracks(table, **kw)
    assert out.schema == RESULT_SCHEMA
    assert out.num_rows == 1
    return out.to_pylist()[0]


# ---- rule 5: jet ---------------------------------------------------------------------


def test_sustained_speed_is_a_jet():
    row = one(flight([230.0] * 29, alt=11_000.0))
    assert row == {
        "track_id": "4b1234",
        "class": "jet",
        "max_speed_mps": 230.0,
        "median_speed_mps": 230.0,
        "max_alt_m": 11_000.0,
        "reports": 30,
        "reason": (
            "Sustained 230 m/s: consistent with a jet (fast turboprops overlap below ~200 m/s)."
        ),
    }


def test_high_and_fast_is_a_jet():
    row = one(flight([140.0] * 20, alt=10_000.0))
    assert row["class"] == "jet"
    assert row["reason"] == "High (10,000 m) and fast (140 m/s): consistent with a jet."


def test_fast_climb_is_a_jet():
    alts = 500.0 + 250.0 * np.arange(21)  # 25 m/s climb between 10 s reports
    row = one(flight([120.0] * 20, alt=alts, gs=False))
    assert row["class"] == "jet"
    assert row["reason"] == "Climbs at 25 m/s at 120 m/s: consistent with a jet."
    assert row["max_alt_m"] == 5_250.0  # 95th percentile of 500..5,500 m


def test_high_but_slow_is_not_a_jet():
    row = one(flight([80.0] * 20, alt=12_000.0))
    assert row["class"] == "unknown"
    assert row["reason"] == (
        "High (12,000 m) but not fast (80 m/s): glider in wave, turboprop or MALE UAV, "
        "kinematics cannot tell."
    )


def test_a_few_bad_positions_do_not_make_a_glider_a_jet():
    speeds = [40.0] * 99
    speeds[30] = 900.0  # one position 36 km off, and back
    speeds[31] = 900.0
    row = one(flight(speeds, gs=False))
    assert row["class"] == "propeller"
    assert row["max_speed_mps"] == 40.0
    assert row["median_speed_mps"] == 40.0


# ---- rule 8: propeller / unknown -----------------------------------------------------------


def test_propeller_envelope_with_an_icao_address():
    row = one(flight([60.0] * 20))
    assert row["class"] == "propeller"
    assert row["reason"] == (
        "Robust max 60 m/s, up to 1,500 m: consistent with a propeller aircraft "
        "(or a helicopter or fixed-wing UAV flying like one)."
    )


def test_propeller_envelope_without_an_icao_address_is_unknown():
    for track in ("glider7", "ddb056"):  # a name; a FLARM address outside the ICAO blocks
        row = one(flight([60.0] * 20, track=track))
        assert row["class"] == "unknown"
        assert row["reason"] == (
            "Robust max 60 m/s, up to 1,500 m and no ICAO address: a light aircraft or a UAV, "
            "kinematics cannot tell."
        )


def test_too_slow_for_an_aeroplane_is_unknown():
    row = one(flight([8.0] * 20))
    assert row["class"] == "unknown"
    assert row["reason"].startswith("Robust max 8 m/s: slower than aeroplanes fly")


def test_too_few_reports():
    row = one(flight([60.0]))
    assert row["class"] == "unknown"
    assert row["reports"] == 2
    assert row["reason"] == "Too few reports with a speed (2) to judge."


# ---- rule 6: hover --------------------------------------------------------------------


def hover_flight(cruise: float, *, track: str = "3c1234", where: str = "middle", alt=400.0):
    """Cruise, then 6 steps of 60 s standing still, then cruise (or the hover at the end)."""
    hover = [0.0] * 6
    cruise_steps = [cruise] * 10
    steps = cruise_steps + hover + cruise_steps if where == "middle" else cruise_steps * 2 + hover
    return flight(steps, track=track, alt=alt)


def test_hover_between_flight_is_a_helicopter():
    row = one(hover_flight(60.0))
    assert row["class"] == "helicopter"
    assert row["reason"] == (
        "Hovers mid-flight at 400 m, robust max 60 m/s: consistent with a helicopter."
    )


def test_slow_at_the_end_of_a_flight_is_a_landing_not_a_hover():
    assert one(hover_flight(60.0, where="end"))["class"] == "propeller"


def test_slow_without_altitude_or_at_altitude_zero_is_on_the_ground():
    assert one(hover_flight(60.0, alt=None))["class"] == "propeller"
    assert one(hover_flight(60.0, alt=0.0))["class"] == "propeller"


def test_hover_above_the_ceiling_is_not_counted():
    row = one(hover_flight(60.0, alt=3_500.0))
    assert row["class"] == "propeller"


def test_slow_hovering_track_without_icao_address_is_a_multirotor():
    row = one(hover_flight(21.0, track="track-7"))
    assert row["class"] == "uav"
    assert row["reason"] == (
        "Hovers mid-flight at 400 m and never exceeds 21 m/s, with no ICAO address: "
        "consistent with a multirotor UAV."
    )
    # with a transponder address it is a slow helicopter
    assert one(hover_flight(21.0, track="3c1234"))["class"] == "helicopter"
    # never at flying speed (>= 20 m/s) around the stop: a car at a red light fits as well
    assert one(hover_flight(15.0, track="track-7"))["class"] == "unknown"


# ---- rules 2-4: logs and hints ----------------------------------------------------------------


def test_drone_log_source_is_a_uav():
    row = one(flight([40.0] * 20, track="px4", source="ulog"))
    assert (row["class"], row["reason"]) == ("uav", "From a drone flight log (ulog).")


def test_case_hint_is_taken_when_kinematics_fit():
    row = one(flight([60.0] * 20), hints={"4b1234": "uav"})
    assert row["class"] == "uav"
    assert row["reason"] == (
        "Hinted as uav by the case; kinematics fit (robust max 60 m/s, up to 1,500 m)."
    )


def test_case_hint_that_kinematics_rule_out_is_ignored_and_said_so():
    row = one(flight([230.0] * 20, alt=11_000.0), hints={"4b1234": "helicopter"})
    assert row["class"] == "jet"
    assert row["reason"].endswith("(hint helicopter ignored: robust max 230 m/s exceeds 100 m/s)")


def test_unknown_hint_class_is_an_error():
    with pytest.raises(ValueError, match="unknown class hint"):
        classify_tracks(flight([60.0] * 5), hints={"4b1234": "balloon"})


def test_source_name_hints_are_checked_against_kinematics():
    row = one(flight([60.0] * 20, track="HELI-9"))
    assert row["class"] == "helicopter"
    assert row["reason"] == (
        "Named 'HELI-9' by its source; kinematics fit a helicopter "
        "(robust max 60 m/s, up to 1,500 m)."
    )
    assert one(flight([60.0] * 20, track="drone_3"))["class"] == "uav"
    assert one(flight([230.0] * 20, track="HELI-9", alt=11_000.0))["class"] == "jet"
    assert one(flight([60.0] * 20, track="Helios"))["class"] == "unknown"  # not a class word
    no_names = ClassRules(name_hints=False)
    assert one(flight([60.0] * 20, track="HELI-9"), rules=no_names)["class"] == "unknown"


# ---- table shape ------------------------------------------------------------------------


def test_one_row_per_track_sorted_and_segments_not_bridged():
    a = flight([230.0] * 20, track="b-jet", alt=11_000.0)
    b = flight([60.0] * 20, track="4b1234")
    prepared = prepare_tracks(concat([a, b])).table
    out = classify_tracks(prepared)
    assert out["track_id"].to_pylist() == ["4b1234", "b-jet"]
    assert out["class"].to_pylist() == ["propeller", "jet"]

    # Two segments 1 h and 2,000 km apart: the step between them is not a speed.
    first = flight([60.0] * 20, gs=False)
    later = flight([60.0] * 20, gs=False, start_s=3600.0, lat0=58.0)
    prepared = prepare_tracks(concat([first, later])).table
    assert prepared["segment"].to_pylist()[-1] == 1
    row = classify_tracks(prepared).to_pylist()[0]
    assert (row["class"], row["max_speed_mps"], row["reports"]) == ("propeller", 60.0, 42)


def test_empty_table():
    empty = flight([60.0]).slice(0, 0)
    out = classify_tracks(empty)
    assert out.num_rows == 0 and out.schema == RESULT_SCHEMA


def test_rules_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ClassRules().jet_speed_mps = 1.0  # type: ignore[misc]


# ---- real data --------------------------------------------------------------------------


def classes_of(*paths: Path) -> dict[str, str]:
    table = prepare_tracks(concat([read(p).table for p in paths])).table
    out = classify_tracks(table)
    return dict(zip(out["track_id"].to_pylist(), out["class"].to_pylist(), strict=True))


def test_real_gliders_and_survey_aircraft_are_not_jets():
    # traffic 2.13 samples (OpenSky data), examples/traffic/README.md
    got = classes_of(*sorted((ROOT / "examples" / "traffic").glob("*.json.gz")))
    assert got == {
        "3eca6a": "propeller",  # motor glider D-KRPK
        "ddb056": "unknown",  # glider with a FLARM address: no state of registry
        "39016d": "propeller",  # IGN survey aircraft F-GALN
        "473f9a": "propeller",  # survey aircraft HA-YCG
    }


@pytest.mark.skipif(
    not (ROOT / "tests" / "data" / "traffic" / "elal747.json.gz").is_file(),
    reason="tests/data/traffic/elal747.json.gz not present",
)
def test_real_747_is_a_jet_and_real_helicopter_and_uav_are_honestly_not_recognised():
    data = ROOT / "tests" / "data" / "traffic"
    got = classes_of(
        data / "elal747.json.gz", data / "rega_sg.json.gz", data / "border_control.json.gz"
    )
    assert got == {
        "738043": "jet",  # El Al 747, Rome -> Tel Aviv
        "4b43ac": "propeller",  # REGA rescue helicopter: no hover in the recording
        "407918": "propeller",  # G-TEKV, a Tekever AR5 UAV: flies like a light aeroplane
    }


def test_caucasus_example():
    d = ROOT / "examples" / "caucasus"
    got = classes_of(d / "opensky_states.csv", d / "drones.gpx", d / "helicopter.kml")
    airliners = [
        "4ba9e4",
        "4bb1c2",
        "600898",
        "6009e3",
        "600a1c",
        "600b07",
        "7301b5",
        "730c4a",
        "896458",
    ]
    assert {k: got.pop(k) for k in airliners} == dict.fromkeys(airliners, "jet")
    assert got == {
        "HELI-1": "helicopter",
        "HELI-2": "helicopter",
        "UAV-1": "uav",
        "UAV-2": "uav",
        "UAV-3": "uav",
    }
    # Without the source's names, kinematics alone cannot call them.
    d_tables = [read(d / "drones.gpx").table, read(d / "helicopter.kml").table]
    out = classify_tracks(
        prepare_tracks(concat(d_tables)).table, rules=ClassRules(name_hints=False)
    )
    assert set(out["class"].to_pylist()) == {"unknown"}


def test_a_slow_low_primary_radar_track_is_a_uav_candidate():
    """The issue's example: 40 m/s at 800 m from radar plots alone (no transponder)."""
    row = one(flight([40.0] * 30, track="radar:25/12:3", alt=800.0, gs=False))
    assert row["class"] == "uav"
    assert row["reason"].startswith("Tracked from primary radar or other anonymous detections")
    assert "UAV candidate" in row["reason"] and "at up to 800 m" in row["reason"]
    # a 2D radar measures no height: that does not rule it out
    row = one(flight([40.0] * 30, track="detect:ACOUSTIC-1:1", alt=None, gs=False))
    assert row["class"] == "uav" and "no height measured" in row["reason"]


def test_a_fast_or_high_primary_radar_track_is_not():
    assert one(flight([90.0] * 30, track="radar:25/12:4", alt=800.0, gs=False))["class"] == (
        "unknown"
    )
    high = one(flight([40.0] * 30, track="radar:25/12:5", alt=4_000.0, gs=False))
    assert high["class"] == "unknown"
    # the same kinematics with an address that is not a state's: rule 8, unknown
    assert one(flight([40.0] * 30, track="ddb056", alt=800.0, gs=False))["class"] == "unknown"
