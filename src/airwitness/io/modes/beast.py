"""Beast binary captures (dump1090/readsb ``--net-bo-port`` output, Mode-S Beast, Radarcape).

A frame is ``0x1a``, a type byte, a 6-byte receiver timestamp, a 1-byte
signal level and the message: type ``'1'`` Mode A/C (2 bytes), ``'2'`` Mode S
short (7), ``'3'`` Mode S long (14). Inside a frame every ``0x1a`` byte is
doubled. Other types (``'4'`` Radarcape status, and the extensions some
feeders add) carry no aircraft message; their length is not fixed, so the
reader skips to the next frame start. Each frame is one record (1-based, in
file order) with its byte offset; so is each run of bytes between frames
that is not a frame (``not a Beast frame``).

Time: the timestamp is the receiver's clock, not a date. By default it is a
free-running 12 MHz counter, and ``ReadOptions.start_time_ns`` (``--start-time``)
gives the UTC time of the first frame: ``time = start + (counter − first
counter) / 12 MHz``. Without it the reader raises InputError ("Beast capture
has only relative timestamps: give the start time (--start-time)"). Radarcape
and OpenSky sensors stamp GPS time of day instead (upper 18 bits seconds since
midnight UTC, lower 30 bits nanoseconds): give the date (``--date``) and no
start time, and that layout is used — every timestamp must fit it. A 12 MHz
counter can also fit it for a short capture, so this is never guessed. See
:func:`airwitness.io.modes._clocks.counter_times` for zero and damaged timestamps and
receiver restarts.

Rejects of this reader: ``truncated message`` (the file ends, or a new frame
starts, inside a frame), ``not a Beast frame``, ``unknown frame type``,
``no timestamp``, ``bad timestamp``, ``receiver clock reset``,
``truncated gzip data`` / ``corrupt gzip data`` (one record where a damaged
gzip stream breaks off; the frames before it are read); Mode A/C replies and
status frames are ``no position`` (benign); then every reason of the decoding
core (:mod:`airwitness.io.modes._decode`). The file is read in chunks of ``CHUNK_BYTES``;
a run of non-frame bytes longer than ``MAX_GARBAGE`` counts as several records.
The decoding core also sets ``pos_sigma_m`` (the aircraft's NACp, else the
position's type code).
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import BinaryIO

import numba as nb
import numpy as np

from airwitness import reasons
from airwitness.io._convert import Checks
from airwitness.io._source import Salvage, Source
from airwitness.io.modes._clocks import LiveClock, counter_times
from airwitness.io.modes._decode import Carry, decode, decode_stream
from airwitness.io.modes._messages import Messages
from airwitness.io.options import ReadOptions
from airwitness.schema import ReadResult, empty_table

FORMAT = "beast"
CHUNK_BYTES = 1 << 22
#: A run of non-frame bytes longer than this is reported in pieces (bounds the memory held).
MAX_GARBAGE = 1 << 16
ESC = 0x1A
_PAYLOAD = {0x31: 2, 0x32: 7, 0x33: 14}  # message bytes per frame type

# Unit status from the framer.
_FRAME, _TRUNCATED, _GARBAGE, _UNKNOWN, _OTHER, _DAMAGED = 0, 1, 2, 3, 4, 5
_REASONS = {
    _TRUNCATED: reasons.TRUNCATED_MESSAGE,
    _GARBAGE: reasons.NOT_A_BEAST_FRAME,
    _UNKNOWN: reasons.UNKNOWN_FRAME_TYPE,
    _OTHER: reasons.NO_POSITION,
}


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read a Beast binary capture (optionally gzip-compressed)."""
    src = Source(path, stream)
    units, damage = _read_units(src)
    n = len(units["status"])
    if n == 0:
        raise src.fail("empty file")
    status = units["status"]
    if not (status == _FRAME).any():
        raise src.fail("not a Beast capture (no frames found)")
    checks = _unit_checks(status)
    if damage is not None:
        checks.flag(status == _DAMAGED, damage)
    usable = checks.ok.copy()
    time_ns, problems = counter_times(src.name, units["counter"], usable, options, "Beast capture")
    for reason, mask in problems.items():
        checks.flag(mask, reason)
    msgs = _messages(units, np.arange(1, n + 1, dtype=np.int64), time_ns, checks)
    return decode(src.name, FORMAT, msgs, options)


def _unit_checks(status: np.ndarray) -> Checks:
    """The framer's verdict on each unit, as rejects."""
    checks = Checks(len(status))
    for code, reason in _REASONS.items():
        checks.flag(status == code, reason)
    return checks


