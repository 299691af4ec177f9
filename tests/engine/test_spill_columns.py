"""engine.spill_columns: a batch's spill columns are views of its Arrow buffers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from airwitness.engine.spill_columns import encoded, held_batch, indices
from airwitness.schema import make_table

T0 = 1_750_000_000 * 10**9


def _batch(sigmas, legs, alts, source="opensky", records=(10, 11, 12, 2**40)) -> pa.RecordBatch:
    table = make_table(
        {
            "track_id": ["a", "b", "a", "c"],
            "time": [T0, T0 + 1, T0 + 2, T0 + 3],
            "lon": [1.0, 2.0, 3.0, 4.0],
            "lat": [5.0, 6.0, 7.0, 8.0],
            "alt_m": alts,
            "source_record": list(records),
            "leg_start": legs,
            "pos_sigma_m": sigmas,
        },
        source=source,
        source_file="f.parquet",
    )
    return table.to_batches()[0]


def _held(batch: pa.RecordBatch):
    tracks = encoded(batch.column("track_id"))
    files = encoded(batch.column("source_file"))
    numbers = np.arange(len(tracks.dictionary), dtype=np.int32)
    return held_batch(batch, indices(tracks), numbers, files, np.zeros(1, np.int32))


def test_plain_columns_are_the_batch_buffers():
    batch = _batch([None] * 4, [None] * 4, [1.0, 2.0, 3.0, 4.0])
    held = _held(batch)
    for name, values in (("time", held.time), ("lon", held.lon), ("source_record", held.record)):
        address = batch.column(name).buffers()[1].address
        assert values.ctypes.data == address  # no copy
    assert held.time.tolist() == [T0, T0 + 1, T0 + 2, T0 + 3]
    assert held.record.tolist() == [10, 11, 12, 2**40]
    assert held.alt_valid.size == 0 and held.alt.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert held.leg.size == 0 and held.leg_valid.size == 0  # every leg start unknown
    assert held.track.tolist() == [0, 1, 0, 2]


def test_errors_per_source_where_none_is_stated():
    """No error stated: a code per row into one error per source (the source's
    default); stated ones: the effective error of each row, float32."""
    held = _held(_batch([None] * 4, [None] * 4, [None] * 4))
    assert held.sigma.size == 0
    assert held.sigma_of.dtype == np.float32 and held.sigma_of.tolist() == [50.0]
    assert held.sigma_code.tolist() == [0, 0, 0, 0]
    held = _held(_batch([7.5, None, 0.1, None], [None] * 4, [None] * 4, source="radar-x"))
    assert held.sigma_code.size == 0
    assert held.sigma.tolist() == [7.5, 100.0, np.float32(0.1), 100.0]  # unknown source: 100 m


def test_nulls_by_bitmap_from_the_slice_offset():
    batch = _batch([None] * 4, [True, None, False, True], [None, 2.0, None, 4.0])
    sliced = pa.RecordBatch.from_arrays(
        [c.slice(1) for c in batch.columns], schema=batch.schema
    )  # values from bit 1
    held = _held(sliced)
    assert held.alt_at == held.leg_at == 1
    bits = [(held.alt_valid[(1 + i) >> 3] >> ((1 + i) & 7)) & 1 for i in range(3)]
    assert bits == [1, 0, 1] and held.alt[0] == 2.0 and held.alt[2] == 4.0
    legs = [
        (held.leg[(1 + i) >> 3] >> ((1 + i) & 7))
        & (held.leg_valid[(1 + i) >> 3] >> ((1 + i) & 7))
        & 1
        for i in range(3)
    ]
    assert legs == [0, 0, 1]


def test_run_columns_the_same_throughout():
    """(file number, records' high bits, error, leg start) when each is one
    value for the whole batch; ``None`` when any varies or is unknown."""
    unknown, alts = [None] * 4, [1.0] * 4
    assert _held(_batch(unknown, unknown, alts)).constant_runs() is None  # high bits 0, 256
    high = [2**33, 2**33 + 1, 2**33 + 7, 2**33 + 3]
    assert _held(_batch(unknown, unknown, alts, records=high)).constant_runs() == (0, 2, 50.0, 0)
    low = [1, 2, 3, 4]
    stated = _held(_batch([3.0] * 4, unknown, alts, records=low))
    assert stated.sigma_code.size == 0 and stated.constant_runs() == (0, 0, 3.0, 0)
    assert _held(_batch([3.0, 3.0, 4.0, 3.0], unknown, alts, records=low)).constant_runs() is None
    legs = _held(_batch(unknown, [False, None, None, None], alts, records=low))
    assert legs.constant_runs() is None  # leg starts stated: counted row by row
    batch = _batch([1.0] * 4, unknown, alts, records=low)
    nan = pa.array([np.nan] * 4)  # stated, unknown: a run of its own each
    batch = batch.set_column(batch.schema.get_field_index("pos_sigma_m"), "pos_sigma_m", nan)
    assert _held(batch).constant_runs() is None
