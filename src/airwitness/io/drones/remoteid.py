"""Broadcast Remote ID (ASTM F3411 / ASD-STAN EN 4709-002) as a receiver logs it.

The file is text, one received message per line::

    time,message[,transmitter]
    2019-05-23T11:59:58.123Z,1202...,02:4b:43:ac:00:01
    1558612800.250,f219020201...,02:4b:43:ac:00:01

``time`` is the receiver's clock: ISO-8601 (no zone = UTC) or unix seconds.
``message`` is the hex of one 25-byte message or of a Message Pack. The optional
``transmitter`` is the sender's address as the receiver saw it (Bluetooth/Wi-Fi
MAC or a serial). A first line that is not data (e.g. the header above) is
skipped; so are blank lines. Records are line numbers.

Decoded (by hand: no package decodes F3411 as bytes): Basic ID (type 0: ID type
and UAS ID — serial number and CAA registration as text, UTM/session ids as
hex), Location/Vector (type 1) and Message Pack (type 0xF: message size 25,
count 1–9, then the messages). Location: latitude/longitude int32 × 1e-7°;
geodetic altitude ``raw × 0.5 − 1000`` m (``alt_kind`` ``geo``; the pressure
altitude, ``baro``, when the geodetic one is unknown); ground speed ``raw ×
0.25`` m/s, or ``raw × 0.75 + 63.75`` with the multiplier bit; track ``raw``
degrees + 180 with the east/west bit (361 = unknown); vertical speed int8 ×
0.5 m/s; timestamp in tenths of a second since the full hour, combined with
the hour of the receiver time that puts the message closest to it (so a
message from 11:59:59.9 received at 12:00:00.2 is 11:59:59.9). Unknown
timestamps (0xFFFF) take the receiver time.

Position error (``pos_sigma_m``): the Location's horizontal accuracy code (byte
19, low 4 bits; ASTM F3411-22a Location/Vector message, MAVLink
``MAV_ODID_HOR_ACC``: 1 = < 10 NM … 10 = < 10 m, 11 = < 3 m, 12 = < 1 m), a 95 %
bound → ``uncertainty.sigma_from_r95(REMOTE_ID_HACC_M[code])``; code 0
("unknown") and the reserved 13–15 give null.

track_id: the UAS ID of the Basic ID (serial number preferred over CAA
registration, UTM id and session id). With a ``transmitter`` column, a
Location takes the best UAS ID its transmitter sent anywhere in the file, or
``remoteid:<transmitter>`` if it sent none. Without one, a Location takes the
best UAS ID received so far in the file (one aircraft assumed), or
``remoteid:unknown`` before any.

Rejects: ``no position`` (benign: a line without a Location message, or a
Location with unknown 0/0 position), ``wrong number of fields``, ``bad time``,
``bad hex``, ``wrong message length``, ``bad message pack`` (wrong size or
count, or more than one Location in a pack), ``unknown message type``,
``lat/lon out of range``, ``bad text`` (not UTF-8), ``line too long``.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

from airwitness import reasons
from airwitness.io._convert import position_problem, times
from airwitness.io._source import Source
from airwitness.io.drones._frames import Rows, build
from airwitness.io.options import ReadOptions
from airwitness.schema import ReadResult, Reject
from airwitness.uncertainty import REMOTE_ID_HACC_M, sigma_from_r95

FORMAT = "remoteid"
SIZE = 25
BASIC_ID, LOCATION, AUTH, SELF_ID, SYSTEM, OPERATOR_ID, PACK = 0, 1, 2, 3, 4, 5, 0xF
_KNOWN = frozenset({BASIC_ID, LOCATION, AUTH, SELF_ID, SYSTEM, OPERATOR_ID, PACK})
HOUR_NS = 3_600 * 10**9
TENTH_NS = 10**8
_LOCATION = struct.Struct("<BBBBbiiHHHBBHBB")
_MAX_LINE = 4096
_BATCH = 1 << 15
_HEX_RE = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_TIME_RE = re.compile(r"\d{9,11}(\.\d*)?|\d{4}-\d\d-\d\d[T ]\d\d:\d\d.*")
UNKNOWN = "remoteid:unknown"


@dataclass(frozen=True)
class Location:
    """A decoded Location/Vector message, SI units; None where the sender says unknown."""

    status: int
    lat: float
    lon: float
    geo_alt_m: float | None
    baro_alt_m: float | None
    height_m: float | None
    speed_mps: float | None
    track_deg: float | None
    vrate_mps: float | None
    tenths: int | None  # tenths of a second since the full hour
    h_accuracy: int = 0  # horizontal accuracy code, 0 = unknown

    @property
    def pos_sigma_m(self) -> float | None:
        """σ (m) of the position from its accuracy code (a 95 % bound); None if unknown."""
        return sigma_from_r95(REMOTE_ID_HACC_M.get(self.h_accuracy))

    def time_ns(self, receiver_ns: int) -> int:
        """The message time: the hour of ``receiver_ns`` (±1) that puts it closest."""
        if self.tenths is None:
            return receiver_ns
        hour = receiver_ns // HOUR_NS * HOUR_NS
        candidates = (hour + h * HOUR_NS + self.tenths * TENTH_NS for h in (-1, 0, 1))
        return min(candidates, key=lambda t: abs(t - receiver_ns))


@dataclass(frozen=True)
class BasicId:
    id_type: int  # 1 serial number, 2 CAA registration, 3 UTM UUID, 4 specific session id
    ua_type: int
    uas_id: str


class DecodeError(ValueError):
    """A message that cannot be decoded; ``reason`` is the reject reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def message_type(msg: bytes) -> int:
    return msg[0] >> 4


