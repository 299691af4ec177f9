"""The counts a watch reports (``--stats`` every N seconds on stderr, and on exit).

Every received message is accounted for: per source, ``messages`` (records the
decoder made) = ``positions`` + ``rejects``, rejects by reason; ``late`` are
positions too late to place in their track (they are stored, not used live).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from airwitness.watch.alerts import STATUSES
from airwitness.watch.feed import Feed
from airwitness.watch.tracker import Tracker


class _Sink(Protocol):
    name: str

    @property
    def stats(self): ...


@dataclass
class Lag:
    """The longest time from receiving a message to handling its batch, since the last
    report (ms)."""

    worst_ms: float = 0.0

    def seen(self, ms: float) -> None:
        self.worst_ms = max(self.worst_ms, ms)


def stats_line(
    feeds: Sequence[Feed], tracker: Tracker, sinks: Sequence[_Sink], lag: Lag, elapsed_s: float
) -> str:
    """One line: messages, positions, rejects by reason, tracks, alerts, lag, connections."""
    messages = sum(f.stats.records for f in feeds)
    positions = sum(f.stats.positions for f in feeds)
    rejects: Counter[str] = Counter()
    for f in feeds:
        rejects.update(f.stats.rejects)
    by_reason = ", ".join(f"{r} {n}" for r, n in sorted(rejects.items()))
    alerts = tracker.stats.alerts
    parts = [
        f"stats {elapsed_s:.0f} s",
        f"messages {messages}",
        f"positions {positions}",
        f"rejects {sum(rejects.values())}" + (f" ({by_reason})" if by_reason else ""),
        f"late {tracker.stats.late}",
        f"tracks {len(tracker.tracks)}",
        *(
            [f"kept for association {tracker.association.retained} reports"]
            if tracker.association is not None
            else []
        ),
        "alerts " + " ".join(f"{s} {alerts.get(s, 0)}" for s in STATUSES),
        f"lag {lag.worst_ms:.0f} ms",
    ]
    for f in feeds:
        s = f.stats
        parts.append(
            f"{f.name}: {s.records} messages, {s.connects} connects, {s.drops} drops, "
            f"{s.failures} failed"
        )
    for sink in sinks:
        if sink.stats.dropped or sink.stats.retries:
            parts.append(
                f"{sink.name}: {sink.stats.sent} sent, {sink.stats.dropped} dropped, "
                f"{sink.stats.retries} retries"
            )
    return "; ".join(parts)
