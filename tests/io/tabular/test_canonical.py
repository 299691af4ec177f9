"""The canonical table read back from Parquet: detected by its columns, the reports and
their provenance exactly as written, bad rows rejected by row number, the same rows
and crossings on every engine."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airwitness.engine import run_crossings_scaled
from airwitness.errors import InputError
from airwitness.io import read, sniff
from airwitness.io.tabular import canonical
from airwitness.report.tables import write_table
from airwitness.schema import POSITION_SCHEMA

T0 = 1_749_772_800 * 10**9
ROOT = Path(__file__).resolve().parents[3]
REAL = ROOT / "tests" / "data" / "traffic" / "elal747.json.gz"


def test_what_airwitness_wrote_reads_back_exactly(tmp_path: Path) -> None:
    """A real flight (traffic's El Al 747 sample) read, written as canonical Parquet,
    read again: the same table, provenance pointing at the original file's records."""
    first = read(REAL)
    path = tmp_path / "elal.parquet"
    write_table(first.table, path)
    assert sniff(path) == "canonical"
    again = read(path)
    assert again.format == "canonical" and again.rejects == []
    assert again.table.schema.equals(POSITION_SCHEMA)
    assert again.table.equals(first.table)
    assert again.table["source_file"][0].as_py() == str(REAL)
    assert again.table["source_record"][:3].to_pylist() == [1, 2, 3]


def test_a_labelled_table_reads_back(tmp_path: Path) -> None:
    """Extra columns (``airwitness label``'s ``airspace``) are ignored."""
    table = read(REAL).table
    labelled = table.append_column("airspace", pa.array(["ISR"] * table.num_rows))
    path = tmp_path / "labelled.parquet"
    write_table(labelled, path)
    assert read(path).table.equals(table)


def _careless(path: Path, rows: list[tuple]) -> None:
    """A canonical-schema file whose columns allow the nulls a careless writer leaves,
    ``time`` in microseconds without a zone, ``track_id`` as a dictionary."""
    schema = pa.schema(
        [
            ("track_id", pa.dictionary(pa.int32(), pa.string())),
            ("time", pa.timestamp("us")),
            ("lon", pa.float64()),
            ("lat", pa.float64()),
            ("source_file", pa.string()),
            ("source_record", pa.int64()),
        ]
    )
    columns = [list(c) for c in zip(*rows, strict=True)]
    columns[1] = [None if t is None else t // 1000 for t in columns[1]]
    arrays = [pa.array(c, pa.string()).dictionary_encode() if f.name == "track_id"
              else pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)]  # fmt: skip
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path)


def test_bad_rows_rejected_by_row_number(tmp_path: Path) -> None:
    rows = [
        ("a", T0, 10.0, 50.0, "orig.csv", 7),
        ("b", T0 + 10**9, 11.0, 51.0, None, None),  # provenance: this file, row 2
        (None, T0, 10.0, 50.0, "orig.csv", 9),
        ("a", None, 10.0, 50.0, "orig.csv", 10),
        ("a", T0 + 2 * 10**9, None, 50.0, "orig.csv", 11),
        ("a", T0 + 3 * 10**9, 10.0, float("nan"), "orig.csv", 12),
        ("a", T0 + 4 * 10**9, 181.0, 50.0, "orig.csv", 13),
        ("a", T0 + 5 * 10**9, 10.5, 50.5, "orig.csv", 14),
    ]
    path = tmp_path / "careless.parquet"
    _careless(path, rows)
    got = read(path)
    assert [(r.record, r.reason) for r in got.rejects] == [
        (3, "missing track_id"),
        (4, "bad time"),
        (5, "no position"),
        (6, "no position"),
        (7, "lat/lon out of range"),
    ]
    assert got.records == 8
    table = got.table
    assert table.schema.equals(POSITION_SCHEMA)
    assert table["track_id"].to_pylist() == ["a", "b", "a"]
    assert table["source_record"].to_pylist() == [7, 2, 14]
    assert table["source_file"].cast(pa.string()).to_pylist() == ["orig.csv", str(path), "orig.csv"]
    assert table["time"].cast(pa.int64()).to_pylist() == [T0, T0 + 10**9, T0 + 5 * 10**9]
    assert table["source"].cast(pa.string()).to_pylist() == ["canonical"] * 3


def test_a_batch_with_nothing_to_reject_fills_unknown_record_numbers() -> None:
    """Rows all valid (no per-row verdicts): a null ``source_record`` is still the
    row's number in its file, the batch's first row being record 5."""
    table = pa.table(
        {
            "track_id": ["a", "b", "a"],
            "time": pa.array([T0, T0 + 1, T0 + 2], pa.timestamp("ns", tz="UTC")),
            "lon": [10.0, 11.0, 12.0],
            "lat": [50.0, 51.0, 52.0],
            "source_record": pa.array([None, 70, None], pa.int64()),
        }
    )
    got = canonical.convert("in.parquet", table, 5, ("track_id", "source_record"))
    assert got.rejects == [] and got.detections.num_rows == 0
    assert got.table["source_record"].to_pylist() == [5, 70, 7]


def test_not_a_timestamp_and_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "numbers.parquet"
    pq.write_table(
        pa.table({"track_id": ["a"], "time": [1], "lon": [1.0], "lat": [2.0],
                  "source_file": ["x"], "source_record": [1]}),
        path,
    )  # fmt: skip
    with pytest.raises(InputError, match="column time is int64, not a timestamp"):
        read(path)
    text = tmp_path / "canonical.csv"
    text.write_text("track_id,time,lon,lat,source_file,source_record\na,0,1,2,x,1\n")
    assert sniff(text) == "csv"  # a CSV with these columns is the plain format
    with pytest.raises(InputError, match="read from Parquet only"):
        read(text, format="canonical")


def test_same_crossings_on_every_engine(tmp_path: Path) -> None:
    """The traffic samples as one canonical file: the in-memory path (which reads it
    through ``airwitness.io``) and the local engine (in batches) find the same
    crossings, and the same as from the original files."""
    samples = sorted((ROOT / "tests" / "data" / "traffic").glob("*.json.gz"))
    tables = [read(p).table for p in samples]
    path = tmp_path / "samples.parquet"
    write_table(pa.concat_tables(tables).unify_dictionaries(), path)
    direct = run_crossings_scaled([str(p) for p in samples], engine="memory").crossings
    memory = run_crossings_scaled([str(path)], engine="memory").crossings
    local = run_crossings_scaled([str(path)], engine="local", workers=1).crossings
    assert direct.num_rows > 0
    assert memory.equals(direct)
    assert local.equals(direct)
