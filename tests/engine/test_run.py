"""engine.run: partition results merged into the in-memory order."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.crossings import CROSSING_SCHEMA
from airwitness.engine.run import guided, merge
from airwitness.engine.tasks import packed


def _crossings(track_ids: list[str], first: int) -> pa.Table:
    """Crossing rows with these track ids (rows of a track together, as a partition gives)."""
    n = len(track_ids)
    columns = {f.name: pa.nulls(n, f.type) for f in CROSSING_SCHEMA}
    columns["track_id"] = pa.array(track_ids)
    columns["segment"] = pa.array(np.arange(first, first + n, dtype=np.int32))
    return pa.table(columns, schema=CROSSING_SCHEMA)


def test_merge_is_a_stable_sort_by_track():
    rng = np.random.default_rng(4)
    tables, first = [], 0
    names = [f"t{k:03d}" for k in rng.permutation(300)]
    for part in np.array_split(np.array(names), 7):  # each partition: its own tracks
        ids = [t for t in part for _ in range(rng.integers(1, 5))]
        tables.append(_crossings(ids, first))
        first += len(ids)
    tables.append(_crossings([], first))  # a partition without crossings
    whole = pa.concat_tables(tables)
    expected = whole.take(pc.sort_indices(whole, sort_keys=[("track_id", "ascending")]))
    parts = [packed(t) for t in tables]
    got = merge(parts)
    assert parts == []  # let go
    assert got.equals(expected) and got.schema.equals(CROSSING_SCHEMA, check_metadata=True)
    assert [c.num_chunks for c in got.columns] == [1] * got.num_columns
    assert got["segment"].to_pylist() == expected["segment"].to_pylist()  # order within a track
    assert merge([]).equals(CROSSING_SCHEMA.empty_table())
    assert merge([packed(_crossings([], 0))]).equals(CROSSING_SCHEMA.empty_table())


def test_merge_unpacks_every_column_whatever_the_group_size(monkeypatch):
    from airwitness.engine import run

    tables = [_crossings(["b", "b", "c"], 0), _crossings(["a"], 3), _crossings(["d", "a0"], 4)]
    expected = merge([packed(t) for t in tables])
    assert expected["track_id"].to_pylist() == ["a", "a0", "b", "b", "c", "d"]
    assert expected["segment"].to_pylist() == [3, 5, 0, 1, 2, 4]
    for at_once in (1, 3, 24, 100):
        monkeypatch.setattr(run, "MERGED_AT_ONCE", at_once)
        assert merge([packed(t) for t in tables]).equals(expected)


def test_pass_two_runs_cover_every_partition_once_long_ones_first():
    runs = guided(126, 2)
    assert [len(r) for r in runs] == [31, 23, 18, 13, 10, 7, 6, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1]
    assert [k for r in runs for k in r] == list(range(126))
    assert guided(3, 8) == [range(0, 1), range(1, 2), range(2, 3)]
    assert guided(0, 2) == []
    assert [len(r) for r in guided(10, 1)] == [5, 2, 1, 1, 1]
