"""Where a spill flush's rows and runs go: its buckets, its runs, its segments' layout.

:class:`airwitness.engine.spill.SpillWriter` cuts the rows it holds into one
segment per partition (the format: :mod:`airwitness.engine.spill`); these are
the small per-track and per-partition tables its kernels
(:mod:`airwitness.engine.spill_kernels`) work from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from airwitness.engine.spill_columns import HeldBatch
from airwitness.engine.spill_kernels import RUN_COLUMNS, note_changes, plan_runs


@dataclass
class Buckets:
    """A flush's buckets (a track each, in partition order) and its rows in them."""

    part_of: np.ndarray  # each bucket's partition
    first_bucket: np.ndarray  # each partition's first bucket (and the end)
    per_bucket: np.ndarray  # rows in each bucket
    rows: np.ndarray  # rows in each partition
    first_row: np.ndarray  # each bucket's first row in its partition's segment
    track_runs: np.ndarray  # buckets with rows in each partition
    of_held: list[np.ndarray]  # per held batch, each dictionary entry's bucket


class Changes:
    """Where the run columns of a flush's rows change value, per bucket, and so
    each partition's runs (:func:`note_changes`, :func:`plan_runs`)."""

    def __init__(self, buckets: Buckets, held: list[HeldBatch]) -> None:
        shape = (len(buckets.per_bucket), RUN_COLUMNS)
        first, self.last = np.empty(shape), np.empty(shape)
        changes = np.zeros(shape, dtype=np.int64)
        seen = np.zeros(shape[0], dtype=np.int64)
        for h, of in zip(held, buckets.of_held, strict=True):
            note_changes(h.track, of, seen, first, self.last, changes, *h.run_columns())
        self.merged = np.zeros(shape, dtype=np.bool_)
        self.slot = np.zeros(shape, dtype=np.int64)
        self.runs = plan_runs(
            buckets.per_bucket, buckets.first_bucket, first, self.last, changes, self.merged,
            self.slot,
        )  # fmt: skip


class Places:
    """Each row's place in the flush's buffer (its 8-byte word) and its
    partition, in arrays kept for the next batch: 32-bit while the buffer's
    words can be counted so (16 GiB; every scatter reads them once more)."""

    def __init__(self) -> None:
        self._dest = self._part = np.empty(0, np.int32)

    def take(self, n: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Room for ``n`` rows of a buffer of ``size`` bytes."""
        dtype = np.int32 if size // 8 < 2**31 else np.int64
        if n > len(self._dest) or self._dest.dtype != dtype:
            self._dest, self._part = np.empty(n, dtype), np.empty(n, dtype)
        return self._dest, self._part


@dataclass
class Layout:
    """Where each partition's segment lies in a flush's buffer, and its parts:
    ``rows`` rows of the five plain columns (36 bytes each), then the runs
    (each column's run ends, int32, then its values: track numbers, file
    numbers and records' high bits int32, errors float32, leg starts one
    byte), the segment padded to whole 8-byte words (so that every value
    lies on its own size)."""

    rows: np.ndarray
    track_runs: np.ndarray
    runs: np.ndarray  # per partition and run column

    def __post_init__(self) -> None:
        r = self.runs
        sizes = 36 * self.rows + 8 * (self.track_runs + r[:, :3].sum(axis=1)) + 5 * r[:, 3]
        padded = -(-sizes // 8) * 8
        self.start = np.cumsum(padded) - padded  # bytes
        self.end = self.start + sizes
        self.stop = self.start + padded
        self.size = int(padded.sum())
        self.word = self.start // 8  # the first 8-byte word
        # per plain column, each partition's shift from a row's time word, in
        # the column's own units (4-byte words for the records' low bits)
        k = self.rows
        self.shift = [0 * k, k, 2 * k, 3 * k, self.word + 8 * k]
        self.track_at = self.start // 4 + 9 * k  # in 4-byte words
        self.ends_at = np.empty_like(r)
        self.values_at = np.empty_like(r)
        at = self.track_at + 2 * self.track_runs
        for c in range(RUN_COLUMNS):
            self.ends_at[:, c] = at
            self.values_at[:, c] = at + r[:, c]
            at = at + 2 * r[:, c]
        self.values_at[:, 3] *= 4  # the leg starts' values: one byte each