def decode_location(msg: bytes) -> Location:
    """Decode a 25-byte Location/Vector message (type 1)."""
    (
        _,
        flags,
        direction,
        speed,
        vspeed,
        lat,
        lon,
        baro,
        geo,
        height,
        acc_v_h,
        _acc_b_s,
        tenths,
        _ts_acc,
        _,
    ) = _LOCATION.unpack(msg)
    speed_mps: float | None = speed * 0.25
    if flags & 0x01:
        speed_mps = None if speed == 255 else speed * 0.75 + 255 * 0.25
    direction += 180 if flags & 0x02 else 0
    if tenths == 0xFFFF:
        tenth = None
    elif tenths > 36000:
        raise DecodeError(reasons.BAD_TIME)
    else:
        tenth = tenths
    return Location(
        status=flags >> 4,
        lat=lat / 1e7,
        lon=lon / 1e7,
        geo_alt_m=_altitude(geo),
        baro_alt_m=_altitude(baro),
        height_m=_altitude(height),
        speed_mps=speed_mps,
        track_deg=float(direction) if direction < 360 else None,
        vrate_mps=None if vspeed * 0.5 == 63.0 else vspeed * 0.5,
        tenths=tenth,
        h_accuracy=acc_v_h & 0x0F,
    )


def _altitude(raw: int) -> float | None:
    return None if raw == 0 else raw * 0.5 - 1000.0


def decode_basic_id(msg: bytes) -> BasicId:
    """Decode a 25-byte Basic ID message (type 0)."""
    id_type, ua_type = msg[1] >> 4, msg[1] & 0x0F
    raw = msg[2:22]
    text = raw.rstrip(b"\0").strip()
    if id_type in (1, 2) and text and all(0x20 < c < 0x7F for c in text):
        uas_id = text.decode("ascii")
    else:
        uas_id = raw.rstrip(b"\0").hex()
    return BasicId(id_type, ua_type, uas_id)


def split(data: bytes) -> list[bytes]:
    """The 25-byte messages of one received payload (a single message or a pack)."""
    if len(data) < SIZE:
        raise DecodeError(reasons.WRONG_MESSAGE_LENGTH)
    kind = message_type(data)
    if kind != PACK:
        if len(data) != SIZE:
            raise DecodeError(reasons.WRONG_MESSAGE_LENGTH)
        return [data]
    size, count = data[1], data[2]
    if size != SIZE or not 1 <= count <= 9 or len(data) < 3 + SIZE * count:
        raise DecodeError(reasons.BAD_MESSAGE_PACK)
    if any(b for b in data[3 + SIZE * count :]):
        raise DecodeError(reasons.BAD_MESSAGE_PACK)  # only zero padding may follow
    messages = [data[3 + SIZE * i : 3 + SIZE * (i + 1)] for i in range(count)]
    if any(message_type(m) == PACK for m in messages):
        raise DecodeError(reasons.BAD_MESSAGE_PACK)
    return messages


def decode(data: bytes) -> tuple[list[BasicId], Location | None]:
    """Basic IDs and the Location (if any) of one received payload."""
    ids: list[BasicId] = []
    location = None
    for msg in split(data):
        kind = message_type(msg)
        if kind not in _KNOWN:
            raise DecodeError(reasons.UNKNOWN_MESSAGE_TYPE)
        if kind == BASIC_ID:
            basic = decode_basic_id(msg)
            if basic.id_type in (1, 2, 3, 4):
                ids.append(basic)
        elif kind == LOCATION:
            if location is not None:
                raise DecodeError(reasons.BAD_MESSAGE_PACK)
            location = decode_location(msg)
    return ids, location


