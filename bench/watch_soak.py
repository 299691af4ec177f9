"""The watch over a long run: 30 minutes at 5,000 SBS messages/s, the connection
dropped every few minutes; nothing batch finds is missed, memory stays flat.

    python bench/watch_soak.py [--minutes 30] [--rate 5000] [--drop-every-s 180]

The feed is ``bench/watch.py``'s (the recorded flights of ``examples/traffic`` and
``tests/data/traffic``, copied as other aircraft 30 s apart, as SBS ``MSG,3`` lines),
enough for the whole run, sent by a loopback :class:`~_replay.ReplayServer` at a fixed
rate that closes the connection every ``--drop-every-s`` seconds' worth of messages (the
watch reconnects; messages are numbered across reconnections). Every minute the
watch's resident memory, live tracks, lag and counts are printed. At the end:

- every message is accounted for (records = the lines sent), with the reconnections;
- the ``confirmed`` alerts equal ``airwitness crossings`` on the same lines (batch);
- RSS: the first full minute after warm-up against the last, and the largest.

Not part of ``make bench`` (it takes the time it says); the result is in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine
from _replay import ReplayServer
from watch import RULES, Recorder, feed_lines, same_as_batch

from airwitness.airspace import Airspace
from airwitness.watch.build import build_watch
from airwitness.watch.runner import WatchOptions

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """This process's resident memory now (not its peak)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def soak(lines: list[bytes], rate: float, drop_every: int) -> dict:
    sky = Airspace.builtin("osm")
    recorder = Recorder()
    samples: list[tuple[float, float, int, int, float]] = []
    with ReplayServer(lines, rate=rate, batch=max(1, int(rate / 200)), drop_every=drop_every) as s:
        url = f"sbs://127.0.0.1:{s.port}"
        watch = build_watch([url], sky, RULES, options=WatchOptions(quiet=True), stdout=False)
        watch.sinks.append(recorder)
        (feed,) = watch.feeds

        async def main() -> float:
            stop = asyncio.Event()
            task = asyncio.create_task(watch.run(stop))
            start = next_sample = time.monotonic()
            while feed.stats.records < len(lines):
                now = time.monotonic()
                if now >= next_sample:
                    alive = len(watch.tracker.tracks)
                    row = (now - start, rss_mb(), feed.stats.records, alive, watch.lag.worst_ms)
                    samples.append(row)
                    print(
                        f"  {row[0] / 60:5.1f} min  RSS {row[1]:7.1f} MB  records {row[2]:>10,}  "
                        f"tracks {row[3]:>6}  worst lag {row[4]:8.1f} ms",
                        flush=True,
                    )
                    next_sample += 60.0
                await asyncio.sleep(0.05)
            elapsed = time.monotonic() - start
            stop.set()
            await task
            return elapsed

        elapsed = asyncio.run(main())
    return {
        "url": url,
        "alerts": recorder.alerts,
        "elapsed_s": elapsed,
        "records": feed.stats.records,
        "connects": feed.stats.connects,
        "drops": feed.stats.drops,
        "samples": samples,
        "rss_end_mb": rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=5000.0, help="messages/s")
    parser.add_argument("--drop-every-s", type=float, default=180.0)
    args = parser.parse_args()
    n = int(args.minutes * 60 * args.rate)
    print(machine())
    print(f"feed: {n:,} SBS lines at {args.rate:,.0f}/s, dropped every {args.drop_every_s:.0f} s")
    lines = feed_lines(n)
    result = soak(lines, args.rate, int(args.drop_every_s * args.rate))
    same, crossings = same_as_batch(lines, result)
    rss = [s[1] for s in result["samples"]]
    settled = rss[2] if len(rss) > 2 else rss[-1]  # after two minutes of warm-up
    print(f"elapsed {result['elapsed_s'] / 60:.1f} min; records {result['records']:,} of {n:,}")
    print(f"connections: {result['connects']}, dropped by the server: {result['drops']}")
    print(f"confirmed alerts = batch crossings ({crossings}): {same}")
    print(
        f"RSS: {settled:.0f} MB at 2 min, {rss[-1]:.0f} MB at the end, "
        f"largest {max(rss):.0f} MB (growth after warm-up {rss[-1] - settled:+.0f} MB)"
    )


if __name__ == "__main__":
    main()
