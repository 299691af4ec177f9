"""AVR text captures (dump1090/readsb ``--net-ro-port`` output, port 30002), one message per line.

Three line shapes are read:

- ``@0123456789AB8D4840D6202CC371C32CE0576098;`` — ``@``, a 12-hex-digit
  receiver timestamp, the message (AVR with MLAT timestamps, as readsb,
  dump1090 and Radarcape write it). The timestamp is the same receiver clock
  as in Beast captures: a 12 MHz counter that needs the UTC start time
  (``--start-time``), or GPS time of day with ``--date`` (see
  :func:`airwitness.io.modes._clocks.counter_times`).
- ``1700000000.123 *8D4840D6202CC371C32CE0576098;`` (or an ISO-8601 time
  before the ``*``) — a plain line with the time it was received, as
  ``nc host 30002 | ts %.s`` records it; ms/µs/ns epochs are told apart by
  magnitude.
- ``*8D4840D6202CC371C32CE0576098;`` — a plain line with no time at all.
  Its time is unknown and is never invented (spacing lines at an assumed
  rate, or stamping them all with a start time, would put crossings at made
  up times): such a line is rejected as ``no timestamp``, and a file with
  nothing but such lines raises InputError.

Messages have 4 (Mode A/C, ``no position``), 14 or 28 hex digits; the ``;``
is optional, case is free, blank lines are not records. Records are line
numbers; rejects carry the line's byte offset. Rejects of this reader: ``bad
line`` (not one of the shapes above), ``undecodable message`` (wrong number of
hex digits), ``bad time``, ``no timestamp``, ``bad timestamp``, ``receiver
clock reset``, ``truncated gzip data`` / ``corrupt gzip data`` (the line where
a damaged gzip stream breaks off; a partial line there is not parsed); then
every reason of the decoding core (:mod:`airwitness.io.modes._decode`), which
also sets ``pos_sigma_m`` (the aircraft's NACp, else the position's type code).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness import reasons
from airwitness.io._convert import Checks, times
from airwitness.io._source import Salvage, Source
from airwitness.io.modes._clocks import LiveClock, counter_times
from airwitness.io.modes._decode import Carry, decode, decode_stream
from airwitness.io.modes._messages import Messages, hex_fixed, hex_frames
from airwitness.io.options import ReadOptions
from airwitness.schema import ReadResult, Reject, empty_table

FORMAT = "avr"
#: longer lines are rejected (AVR lines are at most ~60 bytes)
MAX_LINE = 4096
_TIME = r"[0-9][0-9.:TZ+-]*(?: [0-9][0-9.:Z+-]*)?"  # epoch seconds or ISO-8601
_LINE = rf"^\s*(?:(?P<t>{_TIME})\s+)?(?P<k>[*@])(?P<h>[0-9A-Fa-f]+);?\s*$"
_SNIFF = re.compile(
    rb"^(?:" + _TIME.encode() + rb"\s+)?"
    rb"(?:\*(?:[0-9A-Fa-f]{4}|[0-9A-Fa-f]{14}|[0-9A-Fa-f]{28})"
    rb"|@[0-9A-Fa-f]{12}(?:[0-9A-Fa-f]{4}|[0-9A-Fa-f]{14}|[0-9A-Fa-f]{28}));?$"
)


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read an AVR capture (optionally gzip-compressed)."""
    src = Source(path, stream)
    blocks = Salvage(src, 1 << 22)
    data = b"".join(blocks)
    if blocks.damage is not None:  # a partial last line is not trusted
        data = data[: data.rfind(b"\n") + 1]
    lines, record, offset = _lines(data)
    n = len(lines)
    if n == 0:
        raise src.fail(blocks.damage or "empty file")
    p = _parse(lines)
    if not (p.at | p.stamped).any():
        if p.plain.any():
            raise src.fail(
                "AVR lines without timestamps (*…;): their times are unknown; record the "
                "capture with MLAT timestamps (@…;) or with the receive time before each line"
            )
        raise src.fail("not an AVR capture (no *…; or @…; lines)")
    checks = p.checks
    checks.flag(p.plain, reasons.NO_TIMESTAMP)

    time_ns = np.zeros(n, dtype=np.int64)
    if p.at.any():
        usable = p.at & checks.ok
        t_at, problems = counter_times(src.name, p.counter, usable, options, "AVR capture")
        for reason, mask in problems.items():
            checks.flag(mask, reason)
        time_ns = np.where(p.at, t_at, time_ns)
    time_ns = _stamped_times(p, time_ns)

    msgs = Messages(record, time_ns, p.frames, p.nbytes, checks, offset)
    result = decode(src.name, FORMAT, msgs, options)
    if blocks.damage is not None:  # one record where the stream broke off
        broken = Reject(src.name, data.count(b"\n") + 1, blocks.damage, len(data))
        result.rejects = sorted([*result.rejects, broken])
    return result