def _messages(
    units: dict[str, np.ndarray], record: np.ndarray, time_ns: np.ndarray, checks: Checks
) -> Messages:
    typ = units["type"]
    nbytes = np.where(typ == 0x31, 2, np.where(typ == 0x32, 7, 14)).astype(np.int8)
    nbytes[units["status"] != _FRAME] = 0
    return Messages(
        record=record,
        time_ns=time_ns,
        frames=units["msg"],
        nbytes=nbytes,
        checks=checks,
        offset=units["offset"],
    )


class StreamDecoder:
    """A Beast feed as it arrives (``airwitness watch``): :func:`read`'s framing and
    decoding, a chunk at a time, the CPR walk carried on between batches
    (:func:`~airwitness.io.modes._decode.decode_stream`). Records are units
    (frames, runs of other bytes) counted from the first chunk on, across
    reconnections; offsets count the bytes received. Times: the receiver clock
    anchored at the receive time of the first frame
    (:class:`~airwitness.io.modes._clocks.LiveClock`)."""

    def __init__(self, name: str, options: ReadOptions | None = None) -> None:
        self.name = name
        self.options = options
        self._pending = b""
        self._base = 0  # stream offset of _pending[0]
        self._units: list[dict[str, np.ndarray]] = []
        self._received: list[np.ndarray] = []
        self._records = 0
        self._clock = LiveClock()
        self._carry = Carry()

    def feed(self, data: bytes, receive_ns: int) -> None:
        """Frame the complete units in ``data`` (a partial frame waits for more bytes)."""
        self._frame(self._pending + data, receive_ns, final=False)

    def end(self, broken: bool) -> None:
        """The input ended: bytes left over are one last unit (``truncated message``)."""
        if self._pending:
            self._frame(self._pending, time.time_ns(), final=True)
        self._pending = b""

    def _frame(self, data: bytes, receive_ns: int, final: bool) -> None:
        buf = np.frombuffer(data, dtype=np.uint8)
        start = 0
        while start < len(buf):
            got, used = _frame_chunk(buf[start:], self._base + start, final)
            if len(got["status"]):
                self._units.append(got)
                self._received.append(np.full(len(got["status"]), receive_ns, dtype=np.int64))
            if used == 0:
                break
            start += used
        self._pending = bytes(buf[start:])
        self._base += start

    def take(self) -> ReadResult:
        """The rows and rejects of the units framed since the last call."""
        keys = ("offset", "status", "type", "counter", "msg")
        if not self._units:
            return ReadResult(empty_table(), [], format=FORMAT)
        units = {k: np.concatenate([u[k] for u in self._units]) for k in keys}
        received = np.concatenate(self._received) if self._received else np.zeros(0, np.int64)
        self._units, self._received = [], []
        n = len(units["status"])
        record = np.arange(self._records + 1, self._records + n + 1, dtype=np.int64)
        self._records += n
        checks = _unit_checks(units["status"])
        time_ns, bad = self._clock.times(units["counter"], checks.ok, received)
        checks.flag(bad, reasons.BAD_TIMESTAMP)
        msgs = _messages(units, record, time_ns, checks)
        result, self._carry = decode_stream(self.name, FORMAT, msgs, self.options, self._carry)
        return result


def _read_units(src: Source) -> tuple[dict[str, np.ndarray], str | None]:
    """Frame the whole stream, chunk by chunk, into arrays (one entry per unit).

    A damaged gzip stream ends the capture: what decompressed before the
    damage is framed, one more unit (status ``_DAMAGED``) marks where it
    broke, and the reason is returned with the units.
    """
    parts: list[dict[str, np.ndarray]] = []
    pending = b""
    base = 0  # file offset of pending[0]
    blocks = Salvage(src, CHUNK_BYTES)
    for chunk in itertools.chain(blocks, [b""]):
        final = not chunk
        buf = np.frombuffer(pending + chunk, dtype=np.uint8)
        start = 0
        while start < len(buf):
            got, used = _frame_chunk(buf[start:], base + start, final)
            parts.append(got)
            if used == 0:
                break
            start += used
        pending = bytes(buf[start:])
        base += start
    if blocks.damage is not None:
        parts.append(_unit(blocks.done, _DAMAGED))
    keys = ("offset", "status", "type", "counter", "msg")
    if not parts:
        return {k: np.zeros((0, 14) if k == "msg" else 0, dtype=np.int64) for k in keys}, None
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}, blocks.damage


def _unit(offset: int, status: int) -> dict[str, np.ndarray]:
    return {
        "offset": np.array([offset], dtype=np.int64),
        "status": np.array([status], dtype=np.int8),
        "type": np.zeros(1, dtype=np.uint8),
        "counter": np.zeros(1, dtype=np.int64),
        "msg": np.zeros((1, 14), dtype=np.uint8),
    }


