"""What live association costs a watch: the same replay with and without it.

    python bench/watch_association.py [--data-dir /tmp/airwitness-bench/fusion]
                                      [--seed 20250616] [--step-s 5] [--max-gap-s 300]

Data: one ``bench/fusion.py`` scenario (``scripts/generate_fusion.py``: a primary and a
Mode S radar, ADS-B, 160 objects, 20 of them spoofed), read and its primary radar's
plots tracked as batch does. Its reports are fed to ``watch.tracker.Tracker`` in time
order, ``--step-s`` of feed time at a time, tracks retired as the feed's clock passes
them (what ``airwitness watch`` does each tick), once without association and once with
it. Printed: CPU seconds of the whole replay, the slowest step, the most reports kept
for association, and whether both replays confirmed the same crossings (all fields but
the four association fields).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
from _common import machine
from fusion import scenario

from airwitness.airspace import Airspace
from airwitness.io.options import ReadOptions
from airwitness.pipeline import read_inputs
from airwitness.watch.alerts import CONFIRMED
from airwitness.watch.association import FIELDS
from airwitness.watch.tracker import Rules, Tracker


def replay(table: pa.Table, time_ns: np.ndarray, associate: bool, args) -> dict:
    tracker = Tracker(Airspace.builtin(), Rules(args.max_gap_s, 60.0), associate=associate)
    step = int(args.step_s * 1e9)
    start, worst, kept, alerts = int(time_ns[0]), 0.0, 0, []
    c0 = time.process_time()
    while start <= time_ns[-1]:
        lo, hi = np.searchsorted(time_ns, [start, start + step])
        t0 = time.perf_counter()
        alerts += tracker.add(table.slice(lo, hi - lo), 0)
        alerts += tracker.retire(start + step, 0)
        worst = max(worst, time.perf_counter() - t0)
        if tracker.association is not None:
            kept = max(kept, tracker.association.retained)
        start += step
    alerts += tracker.finish(0)
    confirmed = [a.fields for a in alerts if a.status == CONFIRMED]
    return {
        "cpu": time.process_time() - c0,
        "worst_ms": worst * 1000,
        "kept": kept,
        "confirmed": confirmed,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", type=Path, default=Path("/tmp/airwitness-bench/fusion"))
    p.add_argument("--seed", type=int, default=20250616)
    p.add_argument("--step-s", type=float, default=5.0)
    p.add_argument("--max-gap-s", type=float, default=300.0)
    args = p.parse_args()
    print(machine(), flush=True)
    shape = argparse.Namespace(airliners=100, kinematic=20, spoofed=20, targets=40)
    folder, _ = scenario(args.data_dir, args.seed, shape)
    day = dt.date(args.seed // 10000, args.seed // 100 % 100, args.seed % 100)
    options = ReadOptions(date=day, sensors=folder / "sensors.csv")
    table = read_inputs([folder / "plots.ast", folder / "adsb.csv"], options=options).table
    time_ns = table["time"].cast(pa.int64()).to_numpy()
    order = np.argsort(time_ns, kind="stable")
    table, time_ns = table.take(pa.array(order)), time_ns[order]
    hours = (time_ns[-1] - time_ns[0]) / 3.6e12
    print(f"{table.num_rows:,} reports over {hours:.2f} h of feed time", flush=True)
    runs = {flag: replay(table, time_ns, flag, args) for flag in (False, True)}
    print("| association | CPU s | slowest step ms | reports kept (most) | confirmed |")
    print("|---|---|---|---|---|")
    for flag, r in runs.items():
        print(
            f"| {'on' if flag else 'off'} | {r['cpu']:.1f} | {r['worst_ms']:.0f} | "
            f"{r['kept']:,} | {len(r['confirmed']):,} |"
        )

    def plain(fields: dict) -> tuple:
        return tuple(sorted((k, str(v)) for k, v in fields.items() if k not in FIELDS))

    same = sorted(map(plain, runs[False]["confirmed"])) == sorted(
        map(plain, runs[True]["confirmed"])
    )
    with_partner = sum(f["sensors"] > 1 for f in runs[True]["confirmed"])
    suspect = sum(bool(f["suspect"]) for f in runs[True]["confirmed"])
    print(f"\nsame crossings confirmed: {'yes' if same else 'NO'}; with association: "
          f"{with_partner:,} shown by two sensors, {suspect:,} suspect")  # fmt: skip
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