def sniff(head: bytes, extension: str) -> bool:
    """The first data lines (up to 5, after an optional header) are all Remote ID lines."""
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError:
        return False
    lines = [line.strip() for line in text.splitlines()]
    if len(head) >= 1 << 16 and not text.endswith("\n"):
        lines = lines[:-1]  # cut by the head's size
    lines = [line for line in lines if line]
    if lines and not _data_line(lines[0]) and "," in lines[0]:
        lines = lines[1:]
    sample = lines[:5]
    return bool(sample) and all(_data_line(line) for line in sample)


def _data_line(line: str) -> bool:
    fields = [f.strip() for f in line.split(",")]
    if len(fields) not in (2, 3) or not _TIME_RE.fullmatch(fields[0]):
        return False
    if not _HEX_RE.fullmatch(fields[1]):
        return False
    try:
        decode(bytes.fromhex(fields[1]))
    except DecodeError:
        return False
    return True


class StreamDecoder:
    """A Remote ID log as it grows, or datagrams as they arrive (``airwitness watch``):
    the same lines as :func:`read` reads, a chunk at a time. Records are line numbers
    counted from the first chunk on. A Location takes the best UAS ID its
    transmitter (or, without one, the feed) has sent so far: a Basic ID that comes
    later names only the Locations after it (:func:`read`, seeing the whole file,
    names them all)."""

    def __init__(self, name: str, options: ReadOptions | None = None) -> None:
        self.name = name
        self._tracks = _Tracks()
        self._rows: dict[tuple[str, str, str], Rows] = {}
        self._rejects: list[Reject] = []
        self._pending = b""
        self._line = 0
        self._first = True

    def feed(self, data: bytes, receive_ns: int) -> None:
        """Decode the complete lines of ``data`` (a partial last line waits for more)."""
        data = self._pending + data
        cut = data.rfind(b"\n") + 1
        self._pending = data[cut:]
        self._lines(data[:cut].split(b"\n")[:-1] if cut else [])
        if len(self._pending) >= _MAX_LINE:  # no line is this long: one record, cut
            self._line += 1
            self._rejects.append(Reject(self.name, self._line, reasons.LINE_TOO_LONG))
            self._pending = b""

    def end(self, broken: bool) -> None:
        """The input ended: a partial last line is a line, or when the connection
        ``broken`` off, one ``truncated message`` record."""
        if self._pending and broken:
            self._line += 1
            self._rejects.append(Reject(self.name, self._line, reasons.TRUNCATED_MESSAGE))
        elif self._pending:
            self._lines([self._pending])
        self._pending = b""

    def _lines(self, raw_lines: list[bytes]) -> None:
        batch: list[tuple[int, list[str]]] = []
        for raw in raw_lines:
            self._line += 1
            try:
                text = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                self._rejects.append(Reject(self.name, self._line, reasons.BAD_TEXT))
                continue
            if not text:
                continue
            if self._first:
                self._first = False
                if not _TIME_RE.fullmatch(text.split(",")[0].strip()):
                    continue  # a header line
            batch.append((self._line, [f.strip() for f in text.split(",")]))
        _lines(self.name, batch, self._tracks, self._rows, self._rejects)

    def take(self) -> ReadResult:
        """The rows and rejects of the lines decoded since the last call."""
        named = [(self._tracks.resolve(key[:2]), r) for key, r in self._rows.items()]
        result = build(self.name, FORMAT, named, self._rejects, sensor="remoteid", identity=_uas_id)
        self._rows, self._rejects = {}, []
        return result


def datagram_lines(payload: bytes, receive_ns: int, sender: str) -> bytes:
    """A received datagram as lines of the log format: text lines as they are; a
    binary Remote ID message or Message Pack as one line with its receive time and
    ``sender`` (the address it came from) as the transmitter."""
    if payload[:1].isdigit() and b"," in payload:
        return payload if payload.endswith(b"\n") else payload + b"\n"
    seconds = f"{receive_ns // 10**9}.{receive_ns % 10**9:09d}"
    return f"{seconds},{payload.hex()},{sender}\n".encode("ascii")


