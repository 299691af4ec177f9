"""Live alerts: latency, sustained rate, alerts = batch, memory — ``airwitness watch`` on loopback.

    python bench/watch.py [--seconds 20] [--rates 1000,10000] [--max-messages 200000]
                          [--feed sbs|beast]

The feed: the eight recorded flights shipped in ``examples/traffic`` and
``tests/data/traffic`` (real ADS-B tracks that cross borders: Italy/Austria,
England/France, Switzerland, Israel …), repeated with each copy as other aircraft
(track ids suffixed, so other addresses) and shifted by 30 s, merged in time order,
written as SBS ``MSG,3`` lines by ``bench/_replay.py``. A loopback
:class:`~_replay.ReplayServer` (127.0.0.1, bounded: it sends the messages once and
stops) sends them at a fixed rate and records when each left.

The watch runs in this process (``build_watch`` as the command builds it, a sink
that records when each alert was handed over). For each rate:

- **latency**: for each ``provisional`` alert, the time from sending the message
  that made the crossing decidable (its ``after`` record) to the alert being handed
  to the sinks; p50, p99, max;
- **alerts = batch**: the ``confirmed`` alerts at the end against ``airwitness
  crossings`` on the same lines written to a file (same fields, same values);
- **lag** (the watch's own measure) and **RSS** after the run.

A short unpaced run first compiles the kernels (not measured). Then the **highest
sustained rate**: the same messages sent as fast as the server can
(no pacing); the rate is messages / time until the watch has decoded the last one.

``--feed beast`` sends the same flights as Beast frames (CPR-encoded positions, a
12 MHz counter; each flight moved to start on one day, as one receiver's clock would
run), the watch writing a store: Beast carries no time of day, so the watch's times
come from its live clock, and the confirmed alerts are compared with ``crossings``
on that store.

On a 2-core machine shared with other jobs, figures vary; run it a few times.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine
from _replay import ReplayServer, beast_frames, sbs_lines

from airwitness.airspace import Airspace
from airwitness.io import read
from airwitness.pipeline import crossings_of_inputs, run_crossings
from airwitness.report.tables import write_jsonl
from airwitness.schema import concat
from airwitness.store import load
from airwitness.watch.build import build_watch
from airwitness.watch.runner import WatchOptions
from airwitness.watch.sinks import SinkStats
from airwitness.watch.tracker import Rules

ROOT = Path(__file__).resolve().parents[1]
DAY_NS = 1_750_032_000 * 10**9  # 2025-06-16T00:00Z: where the Beast feed's flights start
FLIGHTS = sorted([*(ROOT / "examples" / "traffic").glob("*.json.gz"),
                  *(ROOT / "tests" / "data" / "traffic").glob("*.json.gz")])  # fmt: skip
RULES = Rules(max_gap_s=1800.0, observed_gap_s=60.0)


class Recorder:
    """A sink that notes when each alert was handed over."""

    name = "recorder"

    def __init__(self) -> None:
        self.stats = SinkStats()
        self.alerts: list[tuple[int, dict]] = []

    def emit(self, alerts) -> None:
        now = time.time_ns()
        self.alerts += [(now, a.record()) for a in alerts]

    def close(self) -> None:
        return


def feed_lines(n: int) -> list[bytes]:
    """About ``n`` SBS lines: the flights, copied as other aircraft, in time order."""
    return sbs_lines(feed_table(n, concat([read(p).table for p in FLIGHTS])))


def feed_frames(n: int) -> list[bytes]:
    """About ``n`` Beast frames of the same flights, each moved to start on one day
    (a receiver's 12 MHz clock runs on; the recorded flights are of many days)."""
    tables = []
    for path in FLIGHTS:
        t = read(path).table
        ns = t["time"].cast(pa.int64())
        shift = pc.subtract(ns, pc.min(ns)).cast(pa.int64())
        moved = pc.add(shift, DAY_NS).cast(t["time"].type)
        tables.append(t.set_column(t.schema.get_field_index("time"), "time", moved))
    return beast_frames(feed_table(n, concat(tables)))


def feed_table(n: int, base: pa.Table) -> pa.Table:
    """About ``n`` reports: ``base`` copied as other aircraft 30 s apart, in time order."""
    copies, total = [], 0
    k = 0
    while total < n:
        ids = pc.binary_join_element_wise(pc.cast(base["track_id"], pa.string()), f"-{k}", "")
        t = pc.add(base["time"].cast(pa.int64()), k * 30 * 10**9)
        table = base.set_column(base.schema.get_field_index("track_id"), "track_id", ids)
        table = table.set_column(
            table.schema.get_field_index("time"), "time", t.cast(base["time"].type)
        )
        copies.append(table)
        total += table.num_rows
        k += 1
    table = concat(copies)
    table = table.take(pc.sort_indices(table["time"].cast(pa.int64())))
    return table.slice(0, n)


def run(lines: list[bytes], rate: float, store: Path | None = None) -> dict:
    """Replay ``lines`` at ``rate`` (0: unpaced) into a watch; what it measured.
    With ``store`` the lines are Beast frames and the watch writes the store."""
    sky = Airspace.builtin("osm")
    recorder = Recorder()
    scheme, separator = ("beast", b"") if store is not None else ("sbs", b"\n")
    batch = max(1, int(rate / 200)) if rate else 256
    with ReplayServer(lines, rate=rate, batch=batch, separator=separator) as server:
        url = f"{scheme}://127.0.0.1:{server.port}"
        watch = build_watch(
            [url], sky, RULES, options=WatchOptions(quiet=True), stdout=False, store=store
        )
        watch.sinks.append(recorder)
        (feed,) = watch.feeds
        worst_lag = [0.0]

        async def main() -> float:
            stop = asyncio.Event()
            task = asyncio.create_task(watch.run(stop))
            start = time.monotonic()
            while feed.stats.records < len(lines):
                worst_lag[0] = max(worst_lag[0], watch.lag.worst_ms)
                await asyncio.sleep(0.01)
            elapsed = time.monotonic() - start
            stop.set()
            await task
            return elapsed

        elapsed = asyncio.run(main())
        sent_ns = server.sent_ns.copy()
        first_sent = sent_ns[0]
        last_sent = sent_ns[-1]
    latencies = []
    for at, alert in recorder.alerts:
        if alert["status"] == "provisional":
            record = int(alert["after"].rsplit(":", 1)[1])
            latencies.append((at - sent_ns[record - 1]) / 1e6)
    lat = np.array(latencies) if latencies else np.zeros(1)
    return {
        "messages": len(lines),
        "records": feed.stats.records,
        "positions": feed.stats.positions,
        "elapsed_s": elapsed,
        "send_span_s": (last_sent - first_sent) / 1e9,
        "p50_ms": float(np.percentile(lat, 50)),
        "p99_ms": float(np.percentile(lat, 99)),
        "max_ms": float(lat.max()),
        "provisional": len(latencies),
        "alerts": recorder.alerts,
        "url": url,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def same_as_store(store: Path, result: dict) -> tuple[bool, int]:
    """Confirmed alerts == batch crossings of what the watch stored (a Beast capture's
    times come from the live clock, so the store is the batch input)."""
    inputs = load(store)
    out = io.StringIO()
    write_jsonl(crossings_of_inputs(inputs, Airspace.builtin("osm")).crossings, out)
    batch = sorted(json.dumps(json.loads(x), sort_keys=True) for x in out.getvalue().splitlines())
    return _confirmed(result) == batch, len(batch)


def _confirmed(result: dict) -> list[str]:
    return sorted(
        json.dumps({k: v for k, v in a.items() if k not in ("status", "received")}, sort_keys=True)
        for _, a in result["alerts"]
        if a["status"] == "confirmed"
    )


def same_as_batch(lines: list[bytes], result: dict) -> tuple[bool, int]:
    """Confirmed alerts == batch crossings on the same lines (cited as the watch cites them)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.sbs"
        path.write_bytes(b"".join(x + b"\n" for x in lines))
        out = io.StringIO()
        write_jsonl(run_crossings([path], Airspace.builtin("osm")).crossings, out)
        text = out.getvalue().replace(f"{path}:", f"{result['url']}:")
    batch = sorted(json.dumps(json.loads(x), sort_keys=True) for x in text.splitlines())
    return _confirmed(result) == batch, len(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each paced run")
    parser.add_argument("--rates", default="1000,10000", help="paced rates, messages/s")
    parser.add_argument("--max-messages", type=int, default=200_000, help="unpaced run size")
    parser.add_argument("--feed", choices=["sbs", "beast"], default="sbs")
    args = parser.parse_args()
    if args.feed == "beast":
        beast_runs(args)
        return
    print(machine())
    print(f"flights: {len(FLIGHTS)} files; rules: max gap 1800 s, observed gap 60 s; osm set")
    run(feed_lines(3000), 0)  # compile the numba kernels and load the airspace index first
    print("| run | messages | send span s | p50 ms | p99 ms | max ms | provisional | "
          "alerts = batch | RSS MB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for rate in [float(r) for r in args.rates.split(",")]:
        lines = feed_lines(int(rate * args.seconds))
        result = run(lines, rate)
        same, n = same_as_batch(lines, result)
        print(
            f"| {rate:,.0f} msg/s | {result['messages']:,} | {result['send_span_s']:.1f} | "
            f"{result['p50_ms']:.1f} | {result['p99_ms']:.1f} | {result['max_ms']:.1f} | "
            f"{result['provisional']} | {'yes' if same else 'NO'} ({n} crossings) | "
            f"{result['rss_mb']:.0f} |",
            flush=True,
        )
    lines = feed_lines(args.max_messages)
    result = run(lines, 0)
    same, n = same_as_batch(lines, result)
    rate = result["messages"] / result["elapsed_s"]
    print(
        f"| unpaced | {result['messages']:,} | {result['send_span_s']:.1f} | "
        f"{result['p50_ms']:.1f} | {result['p99_ms']:.1f} | {result['max_ms']:.1f} | "
        f"{result['provisional']} | {'yes' if same else 'NO'} ({n} crossings) | "
        f"{result['rss_mb']:.0f} |"
    )
    print(f"sustained (unpaced, decoded end to end): {rate:,.0f} messages/s "
          f"({result['elapsed_s']:.1f} s for {result['messages']:,})")  # fmt: skip


def beast_runs(args: argparse.Namespace) -> None:
    """The same table for Beast frames; alerts against ``crossings`` on the store."""
    print(machine())
    print(f"Beast frames of {len(FLIGHTS)} flights; rules: max gap 1800 s, observed gap 60 s")
    with tempfile.TemporaryDirectory() as folder:
        run(feed_frames(3000), 0, Path(folder) / "warm.duckdb")
        print("| run | messages | p50 ms | p99 ms | max ms | alerts = batch | RSS MB |")
        print("|---|---|---|---|---|---|---|")
        rates = [float(r) for r in args.rates.split(",")] + [0.0]
        for k, rate in enumerate(rates):
            n = int(rate * args.seconds) if rate else args.max_messages
            store = Path(folder) / f"run{k}.duckdb"
            result = run(feed_frames(n), rate, store)
            same, crossings = same_as_store(store, result)
            name = f"{rate:,.0f} msg/s" if rate else f"unpaced, {n / result['elapsed_s']:,.0f}/s"
            print(
                f"| {name} | {result['messages']:,} | {result['p50_ms']:.1f} | "
                f"{result['p99_ms']:.1f} | {result['max_ms']:.1f} | "
                f"{'yes' if same else 'NO'} ({crossings} crossings) | {result['rss_mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
