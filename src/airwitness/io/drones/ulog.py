"""PX4 ULog flight logs (``.ulg``).

A ULog is a 16-byte header (magic, version, start time in µs since boot) and a
sequence of messages ``uint16 size, uint8 type, payload`` (the format is
documented by PX4, "ULog File Format"). Format (``F``) and subscription (``A``)
messages define the topics; data messages (``D``) carry one sample of a topic,
packed as its format says. The framing is walked here, message by message, so
that damage becomes a reject with its byte offset and the rest of the file is
still read; ``pyulog`` (which writes the test fixtures and checks this reader in
the tests) skips damaged messages without saying which, and holds every topic
in memory.

Positions: ``vehicle_global_position`` (the estimator's output) when it yields
positions, else ``vehicle_gps_position``, else ``sensor_gps`` — one topic only,
instance 0, so no position is counted twice. Latitude/longitude are ``lat``/
``lon`` or ``latitude_deg``/``longitude_deg``: integers are 1e-7° (PX4 ≤ 1.13
GPS topics), floating-point values degrees. Altitude is ``alt`` or
``altitude_msl_m`` above mean sea level (``alt_kind`` ``geo``): integers are mm,
floating point m. Velocities north/east/down (``vel_n/vel_e/vel_d`` or
``vel_n_m_s/…``) give ground speed, track and vertical rate (−down).

Position error: the topic's own ``eph`` (floating point, m). In the GPS topics
it is "GPS horizontal position accuracy (metres)" (PX4 ``SensorGps.msg`` /
``VehicleGpsPosition.msg``), the receiver's ``hAcc``; in
``vehicle_global_position`` "Standard deviation of horizontal position error"
(``VehicleGlobalPosition.msg``), which ekf2 computes as √(P_nn + P_ee). Both are
the 2-D rms error, so ``pos_sigma_m = eph / √2`` (``uncertainty.sigma_from_drms``).
Null where the topic has no ``eph``, or it is 0, negative or not finite (ekf2
gives ∞ without a global origin).

Time: data timestamps are µs since boot. They become UTC through the GPS
topics' ``time_utc_usec``: the offset ``time_utc_usec − timestamp`` is taken as
the median over all GPS samples that carry a UTC time (robust to a damaged
sample). Without any, ``ReadOptions.start_time_ns`` is taken as the UTC time of
the log's start (the header's timestamp); without that either, InputError.

Records: ``source_record`` is the 1-based index of the message in the file
(counting every message after the header). Data messages of the chosen topic
are records; so is every damaged stretch: ``corrupt message`` (unknown message
type, empty or unparseable definition), ``unknown message id`` (data for no
subscription), ``bad message size``, ``truncated message``. After damage the
reader skips to the next message that checks out (a sync marker, data of a
known subscription with the right size, or a well-formed definition) and is
followed by a plausible message header. Value rejects: ``no position``
(benign: GPS without a fix, or no latitude/longitude yet), ``lat/lon out of
range``, ``bad time``.

track_id: ``px4:<sys_uuid>`` — the flight controller's hardware id, logged by
PX4 as the info message ``sys_uuid`` — when present, else the file stem.
(``MAV_SYS_ID`` is not used: it is 1 on nearly every vehicle.)
"""

from __future__ import annotations

import math
import re
import struct
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from airwitness import reasons
from airwitness.io._convert import position_problem
from airwitness.io._source import Source
from airwitness.io.drones._frames import Damage, FrameWalk, Rows, Window, build, plausible_time
from airwitness.io.options import ReadOptions
from airwitness.schema import ReadResult, Reject
from airwitness.uncertainty import sigma_from_drms

