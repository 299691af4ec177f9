"""report.json: the allegation as written, each route's verdict, the window in local time."""

from __future__ import annotations

from pathlib import Path

import yaml

from airwitness.investigate.casefile import load_case
from airwitness.investigate.run import investigate
from airwitness.report.case_files import write_case_outputs
from tests.investigate.scenarios import write_routes_scenario

from .conftest import Verified


def test_one_route_as_written_and_no_local_window(aras: Verified) -> None:
    a = aras.report["allegation"]
    assert (a["via"], a["timezone"], a["window_local"]) == ("AZE", None, None)
    assert a["window_utc"] == ["2025-06-14T00:00:00.000Z", "2025-06-14T23:59:59.999Z"]
    (route,) = aras.report["routes"]
    assert {k: route[k] for k in ("via", "verdict", "findings", "observed", "suspect")} == {
        "via": "AZE",
        "verdict": "confirmed",
        "findings": 1,
        "observed": 1,
        "suspect": 1,
    }
    assert route["verdict_reason"] == aras.report["verdict_reason"]
    assert [f["route"] for f in aras.report["findings"]] == ["AZE"]
    assert {s["route"] for s in aras.report["coverage"]["stretches"]} == {"AZE"}


def test_window_in_the_zone_the_case_names(aras: Verified, tmp_path: Path) -> None:
    """14 June in Tehran: 20:30 UTC on the 13th to 20:30 UTC on the 14th."""
    doc = yaml.safe_load(aras.case_path.read_text(encoding="utf-8"))
    doc["allegation"].update(
        since="2025-06-14T00:00+03:30", until="2025-06-14T23:59:59+03:30", timezone="Asia/Tehran"
    )
    doc["evidence"] = [{"path": str(aras.case_path.parent / "data" / "tracks.csv")}]
    case_path = tmp_path / "case.yaml"
    case_path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    report = write_case_outputs(investigate(load_case(case_path)), tmp_path / "out", case_path)
    a = report["allegation"]
    assert a["window_utc"] == ["2025-06-13T20:30:00.000Z", "2025-06-14T20:29:59.000Z"]
    assert a["window_local"] == {
        "zone": "Asia/Tehran",
        "window": ["2025-06-14T00:00:00.000+03:30", "2025-06-14T23:59:59.000+03:30"],
    }
    assert a["timezone"] == "Asia/Tehran"
    assert (a["since"], a["until"]) == ("2025-06-14T00:00+03:30", "2025-06-14T23:59:59+03:30")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert (
        "(UTC 2025-06-13T20:30:00Z – 2025-06-14T20:29:59Z, inclusive)</span><br>"
        '<span class="note">(Asia/Tehran 2025-06-14T00:00:00+03:30 –'
        " 2025-06-14T23:59:59+03:30, inclusive)</span>"
    ) in html


def test_two_routes_in_the_json_and_html(tmp_path: Path) -> None:
    case_path = write_routes_scenario(tmp_path / "case", "[AAA, CCC]")
    inv = investigate(load_case(case_path))
    report = write_case_outputs(inv, tmp_path / "out", case_path)
    assert report["allegation"]["via"] == ["AAA", "CCC"]
    assert [(r["via"], r["verdict"], r["findings"], r["coverage"]) for r in report["routes"]] == [
        ("AAA", "confirmed", 1, 1.0),
        ("CCC", "inconclusive", 0, 0.0),
    ]
    assert report["verdict"] == "confirmed"
    assert [s["route"] for s in report["coverage"]["stretches"]] == ["AAA", "AAA", "CCC", "CCC"]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<h3>Routes</h3>" in html
    assert "Crossings from AAA or CCC into BBB in the window" in html
    assert "The AAA–BBB border (22 km), the CCC–BBB border (24 km) are cut into" in html
    assert "covered (threshold 90.0 %); each route's own: AAA 100.0 %, CCC 0.0 %." in html


def test_any_route_in_the_json_and_html(tmp_path: Path) -> None:
    case_path = write_routes_scenario(tmp_path / "case", "any")
    inv = investigate(load_case(case_path))
    report = write_case_outputs(inv, tmp_path / "out", case_path)
    assert report["allegation"]["via"] == "any"
    assert [f["route"] for f in report["findings"]] == ["any", "any"]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Crossings from anywhere into BBB in the window" in html
    assert "The whole border of BBB (186 km) is cut into" in html
    assert "any airspace" in html  # the routes table names the route
