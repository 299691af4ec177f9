"""Disputed findings, and every finding tested against the other boundary set."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import shapely

from airwitness.airspace import Airspace, BoundarySet
from airwitness.crossings import find_crossings
from airwitness.investigate.casefile import load_case
from airwitness.investigate.crosscheck import check_findings, other_set_name
from airwitness.investigate.run import investigate
from airwitness.report.case_report import build_report
from airwitness.schema import make_table
from airwitness.times import rows_ns
from airwitness.tracks import prepare_tracks
from tests.investigate.scenarios import write_scenario

CASE = """\
title: Drones into Russia through Ukraine (a test)
allegation:
  into: {into}
  via: {via}
  since: 2025-06-14
  until: 2025-06-14
evidence:
  - path: crimea.csv
airspace: {airspace}
"""


def _crimea(folder, into="RUS", via="UKR", airspace="osm"):
    """A drone from mainland Ukraine over the Perekop isthmus into Crimea."""
    rows = ["track_id,time,lat,lon,alt_m"]
    for k in range(31):
        f = k / 30
        lat, lon = 46.50 + (45.30 - 46.50) * f, 33.60 + (34.00 - 33.60) * f
        rows.append(f"UAV-C,2025-06-14T02:{k:02d}:00Z,{lat:.5f},{lon:.5f},300")
    (folder / "crimea.csv").write_text("\n".join(rows) + "\n")
    case = folder / "case.yaml"
    case.write_text(CASE.format(into=into, via=via, airspace=airspace))
    return case


def test_a_crossing_into_a_disputed_area_is_listed_apart_and_never_confirms(tmp_path):
    inv = investigate(load_case(_crimea(tmp_path)))
    assert inv.findings.num_rows == 0
    (d,) = rows_ns(inv.disputed)
    assert (d["track_id"], d["from"], d["to"], d["kind"]) == ("UAV-C", "UKR", "RUS+UKR", "observed")
    assert inv.verdict in ("not_observed", "inconclusive")
    assert "1 crossing(s) into or out of disputed areas (RUS+UKR) listed apart" in inv.reason
    report = build_report(inv)
    (row,) = report["disputed_findings"]
    assert row["dispute"] == {
        "code": "RUS+UKR",
        "claimants": ["RUS", "UKR"],
        "note": "RUS+UKR is claimed by RUS and UKR in this boundary set",
    }
    assert report["numbers"]["disputed"] == 1 and report["findings"] == []


def test_the_same_flight_with_natural_earth_has_no_crossing(tmp_path):
    inv = investigate(load_case(_crimea(tmp_path, airspace="ne10m")))
    assert inv.crossings.num_rows == 0 and inv.disputed.num_rows == 0


def test_findings_are_tested_against_the_other_set(tmp_path):
    """An allegation about the disputed area itself: Natural Earth's set has no such code,
    so the finding cannot be tested against it, and the report says so."""
    case = _crimea(tmp_path, into="RUS+UKR", via="UKR")
    inv = investigate(load_case(case))
    (check,) = inv.set_checks
    assert (check.boundary_set, check.holds) == ("ne10m", None)  # ne10m has no RUS+UKR
    report = build_report(inv)
    assert report["findings"][0]["other_set"]["holds"] is None


def _squares(border_lon: float) -> Airspace:
    geoms = (shapely.box(9, -1, border_lon, 1), shapely.box(border_lon, -1, 11, 1))
    bset = BoundarySet(("AAA", "BBB"), ("land", "land"), geoms, {"name": f"at {border_lon}"})
    return Airspace(bset)


def test_check_findings_on_hand_built_sets():
    """The border at 10°E in one set, 1.112 km further east in the other: a flight that
    turns back 556 m past the first border crosses only in the first set; one that goes
    on (3.34 km in 40 s) crosses in both, 1,112 m and 13.3 s apart."""
    lon = [9.99, 10.005, 9.99, 9.99, 10.02]
    t = [0, 100, 200, 1000, 1040]
    table = pa.table(
        {
            "track_id": ["T1", "T1", "T1", "T2", "T2"],
            "time": pa.array([x * 10**9 for x in t], pa.int64()).cast(pa.timestamp("ns", "UTC")),
            "lon": lon,
            "lat": [0.0] * 5,
        }
    )
    tracks = prepare_tracks(
        make_table(
            {**{k: table[k] for k in table.column_names}, "source_record": list(range(1, 6))},
            source="csv",
            source_file="t.csv",
        )
    ).table
    first, other = _squares(10.0), _squares(10.01)
    findings = find_crossings(tracks, first)
    findings = findings.filter(pc.equal(findings["from"], "AAA"))
    checks = check_findings(findings, tracks, other, "AAA", "BBB", observed_gap_s=60)
    assert [(c.boundary_set, c.holds) for c in checks] == [("at 10.01", False), ("at 10.01", True)]
    assert checks[1].distance_m == pytest.approx(1112.0, rel=1e-3)
    assert checks[1].time_shift_s == pytest.approx(40 / 3, rel=1e-3)
    assert checks[1].before == "t.csv:4" and checks[1].after == "t.csv:5"


def test_which_set_is_the_other():
    assert other_set_name(Airspace.builtin("osm")) == "ne10m"
    assert other_set_name(Airspace.builtin("ne10m")) == "osm"


def test_a_user_set_is_tested_against_osm_and_says_when_it_cannot_be(tmp_path):
    inv = investigate(load_case(write_scenario("confirmed", tmp_path)))
    assert inv.verdict == "confirmed"
    assert [(c.boundary_set, c.holds) for c in inv.set_checks] == [("osm", None)]


@pytest.mark.parametrize(
    ("value", "name"), [("countries", "osm"), ("osm", "osm"), ("ne10m", "ne10m")]
)
def test_case_file_names_a_set(tmp_path, value, name):
    case = load_case(_crimea(tmp_path, airspace=value))
    assert (case.airspace_set, case.airspace_file) == (name, None)
