"""How airwitness writes Parquet: LZ4 pages, delta-coded whole numbers and times, text
as dictionaries, and the tables read back exactly (by pyarrow and by DuckDB)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from airwitness.report.tables import write_table
from airwitness.schema import DETECTION_SCHEMA, POSITION_SCHEMA, make_table, parquet_options


def _reports() -> pa.Table:
    t0 = int(datetime(2025, 6, 13, 12, tzinfo=UTC).timestamp()) * 1_000_000_000
    n = 1000
    columns = {
        "track_id": ["4ca1fa" if i % 3 else "a1b2c3" for i in range(n)],
        "time": np.arange(n, dtype=np.int64) * 1_500_000_000 + t0,
        "lon": 44.0 + np.arange(n) * 1e-3,
        "lat": 40.0 - np.arange(n) * 1e-3,
        "alt_m": pa.array([None if i % 7 == 0 else 1000.0 + i for i in range(n)]),
        "source_record": np.arange(2, n + 2),
    }
    return make_table(columns, source="adsb", source_file="feed.csv")


def test_options_name_every_whole_number_and_text_column() -> None:
    options = parquet_options(POSITION_SCHEMA)
    assert options["compression"] == "lz4"
    assert options["column_encoding"] == {
        "time": "DELTA_BINARY_PACKED",
        "source_record": "DELTA_BINARY_PACKED",
    }
    assert options["use_dictionary"] == [
        "track_id", "alt_kind", "callsign", "source", "source_file", "sensor", "identity",
    ]  # fmt: skip
    detections = parquet_options(DETECTION_SCHEMA)["column_encoding"]
    assert sorted(detections) == ["source_offset", "source_record", "time"]


def test_written_table_reads_back_exactly(tmp_path: Path) -> None:
    table = _reports()
    path = tmp_path / "reports.parquet"
    write_table(table, path)
    assert pq.read_table(path).equals(table)
    meta = pq.ParquetFile(path).metadata.row_group(0)
    columns = {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}
    assert {c.compression for c in columns.values()} == {"LZ4"}
    assert "DELTA_BINARY_PACKED" in columns["time"].encodings
    assert "DELTA_BINARY_PACKED" in columns["source_record"].encodings
    assert "RLE_DICTIONARY" in columns["track_id"].encodings
    # the store and anyone's SQL read the same file (LZ4_RAW and delta pages)
    got = duckdb.sql(
        f"SELECT count(*), sum(source_record), max(epoch_ns(time)), count(alt_m) "
        f"FROM read_parquet('{path}')"
    ).fetchone()
    times = table["time"].cast(pa.int64())
    assert got == (1000, sum(range(2, 1002)), times[-1].as_py(), 1000 - 143)


def test_same_table_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    write_table(_reports(), a)
    write_table(_reports(), b)
    assert a.read_bytes() == b.read_bytes()
