"""Write the drone-log fixtures from a real recorded track (run from the repo root).

No package ships sample PX4, MAVLink or ArduPilot logs (nor Remote ID captures),
so these are made from a real recorded flight: the REGA air-ambulance
helicopter 4b43ac of ``tests/data/traffic/rega_sg.json.gz`` (traffic 2.13
sample, OpenSky data, 2019-05-23 11:50–12:09 UTC; see that folder's README).
Points 360–659 (300 of the 1,080, 11:57:49–12:02:49 UTC) are used: they cross
12:00 UTC, the Remote ID hour boundary, and reach 68 m/s (the Remote ID speed
multiplier). The recorded barometric altitude is taken as the drone's altitude
above mean sea level; speeds and tracks become north/east/down velocities.
The position accuracies (ULog ``eph``, MAVLink ``h_acc``/``eph``, DataFlash
``HDop``/GPA ``HAcc``, Remote ID accuracy codes) are made up: known values that
vary from point to point (the ``*_accuracy`` functions below), with some points
stating none, so the tests can check each report's ``pos_sigma_m`` exactly.

Writers: ``pyulog`` (its ``ULog.write_ulog``) for ``rega.ulg``, ``pymavlink``
(its MAVLink encoder) for ``rega.tlog``, ``pymavlink``'s DataFlash message
packer (``DFMessage.get_msgbuf``) for ``rega.bin``, and the ASTM F3411 encoder
below for ``rega_remoteid.txt``. Everything is deterministic (the only
randomness, reception latency and attitude noise, comes from a seeded
generator), so the tests check that this script reproduces the committed files
byte for byte:

    /tmp/venv/bin/python tests/data/drones/make_fixtures.py [OUT_DIR]
"""

from __future__ import annotations

import math
import random
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TRACK = HERE.parent / "traffic" / "rega_sg.json.gz"
FIRST, COUNT = 360, 300  # the points used
SEED = 20190523
BOOT_BEFORE_US = 95_000_000  # the autopilot booted 95 s before the first point
NO_FIX = 3  # GPS messages without a fix before the first point
GPS_LEAP_S = 18  # GPS - UTC since 2017-01-01
GPS_EPOCH_S = 315_964_800  # 1980-01-06T00:00:00Z
SYS_UUID = "000600000000333834383735510d0021003c"
SERIAL = "1581F4REGA1SG04B43AC"  # ANSI/CTA-2063-A style serial number (20 characters)
MAC = "02:4b:43:ac:00:01"


@dataclass
class Point:
    us: int  # UTC µs since the epoch
    lat: float
    lon: float
    alt: float  # m AMSL
    speed: float  # m/s
    track: float  # degrees
    vrate: float  # m/s, up

    @property
    def vel_ned(self) -> tuple[float, float, float]:
        t = math.radians(self.track)
        return self.speed * math.cos(t), self.speed * math.sin(t), -self.vrate