FORMAT = "ulog"
MAGIC = b"ULog\x01\x12\x35"
SYNC = b"\x2f\x73\x13\x20\x25\x0c\xbb\x12"
TOPICS = ("vehicle_global_position", "vehicle_gps_position", "sensor_gps")
GPS_TOPICS = frozenset(TOPICS[1:])
_KNOWN_TYPES = frozenset(b"BFIMPQARDLCSO")
_CANDIDATE = re.compile(rb"[DSFAIPMLCQ]")  # message types that can be checked when resyncing
_PRIMITIVES = {
    "int8_t": "b",
    "uint8_t": "B",
    "int16_t": "h",
    "uint16_t": "H",
    "int32_t": "i",
    "uint32_t": "I",
    "int64_t": "q",
    "uint64_t": "Q",
    "float": "f",
    "double": "d",
    "bool": "?",
    "char": "c",
}
_FIELD_RE = re.compile(r"([A-Za-z_][\w]*)(?:\[(\d{1,5})\])? ([A-Za-z_][\w]*)")
_FORMAT_RE = re.compile(rb"[\x21-\x7e]+:(?:[\x21-\x7e]+ [\x21-\x7e]+;)*")
# Wanted fields: our name -> names used by PX4 versions (first present wins).
_WANTED = {
    "timestamp": ("timestamp",),
    "lat": ("lat", "latitude_deg"),
    "lon": ("lon", "longitude_deg"),
    "alt": ("alt", "altitude_msl_m"),
    "vn": ("vel_n", "vel_n_m_s"),
    "ve": ("vel_e", "vel_e_m_s"),
    "vd": ("vel_d", "vel_d_m_s"),
    "fix": ("fix_type",),
    "utc": ("time_utc_usec",),
    "eph": ("eph",),
}
_MAX_SIZE = 0xFFFF
_INTEGERS = "bBhHiIqQ"


def sniff(head: bytes, extension: str) -> bool:
    return head.startswith(MAGIC)


@dataclass
class _Topic:
    """A subscription of a wanted topic: how to unpack its samples."""

    name: str
    min_size: int
    max_size: int
    unpack: struct.Struct
    names: tuple[str, ...]  # our names, in the order ``unpack`` returns them
    scale_lat: float  # 1e7 for integer degrees, 1 for floating point
    scale_alt: float  # 1000 for integer mm, 1 for floating point m
    samples: dict[str, array] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.samples = {"record": array("q"), "offset": array("q")}
        for name in self.names:
            self.samples[name] = array("d")


