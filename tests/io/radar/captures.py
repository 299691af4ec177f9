"""Tools for the ASTERIX tests: sample captures, independent decoding and geometry, and
records and captures built by hand.

Expected values are computed here independently of the reader: the pcap files
are unpacked with ``struct``, records decoded with the ``asterix`` package
directly, units converted by hand, and monoradar plots positioned with a
hand-written WGS-84 ECEF computation (bisection on the elevation angle, no
pyproj), against which the reader's pyproj/iteration geometry is checked.
"""

from __future__ import annotations

import io
import math
import struct

import asterix as pkg

from airwitness.io.options import ReadOptions
from airwitness.io.radar import asterix
from airwitness.schema import POSITION_SCHEMA

from ..helpers import DATA, reconcile

SAMPLES = DATA / "asterix"
PCAP_048 = SAMPLES / "cat_034_048.pcap"
PCAP_062 = SAMPLES / "cat_062_065.pcap"
RAW_062 = SAMPLES / "cat062cat065.raw"
NM = 1852.0
DAY = 86_400 * 10**9


# ------------------------------------------------------------ independent tools


def pcap_packets(data: bytes) -> list[tuple[int, int, bytes]]:
    """(packet ns, file offset of the UDP payload, payload) of an Ethernet/IPv4/UDP pcap."""
    assert data[:4] == b"\xd4\xc3\xb2\xa1"
    out, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack_from("<IIII", data, off)
        pkt = data[off + 16 : off + 16 + incl]
        ihl = (pkt[14] & 15) * 4
        udp_len = struct.unpack_from(">H", pkt, 14 + ihl + 4)[0]
        start = 14 + ihl + 8
        out.append((sec * 10**9 + usec * 1000, off + 16 + start, pkt[start : 14 + ihl + udp_len]))
        off += 16 + incl
    return out


def decoded_records(data: bytes) -> list[tuple[int, int, dict]]:
    """(packet ns, block offset, record) for every record, in file order, via asterix.parse."""
    out = []
    for ns, off, payload in pcap_packets(data):
        pos = 0
        while pos < len(payload):
            length = int.from_bytes(payload[pos + 1 : pos + 3], "big")
            for rec in pkg.parse(payload[pos : pos + length], verbose=False):
                out.append((ns, off + pos, rec))
            pos += length
    return out


def sample_site() -> tuple[float, float, float]:
    """The radar site of SAC 25 / SIC 12 from the raw bytes of I034/120 in cat_034_048.pcap.

    I034/120 is the last item of its record: height (m), lat, lon (180/2^23 degrees).
    """
    records = decoded_records(PCAP_048.read_bytes())
    raw = bytes.fromhex(next(r["hexdata"] for _, _, r in records if "I120" in r))[-8:]
    return (
        int.from_bytes(raw[2:5], "big", signed=True) * 180 / 2**23,
        int.from_bytes(raw[5:8], "big", signed=True) * 180 / 2**23,
        int.from_bytes(raw[0:2], "big", signed=True),
    )


def tod_time(packet_ns: int, tod: float) -> int:
    """Time of day on the packet's UTC day (none of the samples is near midnight)."""
    return packet_ns // DAY * DAY + round(tod * 1e9)


A, F = 6_378_137.0, 1 / 298.257223563
E2 = F * (2 - F)


def geodetic_to_ecef(lat: float, lon: float, h: float) -> tuple[float, float, float]:
    p, l_ = math.radians(lat), math.radians(lon)
    n = A / math.sqrt(1 - E2 * math.sin(p) ** 2)
    return (
        (n + h) * math.cos(p) * math.cos(l_),
        (n + h) * math.cos(p) * math.sin(l_),
        (n * (1 - E2) + h) * math.sin(p),
    )


def ecef_to_geodetic(x: float, y: float, z: float) -> tuple[float, float, float]:
    lon = math.atan2(y, x)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - E2))
    for _ in range(20):
        n = A / math.sqrt(1 - E2 * math.sin(lat) ** 2)
        h = p / math.cos(lat) - n
        lat = math.atan2(z, p * (1 - E2 * n / (n + h)))
    n = A / math.sqrt(1 - E2 * math.sin(lat) ** 2)
    return math.degrees(lat), math.degrees(lon), p / math.cos(lat) - n


