"""A batch's spill columns as numpy views of its Arrow buffers, as the spill's kernels read them.

:class:`airwitness.engine.spill.SpillWriter` holds the batches of a flush as
they came (no copy of any column where its type is already the spill's), and
its kernels (:mod:`airwitness.engine.spill_kernels`) read them there: text as
dictionary indices with a number per entry, null altitudes and leg starts by
Arrow's validity bitmaps, position errors as a code per row into an error per
source where the batch states none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.uncertainty import effective_sigma


@dataclass
class HeldBatch:
    """A held batch's columns (numpy views of its Arrow buffers where it can be):
    text as per-row dictionary indices and, per entry, the track's number here
    or the file's; each row's position error as a code into ``sigma_of`` (one
    per source) or, with no codes, ``sigma``; null altitudes and leg starts by
    Arrow bitmaps from bit ``*_at`` (empty: no nulls, or no leg start at all)."""

    track: np.ndarray
    number_of: np.ndarray
    file: np.ndarray
    file_of: np.ndarray
    record: np.ndarray
    sigma_code: np.ndarray
    sigma_of: np.ndarray
    sigma: np.ndarray
    leg: np.ndarray
    leg_valid: np.ndarray
    leg_at: int
    time: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    alt: np.ndarray
    alt_valid: np.ndarray
    alt_at: int

    def run_columns(self) -> tuple:  # type: ignore[type-arg]
        """What the kernels read the columns stored as runs from."""
        return (self.file, self.file_of, self.record, self.sigma_code, self.sigma_of,
                self.sigma, self.leg, self.leg_valid, self.leg_at)  # fmt: skip

    def constant_runs(self) -> tuple[int, int, float, int] | None:
        """The file number, records' high 32 bits, position error and leg start
        of every row, when each is the same for all (the common case: one file,
        one source, no leg starts); else ``None``. Settled on the small tables
        and one pass over the record numbers; an unknown (NaN) error is never
        the same as another."""
        if self.leg.size or len(self.track) == 0 or np.any(self.file_of != self.file_of[0]):
            return None
        errors = self.sigma_of if self.sigma_code.size else self.sigma
        if np.isnan(errors[0]) or np.any(errors != errors[0]):
            return None
        low, high = pc.min_max(pa.array(self.record)).values()
        if low.as_py() >> 32 != high.as_py() >> 32:
            return None
        return int(self.file_of[0]), low.as_py() >> 32, float(errors[0]), 0


def held_batch(
    batch: pa.RecordBatch,
    track: np.ndarray,
    number_of: np.ndarray,
    files: pa.DictionaryArray,
    file_of: np.ndarray,
) -> HeldBatch:
    """``batch``'s spill columns, its tracks given as dictionary indices ``track``
    with each entry's number ``number_of``, its files as ``files`` with each
    entry's number ``file_of``."""
    alt, alt_valid, alt_at = _nullable_floats(batch.column("alt_m"))
    leg, leg_valid, leg_at = _bits(batch.column("leg_start"))
    return HeldBatch(
        track, number_of, indices(files), file_of,
        _plain(batch.column("source_record"), np.int64), *_sigmas(batch),
        leg, leg_valid, leg_at,
        _plain(batch.column("time"), np.int64), _plain(batch.column("lon"), np.float64),
        _plain(batch.column("lat"), np.float64), alt, alt_valid, alt_at,
    )  # fmt: skip


def encoded(column: pa.Array) -> pa.DictionaryArray:
    return column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)


_NONE = np.zeros(0, np.uint8)
_NO_CODES = np.zeros(0, np.int32)
_NO_FLOATS = np.zeros(0, np.float32)


def indices(column: pa.DictionaryArray) -> np.ndarray:
    return column.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)


def _plain(column: pa.Array, dtype: type) -> np.ndarray:
    """Values without nulls as a numpy array of ``dtype`` (no copy when the
    column has that width already: a timestamp as its int64 nanoseconds)."""
    if pa.types.is_timestamp(column.type):
        column = column.cast(pa.timestamp("ns", column.type.tz)).view(pa.int64())
    return column.to_numpy(zero_copy_only=False).astype(dtype, copy=False)


def _bitmap(column: pa.Array, k: int) -> np.ndarray:
    """Buffer ``k`` of ``column`` as bytes (empty when it has none)."""
    buffer = column.buffers()[k]
    return _NONE if buffer is None else np.frombuffer(buffer, np.uint8)


def _nullable_floats(column: pa.Array) -> tuple[np.ndarray, np.ndarray, int]:
    """Floating-point values as they are stored (whatever lies under a null),
    and the validity bitmap (empty: no nulls) with the column's first bit."""
    if column.type != pa.float64():
        column = column.cast(pa.float64())
    if column.null_count == 0:
        return column.to_numpy(), _NONE, 0
    values = pa.Array.from_buffers(
        pa.float64(), len(column), [None, column.buffers()[1]], offset=column.offset
    )
    return values.to_numpy(), _bitmap(column, 0), column.offset


def _bits(column: pa.Array) -> tuple[np.ndarray, np.ndarray, int]:
    """A boolean column's value and validity bitmaps, and its first bit: no
    values at all (empty) when every one is null, no validity when none is."""
    if not pa.types.is_boolean(column.type):
        column = column.cast(pa.bool_())
    if column.null_count == len(column):
        return _NONE, _NONE, 0
    valid = _bitmap(column, 0) if column.null_count else _NONE
    return _bitmap(column, 1), valid, column.offset


def _sigmas(batch: pa.RecordBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's effective position error (:func:`effective_sigma`, float32) as
    codes into an error per source where no row states one and the sources
    come as a dictionary without nulls (the error then depends on the source
    alone); else one per row."""
    names = batch.schema.names
    stated = batch.column("pos_sigma_m") if "pos_sigma_m" in names else None
    source = batch.column("source") if "source" in names else None
    if (
        (stated is None or stated.null_count == len(stated))
        and source is not None
        and pa.types.is_dictionary(source.type)
        and source.null_count == 0
    ):
        per_source = effective_sigma(pa.table({"source": source.dictionary}))
        return indices(source), per_source.astype(np.float32), _NO_FLOATS
    per_row = effective_sigma(pa.Table.from_batches([batch])).astype(np.float32)
    return _NO_CODES, _NO_FLOATS, per_row
