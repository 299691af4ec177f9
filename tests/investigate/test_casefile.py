"""Case files: valid ones parse exactly; every mistake names its key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from airwitness.investigate.casefile import CaseError, check_codes, load_case

GOOD = """\
title: Drones into Iran through Azerbaijan, June 2025
allegation:
  into: IRN
  via: aze
  since: 2025-06-13
  until: 2025-06-24
  aircraft: [uav, jet]
  operator: ISR
evidence:
  - path: data/*.csv
    sensor: OpenSky receivers
  - path: data/drones.gpx
airspace: countries
options:
  coverage_threshold: 0.8
hints:
  UAV-7: uav
"""


def write(tmp_path: Path, text: str) -> Path:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for name in ("b.csv", "a.csv", "drones.gpx"):
        (data / name).write_text("x")
    case = tmp_path / "case.yaml"
    case.write_text(text)
    return case


def test_a_good_case(tmp_path):
    case = load_case(write(tmp_path, GOOD))
    assert (case.into, case.routes, case.operator) == ("IRN", ("AZE",), "ISR")
    assert case.since_ns == 1_749_772_800 * 10**9  # 2025-06-13T00:00Z
    assert case.until_ns == (1_749_772_800 + 12 * 86_400) * 10**9 - 1  # end of 24 June
    assert case.aircraft == ("jet", "uav")
    assert [p.name for p in case.input_paths] == ["a.csv", "b.csv", "drones.gpx"]
    assert case.evidence[0].sensor == "OpenSky receivers"
    assert case.option("coverage_threshold") == 0.8
    assert case.option("coverage_radius_km") == 30.0
    assert case.airspace_file is None
    assert case.hints == {"UAV-7": "uav"}
    check_codes(case, {"IRN", "AZE"})


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("  operator: ISR\n", "  operator: ISR\n  colour: red\n"), "allegation.colour"),
        (("airspace: countries\n", "airspace: countries\nextra: 1\n"), "extra"),
        (("  into: IRN\n", ""), "allegation.into"),
        (("  until: 2025-06-24\n", "  until: 2025-06-01\n"), "allegation.until"),
        (("  since: 2025-06-13\n", "  since: 13 June\n"), "allegation.since"),
        (("[uav, jet]", "[uav, blimp]"), "allegation.aircraft"),
        (("data/drones.gpx", "data/missing.gpx"), "evidence[1].path"),
        (("data/*.csv", "nothing/*.csv"), "evidence[0].path"),
        (("  via: aze\n", "  via: IRN\n"), "allegation.via"),
        (("coverage_threshold: 0.8", "coverage_threshold: 2"), "options.coverage_threshold"),
        (("coverage_threshold: 0.8", "bins: 3"), "options.bins"),
        (("UAV-7: uav", "UAV-7: ufo"), "hints.UAV-7"),
        (("airspace: countries", "airspace: {file: none.geojson, code_field: c}"), "airspace.file"),
    ],
)
def test_mistakes_name_the_key(tmp_path, change, key):
    old, new = change
    assert old in GOOD
    with pytest.raises(CaseError, match="^" + re.escape(key)):
        load_case(write(tmp_path, GOOD.replace(old, new)))


def test_unknown_code_for_the_airspace_set(tmp_path):
    case = load_case(write(tmp_path, GOOD.replace("into: IRN", "into: XYZ")))
    with pytest.raises(CaseError, match=r"^allegation\.into: XYZ"):
        check_codes(case, {"IRN", "AZE"})


def test_not_yaml(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("title: [unclosed\n")
    with pytest.raises(CaseError, match="not valid YAML"):
        load_case(case)