def plot_position(site, rho_m: float, theta_deg: float, height_m: float) -> tuple[float, float]:
    """Slant range + azimuth -> lat, lon: bisection on the elevation for the target height."""
    lat0, lon0, h0 = site
    p, l_, t = math.radians(lat0), math.radians(lon0), math.radians(theta_deg)
    x0, y0, z0 = geodetic_to_ecef(lat0, lon0, h0)

    def point(elev: float) -> tuple[float, float, float]:
        e = rho_m * math.cos(elev) * math.sin(t)
        n = rho_m * math.cos(elev) * math.cos(t)
        u = rho_m * math.sin(elev)
        x = x0 - math.sin(l_) * e - math.sin(p) * math.cos(l_) * n + math.cos(p) * math.cos(l_) * u
        y = y0 + math.cos(l_) * e - math.sin(p) * math.sin(l_) * n + math.cos(p) * math.sin(l_) * u
        z = z0 + math.cos(p) * n + math.sin(p) * u
        return ecef_to_geodetic(x, y, z)

    lo, hi = -math.pi / 2, math.pi / 2
    for _ in range(100):
        mid = (lo + hi) / 2
        if point(mid)[2] < height_m:
            lo = mid
        else:
            hi = mid
    lat, lon, _ = point((lo + hi) / 2)
    return lat, lon


# ------------------------------------------------------------- hand encoding


