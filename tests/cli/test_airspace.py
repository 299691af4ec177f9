"""`airwitness airspace info`."""

from __future__ import annotations

import json

from tests.cli._cli import run


def test_airspace_info_of_the_default_set_osm():
    result = run("airspace", "info", "--json")
    info = json.loads(result.stdout)
    p = info["provenance"]
    assert p["name"] == "osm"
    assert p["source_package"] == "npm @osm_borders/maritime_10m 1.1.0"
    assert p["licence"] == "ODbL-1.0"
    assert p["attribution"].startswith("© OpenStreetMap contributors")
    assert "AZE" not in info  # codes are counted, not listed
    assert info["codes"] == 289
    assert info["zones"] == ["territory"]
    assert info["dependencies"]["SJM"] == "NOR"
    assert info["joint_codes"]["RUS+UKR"] == ["RUS", "UKR"]
    text = run("airspace", "info").stdout
    assert "attribution: © OpenStreetMap contributors" in text
    assert "joint codes (disputed): ARG+CHL, ARM+AZE," in text


def test_airspace_info_of_ne10m():
    info = json.loads(run("airspace", "info", "--boundaries", "ne10m", "--json").stdout)
    assert info["provenance"]["name"] == "ne10m"
    assert info["provenance"]["version"] == "5.1.1"
    assert info["provenance"]["territorial_sea_m"] == 22224
    assert info["codes"] == 250
    assert info["zones"] == ["land", "sea"]
    assert info["dependencies"] == {} and info["joint_codes"] == {}


def test_unknown_set_name_is_a_usage_error():
    result = run("airspace", "info", "--boundaries", "ne50m")
    assert result.exit_code == 2
    assert "--boundaries FILE needs --code-field" in result.stderr
