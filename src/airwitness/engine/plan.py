"""The memory model: how many processes, how many partitions, how big a batch.

The budget (``--memory``, bytes) covers every process of the run: the calling
process and its workers. Each process costs a fixed base (Python, pyarrow,
numba; a pass-2 worker also holds the airspace and its indexes), and each row
it works on costs a measured number of bytes at the peak of
:func:`~airwitness.engine.partition.crossings_of_partition` (pass 2) or of a
reader converting a batch (pass 1; the same processes, airspace already
open). The rest of the budget is shared out:

    rows per partition = (budget - bases) / (workers x bytes per row)

and workers are dropped until each gets at least :data:`MIN_PARTITION_ROWS`.
The calling process is one of the workers (its base is ``MAIN_BASE`` on top of
a worker's); a single worker runs in it alone. All figures can be tuned by
environment variables ``AIRWITNESS_<NAME>`` (e.g. ``AIRWITNESS_WORKER_BASE``)
when a machine or a boundary set differs from the measured ones.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass


def _setting(name: str, default: float) -> float:
    return float(os.environ.get(f"AIRWITNESS_{name}", default))


#: RSS of the calling process while workers run (imports, bookkeeping, results)
MAIN_BASE = _setting("MAIN_BASE", 300e6)
#: RSS of a pass-2 worker holding the built-in airspace's label index and compiled
#: kernels (measured 345 MB after warm-up; boundary geometries are never decoded)
WORKER_BASE = _setting("WORKER_BASE", 450e6)
#: extra RSS of each Dask worker's nanny process, and of the scheduler in the caller
DASK_BASE = _setting("DASK_BASE", 100e6)
#: peak bytes per report in pass 2: reading the partition, crossings_of_partition
#: (measured 185 for the latter, input table included, on 2M reports), and the
#: next partition read ahead meanwhile (49)
ROW_BYTES = _setting("ROW_BYTES", 350)
#: peak bytes per row of a batch while a reader converts it and the spill holds it
#: (measured 440 for canonical Parquet, 1,000 for OpenSky state vectors; the
#: spill holds up to 3 batches' rows at 170 bytes: held, grouped, written)
READ_ROW_BYTES = _setting("READ_ROW_BYTES", 1000)
#: bytes of CSV text per report, to size text chunks
CSV_ROW_BYTES = 100
MIN_PARTITION_ROWS = 50_000
#: pass 1's largest unit of work (the last ones are smaller: see chunks.cut_units)
LARGEST_UNIT_ROWS = 8_000_000
#: partitions are cut for this share of their row budget (tracks do not hash evenly)
FILL = 0.7


@dataclass(frozen=True)
class Plan:
    """What a run will do, and why (the figures it was derived from)."""

    workers: int  # pass-2 processes; 1 = in the calling process
    partitions: int
    rows_per_partition: int  # more than this after pass 1: the partition is split again
    batch_rows: int
    #: reports pass 1 holds (as compact arrays) before writing them out by
    #: partition: the fewer, larger batches, the less pass 2 spends per batch
    spill_rows: int
    chunk_bytes: int
    rows_per_unit: int  # the largest unit of pass 1 (chunks.cut_units)
    memory_bytes: int
    estimated_rows: int
    note: str = ""
    #: how the spill is compressed (None: plain), settled once its folder is made
    #: (:func:`airwitness.engine.spill_codec.spill_codec`)
    spill_codec: str | None = None


def share(left: int, workers: int) -> int:
    """How much of what is ``left`` the next piece of work takes: half of it over
    the workers. Long pieces first spread their fixed costs, short ones last
    let the workers finish together (pass-1 units, pass-2 runs)."""
    return left // (2 * max(1, workers))


def make_plan(
    memory_bytes: float,
    estimated_rows: int,
    workers: int,
    *,
    per_worker_extra: float = 0.0,
    in_process: bool = True,
) -> Plan:
    """Share ``memory_bytes`` between up to ``workers`` processes.

    ``per_worker_extra`` is what each worker costs beyond its own base (a Dask
    nanny). With ``in_process`` a single worker runs in the calling process.
    """
    memory = float(memory_bytes)
    note = ""
    w = max(1, int(workers))
    while True:
        solo = w == 1 and in_process
        base = WORKER_BASE if solo else MAIN_BASE + w * (WORKER_BASE + per_worker_extra)
        rows = (memory - base) / (w * ROW_BYTES)
        if rows >= MIN_PARTITION_ROWS or w == 1:
            break
        w -= 1
    if w < workers:
        note = f"{workers} workers do not fit in {memory:.3g} bytes: using {w}"
    if rows < MIN_PARTITION_ROWS:
        floor = memory / 4 / ROW_BYTES  # below a worker's base: honour the setting loosely
        rows = max(rows, floor, 1_000)
        note = f"{memory:.3g} bytes is below one worker's base ({base:.3g}): the bound is loose"
    rows_per_partition = int(rows)
    # at least one partition per worker, so that every core has work
    partitions = max(w, math.ceil(estimated_rows / (FILL * rows_per_partition)))
    batch = rows * ROW_BYTES / READ_ROW_BYTES  # pass 1 runs in the same processes
    batch_rows = int(min(max(batch, 10_000), 1 << 20))
    rows_per_unit = max(batch_rows, LARGEST_UNIT_ROWS)
    return Plan(
        workers=w,
        partitions=partitions,
        rows_per_partition=rows_per_partition,
        batch_rows=batch_rows,
        spill_rows=max(2 * batch_rows, min(rows_per_unit, rows_per_partition)),
        chunk_bytes=batch_rows * CSV_ROW_BYTES,
        rows_per_unit=rows_per_unit,
        memory_bytes=int(memory),
        estimated_rows=int(estimated_rows),
        note=note,
    )
