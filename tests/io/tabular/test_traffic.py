"""traffic exports: the library's real sample flights, and CSV / Parquet / JSON variants."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airwitness.errors import InputError
from airwitness.io.tabular import traffic
from airwitness.times import rows_ns

from ..helpers import TRAFFIC, by_record, reconcile, rows_of, utc_ns

# file: (rows, first, last) with (track_id, time, lat, lon, alt_m, callsign)
SAMPLES = {
    "rega_sg.json.gz": (
        1080,
        ("4b43ac", "2019-05-23T11:50:04Z", 47.430866, 9.383099, 2525 * 0.3048, "REGA1"),
        # last row has last_position (ms), which is the position's time
        ("4b43ac", "2019-05-23T12:09:49.332Z", 47.3960902327, 8.637507512, 1325 * 0.3048, "REGA1"),
    ),
    "alto_adige.json.gz": (
        2109,
        ("3eca6a", "2019-05-23T08:38:46Z", 46.0167, 11.1251, 593 * 0.3048, "D-KRPK"),
        ("3eca6a", "2019-05-23T17:16:33Z", 46.0179, 11.123, 2647 * 0.3048, "D-KRPK"),
    ),
    "elal747.json.gz": (
        2110,
        ("738043", "2019-11-03T09:28:10Z", 41.79491, 12.241875, 0.0, "ELY1747"),
        ("738043", "2019-11-03T15:19:40Z", 32.004238, 34.876183, 0.0, "ELY1747"),
    ),
    "border_control.json.gz": (
        1465,
        ("407918", "2020-04-17T03:40:50Z", 50.953583, 0.936659, 125 * 0.3048, "GTEKV"),
        ("407918", "2020-04-17T07:44:50Z", 50.955753, 0.934753, 0.0, "GTEKV"),
    ),
}


def _summary(table: pa.Table, i: int) -> tuple:
    r = rows_ns(table.slice(i, 1))[0]
    return (
        r["track_id"],
        table["time"].cast(pa.int64())[i].as_py(),
        r["lat"],
        r["lon"],
        r["alt_m"],
        r["callsign"],
    )


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_real_samples(name):
    rows, first, last = SAMPLES[name]
    result = traffic.read(TRAFFIC / name)
    reconcile(result, range(1, rows + 1))
    assert result.rejects == []
    assert result.table.num_rows == rows
    for i, want in ((0, first), (rows - 1, last)):
        tid, iso, lat, lon, alt, callsign = want
        assert _summary(result.table, i) == (
            tid,
            utc_ns(iso),
            lat,
            lon,
            pytest.approx(alt),
            callsign,
        )
    assert set(result.table["alt_kind"].to_pylist()) == {"baro"}
    assert result.table["source"][0].as_py() == "traffic"
    assert result.table["pos_sigma_m"].null_count == rows  # no accuracy column


def test_units(write):
    text = (
        '[{"timestamp": 1558612204000, "icao24": "ABCDEF", "latitude": 47.0, "longitude": 9.0,'
        ' "altitude": 1000, "groundspeed": 100, "track": 45.5, "vertical_rate": 1000,'
        ' "callsign": " REGA1 "},'
        ' {"timestamp": 1558612205000, "icao24": "abcdef", "latitude": 47.0, "longitude": 9.0,'
        ' "altitude": null, "geoaltitude": 2000, "groundspeed": null}]'
    )
    result = traffic.read(write("f.json", text))
    a, b = rows_of(result.table)
    assert a["track_id"] == "abcdef" and a["callsign"] == "REGA1"
    assert a["alt_m"] == pytest.approx(304.8) and a["alt_kind"] == "baro"
    assert a["ground_speed_mps"] == pytest.approx(51.44444444444444)
    assert a["vrate_mps"] == pytest.approx(5.08)
    assert a["track_deg"] == 45.5
    assert b["alt_m"] == pytest.approx(609.6) and b["alt_kind"] == "geo"
    assert b["ground_speed_mps"] is None and b["callsign"] is None


def test_json_bad_records(write):
    text = (
        '[{"timestamp": 1558612204000, "icao24": "a", "latitude": 47, "longitude": 9},\n'
        " 5,\n"
        ' {"timestamp": "2019-05-23 11:50:04+02:00", "icao24": "a", "latitude": "47.5",'
        ' "longitude": 9},\n'
        ' {"timestamp": 1558612204000, "icao24": "a", "latitude": "north", "longitude": 9},\n'
        ' {"timestamp": true, "icao24": "a", "latitude": 47, "longitude": 9},\n'
        ' {"timestamp": 1558612204000, "icao24": "a", "latitude": null, "longitude": 9},\n'
        ' {"timestamp": 1558612204, "icao24": "a", "latitude": 47, "longitude": 9,'
        ' "groundspeed": "fast"}]'
    )
    result = traffic.read(write("bad.json", text))
    reconcile(result, range(1, 8))
    assert by_record(result) == {
        2: "not an object",
        4: "bad lat/lon",
        5: "bad time",
        6: "no position",
        7: "bad number in groundspeed",
    }
    assert result.table["time"].cast(pa.int64()).to_pylist() == [
        utc_ns("2019-05-23T11:50:04Z"),
        utc_ns("2019-05-23T09:50:04Z"),  # ISO text with an offset
    ]
    assert result.table["lat"].to_pylist() == [47.0, 47.5]


def test_json_lines(write):
    text = (
        '{"timestamp": 1558612204000, "icao24": "a", "latitude": 47, "longitude": 9}\n'
        "\n"
        "{not json}\n"
        '{"timestamp": 1558612205000, "icao24": "a", "latitude": 47, "longitude": 9}\n'
    )
    result = traffic.read(write("f.jsonl", text))
    reconcile(result, [1, 3, 4])
    assert by_record(result) == {3: "bad JSON"}


def test_csv_iso_and_epoch_times(write):
    text = (
        ",timestamp,icao24,latitude,longitude,altitude,groundspeed\n"
        "0,2019-05-23 11:50:04+00:00,4b43ac,47.4,9.3,1000,100\n"
        "1,2019-05-23T11:50:05.5Z,4b43ac,47.4,9.3,,\n"
        "2,2019-05-23 11:50:06,4b43ac,47.4,9.3,,\n"  # no zone: UTC
        "3,1558612207,4b43ac,47.4,9.3,,\n"  # epoch seconds
        "4,1558612208000,4b43ac,47.4,9.3,,\n"  # epoch ms
        "5,2019-05-23,4b43ac,47.4,9.3,,\n"  # a date is not a time
        "6,1e3,4b43ac,47.4,9.3,,\n"  # outside 1990-2100
    )
    result = traffic.read(write("f.csv", text))
    reconcile(result, range(2, 9))
    assert by_record(result) == {7: "bad time", 8: "bad time"}
    base = utc_ns("2019-05-23T11:50:04Z")
    assert result.table["time"].cast(pa.int64()).to_pylist() == [
        base,
        base + 1_500_000_000,
        base + 2 * 10**9,
        base + 3 * 10**9,
        base + 4 * 10**9,
    ]
    assert result.table["alt_m"][0].as_py() == pytest.approx(304.8)


def test_parquet_with_timestamp_type(tmp_path):
    table = pa.table(
        {
            "timestamp": pa.array([1558612204000, 1558612205000], pa.timestamp("ms", tz="UTC")),
            "icao24": ["4b43ac", "4b43ac"],
            "latitude": [47.4, 47.5],
            "longitude": [9.3, 9.4],
            "altitude": [1000.0, None],
            "vertical_rate": [-1000.0, None],
        }
    )
    path = tmp_path / "f.parquet"
    pq.write_table(table, path)
    result = traffic.read(path)
    reconcile(result, [1, 2])
    assert result.table["time"].cast(pa.int64()).to_pylist() == [
        utc_ns("2019-05-23T11:50:04Z"),
        utc_ns("2019-05-23T11:50:05Z"),
    ]
    assert result.table["vrate_mps"][0].as_py() == pytest.approx(-5.08)


def test_json_errors(write):
    with pytest.raises(InputError, match="unparseable JSON"):
        traffic.read(write("t.json", '[{"timestamp": 1,'))
    with pytest.raises(InputError, match="missing required column"):
        traffic.read(write("u.json", '[{"timestamp": 1558612204000}]'))
    assert traffic.read(write("e.json", "[]")).records == 0
