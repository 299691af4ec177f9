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


@pytest.mark.parametrize(
    ("via", "routes", "text"),
    [
        ("aze", ("AZE",), "AZE"),
        ("[BLR, ukr]", ("BLR", "UKR"), "BLR, UKR"),
        ("[UKR, BLR]", ("UKR", "BLR"), "UKR, BLR"),  # the case's order
        ("any", (), "any"),
        ("ANY", (), "any"),
    ],
)
def test_one_route_several_or_any(tmp_path, via, routes, text):
    case = load_case(write(tmp_path, GOOD.replace("via: aze", f"via: {via}")))
    assert (case.routes, case.via_text) == (routes, text)
    assert case.route_names == (routes or ("any",))


@pytest.mark.parametrize(
    ("via", "message"),
    [
        ("[BLR, BLR]", "allegation.via: BLR is listed twice"),
        ("[any, BLR]", "allegation.via: any stands alone"),
        ("[AZE, IRN]", "allegation.via: the same airspace as allegation.into (IRN)"),
        ("[]", "allegation.via: required"),
        ("[AZE, 3]", "allegation.via: required"),
    ],
)
def test_route_mistakes(tmp_path, via, message):
    with pytest.raises(CaseError, match="^" + re.escape(message)):
        load_case(write(tmp_path, GOOD.replace("via: aze", f"via: {via}")))


def test_every_route_must_be_a_code_of_the_set(tmp_path):
    case = load_case(write(tmp_path, GOOD.replace("via: aze", "via: [AZE, ARM]")))
    with pytest.raises(CaseError, match=r"^allegation\.via: ARM is not a code"):
        check_codes(case, {"IRN", "AZE"})
    check_codes(load_case(write(tmp_path, GOOD.replace("via: aze", "via: any"))), {"IRN"})


def test_window_with_an_offset_and_the_zone_it_is_shown_in(tmp_path):
    """13 June in Tehran (UTC+03:30) as the case writes it: it starts 20:30 UTC on 12 June."""
    text = GOOD.replace("since: 2025-06-13", "since: 2025-06-13T00:00+03:30").replace(
        "until: 2025-06-24", "until: 2025-06-24T23:59:59+03:30"
    )
    case = load_case(write(tmp_path, text))
    assert case.since_ns == (1_749_772_800 - 3 * 3600 - 1800) * 10**9
    assert case.until_ns == (1_749_772_800 + 12 * 86_400 - 3 * 3600 - 1800 - 1) * 10**9
    assert case.since_text == "2025-06-13T00:00+03:30"
    assert (case.timezone, case.local_zone) == (None, "UTC+03:30")
    named = load_case(
        write(tmp_path, text.replace("  aircraft:", "  timezone: Asia/Tehran\n  aircraft:"))
    )
    assert (named.timezone, named.local_zone) == ("Asia/Tehran", "Asia/Tehran")
    utc = load_case(write(tmp_path, GOOD))
    assert (utc.timezone, utc.local_zone) == (None, None)


@pytest.mark.parametrize("value", ["Asia/Tehran", "UTC+03:30", "UTC", "Europe/Kiev"])
def test_timezone_names(tmp_path, value):
    case = load_case(
        write(tmp_path, GOOD.replace("  aircraft:", f"  timezone: {value}\n  aircraft:"))
    )
    assert case.timezone == value


@pytest.mark.parametrize("value", ["Tehran", "Asia/Nowhere", "3", "UTC+30"])
def test_bad_timezone_names_the_key(tmp_path, value):
    with pytest.raises(CaseError, match=r"^allegation\.timezone: "):
        load_case(
            write(tmp_path, GOOD.replace("  aircraft:", f"  timezone: '{value}'\n  aircraft:"))
        )
