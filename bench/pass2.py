"""Pass 2 on its own: the CPU time of ``crossings_of_partition`` per report, and where it goes.

    python bench/pass2.py [--reports 10000000] [--data-dir /tmp/airwitness-bench]
                          [--repeat 3] [--profile]

Runs pass 1 of the local engine once, in this process, on ``bench/crossings.py``'s
generated canonical data set (generated when missing), with the plan of a 2 GB,
2-worker run, and keeps the spilled partitions in a temporary folder. Then every
partition is read back (timed) and given to ``crossings_of_partition``, in this one
process with one Arrow thread and freed memory kept for the next partition, as the
workers run them, ``--repeat`` times: the best CPU time (user + system, not wall: the
machine may be shared) per report. A SHA-256 of every partition's crossings and counts
is printed: compare it across code versions, pass 2 must give the same bytes.
``--profile`` adds one pass under cProfile (each compiled kernel is one entry).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import os
import pstats
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa

from airwitness.engine.local import InProcess
from airwitness.engine.partition import (
    AirspaceSpec,
    CrossingOptions,
    crossings_of_partition,
    warm_up,
)
from airwitness.engine.plan import make_plan
from airwitness.engine.run import _read, inspect
from airwitness.engine.spill import read_pieces
from airwitness.engine.tasks import keep_freed_memory
from bench._common import machine
from bench._scale_data import dataset


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=10_000_000)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/airwitness-bench"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    data = dataset(a.reports, 0, a.data_dir, 2, "canonical")
    print(f"machine: {machine()}\ndata: {data}")
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    keep_freed_memory()
    spec, options = AirspaceSpec.builtin(), CrossingOptions()
    warm_up(spec)
    with tempfile.TemporaryDirectory(prefix="airwitness-pass2-") as folder:
        files, rows = inspect([str(data)], None)
        plan = make_plan(2e9, rows, 2)
        _, parts, _, _ = _read(files, options, None, plan, InProcess(), folder, lambda *_: None)
        parts = [p for p in parts if p]
        t0 = _cpu()
        tables = [read_pieces(p) for p in parts]
        read_s = _cpu() - t0
    n = sum(t.num_rows for t in tables)
    print(f"{n:,} reports in {len(tables)} partitions; reading them back: {read_s:.2f} s CPU")
    best = float("inf")
    for k in range(a.repeat):
        gc.collect()
        t0 = _cpu()
        outputs = [crossings_of_partition(t, spec, options) for t in tables]
        took = _cpu() - t0
        best = min(best, took)
        print(f"run {k + 1}: {took:.3f} s CPU, {took / n * 1e9:.1f} ns a report")
    print(f"best: {best:.3f} s CPU, {best / n * 1e9:.1f} ns a report")
    digest = hashlib.sha256()
    for table, counts in outputs:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        digest.update(sink.getvalue().to_pybytes())
        totals = (counts.reports, counts.tracks, counts.segments, sorted(counts.rejects.items()))
        digest.update(repr(totals).encode())
    crossings = sum(t.num_rows for t, _ in outputs)
    print(f"crossings: {crossings:,}; SHA-256 of the outputs: {digest.hexdigest()}")
    if a.profile:
        profile = cProfile.Profile()
        profile.enable()
        for t in tables:
            crossings_of_partition(t, spec, options)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
