"""`airwitness airspace info`."""

from __future__ import annotations

import json

import pytest

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


def test_airspace_diff_json_and_polygons(tmp_path):
    out = tmp_path / "diff.geojson"
    result = run("airspace", "diff", "ne10m", "osm", "--codes", "CHE", "--json", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["a"], doc["b"], doc["step_m"]) == ("ne10m", "osm", 200.0)
    borders = {tuple(b["codes"]): b for b in doc["borders"]}
    assert set(borders) == {("AUT", "CHE"), ("CHE", "DEU"), ("CHE", "FRA"), ("CHE", "ITA"),
                            ("CHE", "LIE")}  # fmt: skip
    assert 575 < borders[("CHE", "DEU")]["median_m"] < 611  # issue 15: 593 m
    (area,) = doc["areas"]
    assert area["code"] == "CHE" and area["differs_km2"] > 0
    geo = json.loads(out.read_text())
    assert geo["type"] == "FeatureCollection" and (geo["a"], geo["b"]) == ("ne10m", "osm")
    props = [f["properties"] for f in geo["features"]]
    assert props and all(p["code"] == "CHE" and "CHE" in (p["a"], p["b"]) for p in props)
    assert sum(p["area_km2"] for p in props) == pytest.approx(area["differs_km2"], rel=1e-3)


def test_airspace_diff_writes_polygons_as_geojson_only(tmp_path):
    result = run("airspace", "diff", "ne10m", "osm", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 2 and ".geojson" in result.stderr
