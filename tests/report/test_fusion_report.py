"""verify on the multi-sensor example (examples/fusion/case.yaml): the verdict counts
independent sensors, report.json holds what fusion found, the map draws one object's
tracks together and the evidence table names the corroborating tracks."""

from __future__ import annotations

from pathlib import Path

import pytest

from airwitness.investigate.casefile import load_case
from airwitness.investigate.run import investigate
from airwitness.report.case_files import write_case_outputs
from tests.report.conftest import Verified

CASE = Path(__file__).resolve().parents[2] / "examples" / "fusion" / "case.yaml"


@pytest.fixture(scope="module")
def fused(tmp_path_factory: pytest.TempPathFactory) -> Verified:
    inv = investigate(load_case(CASE))
    out = tmp_path_factory.mktemp("fusion") / "out"
    return Verified(CASE, out, inv, write_case_outputs(inv, out, CASE))


def test_the_verdict_counts_events_and_independent_sensors(fused: Verified) -> None:
    assert fused.report["verdict"] == "confirmed"
    assert fused.report["verdict_reason"] == (
        "12 observed crossing(s) in the window with confidence >= 0.99 (the surest 1.0000); "
        "8 distinct event(s), 4 of them shown by two or more independent sensors (the most: 2)"
    )
    findings = fused.report["findings"]
    by_track = {f["track_id"]: f for f in findings}
    assert by_track["600a01"]["sensors"] == 2
    assert by_track["600a01"]["corroborated_by"] == "asterix:1/18:600a01"
    assert by_track["radar:1/17:7"]["corroborated_by"] == "600b11"  # K01, by kinematics
    assert sum(f["sensors"] == 1 for f in findings) == 4  # the drones: still findings


def test_the_spoofed_crossing_is_suspect_with_its_reason(fused: Verified) -> None:
    (sus,) = fused.report["suspect"]
    assert sus["track_id"] == "896e15" and (sus["from"], sus["to"]) == ("AZE", "IRN")
    assert sus["suspect_reason"].endswith("a GNSS spoofing signature")
    assert "896e15" not in {f["track_id"] for f in fused.report["findings"]}


def test_report_json_holds_what_fusion_found(fused: Verified) -> None:
    f = fused.report["fusion"]
    assert [(a["track_id"], a["other_track_id"], a["method"]) for a in f["associations"]][:2] == [
        ("asterix:1/18:06a1d4", "06a1d4", "identity"),
        ("asterix:1/18:1521a7", "1521a7", "identity"),
    ]
    assert len(f["associations"]) == 9
    assert [t["track_id"] for t in f["suspect_tracks"]] == ["896e15"]
    (bias,) = f["radar_biases"]
    assert (bias["sensor"], bias["tracks"]) == ("asterix:1/18", 8)
    assert bias["applied"] == {"range": False, "azimuth": False, "time": False}


def test_the_map_draws_one_object_s_tracks_together(fused: Verified) -> None:
    html = fused.html
    assert (
        '<g class="obj"><title>one object: 600a01 (adsb), asterix:1/18:600a01 (asterix:1/18)'
        in html
    )
    assert '<g class="trk key sr"><title>track 600a01 (adsb)</title>' in html
    assert "self-reported (ADS-B) track of an object a sensor also saw" in html
    assert "asterix:1/18:600a01" in html.split("<h2>Evidence</h2>", 1)[1]