@dataclass
class _Parsed:
    """The lines cut into their parts (see the module docs for the shapes)."""

    checks: Checks
    at: np.ndarray  # @ lines: receiver clock
    stamped: np.ndarray  # lines with a receive time before the message
    plain: np.ndarray  # lines with no time at all
    counter: np.ndarray  # the @ lines' 48-bit clock
    stamp: pa.Array  # the stamped lines' time text
    frames: np.ndarray
    nbytes: np.ndarray


def _parse(lines: pa.Array) -> _Parsed:
    n = len(lines)
    parts = pc.extract_regex(lines, _LINE)
    checks = Checks(n)
    matched = parts.is_valid().to_numpy(zero_copy_only=False)
    checks.flag(~matched, reasons.BAD_LINE)
    kind = pc.fill_null(parts.field("k"), b"").to_numpy(zero_copy_only=False)
    at = matched & (kind == b"@")
    hexes = parts.field("h")

    # @ lines: 12 hex digits of receiver clock, then the message
    clock, _ = hex_fixed(pc.binary_slice(hexes, 0, 12), 12)
    counter = np.zeros(n, dtype=np.int64)
    for b in range(6):
        counter = (counter << 8) | clock[:, b].astype(np.int64)
    # (an explicit stop: pyarrow 26 fails on values shorter than the start without one)
    msg = pc.if_else(pa.array(at), pc.binary_slice(hexes, 12, 1 << 20), hexes)
    frames, nbytes = hex_frames(msg)
    checks.flag(nbytes == 0, reasons.UNDECODABLE_MESSAGE)

    stamp = pc.fill_null(parts.field("t"), b"")
    stamped = matched & ~at & (pc.binary_length(stamp).to_numpy(zero_copy_only=False) > 0)
    plain = matched & ~at & ~stamped
    return _Parsed(checks, at, stamped, plain, counter, stamp, frames, nbytes)


def _stamped_times(p: _Parsed, time_ns: np.ndarray) -> np.ndarray:
    """``time_ns`` with the stamped lines' own times in (a bad one flagged ``bad time``)."""
    if not p.stamped.any():
        return time_ns
    t_st, bad, missing = times(pc.if_else(pa.array(p.stamped), p.stamp, None), "auto")
    p.checks.flag(p.stamped & (bad | missing), reasons.BAD_TIME)
    return np.where(p.stamped, t_st, time_ns)