def fspec(frns: list[int]) -> bytes:
    octets = bytearray((max(frns) + 6) // 7)
    for frn in frns:
        octets[(frn - 1) // 7] |= 0x80 >> ((frn - 1) % 7)
    for i in range(len(octets) - 1):
        octets[i] |= 1
    return bytes(octets)


def record(items: dict[int, bytes]) -> bytes:
    """A data record from {FRN: item bytes}."""
    return fspec(sorted(items)) + b"".join(items[k] for k in sorted(items))


def block(cat: int, *records: bytes) -> bytes:
    body = b"".join(records)
    return bytes([cat]) + struct.pack(">H", len(body) + 3) + body


def i24(v: int) -> bytes:
    return (v & 0xFFFFFF).to_bytes(3, "big")


def six_bit(text: str) -> bytes:
    codes = [(ord(c) - 64 if c.isalpha() else ord(c)) for c in text.ljust(8)]
    return sum(c << (6 * (7 - i)) for i, c in enumerate(codes)).to_bytes(6, "big")


def cat062(
    tod: float,
    lat: float,
    lon: float,
    track: int,
    *,
    sac: int = 7,
    sic: int = 9,
    mfl_ft: float | None = None,
    v: tuple[float, float] | None = None,
    roc_fpm: float | None = None,
    i500: bytes | None = None,
) -> bytes:
    scale = 180 / 2**25
    items = {
        1: bytes([sac, sic]),
        4: i24(round(tod * 128)),
        5: struct.pack(">ii", round(lat / scale), round(lon / scale)),
        12: struct.pack(">H", track),
    }
    if v is not None:
        items[7] = struct.pack(">hh", round(v[0] * 4), round(v[1] * 4))
    if mfl_ft is not None:
        items[17] = struct.pack(">h", round(mfl_ft / 25))
    if roc_fpm is not None:
        items[20] = struct.pack(">h", round(roc_fpm / 6.25))
    if i500 is not None:
        items[27] = i500
    return record(items)


def i500(
    apc: tuple[int, int] | None = None,
    cov: int | None = None,
    apw: tuple[int, int] | None = None,
    arc: int | None = None,
) -> bytes:
    """I062/500 from raw LSB counts: APC x, y (0.5 m), COV (0.5 m, signed), APW lat, lon
    (180/2^25 degrees), ARC (6.25 ft/min)."""
    primary, body = 0, b""
    if apc is not None:
        primary, body = primary | 0x80, body + struct.pack(">HH", *apc)
    if cov is not None:
        primary, body = primary | 0x40, body + struct.pack(">h", cov)
    if apw is not None:
        primary, body = primary | 0x20, body + struct.pack(">HH", *apw)
    if arc is not None:
        return bytes([primary | 0x01, 0x80]) + body + bytes([arc])
    return bytes([primary]) + body


def with_i500(rec: bytes, item: bytes) -> bytes:
    """A CAT062 record of the samples with an I062/500 spliced in: its FSPEC's fourth
    octet gets FRN 27, and the item goes before I062/340 (FRN 28), the record's last
    item (12 bytes: SID, POS, MDC, MDA, TYP)."""
    assert rec[:4].hex() in ("bfdffd02", "bfcffd02", "bfdfff02")  # FRN 28 the last present
    assert rec[-12] == 0xDC  # I062/340 primary subfield
    return rec[:3] + bytes([rec[3] | 0x04]) + rec[4:-12] + item + rec[-12:]


def cat021(
    tod: float | None,
    lat: float | None,
    lon: float | None,
    address: int | None,
    **kw: float | str | bytes,
) -> bytes:
    items = {1: bytes([1, 2])}
    if tod is not None:
        items[5] = i24(round(tod * 128))
    if lat is not None and lon is not None:
        scale = 180 / 2**30
        items[7] = struct.pack(">ii", round(lat / scale), round(lon / scale))
    if address is not None:
        items[11] = address.to_bytes(3, "big")
    if "geo_ft" in kw:
        items[16] = struct.pack(">h", round(kw["geo_ft"] / 6.25))
    if "fl" in kw:
        items[21] = struct.pack(">h", round(kw["fl"] * 4))
    if "bvr_fpm" in kw:
        items[24] = struct.pack(">H", round(kw["bvr_fpm"] / 6.25) & 0x7FFF)
    if "gs_kt" in kw:
        gs = round(kw["gs_kt"] / 3600 / 2**-14)
        items[26] = struct.pack(">HH", gs, round(kw["track"] / 360 * 2**16) & 0xFFFF)
    if "callsign" in kw:
        items[29] = six_bit(kw["callsign"])
    if "i090" in kw:
        items[17] = kw["i090"]
    if "vn" in kw:
        items[18] = bytes([(kw["vn"] << 3) | 2])  # I021/210: MOPS version, 1090 ES
    return record(items)


def i021_090(nic: int, nacp: int | None = None) -> bytes:
    """I021/090: NUCp or NIC in the primary subfield, NACp in the first extension."""
    if nacp is None:
        return bytes([nic << 1])
    return bytes([(nic << 1) | 1, nacp << 1])


def cat048(
    tod: float,
    rho_nm: float,
    theta: float,
    *,
    sac: int = 7,
    sic: int = 9,
    fl: float | None = None,
    garbled: bool = False,
    track: int | None = None,
    address: int | None = None,
    track_quality: bytes | None = None,
) -> bytes:
    items = {
        1: bytes([sac, sic]),
        2: i24(round(tod * 128)),
        4: struct.pack(">HH", round(rho_nm * 256), round(theta / 360 * 2**16)),
    }
    if fl is not None:
        items[6] = struct.pack(">H", (0x4000 if garbled else 0) | (round(fl * 4) & 0x3FFF))
    if address is not None:
        items[8] = address.to_bytes(3, "big")
    if track is not None:
        items[11] = struct.pack(">H", track)
    if track_quality is not None:
        items[15] = track_quality  # I048/210
    return record(items)


def cat034_site(tod: float, lat: float, lon: float, height: int, sac: int = 7, sic: int = 9):
    scale = 180 / 2**23
    position = struct.pack(">h", height) + i24(round(lat / scale)) + i24(round(lon / scale))
    return record({1: bytes([sac, sic]), 2: b"\x01", 3: i24(round(tod * 128)), 11: position})


def pcap(packets: list[tuple[int, bytes]], *, link: str = "ethernet", nano: bool = False) -> bytes:
    """A pcap of UDP packets (ns time, payload) over the given link layer."""
    magic = b"\x4d\x3c\xb2\xa1" if nano else b"\xd4\xc3\xb2\xa1"
    linktype = {"ethernet": 1, "vlan": 1, "sll": 113, "raw": 101, "ipv6": 1}[link]
    out = bytearray(magic + struct.pack("<HHiIII", 2, 4, 0, 0, 65535, linktype))
    for ns, payload in packets:
        udp = struct.pack(">HHHH", 5000, 8600, 8 + len(payload), 0) + payload
        if link == "ipv6":
            ip = struct.pack(">IHBB", 6 << 28, len(udp), 17, 64) + bytes(32) + udp
        else:
            ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                             bytes(4), bytes(4)) + udp  # fmt: skip
        if link == "ethernet":
            frame = bytes(12) + b"\x08\x00" + ip
        elif link == "ipv6":
            frame = bytes(12) + b"\x86\xdd" + ip
        elif link == "vlan":
            frame = bytes(12) + b"\x81\x00\x00\x05\x08\x00" + ip
        elif link == "sll":
            frame = bytes(14) + b"\x08\x00" + ip
        else:
            frame = ip
        frac = ns % 10**9 if nano else ns % 10**9 // 1000
        out += struct.pack("<IIII", ns // 10**9, frac, len(frame), len(frame)) + frame
    return bytes(out)


def read_bytes(data: bytes, name: str = "capture.bin", **options) -> asterix.ReadResult:
    return asterix.read(name, stream=io.BytesIO(data), options=ReadOptions(**options))


def check(result, size: int | None = None) -> None:
    """Every record is a row or a reject, exactly once, numbered 1..N in file order.

    Reject offsets point inside the file (of ``size`` bytes, when given).
    """
    assert result.table.schema == POSITION_SCHEMA
    reconcile(result, range(1, result.records + 1))
    assert all(r.offset is not None and r.offset >= 0 for r in result.rejects)
    if size is not None:
        assert all(r.offset < size for r in result.rejects)
