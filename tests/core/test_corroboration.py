"""corroboration: sensors, corroborated_by, suspect and suspect_reason — exact cases."""

from __future__ import annotations

import shapely

from airwitness.corroboration import crossings_across_sensors
from airwitness.crossings import CrossingFilter
from tests.fusion.helpers import flight, prepared
from tests.helpers import hand_airspace

SKY = hand_airspace({"AAA": shapely.box(0, -1, 2, 1), "BBB": shapely.box(2, -1, 4, 1)})
TIMES = list(range(0, 301, 5))  # from 1.9° E at 100 m/s: over 2° E at 111.2 s


def crossings(*tables, where: CrossingFilter | None = None) -> list[dict]:
    found, _ = crossings_across_sensors(prepared(*tables), SKY, observed_gap_s=60.0, where=where)
    keys = ("track_id", "from", "to", "sensors", "corroborated_by", "suspect", "suspect_reason")
    return found.select(list(keys)).to_pylist()


def test_one_crossing_seen_by_two_sensors_is_corroborated_both_ways():
    ssr = flight("asterix:1/18:4ca001", "asterix:1/18", times=TIMES, identity="4ca001")
    adsb = flight("4ca001", "adsb", times=range(2, 300, 5), identity="4ca001")
    drone = flight("radar:1/17:9", "asterix:1/17", times=TIMES, lon0=1.8, north_m=50_000.0)
    assert crossings(ssr, adsb, drone) == [
        {"track_id": "4ca001", "from": "AAA", "to": "BBB", "sensors": 2,
         "corroborated_by": "asterix:1/18:4ca001", "suspect": False, "suspect_reason": None},
        {"track_id": "asterix:1/18:4ca001", "from": "AAA", "to": "BBB", "sensors": 2,
         "corroborated_by": "4ca001", "suspect": False, "suspect_reason": None},
        # seen by one sensor: still a crossing, sensors 1
        {"track_id": "radar:1/17:9", "from": "AAA", "to": "BBB", "sensors": 1,
         "corroborated_by": None, "suspect": False, "suspect_reason": None},
    ]  # fmt: skip
    # a filter keeps the crossings it names, corroborated by those it leaves out
    (only,) = crossings(ssr, adsb, drone, where=CrossingFilter(tracks=("4ca001",)))
    assert only["sensors"] == 2 and only["corroborated_by"] == "asterix:1/18:4ca001"


def test_a_crossing_made_by_spoofed_reports_is_suspect_and_corroborates_nothing():
    # the aircraft flies from 1.5° E and never reaches 2° E; its ADS-B is put 60 km
    # further east from 100 s to 200 s: into BBB and back
    ssr = flight("asterix:1/18:896e15", "asterix:1/18", times=TIMES, identity="896e15", lon0=1.5)
    east = [60_000.0 if 100 <= t <= 200 else 0.0 for t in TIMES]
    adsb = flight("896e15", "adsb", times=TIMES, identity="896e15", lon0=1.5, east_m=east)
    rows = crossings(ssr, adsb)
    assert [(r["track_id"], r["from"], r["to"], r["suspect"], r["sensors"]) for r in rows] == [
        ("896e15", "AAA", "BBB", True, 1),
        ("896e15", "BBB", "AAA", True, 1),
    ]
    assert rows[0]["suspect_reason"].startswith(
        "adsb positions depart from asterix:1/18:896e15 (asterix:1/18) by up to 60.0 km"
    )
    assert rows[0]["corroborated_by"] is None