class StreamDecoder:
    """An AVR feed as it arrives (``airwitness watch``): :func:`read`'s line parsing and
    decoding, a chunk at a time, the CPR walk carried on between batches. Records
    are line numbers counted from the first chunk on, across reconnections. Times:
    a stamped line's own; an ``@`` line's receiver clock anchored at the receive
    time of the first one (:class:`~airwitness.io.modes._clocks.LiveClock`); a
    plain ``*…;`` line its receive time (the batch reader rejects those: a file
    does not say when they came)."""

    def __init__(self, name: str, options: ReadOptions | None = None) -> None:
        self.name = name
        self.options = options
        self._pending = b""
        self._offset = 0  # stream offset of _pending[0]
        self._line = 0  # lines before _pending
        self._chunks: list[tuple[bytes, int, int, int]] = []  # data, first line, offset, ns
        self._broken: list[Reject] = []
        self._clock = LiveClock()
        self._carry = Carry()

    def feed(self, data: bytes, receive_ns: int) -> None:
        """Keep the complete lines of ``data`` (a partial last line waits for more)."""
        data = self._pending + data
        cut = data.rfind(b"\n") + 1
        if cut:
            self._chunks.append((data[:cut], self._line + 1, self._offset, receive_ns))
            self._line += data.count(b"\n", 0, cut)
            self._offset += cut
        self._pending = data[cut:]
        if len(self._pending) > MAX_LINE:  # no line is this long: one record, cut
            self._broken.append(Reject(self.name, self._line + 1, reasons.LINE_TOO_LONG))
            self._line += 1
            self._offset += len(self._pending)
            self._pending = b""

    def end(self, broken: bool) -> None:
        """The input ended: a partial last line is a line, or when the connection
        ``broken`` off, one ``truncated message`` record."""
        if not self._pending:
            return
        if broken:
            self._broken.append(Reject(self.name, self._line + 1, reasons.TRUNCATED_MESSAGE))
            self._line += 1
            self._offset += len(self._pending)
            self._pending = b""
        else:
            self.feed(b"\n", time.time_ns())

    def take(self) -> ReadResult:
        """The rows and rejects of the lines kept since the last call."""
        chunks, self._chunks = self._chunks, []
        extra, self._broken = self._broken, []
        parts = [(*_lines(data), first, base, ns) for data, first, base, ns in chunks]
        parts = [part for part in parts if len(part[0])]
        if not parts:
            return ReadResult(empty_table(), sorted(extra), format=FORMAT)
        lines = pa.concat_arrays([part[0] for part in parts])
        record = np.concatenate([number + first - 1 for _, number, _, first, _, _ in parts])
        offset = np.concatenate([start + base for _, _, start, _, base, _ in parts])
        received = np.concatenate([np.full(len(n), ns, np.int64) for _, n, _, _, _, ns in parts])
        p = _parse(lines)
        time_ns, bad = self._clock.times(p.counter, p.at & p.checks.ok, received)
        p.checks.flag(p.at & bad, reasons.BAD_TIMESTAMP)
        time_ns = np.where(p.at | p.plain, time_ns, 0)
        time_ns = _stamped_times(p, time_ns)
        msgs = Messages(record, time_ns, p.frames, p.nbytes, p.checks, offset)
        result, self._carry = decode_stream(self.name, FORMAT, msgs, self.options, self._carry)
        result.rejects = sorted([*result.rejects, *extra])
        return result


def _lines(data: bytes) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Non-blank lines as a binary array over ``data`` (no copy), their numbers and offsets.

    Each value runs from its line's start to the next non-blank line's start,
    so it carries its newline and any blank lines after it: whitespace that
    the line pattern allows at the end.
    """
    a = np.frombuffer(data, dtype=np.uint8)
    nl = np.flatnonzero(a == 10)
    starts = np.concatenate(([0], nl + 1)).astype(np.int64)
    ends = np.concatenate((nl, [len(a)])).astype(np.int64)
    if starts[-1] == len(a):  # ends with a newline: no partial last line
        starts, ends = starts[:-1], ends[:-1]
    numbers = np.arange(1, len(starts) + 1, dtype=np.int64)
    keep = _nonblank(a, starts, ends)
    starts, numbers = starts[keep], numbers[keep]
    offsets = np.concatenate((starts, [len(a)])).astype(np.int64)
    lines = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(starts), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return lines, numbers, starts


def _nonblank(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Lines with any byte other than space, tab or CR."""
    blank_byte = (a == 32) | (a == 9) | (a == 13)
    content = np.concatenate(([0], np.cumsum(~blank_byte)))
    return (content[ends] - content[starts]) > 0


def sniff(head: bytes, extension: str) -> bool:
    """True if the first non-blank lines (up to 3) are all AVR message lines."""
    pieces = head.split(b"\n")
    if len(head) >= 1 << 16:
        pieces = pieces[:-1]
    lines = [p.strip() for p in pieces if p.strip()][:3]
    return bool(lines) and all(_SNIFF.match(line) for line in lines)