class _Log:
    """What the walk learns: formats, subscriptions, samples of wanted topics."""

    def __init__(self) -> None:
        self.formats: dict[str, list[tuple[str, int, str]]] = {}
        self.sizes: dict[str, tuple[int, int]] = {}  # format -> (min, max) sample size
        self.subs: dict[int, tuple[int, int]] = {}  # msg_id -> (min, max) sample size
        self.topics: dict[int, _Topic] = {}  # msg_id -> wanted topic (instance 0)
        self.info: dict[str, str] = {}
        self.appended: list[int] = []


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read a PX4 ULog file (see the module docs for records, time and rejects)."""
    src = Source(path, stream)
    log = _Log()
    with src.open() as f:
        w = Window(f)
        header = w.take(16)
        if not header.startswith(MAGIC):
            raise src.fail("not a ULog file (bad magic)")
        if len(header) < 16:
            raise src.fail("truncated ULog header")
        (start_us,) = struct.unpack_from("<Q", header, 8)
        walk = FrameWalk(
            src.name,
            w,
            lambda win: _message(win, log),
            lambda win: _resync(win, log),
            damaged_length=reasons.CORRUPT_MESSAGE,
        )
        for index, start, (kind, payload) in walk:
            if kind == ord("D"):
                topic = log.topics.get(payload[0] | (payload[1] << 8))
                if topic is not None:
                    _sample(topic, payload, index, start)
    if not walk.decoded:
        raise src.fail("no readable ULog messages")
    return _result(src, log, walk.damage, start_us, options)


def _message(w: Window, log: _Log) -> tuple[int, bytes] | Damage:
    """Read and consume one message: (type, payload); on damage nothing is consumed,
    unless the damage is skipped already (a message cut where data was appended)."""
    if not w.fill(3):
        return Damage(reasons.TRUNCATED_MESSAGE)
    size, kind = struct.unpack_from("<HB", w.buf, w.pos)
    if kind not in _KNOWN_TYPES or size == 0:
        return Damage(reasons.CORRUPT_MESSAGE)
    end = w.offset + 3 + size
    cut = next((o for o in log.appended if w.offset < o < end), None)
    if cut is not None:  # the logger cut this message when it appended data here
        w.skip(cut - w.offset)  # the appended data follows
        return Damage(reasons.TRUNCATED_MESSAGE, skipped=True)
    if not w.fill(3 + size):
        return Damage(reasons.TRUNCATED_MESSAGE)
    payload = w.buf[w.pos + 3 : w.pos + 3 + size]
    reason = _check(kind, payload, log)
    if reason:
        return Damage(reason)
    _learn(kind, payload, log)
    w.skip(3 + size)
    return kind, payload


def _check(kind: int, payload: bytes, log: _Log) -> str:
    """Why a complete message is damaged, or ''."""
    if kind == ord("D"):
        if len(payload) < 2:
            return reasons.CORRUPT_MESSAGE
        msg_id = payload[0] | (payload[1] << 8)
        sizes = log.subs.get(msg_id)
        if sizes is None:
            return reasons.UNKNOWN_MESSAGE_ID
        if not sizes[0] <= len(payload) - 2 <= sizes[1]:
            return reasons.BAD_MESSAGE_SIZE
    elif kind == ord("F"):
        if _parse_format(payload) is None:
            return reasons.CORRUPT_MESSAGE
    elif kind == ord("A"):
        if len(payload) < 4:
            return reasons.CORRUPT_MESSAGE
        name = payload[3:].decode("ascii", "replace")
        if name not in log.formats or _sizes(name, log) is None:
            return reasons.CORRUPT_MESSAGE
    return ""


def _learn(kind: int, payload: bytes, log: _Log) -> None:
    if kind == ord("F"):
        name, fields = _parse_format(payload)  # type: ignore[misc]  # checked before
        log.formats[name] = fields
        log.sizes.clear()  # a redefinition changes sizes of types that nest it
    elif kind == ord("A"):
        multi_id, msg_id = struct.unpack_from("<BH", payload)
        name = payload[3:].decode("ascii")
        sizes = _sizes(name, log)
        log.subs[msg_id] = sizes  # type: ignore[assignment]  # checked before
        log.topics.pop(msg_id, None)
        if name in TOPICS and multi_id == 0:
            topic = _topic(name, log)
            if topic is not None:
                log.topics[msg_id] = topic
    elif kind == ord("R") and len(payload) >= 2:
        msg_id = payload[0] | (payload[1] << 8)
        log.topics.pop(msg_id, None)
    elif kind == ord("I"):
        key, value = _info(payload)
        if key is not None:
            log.info[key] = value
    elif kind == ord("B") and len(payload) >= 40 and payload[8] & 1:
        offsets = struct.unpack_from("<3Q", payload, 16)
        log.appended = sorted(o for o in offsets if o)


def _parse_format(payload: bytes) -> tuple[str, list[tuple[str, int, str]]] | None:
    """``name:type field;type[n] field;...`` -> (name, [(type, n or 0, field)])."""
    if not _FORMAT_RE.fullmatch(payload):
        return None
    text = payload.decode("ascii")
    name, _, rest = text.partition(":")
    fields = []
    for item in rest.split(";")[:-1]:
        m = _FIELD_RE.fullmatch(item)
        if m is None:
            return None
        fields.append((m.group(1), int(m.group(2) or 0), m.group(3)))
    return name, fields


def _sizes(name: str, log: _Log, stack: tuple[str, ...] = ()) -> tuple[int, int] | None:
    """(size without trailing padding, full size) of a format; None if undefined,
    recursive or larger than a message can be."""
    if name in log.sizes:
        return log.sizes[name]
    fields = log.formats.get(name)
    if fields is None or name in stack or len(stack) > 16:
        return None
    total = 0
    trimmed = 0
    for type_, n, fname in fields:
        if type_ in _PRIMITIVES:
            size = struct.calcsize(_PRIMITIVES[type_])
        else:
            nested = _sizes(type_, log, (*stack, name))
            if nested is None:
                return None
            size = nested[1]
        total += size * max(n, 1)
        if total > _MAX_SIZE:
            return None
        if not fname.startswith("_padding"):
            trimmed = total
    log.sizes[name] = (trimmed, total)
    return trimmed, total


def _topic(name: str, log: _Log) -> _Topic | None:
    """How to unpack the wanted fields of a position topic (top-level scalars only)."""
    fields = log.formats[name]
    where: dict[str, tuple[int, str]] = {}
    offset = 0
    for type_, n, fname in fields:
        if type_ in _PRIMITIVES:
            size = struct.calcsize(_PRIMITIVES[type_])
            if n == 0:
                where[fname] = (offset, _PRIMITIVES[type_])
        else:
            size = log.sizes[type_][1]  # known: the whole format has a size
        offset += size * max(n, 1)
    chosen: list[tuple[int, str, str]] = []
    for ours, theirs in _WANTED.items():
        found = next((where[t] for t in theirs if t in where), None)
        integer = found is not None and found[1] in _INTEGERS
        if found is None or found[1] == "c" or (ours in ("timestamp", "utc") and not integer):
            continue
        if ours == "eph" and found[1] not in "fd":
            continue  # PX4's eph is a float in metres: an integer field is something else
        chosen.append((found[0], found[1], ours))
    if not {"timestamp", "lat", "lon"} <= {c[2] for c in chosen}:
        return None
    chosen.sort()
    fmt, pos = "<", 0
    for off, code, _ in chosen:
        fmt += f"{off - pos}x{code}" if off > pos else code
        pos = off + struct.calcsize(code)
    codes = {ours: code for _, code, ours in chosen}
    min_size, max_size = log.sizes[name]
    return _Topic(
        name,
        max(min_size, pos),
        max_size,
        struct.Struct(fmt),
        tuple(c[2] for c in chosen),
        1e7 if codes["lat"] in _INTEGERS else 1.0,
        1000.0 if codes.get("alt", "f") in _INTEGERS else 1.0,
    )


def _info(payload: bytes) -> tuple[str | None, str]:
    """A text info message (``char[n] key``) -> (key, value)."""
    if len(payload) < 2 or 1 + payload[0] > len(payload):
        return None, ""
    type_key = payload[1 : 1 + payload[0]].decode("ascii", "replace")
    type_, _, key = type_key.partition(" ")
    if not type_.startswith("char["):
        return None, ""
    value = payload[1 + payload[0] :].split(b"\0")[0].decode("utf-8", "replace")
    return key, value


def _sample(topic: _Topic, payload: bytes, index: int, offset: int) -> None:
    if len(payload) - 2 < topic.min_size:
        return  # cannot happen: checked against the subscription's size
    values = topic.unpack.unpack_from(payload, 2)
    s = topic.samples
    s["record"].append(index)
    s["offset"].append(offset)
    for name, v in zip(topic.names, values, strict=True):
        s[name].append(float(v))


def _resync(w: Window, log: _Log) -> bool:
    """Skip to the next message that checks out; False (all consumed) if none does."""
    while w.seek_marker(_CANDIDATE, 1, lead=2):
        if not w.fill(3):
            return False
        size, kind = struct.unpack_from("<HB", w.buf, w.pos)
        if size == 0:
            continue
        if kind == ord("D"):
            w.fill(5)
            sizes = log.subs.get(int.from_bytes(w.buf[w.pos + 3 : w.pos + 5], "little"))
            if sizes is None or not sizes[0] <= size - 2 <= sizes[1]:
                continue
        elif kind == ord("S") and size != len(SYNC):
            continue
        if not w.fill(3 + size):
            if kind in (ord("D"), ord("S")):
                return True  # cut by the end of the file: reported as truncated
            continue
        payload = w.buf[w.pos + 3 : w.pos + 3 + size]
        if _plausible(kind, payload, log) and _header_follows(w, 3 + size):
            return True
    return False


def _plausible(kind: int, payload: bytes, log: _Log) -> bool:
    if kind == ord("S"):
        return payload == SYNC
    if kind in (ord("D"), ord("F"), ord("A")):
        return not _check(kind, payload, log)
    if kind in (ord("I"), ord("P"), ord("M"), ord("Q")):
        skip = 1 if kind in (ord("M"), ord("Q")) else 0
        if len(payload) < skip + 2:
            return False
        n = payload[skip]
        key = payload[skip + 1 : skip + 1 + n]
        return 0 < n < len(payload) - skip and re.fullmatch(rb"[\w\[\]]+ \w+", key) is not None
    if kind in (ord("L"), ord("C")):
        return len(payload) >= 11 and payload[0] in b"01234567"
    return False


def _header_follows(w: Window, n: int) -> bool:
    """The bytes after a candidate message start another plausible message (or end the file)."""
    if not w.fill(n + 3):
        return w.available() == n
    size, kind = struct.unpack_from("<HB", w.buf, w.pos + n)
    return kind in _KNOWN_TYPES and size > 0


def _result(
    src: Source, log: _Log, damage: list[Reject], start_us: int, options: ReadOptions | None
) -> ReadResult:
    track_id = f"px4:{log.info['sys_uuid']}" if log.info.get("sys_uuid") else src.stem
    by_name: dict[str, list[_Topic]] = {}
    for topic in log.topics.values():
        by_name.setdefault(topic.name, []).append(topic)
    present = [name for name in TOPICS if name in by_name]
    if not any(len(t.samples["record"]) for t in log.topics.values()):
        return build(src.name, FORMAT, [], damage)  # no position message at all
    offset_us = _utc_offset(by_name)
    if offset_us is None:
        if options is None or options.start_time_ns is None:
            raise src.fail("no UTC time in the log (no GPS time): give the start time")
        offset_ns = options.start_time_ns - start_us * 1000
    else:
        offset_ns = offset_us * 1000
    rows = None
    for name in present:  # in order of preference: the first that yields positions
        candidate = _rows(src.name, by_name[name], offset_ns)
        if rows is None:
            rows = candidate  # kept (with its rejects) if no topic yields positions
        if len(candidate):
            rows = candidate
            break
    return build(src.name, FORMAT, [(track_id, rows)], damage)  # type: ignore[list-item]


def _utc_offset(by_name: dict[str, list[_Topic]]) -> int | None:
    """Median of ``time_utc_usec − timestamp`` over GPS samples that carry UTC (µs)."""
    diffs = []
    for name in GPS_TOPICS & by_name.keys():
        for topic in by_name[name]:
            s = topic.samples
            if "utc" not in s:
                continue
            for utc, ts in zip(s["utc"], s["timestamp"], strict=True):
                if plausible_time(int(utc) * 1000):
                    diffs.append(int(utc) - int(ts))
    if not diffs:
        return None
    diffs.sort()
    return diffs[(len(diffs) - 1) // 2]


def _rows(file: str, topics: list[_Topic], offset_ns: int) -> Rows:
    """Rows (in file order) and value rejects of the samples of one topic."""
    rows = Rows()
    gps = topics[0].name in GPS_TOPICS
    order = sorted(
        (r, k, i) for k, t in enumerate(topics) for i, r in enumerate(t.samples["record"])
    )
    for record, k, i in order:
        topic = topics[k]
        s = topic.samples
        offset = s["offset"][i]
        lat, lon = s["lat"][i] / topic.scale_lat, s["lon"][i] / topic.scale_lat
        no_fix = gps and "fix" in s and s["fix"][i] < 2
        problem = reasons.NO_POSITION if no_fix or (lat == 0 and lon == 0) else None
        problem = problem or position_problem(lat, lon)
        time_ns = int(s["timestamp"][i]) * 1000 + offset_ns
        if problem is None and not plausible_time(time_ns):
            problem = reasons.BAD_TIME
        if problem is not None:
            rows.rejects.append(Reject(file, record, problem, offset=offset))
            continue
        alt, vn, ve, vd, eph = (
            s[c][i] if c in s else math.nan for c in ("alt", "vn", "ve", "vd", "eph")
        )
        speed = math.hypot(vn, ve)
        track = math.degrees(math.atan2(ve, vn)) % 360.0 if speed > 0 else None
        rows.add(
            record,
            time_ns,
            lat,
            lon,
            _finite(alt / topic.scale_alt),
            _finite(speed),
            _finite(track),
            _finite(-vd),
            sigma_from_drms(eph),
        )
    return rows


def _finite(v: float | None) -> float | None:
    return v if v is not None and math.isfinite(v) else None
