"""The sensors file: by SAC/SIC or by name, with the tracker's per-sensor settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from airwitness.errors import UsageError
from airwitness.io.sensors import Accuracy, Sensor, asterix_sensor, load_sensors


def test_a_sensor_by_name_and_one_by_sac_sic(tmp_path: Path):
    path = tmp_path / "sensors.csv"
    path.write_text(
        "name,sac,sic,lat,lon,alt_m,sigma_range_m,sigma_azimuth_deg,scan_period_s,pd,"
        "clutter_density\n"
        "AZ-PSR-1,,,39.45,47.05,100,50,0.15,5,0.9,0.01\n"
        ",25,12,43.571,16.406,780,,,,,\n"
    )
    sensors = load_sensors(path)
    assert sensors.get("AZ-PSR-1") == Sensor((39.45, 47.05, 100.0), Accuracy(50.0, 0.15), 5.0,
                                             0.9, 0.01)  # fmt: skip
    assert sensors.get(asterix_sensor(25, 12)) == Sensor((43.571, 16.406, 780.0))
    assert sensors.sites == {(25, 12): (43.571, 16.406, 780.0)}
    assert sensors.accuracy_of((25, 12)) == Accuracy() and sensors.get("nobody") is None


def test_both_keys_name_one_sensor(tmp_path: Path):
    path = tmp_path / "s.json"
    path.write_text('{"sensors": [{"name": "R", "sac": 1, "sic": 2, "lat": 1, "lon": 2, '
                    '"alt_m": 3, "scan_period_s": 4.8}]}')  # fmt: skip
    sensors = load_sensors(path)
    assert sensors.get("R") is sensors.get("asterix:1/2")
    assert sensors.get("R").scan_period_s == 4.8


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",,,1,2,3,,,", "needs a name, or sac and sic"),
        ("R,,,1,2,3,,,0", "has scan_period_s out of range"),
        ("R,,,1,2,3,,,,1.5", "has pd out of range"),
        ("R,,,1,2,3,,,,,-1", "has clutter_density out of range"),
        ("R,,,1,2,3,,,x", "has scan_period_s out of range"),
        ("R,300,1,1,2,3,,,", "has sac or sic out of range"),
    ],
)
def test_bad_rows_name_themselves(tmp_path: Path, row: str, message: str):
    path = tmp_path / "s.csv"
    path.write_text(
        "name,sac,sic,lat,lon,alt_m,sigma_range_m,sigma_azimuth_deg,scan_period_s,pd,"
        f"clutter_density\n{row}\n"
    )
    with pytest.raises(UsageError, match=f"data row 2 {message}"):
        load_sensors(path)


def test_a_file_without_any_key_column(tmp_path: Path):
    path = tmp_path / "s.csv"
    path.write_text("lat,lon,alt_m\n1,2,3\n")
    with pytest.raises(UsageError, match=r"missing column.*sac, sic or name"):
        load_sensors(path)


@pytest.mark.parametrize(
    ("cell", "band"),
    [
        ("0:3000", (0.0, 3000.0)),
        ("800", (800.0, 800.0)),
        ("", None),
        (" 100 : 200 ", (100.0, 200.0)),
    ],
)
def test_a_radar_s_own_height_band(tmp_path: Path, cell: str, band):
    path = tmp_path / "s.csv"
    path.write_text(f"name,lat,lon,alt_m,assumed_alt_m\nR,1,2,3,{cell}\n")
    assert load_sensors(path).get("R").assumed_alt_m == band


@pytest.mark.parametrize("cell", ["3000:0", "low:high", "1:2:3", "nan"])
def test_a_bad_height_band_names_its_row(tmp_path: Path, cell: str):
    path = tmp_path / "s.csv"
    path.write_text(f"name,lat,lon,alt_m,assumed_alt_m\nR,1,2,3,{cell}\n")
    with pytest.raises(UsageError, match="data row 2 has assumed_alt_m that is not a height"):
        load_sensors(path)
