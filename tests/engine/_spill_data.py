"""Spill test data shared by test_spill.py and test_spill_codec.py."""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa

from airwitness.engine import spill_io
from airwitness.schema import make_table

T0 = 1_750_000_000 * 10**9


def reports(n: int) -> pa.Table:
    """``n`` reports of 37 tracks flying east over the Poland–Belarus border, interleaved."""
    rng = np.random.default_rng(7)
    track = rng.integers(0, 37, n)
    step = np.zeros(n, dtype=np.int64)
    for t in range(37):  # each track's k-th report: k steps east, 60 s apart
        mine = track == t
        step[mine] = np.arange(mine.sum())
    return make_table(
        {
            "track_id": [f"trk{t:02d}" for t in track],
            "time": (T0 + step * 60 * 10**9).tolist(),
            "lon": (23.0 + 0.05 * step + 0.01 * track).tolist(),
            "lat": (52.0 + 0.02 * track).tolist(),
            "alt_m": np.where(step % 5 == 0, np.nan, 1000.0 + step).tolist(),
            "source_record": (np.arange(n) + 1).tolist(),
        },
        source="canonical",
        source_file="reports.parquet",
    )


def direct_io_here(folder) -> bool:
    fd, direct = spill_io.open_local(str(folder / "probe"), os.O_WRONLY | os.O_CREAT)
    os.close(fd)
    return direct


def same(a: pa.Table, b: pa.Table) -> bool:
    """Equal tables, unknown altitudes (NaN, which equals nothing) included."""
    alt_a, alt_b = (t["alt_m"].to_numpy().tobytes() for t in (a, b))
    return a.drop_columns("alt_m").equals(b.drop_columns("alt_m")) and alt_a == alt_b
