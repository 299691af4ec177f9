"""A watch from start to stop: the sources read, every tick's reports through the
tracker, the alerts to the sinks, and a clean stop on SIGINT/SIGTERM.

One asyncio loop does it all: a task per source receives bytes and decodes
them as they come (:mod:`.connections`, :mod:`.feed`); the tick loop, woken by
new data but at most every :attr:`WatchOptions.tick_s`, takes what every source
decoded, runs the tracker and hands the alerts to the sinks. On stop the
sources are closed, what they still held is decoded, every track is decided
(:meth:`~airwitness.watch.tracker.Tracker.finish`), the sinks deliver or count
what they hold, and the store is committed and closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from airwitness.schema import ReadResult, concat
from airwitness.watch.alerts import Alert
from airwitness.watch.connections import follow
from airwitness.watch.feed import Feed
from airwitness.watch.stats import Lag, stats_line
from airwitness.watch.store_sink import StoreSink
from airwitness.watch.tracker import Tracker

#: message times further ahead of the wall clock than this do not move the watch's clock
FUTURE_SLACK_NS = 600 * 10**9

#: what a listener (the live web map) is told after each tick
Listener = Callable[[pa.Table, Sequence[Alert]], None]


@dataclass
class WatchOptions:
    """How a watch runs: its tick, how often tracks are retired and stats printed,
    whether files are followed (else read to their end, then the watch stops)."""

    tick_s: float = 0.02
    retire_every_s: float = 1.0
    stats_every_s: float | None = None
    follow_files: bool = True
    quiet: bool = False


@dataclass
class Watch:
    """The parts of a watch; :meth:`run` runs it until ``stop`` is set."""

    feeds: list[Feed]
    tracker: Tracker
    sinks: list = field(default_factory=list)  # StdoutSink, WebhookSink, MqttSink
    store: StoreSink | None = None
    options: WatchOptions = field(default_factory=WatchOptions)
    listeners: list[Listener] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lag = Lag()
        self._clock_ns = 0  # the newest message time seen (UTC ns)
        self._clock_wall_ns = 0  # when it was seen
        self._woken: asyncio.Event | None = None
        self._pending_since: int | None = None
        self.started_ns = time.time_ns()

    # ------------------------------------------------------------ running

    async def run(self, stop: asyncio.Event) -> None:
        """Watch until ``stop`` is set (or, not following files, until every file ended)."""
        self._woken = asyncio.Event()
        tasks = [
            asyncio.create_task(follow(feed, self._wake, self.options.follow_files))
            for feed in self.feeds
        ]
        last_retire = last_stats = time.monotonic()
        try:
            while not stop.is_set():
                await self._wait(stop)
                self.step()
                now = time.monotonic()
                if now - last_retire >= self.options.retire_every_s:
                    self._emit(self.tracker.retire(self.clock_ns(), time.time_ns()))
                    for feed in self.feeds:
                        feed.forget_before(self._clock_ns)
                    last_retire = now
                every = self.options.stats_every_s
                if every and now - last_stats >= every:
                    self._print_stats()
                    last_stats = now
                if self.store is not None and self.store.error is not None:
                    raise self.store.error
                if not self.options.follow_files and _all_finished(self.feeds, tasks):
                    break
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self.close()

    def _wake(self) -> None:
        if self._pending_since is None:
            self._pending_since = time.time_ns()
        if self._woken is not None:
            self._woken.set()

    async def _wait(self, stop: asyncio.Event) -> None:
        """Until new data (but a tick apart at least), the stop, or a second has passed."""
        assert self._woken is not None
        stopping = asyncio.ensure_future(stop.wait())
        woken = asyncio.ensure_future(self._woken.wait())
        try:
            await asyncio.wait([stopping, woken], timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            woken.cancel()
        await asyncio.sleep(self.options.tick_s)
        self._woken.clear()

    # ------------------------------------------------------------ one tick

    def step(self) -> list[Alert]:
        """Take what every source decoded, run the tracker, hand out the alerts."""
        since, self._pending_since = self._pending_since, None
        taken: list[tuple[Feed, ReadResult]] = []
        for feed in self.feeds:
            result = feed.take()
            if result is not None and (result.table.num_rows or result.rejects):
                taken.append((feed, result))
        tables = [r.table for _, r in taken if r.table.num_rows]
        rows = concat(tables) if tables else None
        now = time.time_ns()
        alerts: list[Alert] = []
        if rows is not None:
            self._advance_clock(rows, now)
            alerts = self.tracker.add(rows, now)
        self._emit(alerts, taken, rows)
        if since is not None:
            self.lag.seen((time.time_ns() - since) / 1e6)
        return alerts

    def _emit(
        self,
        alerts: list[Alert],
        taken: Sequence[tuple[Feed, ReadResult]] = (),
        rows: pa.Table | None = None,
    ) -> None:
        for sink in self.sinks:
            sink.emit(alerts)
        if self.store is not None:
            sources = [
                (f.name, f.format or "", r, f.stats.bytes, f.digest.hexdigest()) for f, r in taken
            ]
            self.store.put(sources, alerts)
        if rows is not None or alerts:
            for listener in self.listeners:
                listener(rows if rows is not None else _EMPTY, alerts)

    def _advance_clock(self, rows: pa.Table, now: int) -> None:
        newest = rows["time"].cast(pa.int64()).to_numpy(zero_copy_only=False).max()
        if self._clock_ns < newest <= now + FUTURE_SLACK_NS:
            self._clock_ns, self._clock_wall_ns = int(newest), now

    def clock_ns(self) -> int:
        """The feed's time now: the newest message time plus the wall time since it came
        (so tracks retire on a replay's own clock, and on a silent feed as time passes)."""
        if not self._clock_wall_ns:
            return 0
        return self._clock_ns + (time.time_ns() - self._clock_wall_ns)

    # ------------------------------------------------------------ stopping

    def close(self) -> None:
        """Decode what the sources still hold, decide every track, close the sinks."""
        self.step()
        self._emit(self.tracker.finish(time.time_ns()))
        for sink in self.sinks:
            sink.close()
        if self.store is not None:
            self.store.close()
        if not self.options.quiet:
            self._print_stats()

    def _print_stats(self) -> None:
        elapsed = (time.time_ns() - self.started_ns) / 1e9
        line = stats_line(self.feeds, self.tracker, self.sinks, self.lag, elapsed)
        self.lag = Lag()
        print(f"airwitness: {line}", file=sys.stderr, flush=True)


_EMPTY = pa.table({})


def _all_finished(feeds: Sequence[Feed], tasks: Sequence[asyncio.Task]) -> bool:
    """Every source read to its end (files without --follow; a network source never ends)."""
    return all(task.done() or feed.ended for feed, task in zip(feeds, tasks, strict=True))


def run_watch(watch: Watch) -> None:
    """Run ``watch`` in this thread until SIGINT or SIGTERM (or the files end)."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await watch.run(stop)

    asyncio.run(main())