class _Tracks:
    """Which UAS ID each transmitter (or the whole file) goes by."""

    def __init__(self) -> None:
        self.by_sender: dict[str, BasicId] = {}
        self.current: BasicId | None = None  # for lines without a transmitter

    def learn(self, sender: str, basic: BasicId) -> None:
        if sender:
            best = self.by_sender.get(sender)
            if best is None or basic.id_type < best.id_type:
                self.by_sender[sender] = basic
        elif self.current is None or basic.id_type <= self.current.id_type:
            self.current = basic

    def resolve(self, key: tuple[str, ...]) -> str:
        kind, value = key
        if kind == "id":
            return value
        best = self.by_sender.get(value)
        return best.uas_id if best is not None else f"remoteid:{value}"


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read a Remote ID receiver log (see the module docs for the format and rejects)."""
    src = Source(path, stream)
    tracks = _Tracks()
    rows: dict[tuple[str, str, str], Rows] = {}
    rejects: list[Reject] = []
    seen_data = False
    with src.open() as raw:
        f = io.BufferedReader(raw) if isinstance(raw, io.RawIOBase) else raw
        number = 0
        first = True
        batch: list[tuple[int, list[str]]] = []
        while True:
            line = f.readline(_MAX_LINE)
            if not line:
                break
            number += 1
            if len(line) == _MAX_LINE and not line.endswith(b"\n"):
                while (more := f.readline(_MAX_LINE)) and not more.endswith(b"\n"):
                    pass
                rejects.append(Reject(src.name, number, reasons.LINE_TOO_LONG))
                continue
            try:
                text = line.decode("utf-8").strip()
            except UnicodeDecodeError:
                rejects.append(Reject(src.name, number, reasons.BAD_TEXT))
                continue
            if not text:
                continue
            if first:
                first = False
                if not _TIME_RE.fullmatch(text.split(",")[0].strip()):
                    continue  # a header line
            batch.append((number, [f.strip() for f in text.split(",")]))
            if len(batch) >= _BATCH:
                seen_data |= _lines(src.name, batch, tracks, rows, rejects)
                batch = []
        seen_data |= _lines(src.name, batch, tracks, rows, rejects)
    if number == 0 or not (seen_data or rows or rejects):
        raise src.fail("empty file")
    if not seen_data:
        raise src.fail("no Remote ID lines (time,hex message)")
    named = [(tracks.resolve(key[:2]), r) for key, r in rows.items()]
    return build(src.name, FORMAT, named, rejects, sensor="remoteid", identity=_uas_id)


def _uas_id(track_id: str) -> str | None:
    """The UAS ID a track is named by, or None for a transmitter that sent none."""
    return None if track_id.startswith("remoteid:") else track_id


def _lines(
    file: str,
    batch: list[tuple[int, list[str]]],
    tracks: _Tracks,
    rows: dict[tuple[str, str, str], Rows],
    rejects: list[Reject],
) -> bool:
    """Decode a batch of data lines; True if any line decoded as Remote ID."""
    if not batch:
        return False
    stamps = pa.array([f[0] if f else None for _, f in batch], pa.string())
    ns, bad, missing = times(stamps, "s")
    decoded_any = False
    for (number, fields), t, t_bad in zip(
        batch, ns.tolist(), (bad | missing).tolist(), strict=True
    ):
        if len(fields) not in (2, 3):
            rejects.append(Reject(file, number, reasons.WRONG_NUMBER_OF_FIELDS))
            continue
        hex_text = fields[1]
        sender = fields[2].lower() if len(fields) == 3 else ""
        if not _HEX_RE.fullmatch(hex_text):
            rejects.append(Reject(file, number, reasons.BAD_HEX))
            continue
        try:
            ids, location = decode(bytes.fromhex(hex_text))
        except DecodeError as e:
            rejects.append(Reject(file, number, e.reason))
            continue
        decoded_any = True
        for basic in ids:
            tracks.learn(sender, basic)
        if t_bad:
            rejects.append(Reject(file, number, reasons.BAD_TIME))
            continue
        if location is None:
            rejects.append(Reject(file, number, reasons.NO_POSITION))
            continue
        lat, lon = location.lat, location.lon
        problem = reasons.NO_POSITION if lat == 0 and lon == 0 else position_problem(lat, lon)
        if problem is not None:
            rejects.append(Reject(file, number, problem))
            continue
        if sender:
            key = ("sender", sender)
        else:
            key = ("id", tracks.current.uas_id if tracks.current else UNKNOWN)
        alt = location.geo_alt_m
        kind = "geo"
        if alt is None and location.baro_alt_m is not None:
            alt, kind = location.baro_alt_m, "baro"
        target = rows.setdefault((*key, kind), Rows(kind))
        target.add(
            number,
            location.time_ns(t),
            lat,
            lon,
            alt,
            location.speed_mps,
            location.track_deg,
            location.vrate_mps,
            location.pos_sigma_m,
        )
    return decoded_any
