"""fusion.associate: identity first, then kinematics, one to one — exact cases."""

from __future__ import annotations

from airwitness.fusion import fuse
from airwitness.fusion.associate import IDENTITY, KINEMATIC
from tests.fusion.helpers import flight, prepared

TIMES = range(0, 301, 5)


def pairs(*tables) -> list[tuple[str, str, str]]:
    f = fuse(prepared(*tables))
    rows = f.associations.select(["track_id", "other_track_id", "method"]).to_pylist()
    return [(r["track_id"], r["other_track_id"], r["method"]) for r in rows]


def test_one_identity_in_two_sensors_is_one_object_wherever_its_positions_are():
    radar = flight("asterix:1/18:4ca001", "asterix:1/18", times=TIMES, identity="4ca001")
    adsb = flight("4ca001", "adsb", times=TIMES, identity="4ca001", north_m=20_000.0)
    # the measured track's path is what the self-reported one is held to
    assert pairs(radar, adsb) == [("asterix:1/18:4ca001", "4ca001", IDENTITY)]


def test_tracks_of_one_sensor_are_never_one_object():
    a = flight("4ca001", "adsb", times=TIMES, identity="4ca001", source_file="x.csv")
    b = flight("4ca002", "adsb", times=TIMES, north_m=10.0, identity="4ca002")
    c = flight("gpx-1", "adsb", times=TIMES, north_m=5.0)
    assert pairs(a, b, c) == []


def test_an_anonymous_radar_track_on_an_aircraft_s_path_is_associated_by_kinematics():
    radar = flight("radar:1/17:3", "asterix:1/17", times=TIMES, north_m=40.0, sigma_m=60.0)
    adsb = flight("600b11", "adsb", times=range(2, 300, 5), identity="600b11")
    far = flight("radar:1/17:4", "asterix:1/17", times=TIMES, north_m=3_000.0, sigma_m=60.0)
    assert pairs(radar, adsb, far) == [("radar:1/17:3", "600b11", KINEMATIC)]


def test_kinematics_need_enough_reports_that_agree():
    radar = flight("radar:1/17:3", "asterix:1/17", times=range(0, 31, 5), sigma_m=60.0)
    adsb = flight("600b11", "adsb", times=range(2, 30, 5))  # 6 compared: fewer than 8
    assert pairs(radar, adsb) == []
    # half the way 2 km apart, half on it: the half that agrees is enough
    north = [0.0 if t < 150 else 2_000.0 for t in range(2, 300, 5)]
    adsb = flight("600b11", "adsb", times=range(2, 300, 5), north_m=north)
    radar = flight("radar:1/17:3", "asterix:1/17", times=TIMES, sigma_m=60.0)
    assert pairs(radar, adsb) == [("radar:1/17:3", "600b11", KINEMATIC)]


def test_one_to_one_the_closer_track_wins_and_the_other_is_left_alone():
    radar = flight("radar:1/17:3", "asterix:1/17", times=TIMES, sigma_m=60.0)
    near = flight("adsb-near", "adsb", times=range(2, 300, 5), north_m=30.0)
    less = flight("log-less", "log", times=range(3, 300, 5), north_m=-100.0)
    # both agree within the gate, but they are different sensors: both are kept
    assert pairs(radar, near, less) == [
        ("radar:1/17:3", "adsb-near", KINEMATIC),
        ("radar:1/17:3", "log-less", KINEMATIC),
    ]
    other = flight("adsb-other", "adsb", times=range(1, 300, 5), north_m=-100.0)
    assert pairs(radar, near, other) == [("radar:1/17:3", "adsb-near", KINEMATIC)]


def test_associated_with_joins_what_is_one_object_through_another():
    ssr = flight("asterix:1/18:4ca001", "asterix:1/18", times=TIMES, identity="4ca001")
    adsb = flight("4ca001", "adsb", times=TIMES, identity="4ca001")
    psr = flight("radar:1/17:3", "asterix:1/17", times=range(1, 300, 5), sigma_m=60.0)
    f = fuse(prepared(ssr, adsb, psr))
    assert f.associated_with() == {
        "4ca001": ["asterix:1/18:4ca001", "radar:1/17:3"],
        "asterix:1/18:4ca001": ["4ca001", "radar:1/17:3"],
        "radar:1/17:3": ["4ca001", "asterix:1/18:4ca001"],
    }
