"""ArduPilot DataFlash binary logs (``.bin``), as the autopilot writes them to its SD card.

A DataFlash log is a sequence of messages ``0xA3 0x95 type payload``; the
payload's layout comes from the log's own ``FMT`` messages (type 128), whose
format characters are unpacked with ``pymavlink``'s DataFlash table
(``DFReader.DFFormat``: struct codes and multipliers, e.g. ``L`` = int32
× 1e-7°, ``e`` = int32 × 0.01). The framing is walked here, message by
message, so that damage becomes a reject with its byte offset and the rest of
the file is still read (``DFReader`` stops at the first unknown message type).

Positions: ``GPS`` messages of the first receiver (instance ``I`` = 0, or no
``I`` column in older logs): ``Lat``/``Lng``, ``Alt`` (m above mean sea level →
``alt_kind`` ``geo``), ``Spd`` (m/s), ``GCrs`` (°), ``VZ`` (m/s, down →
vertical rate = −VZ). Their time is GPS time, ``GWk``/``GMS`` (or
``Week``/``TimeMS`` in old logs) → UTC by subtracting the GPS−UTC leap
seconds in force (18 s since 2017-01-01; the table goes back to 1999). When no
GPS message has a position, the estimator's ``POS`` messages are used instead
(never both), timed by their ``TimeUS`` (µs since boot) plus the median
``UTC − TimeUS`` of the GPS messages, or plus ``ReadOptions.start_time_ns``
taken as the UTC time of the first ``TimeUS`` of a GPS or POS message.

Position error (``pos_sigma_m``) of a ``GPS`` row: the ``HAcc`` (m) of the ``GPA``
message ArduPilot writes right after it (``AP_GPS::Write_GPS``: same ``TimeUS`` and
``I``; a GPA is joined to the latest first-receiver GPS when their ``TimeUS`` agree),
the receiver's horizontal accuracy, a 2-D rms error → ``HAcc / √2``
(``uncertainty.sigma_from_drms``); where there is no such GPA or its ``HAcc`` is 0
(the driver has no estimate), ``HDop`` → ``uncertainty.sigma_from_hdop`` (HDOP ×
5 m / √2); an unknown HDOP (ArduPilot logs 99.99, or 655.35 / −0.01 for its
65535) gives null. ``POS`` rows (the estimator's output) state nothing: null.

Records: ``source_record`` is the 1-based index of the message in the file.
The chosen position messages are records, and so is every damaged stretch:
``bad frame`` (no ``A3 95`` header where a message should start), ``unknown
message type`` (no ``FMT`` for it), ``corrupt message`` (an unusable ``FMT``),
``truncated message``. After damage the reader skips to the next header of a
known type that is followed by another header (or the end of the file). Padding
of 0x00/0xFF bytes at the end of the file (block-based logs) is not a record.
Value rejects: ``no position`` (benign: GPS status below 2-D fix), ``lat/lon
out of range``, ``bad time``. track_id is the file stem (``SYSID_THISMAV`` is 1
on nearly every vehicle, so it does not identify one).
"""

from __future__ import annotations

import math
import re
import struct
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pymavlink.DFReader import FORMAT_TO_STRUCT, DFFormat

from airwitness import reasons
from airwitness.io._convert import position_problem
from airwitness.io._source import Source
from airwitness.io.drones._frames import Damage, FrameWalk, Rows, Window, build, plausible_time
from airwitness.io.options import ReadOptions
from airwitness.schema import ReadResult, Reject
from airwitness.uncertainty import sigma_from_drms, sigma_from_hdop