def load_track() -> list[Point]:
    from airwitness.io import read

    table = read(TRACK).table
    ns = table["time"].cast("int64").to_pylist()
    cols = [
        table[c].to_pylist()
        for c in ("lat", "lon", "alt_m", "ground_speed_mps", "track_deg", "vrate_mps")
    ]
    points = [Point(t // 1000, *values) for t, *values in zip(ns, *cols, strict=True)]
    return points[FIRST : FIRST + COUNT]


# --- the stated accuracies, by point index ------------------------------------


def ulog_gps_eph(i: int) -> float:
    """``vehicle_gps_position.eph`` (m): 0.5–2.25 m, 0 (no estimate) at point 5."""
    return 0.0 if i == 5 else 0.5 + 0.25 * (i % 8)


def ulog_gpos_eph(i: int) -> float:
    """``vehicle_global_position.eph`` (m): 0.75–1.375 m, ∞ (no origin) at point 7."""
    return math.inf if i == 7 else 0.75 + 0.125 * (i % 6)


def mavlink_accuracy(i: int) -> tuple[int, int]:
    """GPS_RAW_INT ``(h_acc mm, eph = HDOP × 100)``: h_acc 0 (not sent) at every
    tenth point from 3, and then eph 65535 (unknown) at every twentieth."""
    h_acc = 0 if i % 10 == 3 else 600 + 50 * (i % 9)
    eph = 65535 if i % 20 == 3 else 70 + 5 * (i % 7)
    return h_acc, eph


def dataflash_accuracy(i: int) -> tuple[float | None, float]:
    """``(GPA HAcc m or None for no GPA message, GPS HDop)``: no GPA at every sixth
    point from 2, HAcc 0 (no estimate) at every sixth from 4; HDop 99.99 (unknown)
    at every twelfth from 2."""
    hdop = 99.99 if i % 12 == 2 else (70 + i % 13) * 0.01
    if i % 6 == 2:
        return None, hdop
    return (0.0 if i % 6 == 4 else (45 + 5 * (i % 11)) * 0.01), hdop


#: Remote ID horizontal accuracy codes, by point index modulo 7 (0 = unknown)
RID_HACC = (10, 11, 9, 12, 0, 10, 8)


# --- PX4 ULog (pyulog) --------------------------------------------------------

GPS_FIELDS = [
    ("uint64_t", "timestamp"),
    ("uint64_t", "time_utc_usec"),
    ("int32_t", "lat"),
    ("int32_t", "lon"),
    ("int32_t", "alt"),
    ("int32_t", "alt_ellipsoid"),
    ("float", "eph"),
    ("float", "epv"),
    ("float", "vel_m_s"),
    ("float", "vel_n_m_s"),
    ("float", "vel_e_m_s"),
    ("float", "vel_d_m_s"),
    ("float", "cog_rad"),
    ("uint8_t", "fix_type"),
    ("bool", "vel_ned_valid"),
    ("uint8_t", "satellites_used"),
]
GPOS_FIELDS = [
    ("uint64_t", "timestamp"),
    ("double", "lat"),
    ("double", "lon"),
    ("float", "alt"),
    ("float", "vel_n"),
    ("float", "vel_e"),
    ("float", "vel_d"),
    ("float", "yaw"),
    ("float", "eph"),
    ("float", "epv"),
]
STATUS_FIELDS = [("uint64_t", "timestamp"), ("uint8_t", "arming_state"), ("uint8_t", "nav_state")]
# PX4 ≥ 1.14 layout: degrees and metres as doubles, trailing padding
SENSOR_GPS_FIELDS = [
    ("uint64_t", "timestamp"),
    ("uint64_t", "timestamp_sample"),
    ("uint64_t", "time_utc_usec"),
    ("uint32_t", "device_id"),
    ("double", "latitude_deg"),
    ("double", "longitude_deg"),
    ("double", "altitude_msl_m"),
    ("double", "altitude_ellipsoid_m"),
    ("float", "eph"),
    ("float", "vel_m_s"),
    ("float", "vel_n_m_s"),
    ("float", "vel_e_m_s"),
    ("float", "vel_d_m_s"),
    ("float", "cog_rad"),
    ("uint8_t", "fix_type"),
    ("uint8_t", "satellites_used"),
    ("uint8_t[2]", "_padding0"),
]
NP_TYPES = {
    "uint64_t": "<u8",
    "int32_t": "<i4",
    "uint32_t": "<u4",
    "float": "<f4",
    "double": "<f8",
    "uint8_t": "u1",
    "bool": "u1",
}


def ulog_bytes(points: list[Point], topics: tuple[str, ...] = ("gps", "gpos", "status")) -> bytes:
    """A ULog with ``vehicle_gps_position`` (old PX4 layout: 1e-7°, mm),
    ``vehicle_global_position`` and ``vehicle_status`` (not a position topic).

    The tests ask for other topic sets: ``sensor_gps`` and ``sensor_gps_1``
    (instances 0 and 1 of the PX4 ≥ 1.14 layout), and no ``sys_uuid`` with ``anon``.
    """
    import io

    from pyulog import ULog

    boot_us = points[0].us - BOOT_BEFORE_US
    log = ULog(None)
    log._file_version = 1
    log._start_timestamp = 1_000_000
    info = {"sys_name": "PX4", "ver_hw": "PX4_FMU_V5", "sys_uuid": SYS_UUID}
    if "anon" in topics:
        del info["sys_uuid"]
    log._msg_info_dict = info
    log._msg_info_dict_types = {k: f"char[{len(v)}]" for k, v in info.items()}
    log._initial_parameters = {"MAV_SYS_ID": 1, "MPC_XY_VEL_MAX": 12.0}
    specs = {
        "gps": ("vehicle_gps_position", 0, GPS_FIELDS, _gps_records(points, boot_us)),
        "gpos": ("vehicle_global_position", 0, GPOS_FIELDS, _gpos_records(points, boot_us)),
        "status": ("vehicle_status", 0, STATUS_FIELDS, _status_records(points, boot_us)),
        "sensor_gps": ("sensor_gps", 0, SENSOR_GPS_FIELDS, _sensor_gps(points, boot_us, 0)),
        "sensor_gps_1": ("sensor_gps", 1, SENSOR_GPS_FIELDS, _sensor_gps(points, boot_us, 1)),
    }
    for msg_id, key in enumerate(k for k in topics if k in specs):
        name, multi_id, fields, records = specs[key]
        text = name + ":" + "".join(f"{t} {n};" for t, n in fields)
        log._message_formats[name] = ULog.MessageFormat(text.encode(), None)
        sub = ULog._MessageAddLogged(
            struct.pack("<BH", multi_id, msg_id) + name.encode(), None, log._message_formats
        )
        data_fields = [(t, n) for t, n in fields if not n.startswith("_padding")]
        dtype = np.dtype([(n, NP_TYPES[t]) for t, n in data_fields])
        sub.buffer = bytearray(np.array(records, dtype=dtype).tobytes())
        log._data_list.append(ULog.Data(sub))
    takeoff = boot_us + 60_000_000
    log._logged_messages = [
        ULog.MessageLogging(b"6" + struct.pack("<Q", takeoff - boot_us) + b"Takeoff detected", None)
    ]
    out = io.BytesIO()
    log.write_ulog(out)
    return out.getvalue()


def _sensor_gps(points: list[Point], boot_us: int, instance: int) -> list[tuple]:
    rows = []
    for i, p in enumerate(points):
        n, e, d = p.vel_ned
        t = p.us - boot_us + instance * 100
        lat, lon = p.lat + instance * 2e-6, p.lon - instance * 2e-6
        head = (t, t - 80_000, p.us, 1 + instance, lat, lon, p.alt, p.alt + 48.0)
        eph = ulog_gps_eph(i) + instance
        rows.append((*head, eph, p.speed, n, e, d, math.radians(p.track), 3, 14))
    return rows


def _gps_records(points: list[Point], boot_us: int) -> list[tuple]:
    rows = []
    for i in range(NO_FIX):
        t = points[0].us - (NO_FIX - i) * 1_000_000
        rows.append((t - boot_us, 0, 0, 0, 0, 0, 99.0, 99.0, 0, 0, 0, 0, 0, 0, 0, 3))
    for i, p in enumerate(points):
        n, e, d = p.vel_ned
        rows.append(
            (
                p.us - boot_us,
                p.us,
                round(p.lat * 1e7),
                round(p.lon * 1e7),
                round(p.alt * 1000),
                round(p.alt * 1000) + 48_000,
                ulog_gps_eph(i),
                1.2,
                p.speed,
                n,
                e,
                d,
                math.radians(p.track),
                3,
                1,
                14,
            )
        )
    return rows


def _gpos_records(points: list[Point], boot_us: int) -> list[tuple]:
    rows = []
    for i, p in enumerate(points):
        n, e, d = p.vel_ned
        rows.append((p.us - boot_us, p.lat, p.lon, p.alt, n, e, d, 0.0, ulog_gpos_eph(i), 1.3))
    return rows


def _status_records(points: list[Point], boot_us: int) -> list[tuple]:
    return [(p.us - boot_us + 500, 2, 3) for p in points[::10]]


# --- MAVLink tlog (pymavlink) -------------------------------------------------


def tlog_bytes(points: list[Point], rng: random.Random) -> bytes:
    """GLOBAL_POSITION_INT and GPS_RAW_INT from system 1, with heartbeats and
    attitude in between, and a ground station (system 255) heartbeat."""
    from pymavlink.dialects.v20 import ardupilotmega as mavlink

    ac = mavlink.MAVLink(None, srcSystem=1, srcComponent=1)
    gcs = mavlink.MAVLink(None, srcSystem=255, srcComponent=190)
    boot_us = points[0].us - BOOT_BEFORE_US
    out = bytearray()

    def put(us: int, msg: mavlink.MAVLink_message, link: mavlink.MAVLink = ac) -> None:
        out.extend(struct.pack(">Q", us))
        out.extend(msg.pack(link))

    first = points[0].us
    put(first - 4_000_000, gcs.heartbeat_encode(6, 8, 0, 0, 4), gcs)
    for i in range(NO_FIX):
        us = first - (NO_FIX - i) * 1_000_000
        put(us, ac.heartbeat_encode(2, 3, 0, 0, 3))
        put(us + 10_000, ac.gps_raw_int_encode(us - boot_us, 0, 0, 0, 0, 9999, 9999, 0, 65535, 3))
        put(
            us + 20_000,
            ac.global_position_int_encode((us - boot_us) // 1000, 0, 0, 0, 0, 0, 0, 0, 65535),
        )
    for i, p in enumerate(points):
        n, e, d = p.vel_ned
        boot_ms = (p.us - boot_us) // 1000
        lat, lon, alt = round(p.lat * 1e7), round(p.lon * 1e7), round(p.alt * 1000)
        h_acc, eph = mavlink_accuracy(i)
        if i % 5 == 0:
            put(p.us - 300_000, ac.heartbeat_encode(2, 3, 129, 0, 4))
        roll, pitch = rng.gauss(0, 0.05), rng.gauss(0, 0.05)
        put(
            p.us - 200_000,
            ac.attitude_encode(boot_ms - 200, roll, pitch, math.radians(p.track), 0, 0, 0),
        )
        put(
            p.us,
            ac.gps_raw_int_encode(
                (p.us - boot_us),
                3,
                lat,
                lon,
                alt,
                eph,
                120,
                round(p.speed * 100),
                round(p.track * 100) % 36000,
                14,
                alt + 48_000,
                h_acc,
                h_acc * 3 // 2,
            ),
        )
        put(
            p.us,
            ac.global_position_int_encode(
                boot_ms,
                lat,
                lon,
                alt,
                alt - 430_000,
                round(n * 100),
                round(e * 100),
                round(d * 100),
                round(p.track * 100) % 36000,
            ),
        )
    return bytes(out)


# --- ArduPilot DataFlash (pymavlink's DFMessage packer) ----------------------

DF_FORMATS = [
    # type, name, format, columns
    (128, "FMT", "BBnNZ", "Type,Length,Name,Format,Columns"),
    (129, "PARM", "QNf", "TimeUS,Name,Value"),
    (130, "MSG", "QZ", "TimeUS,Message"),
    (
        131,
        "GPS",
        "QBBIHBcLLeffffB",
        "TimeUS,I,Status,GMS,GWk,NSats,HDop,Lat,Lng,Alt,Spd,GCrs,VZ,Yaw,U",
    ),
    (132, "POS", "QLLfff", "TimeUS,Lat,Lng,Alt,RelHomeAlt,RelOriginAlt"),
    (133, "GPA", "QBCCCCfBIH", "TimeUS,I,VDop,HAcc,VAcc,SAcc,YAcc,VV,SMS,Delta"),
]


def dataflash_bytes(points: list[Point]) -> bytes:
    """FMT, PARM, MSG, GPS (instance 0 every point, instance 1 every tenth), each
    followed by its GPA (as ArduPilot writes them: same TimeUS and I; except where
    :func:`dataflash_accuracy` says none), and POS."""
    from pymavlink.DFReader import DFFormat, DFMessage

    fmts = {}
    for type_, name, fmt, cols in DF_FORMATS:
        length = 3 + struct.calcsize(DFFormat(type_, name, 0, fmt, cols).msg_struct)
        fmts[name] = DFFormat(type_, name, length, fmt, cols)
    out = bytearray()

    def put(name: str, *values: object) -> None:
        buf = DFMessage(fmts[name], list(values), False, None).get_msgbuf()
        if buf is None:
            raise ValueError(f"cannot pack {name} {values}")
        out.extend(buf)

    for type_, name, fmt, cols in DF_FORMATS:
        put("FMT", type_, fmts[name].len, name, fmt, cols)
    boot_us = points[0].us - BOOT_BEFORE_US
    put("MSG", 2_000_000, "ArduCopter V4.5.7 (2a3dc4b7)")
    put("PARM", 2_100_000, "SYSID_THISMAV", 1.0)
    for i in range(NO_FIX):
        us = points[0].us - (NO_FIX - i) * 1_000_000
        put("GPS", us - boot_us, 0, 1, 0, 0, 3, 99.99, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1)
    for i, p in enumerate(points):
        gps_s, gms = divmod(p.us // 1000 + (GPS_LEAP_S - GPS_EPOCH_S) * 1000, 1000)
        week, sow = divmod(gps_s, 604_800)
        ms = sow * 1000 + gms
        t = p.us - boot_us
        # get_msgbuf scales by the format's multiplier: give it the exact integers' values
        alt = round(p.alt * 100) * 0.01
        lat, lon = round(p.lat * 1e7) * 1e-7, round(p.lon * 1e7) * 1e-7
        gps = (p.speed, p.track, -p.vrate, 0.0, 1)
        hacc, hdop = dataflash_accuracy(i)
        put("GPS", t, 0, 3, ms, week, 14, hdop, lat, lon, alt, *gps)
        if hacc is not None:
            put("GPA", t, 0, 1.2, hacc, 1.5, 0.3, 0.0, 1, ms, 200)
        if i % 10 == 0:
            put("GPS", t + 50, 1, 3, ms, week, 11, 1.1, lat + 2e-6, lon - 2e-6, alt + 1.5, *gps)
            put("GPA", t + 50, 1, 1.4, 9.99, 2.0, 0.4, 0.0, 1, ms, 200)
        put("POS", t + 2_500, lat, lon, p.alt, p.alt - 430.0, p.alt - 430.0)
    return bytes(out)


# --- ASTM F3411 Remote ID -------------------------------------------------------


def rid_basic_id(uas_id: str, id_type: int = 1, ua_type: int = 2) -> bytes:
    """Basic ID (message type 0): ID type 1 = serial number; UA type 2 = helicopter/multirotor."""
    return bytes([0x02, (id_type << 4) | ua_type]) + uas_id.encode().ljust(20, b"\0") + bytes(3)


def rid_location(
    lat: float,
    lon: float,
    geo_alt: float | None,
    baro_alt: float | None,
    speed: float,
    track: float,
    vrate: float,
    tenths: int,
    status: int = 2,
    h_accuracy: int = 10,
) -> bytes:
    """Location/Vector (message type 1), encoded as opendroneid-core-c does."""
    direction = round(track) % 360
    ew, direction = (1, direction - 180) if direction >= 180 else (0, direction)
    if speed <= 255 * 0.25:
        mult, speed_b = 0, round(speed / 0.25)
    elif speed < 254.25:
        mult, speed_b = 1, min(254, round((speed - 255 * 0.25) / 0.75))
    else:
        mult, speed_b = 1, 254
    vspeed = max(-62.0, min(62.0, vrate))
    flags = (status << 4) | (ew << 1) | mult

    def alt(v: float | None) -> int:
        return 0 if v is None else round((v + 1000) / 0.5)

    return struct.pack(
        "<BBBBbiiHHHBBHBB",
        0x12,
        flags,
        direction,
        speed_b,
        round(vspeed / 0.5),
        round(lat * 1e7),
        round(lon * 1e7),
        alt(baro_alt),
        alt(geo_alt),
        alt(None),
        (4 << 4) | h_accuracy,
        (3 << 4) | 3,
        tenths,
        1,
        0,
    )


def rid_pack(messages: list[bytes]) -> bytes:
    """Message Pack (type 0xF): header, message size 25, count, messages."""
    return bytes([0xF2, 25, len(messages)]) + b"".join(messages)


def remoteid_text(points: list[Point], rng: random.Random) -> str:
    """Receiver log lines ``time,message,transmitter``: a Location per point, its
    receiver time 50–400 ms later; a Basic ID alone on line 5, and a pack of Basic
    ID + Location every tenth point. ISO times, except unix seconds every seventh line."""
    lines = ["time,message,transmitter"]
    basic = rid_basic_id(SERIAL)
    for i, p in enumerate(points):
        tenths = round((p.us % 3_600_000_000) / 100_000) % 36000
        vector = (p.speed, p.track, p.vrate, tenths)
        loc = rid_location(p.lat, p.lon, p.alt, p.alt, *vector, h_accuracy=RID_HACC[i % 7])
        rx_us = p.us + rng.randint(50, 400) * 1000
        msg = rid_pack([basic, loc]) if i % 10 == 9 else loc
        lines.append(f"{_rx_time(rx_us, len(lines))},{msg.hex()},{MAC}")
        if i == 3:
            lines.append(f"{_rx_time(rx_us + 20_000, len(lines))},{basic.hex()},{MAC}")
    return "\n".join(lines) + "\n"


def _rx_time(us: int, line: int) -> str:
    if line % 7 == 0:
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"
    t = np.datetime64(us, "us")
    return np.datetime_as_string(t, unit="ms") + "Z"


def write_all(out: Path) -> dict[str, bytes]:
    """Make every fixture; write them into ``out`` and return their bytes by name."""
    points = load_track()
    files = {
        "rega.ulg": ulog_bytes(points),
        "rega.tlog": tlog_bytes(points, random.Random(SEED)),
        "rega.bin": dataflash_bytes(points),
        "rega_remoteid.txt": remoteid_text(points, random.Random(SEED + 1)).encode(),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    return files


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for name, data in write_all(target).items():
        print(f"{len(data):>8}  {target / name}")
