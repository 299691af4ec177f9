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
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness import reasons
from airwitness.io._convert import Checks, times
from airwitness.io._source import Salvage, Source
from airwitness.io.modes._clocks import counter_times
from airwitness.io.modes._decode import decode
from airwitness.io.modes._messages import Messages, hex_fixed, hex_frames
from airwitness.io.options import ReadOptions
from airwitness.schema import ReadResult, Reject

FORMAT = "avr"
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
    if not (at | stamped).any():
        if plain.any():
            raise src.fail(
                "AVR lines without timestamps (*…;): their times are unknown; record the "
                "capture with MLAT timestamps (@…;) or with the receive time before each line"
            )
        raise src.fail("not an AVR capture (no *…; or @…; lines)")
    checks.flag(plain, reasons.NO_TIMESTAMP)

    time_ns = np.zeros(n, dtype=np.int64)
    if at.any():
        usable = at & checks.ok
        t_at, problems = counter_times(src.name, counter, usable, options, "AVR capture")
        for reason, mask in problems.items():
            checks.flag(mask, reason)
        time_ns = np.where(at, t_at, time_ns)
    if stamped.any():
        t_st, bad, missing = times(pc.if_else(pa.array(stamped), stamp, None), "auto")
        checks.flag(stamped & (bad | missing), reasons.BAD_TIME)
        time_ns = np.where(stamped, t_st, time_ns)

    msgs = Messages(record, time_ns, frames, nbytes, checks, offset)
    result = decode(src.name, FORMAT, msgs, options)
    if blocks.damage is not None:  # one record where the stream broke off
        broken = Reject(src.name, data.count(b"\n") + 1, blocks.damage, len(data))
        result.rejects = sorted([*result.rejects, broken])
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