FORMAT = "dataflash"
HEAD = b"\xa3\x95"
FMT_TYPE = 0x80
FMT_LENGTH = 89
_HEAD_RE = re.compile(re.escape(HEAD))
_NAME_RE = re.compile(r"[A-Za-z0-9_]{1,4}")
GPS_EPOCH_S = 315_964_800  # 1980-01-06T00:00:00Z
# (UTC second from which it applies, GPS − UTC in seconds)
LEAP_SECONDS = (
    (915_148_800, 13),  # 1999-01-01
    (1_136_073_600, 14),  # 2006-01-01
    (1_230_768_000, 15),  # 2009-01-01
    (1_341_100_800, 16),  # 2012-07-01
    (1_435_708_800, 17),  # 2015-07-01
    (1_483_228_800, 18),  # 2017-01-01
)
_PADDING_TAIL = 1024
# our name -> column names used by ArduPilot versions (first present wins)
_GPS_COLUMNS = {
    "week": ("GWk", "Week"),
    "ms": ("GMS", "TimeMS"),
    "status": ("Status",),
    "instance": ("I",),
    "lat": ("Lat",),
    "lon": ("Lng",),
    "alt": ("Alt",),
    "speed": ("Spd",),
    "track": ("GCrs",),
    "vz": ("VZ",),
    "us": ("TimeUS",),
    "hdop": ("HDop",),
}
_POS_COLUMNS = {"us": ("TimeUS",), "lat": ("Lat",), "lon": ("Lng",), "alt": ("Alt",)}
_GPA_COLUMNS = {"us": ("TimeUS",), "instance": ("I",), "hacc": ("HAcc",)}
_WANTED = {"GPS": _GPS_COLUMNS, "POS": _POS_COLUMNS, "GPA": _GPA_COLUMNS}
_UNKNOWN_HDOP = 99.99  # ArduPilot's unknown HDOP: 9999 (old) or 65535 (×0.01)


def sniff(head: bytes, extension: str) -> bool:
    """The log opens with the FMT message that defines FMT itself."""
    if not head.startswith(HEAD + bytes([FMT_TYPE, FMT_TYPE, FMT_LENGTH])):
        return False
    return len(head) < FMT_LENGTH + 2 or head[FMT_LENGTH : FMT_LENGTH + 2] == HEAD


@dataclass
class _Kind:
    """A message type as the log's FMT defines it."""

    name: str
    length: int
    unpack: struct.Struct
    columns: dict[str, tuple[int, float]]  # our name -> (element index, divisor)