def _frame_chunk(buf: np.ndarray, base: int, final: bool) -> tuple[dict[str, np.ndarray], int]:
    cap = len(buf) // 8 + 16
    offset = np.zeros(cap, dtype=np.int64)
    status = np.zeros(cap, dtype=np.int8)
    typ = np.zeros(cap, dtype=np.uint8)
    counter = np.zeros(cap, dtype=np.int64)
    msg = np.zeros((cap, 14), dtype=np.uint8)
    count, used = _frames(buf, final, offset, status, typ, counter, msg)
    out = {
        "offset": offset[:count] + base,
        "status": status[:count],
        "type": typ[:count],
        "counter": counter[:count],
        "msg": msg[:count],
    }
    return out, used


@nb.njit(cache=True, nogil=True)
def _is_start(buf, i):
    """A frame start at i: 0x1a followed by a type byte (anything but 0x1a)."""
    return buf[i] == ESC and i + 1 < len(buf) and buf[i + 1] != ESC


@nb.njit(cache=True, nogil=True)
def _skip(buf, i, final):
    """Index of the next frame start at or after i (len(buf) if none; -1 = need more bytes)."""
    n = len(buf)
    while i < n:
        if buf[i] == ESC:
            if i + 1 >= n:
                return n if final else -1
            if buf[i + 1] != ESC:
                return i
            i += 2
        else:
            i += 1
    return n


@nb.njit(cache=True, nogil=True)
def _frames(buf, final, offset, status, typ, counter, msg):
    """Split ``buf`` into units until it or the output is full: (units, bytes consumed).

    Stops before a frame that continues past the end of ``buf`` unless
    ``final`` (then it is a truncated unit).
    """
    n = len(buf)
    cap = len(status)
    k = 0
    i = 0
    value = np.zeros(21, dtype=np.uint8)
    while i < n and k < cap:
        if not _is_start(buf, i):
            if buf[i] == ESC and i + 1 >= n and not final:
                return k, i  # a 0x1a at the end may start a frame: wait for more bytes
            # bytes outside any frame, up to the next frame start (0x1a 0x1a is one byte)
            j = _skip(buf, i + 2 if buf[i] == ESC else i + 1, final)
            if (j < 0 or j == n) and not final and n - i < MAX_GARBAGE:
                return k, i  # the run may go on in the next chunk: one record for all of it
            if j < 0:
                j = n - 1  # keep the trailing 0x1a for the next round
            offset[k] = i
            status[k] = 2
            k += 1
            i = j
            continue
        t = buf[i + 1]
        need = 0
        if t == 0x31:
            need = 9
        elif t == 0x32:
            need = 14
        elif t == 0x33:
            need = 21
        if need == 0:
            j = _skip(buf, i + 2, final)
            if (j < 0 or j == n) and not final and n - i < MAX_GARBAGE:
                return k, i  # its end may be in the next chunk
            if j < 0:
                j = n - 1
            offset[k] = i
            status[k] = 4 if t == 0x34 else 3
            typ[k] = t
            k += 1
            i = j
            continue
        j = i + 2
        got = 0
        broken = False
        while got < need:
            if j >= n:
                break
            b = buf[j]
            if b == ESC:
                if j + 1 >= n:
                    break
                if buf[j + 1] != ESC:
                    broken = True
                    break
                j += 2
            else:
                j += 1
            value[got] = b
            got += 1
        if got < need and not broken and not final:
            return k, i  # wait for more bytes
        offset[k] = i
        typ[k] = t
        if got < need:
            status[k] = 1
            i = j if broken else n
            k += 1
            continue
        c = 0
        for m in range(6):
            c = (c << 8) | value[m]
        counter[k] = c
        for m in range(need - 7):
            msg[k, m] = value[7 + m]
        status[k] = 0
        k += 1
        i = j
    return k, i


def sniff(head: bytes, extension: str) -> bool:
    """True if the content starts (within 64 bytes) with several clean Beast frames."""
    start = next((i for i in range(min(64, len(head) - 1)) if _frame_at(head, i)), None)
    if start is None:
        return False
    buf = np.frombuffer(head[start:], dtype=np.uint8)
    got, _ = _frame_chunk(buf, 0, final=len(head) < (1 << 16))
    status = got["status"][:8]
    return len(status) > 0 and bool((status == _FRAME).all())


def _frame_at(head: bytes, i: int) -> bool:
    return head[i] == ESC and head[i + 1] in _PAYLOAD and (i == 0 or head[i - 1] != ESC)
