"""engine.chunks: canonical Parquet read in batches gives the rows and rejects of the whole file."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from airwitness.engine.chunks import Unit, cut_units, read_unit, read_whole
from airwitness.engine.partition import COLUMNS
from airwitness.engine.sources import InputFile, detect

T0 = 1_749_772_800 * 10**9


def _canonical_file(path, rows):
    """A canonical-schema Parquet file whose columns allow the nulls a careless writer leaves."""
    schema = pa.schema(
        [
            ("track_id", pa.string()),
            ("time", pa.timestamp("ns", tz="UTC")),
            ("lon", pa.float64()),
            ("lat", pa.float64()),
            ("alt_m", pa.float64()),
            ("source_file", pa.string()),
            ("source_record", pa.int64()),
        ]
    )
    columns = list(zip(*rows, strict=True))
    pq.write_table(pa.table([pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)],
                            schema=schema), path, row_group_size=3)  # fmt: skip


def test_canonical_batches_reject_as_the_whole_file(tmp_path):
    good = ("a", T0, 10.0, 50.0, 100.0, "orig.csv", 7)
    rows = [
        good,
        ("b", T0 + 10**9, 11.0, 51.0, None, None, None),  # provenance filled in
        (None, T0, 10.0, 50.0, None, "orig.csv", 9),  # missing track_id
        ("a", None, 10.0, 50.0, None, "orig.csv", 10),  # bad time
        ("a", T0 + 2 * 10**9, None, 50.0, None, "orig.csv", 11),  # no position
        ("a", T0 + 3 * 10**9, 10.0, float("nan"), None, "orig.csv", 12),  # no position
        ("a", T0 + 4 * 10**9, 181.0, 50.0, None, "orig.csv", 13),  # out of range
        ("a", T0 + 5 * 10**9, 10.5, 50.5, 120.0, "orig.csv", 14),
    ]
    path = tmp_path / "canon.parquet"
    _canonical_file(path, rows)
    f = detect(str(path))
    whole = read_whole(f, None)
    assert sorted((r.record, r.reason) for r in whole.rejects) == [
        (3, "missing track_id"),
        (4, "bad time"),
        (5, "no position"),
        (6, "no position"),
        (7, "lat/lon out of range"),
    ]
    assert whole.table["source_record"].to_pylist() == [7, 2, 14]
    assert whole.table["source_file"].cast(pa.string()).to_pylist() == [
        "orig.csv",
        str(path),
        "orig.csv",
    ]
    parts = list(read_unit(Unit(f, tuple(range(len(f.row_groups)))), 2, 0, None))
    assert sorted(r for p in parts for r in p.rejects) == sorted(whole.rejects)
    batched = pa.concat_tables(
        [p.table.set_column(0, "track_id", p.table["track_id"].cast(pa.string())) for p in parts]
    ).unify_dictionaries()
    assert pa.types.is_dictionary(parts[0].table["track_id"].type)  # as Parquet stores it
    for name in COLUMNS:
        assert batched[name].to_pylist() == whole.table[name].to_pylist(), name


def test_clean_batches_take_the_fast_path_and_keep_every_row(tmp_path):
    rows = [(f"t{i % 3}", T0 + i * 10**9, 10.0 + i / 100, 50.0, None, "x.csv", i + 1)
            for i in range(20)]  # fmt: skip
    path = tmp_path / "clean.parquet"
    _canonical_file(path, rows)
    f = detect(str(path))
    parts = list(read_unit(Unit(f, tuple(range(len(f.row_groups)))), 8, 0, None))
    assert len(parts) > 1 and sum(p.table.num_rows for p in parts) == 20
    assert not any(p.rejects for p in parts)
    records = [r for p in parts for r in p.table["source_record"].to_pylist()]
    assert records == list(range(1, 21))


def test_units_are_long_first_and_short_last():
    """Each unit takes a share of the rows left (a quarter on two workers),
    within [smallest, largest], in whole row groups; a text file is one unit."""
    files = [
        InputFile(f"f{k}.parquet", "canonical", "parquet", 100, row_groups=(2, 2, 2, 2))
        for k in range(3)
    ]
    text = InputFile("g.csv", "opensky", "csv", 100)
    got = cut_units([files[0], text, *files[1:]], workers=2, smallest=1, largest=5)
    assert [(i, u.row_groups, u.first_record) for i, u in got] == [
        (0, (0, 1, 2), 1),  # 24 rows left: a share of 6, at most 5 -> 3 groups
        (0, (3,), 7),  # the file's end
        (1, (), 1),  # the text file, whole
        (2, (0, 1), 1),  # 16 left: 4
        (2, (2, 3), 5),  # 12 left: 3
        (3, (0,), 1),  # 8 left: 2
        (3, (1,), 3),  # then the smallest units, one group each
        (3, (2,), 5),
        (3, (3,), 7),
    ]
    assert all(u.file is files[k - 1 if k > 1 else 0] for k, u in got if k != 1)