@dataclass
class _Samples:
    names: tuple[str, ...]
    data: dict[str, array] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data = {n: array("d") for n in ("record", "offset", *self.names)}

    def __len__(self) -> int:
        return len(self.data["record"])


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read an ArduPilot DataFlash log (see the module docs for records, time and rejects)."""
    src = Source(path, stream)
    kinds: dict[int, _Kind] = {FMT_TYPE: _fmt_of_fmt()}
    samples = {
        "GPS": _Samples((*_GPS_COLUMNS, "hacc")),  # hacc: from the GPA that follows
        "POS": _Samples(tuple(_POS_COLUMNS)),
    }
    first_us: float | None = None
    with src.open() as f:
        walk = FrameWalk(
            src.name,
            Window(f),
            lambda win: _message(win, kinds),
            lambda win: _resync(win, kinds),
            damaged_length=reasons.BAD_FRAME,
            at_tail=_padding_tail,
        )
        for index, start, (kind, body) in walk:
            if kind.name == "GPA":
                _accuracy(_decode(kind, body), samples["GPS"])
            elif kind.name in samples:
                values = _decode(kind, body)
                if first_us is None and not math.isnan(values.get("us", math.nan)):
                    first_us = values["us"]
                if kind.name == "GPS" and values.get("instance", 0.0) != 0.0:
                    continue  # a second receiver: not a record
                s = samples[kind.name]
                s.data["record"].append(index)
                s.data["offset"].append(start)
                for name in s.names:
                    s.data[name].append(values.get(name, math.nan))
    if not walk.decoded:
        raise src.fail("no readable DataFlash messages" if walk.count else "empty file")
    return _result(src, samples, walk.damage, first_us, options)


def _fmt_of_fmt() -> _Kind:
    fmt = DFFormat(FMT_TYPE, "FMT", FMT_LENGTH, "BBnNZ", "Type,Length,Name,Format,Columns")
    return _Kind("FMT", FMT_LENGTH, struct.Struct(fmt.msg_struct), {})


def _padding_tail(w: Window) -> bool:
    """The rest of the file is a short run of 0x00/0xFF padding: consume it."""
    if w.fill(_PADDING_TAIL + 1):
        return False
    tail = w.buf[w.pos :]
    if tail.strip(b"\xff") and tail.strip(b"\x00"):
        return False
    w.skip(len(tail))
    return True


def _message(w: Window, kinds: dict[int, _Kind]) -> tuple[_Kind, bytes] | Damage:
    """Read and consume one message: (kind, body); on damage nothing is consumed."""
    if not w.fill(3):
        cut = HEAD.startswith(w.buf[w.pos :])
        return Damage(reasons.TRUNCATED_MESSAGE if cut else reasons.BAD_FRAME)
    if w.buf[w.pos : w.pos + 2] != HEAD:
        return Damage(reasons.BAD_FRAME)
    kind_id = w.buf[w.pos + 2]
    kind = kinds.get(kind_id)
    if kind is None:
        return Damage(reasons.UNKNOWN_MESSAGE_TYPE)
    if not w.fill(kind.length):
        return Damage(reasons.TRUNCATED_MESSAGE)
    body = w.buf[w.pos + 3 : w.pos + kind.length]
    if kind_id == FMT_TYPE:
        defined = _define(body)
        if defined is None:
            return Damage(reasons.CORRUPT_MESSAGE)
        kinds[defined[0]] = defined[1]
    w.skip(kind.length)
    return kind, body


def _define(body: bytes) -> tuple[int, _Kind] | None:
    """A FMT message -> (type, kind), or None if it cannot be used."""
    type_, length, name, fmt, columns = struct.unpack("<BB4s16s64s", body)
    name_s = name.split(b"\0")[0].decode("ascii", "replace")
    fmt_s = fmt.split(b"\0")[0].decode("ascii", "replace")
    cols = columns.split(b"\0")[0].decode("ascii", "replace")
    if type_ == FMT_TYPE:  # FMT defining itself: must be what every reader assumes
        ok = (length, name_s, fmt_s) == (FMT_LENGTH, "FMT", "BBnNZ")
        return (FMT_TYPE, _fmt_of_fmt()) if ok else None
    if not _NAME_RE.fullmatch(name_s):
        return None
    if any(c not in FORMAT_TO_STRUCT for c in fmt_s):
        return None
    spec = DFFormat(type_, name_s, length, fmt_s, cols)
    unpack = struct.Struct(spec.msg_struct)
    if unpack.size + 3 != length or len(spec.columns) != len(fmt_s):
        return None
    wanted = _WANTED.get(name_s, {})
    where = {}
    for ours, theirs in wanted.items():
        i = next((spec.colhash[t] for t in theirs if t in spec.colhash), None)
        if i is None or fmt_s[i] in "nNZa":
            continue
        mult = spec.msg_mults[i]
        where[ours] = (i, round(1 / mult) if mult else 1.0)
    return type_, _Kind(name_s, length, unpack, where)


def _decode(kind: _Kind, body: bytes) -> dict[str, float]:
    elements = kind.unpack.unpack(body)
    return {ours: elements[i] / div for ours, (i, div) in kind.columns.items()}


def _accuracy(values: dict[str, float], gps: _Samples) -> None:
    """Give a first-receiver GPA's ``HAcc`` to the GPS message it was written with:
    the latest first-receiver GPS, if their ``TimeUS`` agree. (GPA is not a record.)"""
    if values.get("instance", 0.0) != 0.0 or not len(gps):
        return
    us, d = values.get("us", math.nan), gps.data
    if us == d["us"][-1] and math.isnan(d["hacc"][-1]):
        d["hacc"][-1] = values.get("hacc", math.nan)


def _resync(w: Window, kinds: dict[int, _Kind]) -> bool:
    """Skip to the next header of a known type followed by another header; False if none."""
    while w.seek_marker(_HEAD_RE, 2):
        if not w.fill(3):
            return False
        kind = kinds.get(w.buf[w.pos + 2])
        if kind is None:
            continue
        if not w.fill(kind.length + 2):
            return True  # the last message, whole or cut by the end of the file
        if w.buf[w.pos + kind.length : w.pos + kind.length + 2] == HEAD:
            return True
    return False


def gps_to_utc_ns(week: int, ms: int) -> int:
    """GPS week and milliseconds of week -> UTC ns since the epoch (leap seconds applied)."""
    gps_ms = (GPS_EPOCH_S + week * 604_800) * 1000 + ms
    leap = 0
    for since, offset in LEAP_SECONDS:
        if gps_ms // 1000 - offset >= since:
            leap = offset
    return (gps_ms - leap * 1000) * 1_000_000


def _result(
    src: Source,
    samples: dict[str, _Samples],
    damage: list[Reject],
    first_us: float | None,
    options: ReadOptions | None,
) -> ReadResult:
    gps, pos = samples["GPS"], samples["POS"]
    gps_rows = _gps_rows(src.name, gps)
    if len(gps_rows) or not len(pos):
        return build(src.name, FORMAT, [(src.stem, gps_rows)], damage)
    offset_ns = _boot_offset(gps)
    if offset_ns is None:
        if options is None or options.start_time_ns is None or first_us is None:
            raise src.fail("no UTC time in the log (no GPS time): give the start time")
        offset_ns = options.start_time_ns - int(first_us) * 1000
    return build(src.name, FORMAT, [(src.stem, _pos_rows(src.name, pos, offset_ns))], damage)


def _gps_time(d: dict[str, array], i: int) -> int | None:
    week, ms = d["week"][i], d["ms"][i]
    if math.isnan(week) or math.isnan(ms) or week <= 0:
        return None
    ns = gps_to_utc_ns(int(week), int(ms))
    return ns if plausible_time(ns) else None


def gps_sigma(hacc: float, hdop: float) -> float | None:
    """σ (m) of a GPS message: its GPA's ``HAcc`` where stated (NaN: no GPA), else
    its ``HDop`` (NaN: not in the log's GPS format)."""
    if hacc > 0:
        return sigma_from_drms(hacc)
    return sigma_from_hdop(hdop) if hdop < _UNKNOWN_HDOP else None


def _gps_rows(file: str, s: _Samples) -> Rows:
    rows = Rows()
    d = s.data
    for i in range(len(s)):
        record, offset = int(d["record"][i]), int(d["offset"][i])
        lat, lon = d["lat"][i], d["lon"][i]
        problem = reasons.NO_POSITION if d["status"][i] < 2 else position_problem(lat, lon)
        time_ns = _gps_time(d, i)
        if problem is None and time_ns is None:
            problem = reasons.BAD_TIME
        if problem is not None:
            rows.rejects.append(Reject(file, record, problem, offset=offset))
            continue
        vz = d["vz"][i]
        rows.add(
            record,
            time_ns,  # type: ignore[arg-type]  # checked above
            lat,
            lon,
            _finite(d["alt"][i]),
            _finite(d["speed"][i]),
            _finite(d["track"][i]),
            _finite(-vz),
            gps_sigma(d["hacc"][i], d["hdop"][i]),
        )
    return rows


def _boot_offset(s: _Samples) -> int | None:
    """Median of UTC − TimeUS (ns) over the GPS messages that have both."""
    d = s.data
    diffs = []
    for i in range(len(s)):
        t = _gps_time(d, i)
        if t is not None and d["status"][i] >= 2 and not math.isnan(d["us"][i]):
            diffs.append(t - int(d["us"][i]) * 1000)
    if not diffs:
        return None
    diffs.sort()
    return diffs[(len(diffs) - 1) // 2]


def _pos_rows(file: str, s: _Samples, offset_ns: int) -> Rows:
    rows = Rows()
    d = s.data
    for i in range(len(s)):
        record, offset = int(d["record"][i]), int(d["offset"][i])
        lat, lon = d["lat"][i], d["lon"][i]
        problem = reasons.NO_POSITION if lat == 0 and lon == 0 else position_problem(lat, lon)
        us = d["us"][i]
        time_ns = None if math.isnan(us) else int(us) * 1000 + offset_ns
        if problem is None and (time_ns is None or not plausible_time(time_ns)):
            problem = reasons.BAD_TIME
        if problem is not None:
            rows.rejects.append(Reject(file, record, problem, offset=offset))
            continue
        rows.add(record, time_ns, lat, lon, _finite(d["alt"][i]))  # type: ignore[arg-type]
    return rows


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None
