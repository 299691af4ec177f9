"""Pass 1 on its own: the CPU time of reading and spilling per report, stage by stage.

    python bench/pass1.py [--reports 10000000] [--format canonical|opensky]
                          [--partitions P] [--data-dir /tmp/airwitness-bench]
                          [--repeat 3] [--profile]

Cuts ``bench/crossings.py``'s generated data set (generated only when missing) into
the units of a 2 GB, 2-worker run of the local engine and runs them in this one
process with one Arrow thread and freed memory kept, as the workers run them. Each
stage is timed on its own, ``--repeat`` times, best CPU time (user + system, not wall:
the machine may be shared) per report:

- ``decode``: pyarrow decoding the unit's batches (``chunks.parquet_batches``), the floor;
- ``read``: the batches as the engine's tables (``chunks.read_unit``); minus ``decode``,
  the conversion;
- ``spill``: ``SpillWriter`` given those tables (read beforehand, untimed): compaction,
  grouping by partition, writing;
- ``pass 1``: ``tasks.spill_unit``, all of it;
- ``read back``: ``spill.read_pieces`` of every partition (the start of pass 2).

``--partitions`` overrides the plan's count: 126 gives the 10 M set segments of the
size a 100 M run writes (~7,000 reports), where pass 2's reading costs most per report.

A SHA-256 of every partition's decoded rows (and of the units' counts) is printed:
compare it across code versions, the spill must hold the same reports.
``--profile`` adds one ``spill_unit`` pass under cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa

from airwitness.engine.chunks import SPILLED, cut_units, parquet_batches, read_unit
from airwitness.engine.plan import make_plan
from airwitness.engine.run import inspect
from airwitness.engine.spill import SpillWriter, new_path, read_pieces
from airwitness.engine.tasks import SpillTask, UnitResult, keep_freed_memory, spill_unit
from bench._common import machine
from bench._scale_data import dataset, folder


def _cpu() -> float:
    return time.process_time()  # every thread of this process, user + system


def _timed(run: Callable[[], int]) -> Callable[[], tuple[float, int]]:
    """``run`` with its CPU time."""

    def timed() -> tuple[float, int]:
        t0 = _cpu()
        got = run()
        return _cpu() - t0, got

    return timed


def _best(label: str, run: Callable[[], tuple[float, int]], repeat: int, n: int) -> float:
    """The best CPU time ``run`` reports over ``repeat`` runs, printed per report."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        took, got = run()
        best = min(best, took)
        if got != n:
            raise SystemExit(f"{label}: {got:,} reports, expected {n:,}")
    print(f"{label:>10}: {best:7.3f} s CPU, {best / n * 1e9:6.1f} ns a report")
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=10_000_000)
    ap.add_argument("--format", choices=("canonical", "opensky"), default="canonical")
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/airwitness-bench"))
    ap.add_argument("--partitions", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    data = folder(a.data_dir, a.reports, 0, a.format)
    if not data.exists():
        data = dataset(a.reports, 0, a.data_dir, 2, a.format)
    print(f"machine: {machine()}\ndata: {data}")
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    keep_freed_memory()
    files, rows = inspect([str(data)], None)
    plan = make_plan(2e9, rows, 2)
    partitions = a.partitions or plan.partitions
    units = [u for _, u in cut_units(files, 2, plan.batch_rows, plan.rows_per_unit)]
    with tempfile.TemporaryDirectory(prefix="airwitness-pass1-") as root:
        spill = Path(root)

        def tasks() -> list[SpillTask]:
            shutil.rmtree(spill, ignore_errors=True)
            spill.mkdir()
            return [
                SpillTask(k, u, partitions, str(spill), plan.batch_rows,
                          plan.spill_rows, plan.chunk_bytes, None, False)
                for k, u in enumerate(units)
            ]  # fmt: skip

        results = [spill_unit(t) for t in tasks()]  # warm: compiled kernels, file cache
        n = sum(r.accepted for r in results if isinstance(r, UnitResult))
        print(f"{n:,} reports in {len(units)} units, {partitions} partitions")

        def decode() -> int:
            return sum(t.num_rows for u in units for t in parquet_batches(u, plan.batch_rows))

        def read() -> int:
            return sum(
                r.table.num_rows
                for u in units
                for r in read_unit(u, plan.batch_rows, plan.chunk_bytes, None, SPILLED)
            )

        def write() -> tuple[float, int]:
            tasks()
            took, total = 0.0, 0
            for k, u in enumerate(units):
                tables = [r.table for r in read_unit(u, plan.batch_rows, plan.chunk_bytes, None)]
                t0 = _cpu()
                writer = SpillWriter(str(spill / new_path("", f"u{k}")), partitions,
                                     buffer_rows=plan.spill_rows)  # fmt: skip
                for table in tables:
                    writer.write(table)
                total += sum(p.rows for p in writer.close())
                took += _cpu() - t0
            return took, total

        def whole() -> int:
            nonlocal results
            results = [spill_unit(t) for t in tasks()]
            return sum(r.accepted for r in results)

        decoded = _best("decode", _timed(decode), a.repeat, n)
        read_s = _best("read", _timed(read), a.repeat, n)
        _best("spill", write, a.repeat, n)
        whole_s = _best("pass 1", _timed(whole), a.repeat, n)
        over = (read_s - decoded) / n * 1e9, (whole_s - decoded) / n * 1e9
        print(f"conversion (read - decode): {over[0]:.1f} ns a report; "
              f"pass 1 over the floor: {over[1]:.1f} ns a report")  # fmt: skip
        parts = [tuple(r.pieces[p] for r in results if r.pieces[p].rows) for p in range(partitions)]
        parts = [p for p in parts if p]
        back = _timed(lambda: sum(read_pieces(p).num_rows for p in parts))
        _best("read back", back, a.repeat, n)
        digest = hashlib.sha256()
        for r in results:
            counts = (r.index, r.records, r.accepted, sorted(r.rejects.items()))
            digest.update(repr(counts).encode())
        for p in parts:
            table = read_pieces(p)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as stream:
                stream.write_table(table)
            digest.update(sink.getvalue().to_pybytes())
        print(f"SHA-256 of the spilled partitions and counts: {digest.hexdigest()}")
        if a.profile:
            jobs = tasks()
            profile = cProfile.Profile()
            profile.enable()
            for t in jobs:
                spill_unit(t)
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
