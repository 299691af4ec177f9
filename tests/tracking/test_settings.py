"""Tracker settings: defaults, a sensor's own values, a case file's block, bad values."""

from __future__ import annotations

import pytest

from airwitness.errors import UsageError
from airwitness.io.sensors import Sensor
from airwitness.tracking import TrackerSettings, parse_alt_band


def test_a_sensor_overrides_what_it_states_and_only_that():
    base = TrackerSettings(pd=0.8, max_speed_mps=100.0)
    own = base.for_sensor(Sensor((40.0, 47.0, 0.0), scan_period_s=4.0, pd=1.0))
    assert own.scan_period_s == 4.0 and own.pd == 0.999  # a certain detection is not a prior
    assert own.max_speed_mps == 100.0 and own.clutter_density == 0.0
    assert base.for_sensor(None) is base


def test_a_case_file_block():
    s = TrackerSettings.from_mapping({"assumed_alt_m": "100:2000", "pd": 0.7}, "case.yaml")
    assert s.assumed_alt_m == (100.0, 2000.0) and s.pd == 0.7
    with pytest.raises(UsageError, match=r"case.yaml: unknown tracker setting.*speed"):
        TrackerSettings.from_mapping({"speed": 3}, "case.yaml")


@pytest.mark.parametrize(
    "values", [{"pd": 1.0}, {"confirm_hits": 7}, {"scan_period_s": 0.0}, {"max_speed_mps": -1}]
)
def test_bad_settings_are_usage_errors(values: dict):
    with pytest.raises(UsageError, match="tracker settings out of range"):
        TrackerSettings(**values)


@pytest.mark.parametrize("text", ["3000:0", "a:b", "1:2:3", ""])
def test_bad_height_bands(text: str):
    with pytest.raises(UsageError, match="--assumed-alt-m"):
        parse_alt_band(text)


def test_height_bands():
    assert parse_alt_band([500, 800]) == (500.0, 800.0)
    assert parse_alt_band("-50:20") == (-50.0, 20.0)
