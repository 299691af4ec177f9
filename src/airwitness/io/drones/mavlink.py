"""MAVLink telemetry logs (``.tlog``), as ground stations record them.

A tlog is a sequence of entries: an 8-byte big-endian timestamp (µs since the
Unix epoch, when the ground station received the frame) followed by one MAVLink
v1 (``0xFE``) or v2 (``0xFD``) frame. Frames are decoded and CRC-checked by
``pymavlink`` (ardupilotmega dialect, a superset of ``common``); the framing is
walked here so that every damaged stretch becomes a reject with its byte offset.

Records: ``source_record`` is the 1-based index of the entry in the file. Only
position messages are records: ``GLOBAL_POSITION_INT`` (lat/lon 1e-7°, ``alt``
mm above mean sea level → ``alt_kind`` ``geo``, ``vx/vy/vz`` cm/s north/east/
down → ground speed, track, vertical rate = −vz) and ``GPS_RAW_INT`` (lat/lon
1e-7°, ``alt`` mm MSL, ``vel`` cm/s, ``cog`` cdeg; no vertical rate). Per
system, the fused ``GLOBAL_POSITION_INT`` is used when it yields positions and
``GPS_RAW_INT`` otherwise — never both, so no position is counted twice; the
messages of the unused kind, like every other message kind, are not records.
Damage is also a record, one per damaged stretch: ``bad CRC``, ``unknown
message id`` (a frame whose id the dialect does not know, so it cannot be
checked), ``bad frame`` (no frame marker where one should start), ``truncated
message`` (the file ends inside a frame). After damage the reader skips to the
next entry that has a plausible timestamp, a frame marker and a good CRC.

Position error (``pos_sigma_m``): ``GPS_RAW_INT`` states ``h_acc`` ("Position
uncertainty", mm; 0 = not sent, e.g. in MAVLink 1 frames), the receiver's 2-D rms
error → ``h_acc / 1000 / √2`` (``uncertainty.sigma_from_drms``); without it ``eph``
("GPS HDOP horizontal dilution of position (unitless * 100)"; 65535, and
ArduPilot's older 9999, mean unknown) → ``sigma_from_hdop(eph / 100)``; else null.
``GLOBAL_POSITION_INT`` states no accuracy: it takes that of the same system's
latest ``GPS_RAW_INT`` when that one has a fix and is at most
:data:`MAX_GPS_AGE_US` (2 s, tlog time) away — a GPS-aided estimate's error is of
the order of its GPS's — and is null otherwise (no GPS report that recent, or the
latest has no fix: the estimator is then dead-reckoning, its error unknown).

The time of a row is the tlog timestamp (reception time: it includes the
radio link's latency, typically well under a second). track_id is
``mavlink:<system id>``. Rejects: ``no position`` (benign: GPS without a fix,
or 0/0 before the autopilot has a position), ``lat/lon out of range``,
``bad time`` (tlog timestamp outside 1990–2100).
"""

from __future__ import annotations

import math
import re
import struct
from pathlib import Path
from typing import BinaryIO

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from airwitness import reasons
from airwitness.io._convert import position_problem
from airwitness.io._source import Source
from airwitness.io.drones._frames import Damage, FrameWalk, Rows, Window, build, plausible_time
from airwitness.io.options import ReadOptions
from airwitness.schema import ReadResult, Reject
from airwitness.uncertainty import sigma_from_drms, sigma_from_hdop

FORMAT = "mavlink"
GLOBAL_POSITION_INT = 33
GPS_RAW_INT = 24
_PREFERENCE = (GLOBAL_POSITION_INT, GPS_RAW_INT)
_V1, _V2 = 0xFE, 0xFD
_MARKER = re.compile(rb"[\xfd\xfe]")
_US_MIN, _US_MAX = 631_152_000 * 10**6, 4_102_444_800 * 10**6
_UNKNOWN_U16 = 0xFFFF
_UNKNOWN_EPH = 9999  # ArduPilot sent 9999 for an unknown HDOP before it used 65535
#: how far (µs of tlog time) a GPS_RAW_INT's accuracy reaches to a GLOBAL_POSITION_INT
MAX_GPS_AGE_US = 2_000_000


def sniff(head: bytes, extension: str) -> bool:
    """Two consecutive entries, each a plausible timestamp and a whole frame header."""
    first = _entry_length(head, 0)
    if first is None:
        return False
    if len(head) < first + 11:
        return len(head) == first  # a one-frame file
    return _entry_length(head, first) is not None


