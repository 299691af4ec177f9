"""engine.associating: which inputs are sketched, and the side files of the tracks kept
apart for fusion."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from airwitness.engine.associating import (
    SideWriter,
    in_tracks,
    may_hold_several_sensors,
    read_side,
)
from airwitness.engine.sources import InputFile, detect
from airwitness.schema import POSITION_SCHEMA, concat, make_table

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _file(fmt: str) -> InputFile:
    return InputFile(f"x.{fmt}", fmt, "whole", 1)


def _canonical(tmp_path: Path, name: str, sensors: list[str | None]) -> InputFile:
    n = len(sensors)
    table = make_table(
        {
            "track_id": ["a"] * n,
            "time": [10**18 + k for k in range(n)],
            "lon": [1.0] * n,
            "lat": [2.0] * n,
            "source_record": list(range(1, n + 1)),
            "sensor": pa.array(sensors, pa.string()),
        },
        source="csv",
        source_file="x",
    )
    path = tmp_path / name
    pq.write_table(table, path)
    return detect(str(path))


def test_formats_of_one_sensor_are_not_sketched():
    assert not may_hold_several_sensors([_file("opensky"), _file("sbs"), _file("beast")])
    assert not may_hold_several_sensors([_file("ulog"), _file("mavlink")])
    assert not may_hold_several_sensors([_file("gpx"), _file("kml")])


def test_several_sensors_or_formats_that_may_mix_them_are():
    assert may_hold_several_sensors([_file("opensky"), _file("remoteid")])
    assert may_hold_several_sensors([_file("opensky"), _file("gpx")])  # adsb and unstated
    for mixed in ("readsb", "asterix", "plots", "detections"):
        assert may_hold_several_sensors([_file(mixed)])


def test_a_plain_csv_says_by_its_header(tmp_path):
    without = tmp_path / "without.csv"
    without.write_text("track_id,time,lat,lon\nA,2025-06-16T00:00:00Z,40,45\n")
    with_sensor = tmp_path / "with.csv"
    with_sensor.write_text("\ntrack_id,time,lat,lon,sensor\nA,2025-06-16T00:00:00Z,40,45,adsb\n")
    files = [detect(str(without)), detect(str(with_sensor))]
    assert [f.format for f in files] == ["csv", "csv"]
    assert not may_hold_several_sensors([files[0], _file("gpx")])
    assert may_hold_several_sensors([files[0], _file("opensky")])  # unstated and adsb
    assert may_hold_several_sensors([files[1]])


def test_canonical_parquet_says_by_its_statistics(tmp_path):
    adsb = _canonical(tmp_path, "adsb.parquet", ["adsb", "adsb"])
    assert adsb.format == "canonical"
    assert not may_hold_several_sensors([adsb, _file("opensky")])
    assert may_hold_several_sensors([adsb, _file("gpx")])
    assert may_hold_several_sensors([_canonical(tmp_path, "two.parquet", ["adsb", "mlat"])])
    assert may_hold_several_sensors([_canonical(tmp_path, "some.parquet", ["adsb", None])])
    unstated = _canonical(tmp_path, "none.parquet", [None, None])
    assert not may_hold_several_sensors([unstated, _file("gpx")])


def test_side_files_keep_every_column(tmp_path):
    from airwitness.io import read

    table = read(EXAMPLES / "caucasus" / "opensky_states.csv").table
    writer = SideWriter(str(tmp_path / "side.arrow"))
    half = table.num_rows // 2
    writer.write(table.slice(0, half))
    writer.write(table.slice(half))
    assert writer.close() == (str(tmp_path / "side.arrow"), table.num_rows)
    back = read_side([str(tmp_path / "side.arrow")])
    assert back.schema == POSITION_SCHEMA
    assert back.equals(concat([table]).cast(POSITION_SCHEMA))
    assert SideWriter(str(tmp_path / "none.arrow")).close() is None


def test_rows_of_the_tracks_kept_apart():
    tracks = pa.array(["b", "c"])
    plain = pa.chunked_array([pa.array(["a", "b", "a", "c"])])
    assert in_tracks(plain, tracks).tolist() == [False, True, False, True]
    coded = pa.chunked_array([pa.array(["a", "b", "a", "c"]).dictionary_encode()])
    assert in_tracks(coded, tracks).tolist() == [False, True, False, True]


def test_the_formats_of_one_sensor_are_what_their_readers_say():
    """Every file of a format of :data:`SENSOR_OF_FORMAT` the repository holds gives
    reports of that one sensor and no other (else the partitioned engines would skip
    the sketch of inputs that hold two)."""
    from airwitness.engine.associating import SENSOR_OF_FORMAT
    from airwitness.fusion import sensors_of
    from airwitness.io import read
    from airwitness.io.options import ReadOptions

    options = ReadOptions(start_time_ns=1_750_000_000 * 10**9)  # Beast's relative clock

    data = EXAMPLES.parent / "tests" / "data"
    files = [
        EXAMPLES / "caucasus" / "opensky_states.csv",
        EXAMPLES / "caucasus" / "drones.gpx",
        EXAMPLES / "caucasus" / "helicopter.kml",
        EXAMPLES / "traffic" / "franconia.json.gz",
        data / "beast" / "sample_dump1090.bin",
        data / "modes_raw" / "sample_data_adsb.csv",
        *(data / "drones" / n for n in ("rega.bin", "rega.tlog", "rega.ulg", "rega_remoteid.txt")),
    ]
    seen = {}
    for path in files:
        result = read(path, options=options)
        assert sensors_of(result.table["sensor"]) == {SENSOR_OF_FORMAT[result.format]}, path
        seen[result.format] = SENSOR_OF_FORMAT[result.format]
    assert set(seen) == {
        "opensky", "gpx", "kml", "traffic", "beast", "modes_raw",
        "dataflash", "mavlink", "ulog", "remoteid",
    }  # fmt: skip
