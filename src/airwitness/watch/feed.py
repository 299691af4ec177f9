"""One source's decoding: the batch reader's stream decoder, and what went through it.

Every byte received goes to the format's ``StreamDecoder`` (the readers' own
parsing and decoding, :mod:`airwitness.io`), and is counted and hashed; every
record the decoder makes is a row or a reject, counted by reason, so the
messages of a source always reconcile: records = positions + rejects.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from airwitness import reasons
from airwitness.io.drones import remoteid
from airwitness.io.modes import avr, beast, sbs
from airwitness.io.options import ReadOptions
from airwitness.io.radar import asterix
from airwitness.schema import ReadResult, Reject
from airwitness.watch.sources import SourceSpec


class StreamDecoder(Protocol):
    """What every reader's ``StreamDecoder`` does."""

    def feed(self, data: bytes, receive_ns: int) -> None: ...

    def end(self, broken: bool) -> None: ...

    def take(self) -> ReadResult: ...


DECODERS = {
    "sbs": sbs.StreamDecoder,
    "avr": avr.StreamDecoder,
    "beast": beast.StreamDecoder,
    "asterix": asterix.StreamDecoder,
    "remoteid": remoteid.StreamDecoder,
}


@dataclass
class FeedStats:
    """A source's counts since the watch started."""

    connects: int = 0  # connections made (or files opened)
    drops: int = 0  # connections lost (or files truncated)
    failures: int = 0  # attempts to connect that failed
    bytes: int = 0
    records: int = 0
    positions: int = 0
    rejects: Counter[str] = field(default_factory=Counter)


class Feed:
    """A source, its decoder (made once its format is known) and its counts."""

    def __init__(self, spec: SourceSpec, options: ReadOptions | None = None) -> None:
        self.spec = spec
        self.options = options
        self.stats = FeedStats()
        self.digest = hashlib.sha256()
        self.decoder: StreamDecoder | None = None
        self.ended = False  # a followed file read to its end without --follow
        if spec.format is not None:
            self.start(spec.format)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def format(self) -> str | None:
        return None if self.decoder is None else self._format

    def start(self, fmt: str) -> None:
        self._format = fmt
        self.decoder = DECODERS[fmt](self.spec.name, self.options)

    def feed(self, data: bytes, receive_ns: int) -> None:
        """Bytes received at ``receive_ns`` (UTC ns)."""
        if self.decoder is None or not data:
            return
        self.stats.bytes += len(data)
        self.digest.update(data)
        self.decoder.feed(data, receive_ns)

    def end(self, broken: bool) -> None:
        """The connection closed (``broken``) or the file ended."""
        if self.decoder is not None:
            self.decoder.end(broken)

    def forget_before(self, time_ns: int) -> None:
        """Let the decoder drop values it carries that no message after ``time_ns`` can
        use (SBS callsigns and velocities; the CPR decoders drop theirs themselves)."""
        forget = getattr(self.decoder, "forget_before", None)
        if forget is not None:
            forget(time_ns)

    def take(self) -> ReadResult | None:
        """The rows and rejects decoded since the last call (None before any format)."""
        if self.decoder is None:
            return None
        result = _untracked(self.decoder.take())
        self.stats.positions += result.table.num_rows
        self.stats.records += result.table.num_rows + len(result.rejects)
        self.stats.rejects.update(r.reason for r in result.rejects)
        return result


def _untracked(result: ReadResult) -> ReadResult:
    """``result`` with its detections (anonymous plots) as rejects, in record order."""
    plots = result.detections
    if plots.num_rows == 0:
        return result
    records = plots["source_record"].to_pylist()
    offsets = plots["source_offset"].to_pylist()
    name = plots["source_file"][0].as_py()
    extra = [
        Reject(name, record, reasons.NOT_TRACKED_LIVE, offset=offset)
        for record, offset in zip(records, offsets, strict=True)
    ]
    rejects = sorted([*result.rejects, *extra], key=lambda r: r.record)
    return ReadResult(result.table, rejects, format=result.format)