def _entry_length(buf: bytes, p: int) -> int | None:
    """Length of the tlog entry at ``p`` from its header bytes, None if none starts there."""
    if len(buf) < p + 11:
        return None
    (us,) = struct.unpack_from(">Q", buf, p)
    if not _US_MIN <= us < _US_MAX:
        return None
    magic, n = buf[p + 8], buf[p + 9]
    if magic == _V1:
        return 8 + 6 + n + 2
    if magic == _V2:
        return 8 + 10 + n + 2 + (13 if buf[p + 10] & 1 else 0)
    return None


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read a MAVLink telemetry log (see the module docs for records and rejects)."""
    src = Source(path, stream)
    parser = mavlink.MAVLink(None)
    tracks: dict[tuple[int, int], Rows] = {}
    gps: dict[int, tuple[int, float | None]] = {}  # system -> (µs, σ) of its latest GPS
    with src.open() as f:
        walk = FrameWalk(
            src.name,
            Window(f),
            lambda win: _next(win, parser),
            lambda win: _resync(win, parser),
            damaged_length=reasons.BAD_FRAME,
        )
        for index, start, (msg, us) in walk:
            kind = msg.get_msgId()
            if kind in _PREFERENCE:
                system = msg.get_srcSystem()
                if kind == GPS_RAW_INT:
                    gps[system] = (us, gps_sigma(msg) if msg.fix_type >= 2 else None)
                    sigma = gps[system][1]
                else:
                    sigma = _joined_sigma(gps.get(system), us)
                rows = tracks.setdefault((system, kind), Rows())
                _position(src.name, rows, index, start, msg, us, sigma)
    if not walk.decoded:
        raise src.fail("no readable MAVLink frames" if walk.count else "empty file")
    chosen = []
    for system in sorted({s for s, _ in tracks}):
        kinds = [tracks[(system, k)] for k in _PREFERENCE if (system, k) in tracks]
        rows = next((r for r in kinds if len(r)), kinds[0])
        chosen.append((f"mavlink:{system}", rows))
    return build(src.name, FORMAT, chosen, walk.damage)


def _next(w: Window, parser: mavlink.MAVLink) -> tuple[mavlink.MAVLink_message, int] | Damage:
    """Decode and consume the entry at the window's position: (message, tlog µs).

    On damage nothing is consumed: the walk resynchronises from there.
    """
    w.fill(11)
    n = _entry_length(w.buf, w.pos)
    if n is None:
        if w.available() < 11 and _could_start(w.buf, w.pos):
            return Damage(reasons.TRUNCATED_MESSAGE)
        return Damage(reasons.BAD_FRAME)
    if not w.fill(n):
        return Damage(reasons.TRUNCATED_MESSAGE)
    msg, reason = _decode(parser, w.buf[w.pos : w.pos + n])
    if msg is None:
        return Damage(reason)
    (us,) = struct.unpack_from(">Q", w.buf, w.pos)
    w.skip(n)
    return msg, us


def _could_start(buf: bytes, p: int) -> bool:
    """A short tail that is the start of an entry (a cut file), not garbage."""
    tail = buf[p:]
    if len(tail) >= 8:
        (us,) = struct.unpack_from(">Q", tail)
        if not _US_MIN <= us < _US_MAX:
            return False
        return len(tail) == 8 or tail[8] in (_V1, _V2)
    return True


def _decode(parser: mavlink.MAVLink, entry: bytes) -> tuple[mavlink.MAVLink_message | None, str]:
    try:
        msg = parser.decode(bytearray(entry[8:]))
    except mavlink.MAVError as e:
        return None, reasons.BAD_CRC if "CRC" in str(e) else reasons.BAD_FRAME
    except (struct.error, ValueError, IndexError, TypeError):
        return None, reasons.BAD_FRAME
    if isinstance(msg, mavlink.MAVLink_unknown):
        return None, reasons.UNKNOWN_MESSAGE_ID
    return msg, ""


def _resync(w: Window, parser: mavlink.MAVLink) -> bool:
    """Skip to the next entry that decodes; False (all consumed) if there is none.

    A candidate is a frame marker 8 bytes after a plausible timestamp, whose
    frame then passes pymavlink's CRC check. An entry cut by the end of the
    file also stops the search (it is then reported as truncated).
    """
    while w.seek_marker(_MARKER, 1, lead=8):
        w.fill(11)
        n = _entry_length(w.buf, w.pos)
        if n is None:
            continue
        if not w.fill(n):
            return True
        msg, _ = _decode(parser, w.buf[w.pos : w.pos + n])
        if msg is not None:
            return True
    return False


def gps_sigma(msg: mavlink.MAVLink_message) -> float | None:
    """σ (m) of a GPS_RAW_INT: its ``h_acc`` where sent, else its HDOP, else None."""
    if msg.h_acc:
        return sigma_from_drms(msg.h_acc / 1000.0)
    if msg.eph >= _UNKNOWN_EPH:
        return None
    return sigma_from_hdop(msg.eph / 100.0)


def _joined_sigma(latest: tuple[int, float | None] | None, us: int) -> float | None:
    """The latest GPS accuracy of the system, if it is recent enough to stand for
    a GLOBAL_POSITION_INT received at ``us``."""
    if latest is None or abs(us - latest[0]) > MAX_GPS_AGE_US:
        return None
    return latest[1]


def _position(
    file: str,
    rows: Rows,
    index: int,
    offset: int,
    msg: mavlink.MAVLink_message,
    us: int,
    sigma: float | None,
) -> None:
    kind = msg.get_msgId()
    if kind == GPS_RAW_INT and msg.fix_type < 2:
        rows.rejects.append(Reject(file, index, reasons.NO_POSITION, offset=offset))
        return
    if msg.lat == 0 and msg.lon == 0:
        rows.rejects.append(Reject(file, index, reasons.NO_POSITION, offset=offset))
        return
    lat, lon = msg.lat / 1e7, msg.lon / 1e7
    problem = position_problem(lat, lon)
    time_ns = us * 1000
    if problem is None and not plausible_time(time_ns):
        problem = reasons.BAD_TIME
    if problem is not None:
        rows.rejects.append(Reject(file, index, problem, offset=offset))
        return
    if kind == GLOBAL_POSITION_INT:
        speed = math.hypot(msg.vx, msg.vy) / 100.0
        track = math.degrees(math.atan2(msg.vy, msg.vx)) % 360.0 if speed > 0 else None
        vrate = -msg.vz / 100.0
        rows.add(index, time_ns, lat, lon, msg.alt / 1000.0, speed, track, vrate, sigma)
    else:
        speed = None if msg.vel == _UNKNOWN_U16 else msg.vel / 100.0
        track = None if msg.cog == _UNKNOWN_U16 else msg.cog / 100.0
        rows.add(index, time_ns, lat, lon, msg.alt / 1000.0, speed, track, None, sigma)
