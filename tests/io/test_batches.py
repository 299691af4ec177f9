"""What the engines use to read a file in parts: each part as the whole file reads it."""

from __future__ import annotations

import gzip

import pyarrow as pa

from airwitness.io import read
from airwitness.io.batches import (
    CHUNK,
    GZIP_MAGIC,
    PARQUET_MAGIC,
    TABULAR,
    container,
    read_table,
    renamed,
    shift,
    sniff_head,
)

OPENSKY = (
    "time,icao24,lat,lon\n"
    "1589155200,4b43ac,47.5,8.5\n"
    "1589155201,4b43ac,,\n"
    "1589155202,4b43ac,47.6,8.6\n"
)


def test_tabular_formats_and_containers():
    assert list(TABULAR) == ["opensky", "traffic", "csv"]
    assert TABULAR["opensky"].REQUIRED == ("time", "icao24", "lat", "lon")
    assert gzip.compress(b"x").startswith(GZIP_MAGIC) and CHUNK == 1 << 16
    assert container(PARQUET_MAGIC + b"...") == "parquet"
    assert container(b' [{"a": 1}]') == "json" and container(b"a,b\n") == "csv"


def test_sniff_head_as_sniff_on_the_file(write):
    path = write("states.csv", OPENSKY)
    assert sniff_head("anything", OPENSKY.encode()) == "opensky"
    assert sniff_head("anything", path.read_bytes()) == read(path).format


def test_read_table_numbers_rows_from_the_batch_start(write):
    whole = read(write("states.csv", OPENSKY))
    columns = {
        "time": pa.array([1589155201, 1589155202]),
        "icao24": pa.array(["4b43ac", "4b43ac"]),
        "lat": pa.array([None, 47.6]),
        "lon": pa.array([None, 8.6]),
    }
    part = read_table("states.parquet", "opensky", pa.table(columns), 3, None)
    assert part.table["source_record"].to_pylist() == [4]
    assert [(r.record, r.reason) for r in part.rejects] == [(3, "no position")]
    assert whole.table["lat"].to_pylist()[-1] == part.table["lat"].to_pylist()[0]


def test_shift_and_renamed(write):
    result = read(write("states.csv", OPENSKY))
    moved = renamed(shift(result, 10), "s3://bucket/states.csv")
    assert moved.table["source_record"].to_pylist() == [12, 14]
    assert moved.table["source_file"].to_pylist() == ["s3://bucket/states.csv"] * 2
    assert [(r.file, r.record) for r in moved.rejects] == [("s3://bucket/states.csv", 13)]
    assert shift(result, 0) is result and renamed(result, result.rejects[0].file) is result
