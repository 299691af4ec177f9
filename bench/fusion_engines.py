"""What association costs the partitioned engines, and that they agree with memory.

    python bench/fusion_engines.py [--reports 10000000] [--data-dir /tmp/airwitness-bench]
                                   [--fusion-seed 20250616] [--workers 2] [--memory 2e9]
                                   [--repeat 2]

Data: the traffic set of ``bench/crossings.py`` (``--reports`` canonical reports, seed 0,
``scripts/generate_traffic.py``; its files state no sensor) and one scenario of
``bench/fusion.py`` (``scripts/generate_fusion.py``: a primary and a Mode S radar,
ADS-B, 160 objects, 20 of them spoofed; another day, other tracks), with its sensors
file. Runs, in turn within each round:

1. ``local``, the traffic alone: one kind of sensor, never sketched (the floor);
2. ``local``, the traffic with the radars' plots and the ADS-B: the sketch pass reads
   every input, the tracks that could be associated are crossed together;
3. ``memory``, the same inputs: everything fused in one process (the reference).

Printed: wall seconds, the local engine's passes, the fusion line, and whether (2)
and (3) give byte-identical crossings CSV. Nothing is timed inside a unit test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import time
from pathlib import Path

from _common import machine
from _scale_data import dataset
from fusion import scenario

from airwitness.engine import run_crossings_scaled
from airwitness.io.options import ReadOptions
from airwitness.report.tables import write_csv


def digest(table) -> str:
    out = io.BytesIO()
    write_csv(table, out)
    return hashlib.sha256(out.getvalue()).hexdigest()[:16]


def run(label: str, files: list, engine: str, options, args) -> dict:
    t0 = time.perf_counter()
    result = run_crossings_scaled(
        files, engine=engine, workers=args.workers, memory_bytes=args.memory, read_options=options
    )
    wall = time.perf_counter() - t0
    passes = " / ".join(f"{k} {v:.1f}" for k, v in result.seconds.items() if k != "total")
    fusion = result.summary.fusion[0] if result.summary.fusion else ""
    print(f"  {label}: {wall:.1f} s wall; {passes}", flush=True)
    return {
        "label": label,
        "wall": wall,
        "passes": passes,
        "crossings": result.crossings.num_rows,
        "digest": digest(result.crossings),
        "fusion": fusion,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reports", type=int, default=10_000_000)
    p.add_argument("--data-dir", type=Path, default=Path("/tmp/airwitness-bench"))
    p.add_argument("--fusion-seed", type=int, default=20250616)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--memory", type=float, default=2e9)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    print(machine(), flush=True)
    traffic = dataset(args.reports, 0, args.data_dir, args.workers, "canonical")
    shape = argparse.Namespace(airliners=100, kinematic=20, spoofed=20, targets=40)
    folder, _ = scenario(args.data_dir / "fusion", args.fusion_seed, shape)
    day = dt.date(args.fusion_seed // 10000, args.fusion_seed // 100 % 100, args.fusion_seed % 100)
    options = ReadOptions(date=day, sensors=folder / "sensors.csv")
    mixed = [folder / "plots.ast", folder / "adsb.csv", traffic]
    rounds: list[list[dict]] = []
    for k in range(args.repeat):
        print(f"round {k + 1}", flush=True)
        rounds.append(
            [
                run("local, traffic alone", [traffic], "local", options, args),
                run("local, traffic + radars + ADS-B", mixed, "local", options, args),
                run("memory, traffic + radars + ADS-B", mixed, "memory", options, args),
            ]
        )
    print()
    print("| run | wall s (best) | passes (best round) | crossings | digest |")
    print("|---|---|---|---|---|")
    for i in range(3):
        runs = [r[i] for r in rounds]
        best = min(runs, key=lambda r: r["wall"])
        print(
            f"| {best['label']} | {best['wall']:.1f} | {best['passes']} | "
            f"{best['crossings']:,} | {best['digest']} |"
        )
    same = all(r[1]["digest"] == r[2]["digest"] for r in rounds)
    print(f"\nlocal and memory give the same crossings: {'yes' if same else 'NO'}")
    print(f"fusion: {rounds[0][1]['fusion']}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
