"""ASTERIX reader: real captures from asterix-decoder, hand-built records, damage.

Expected values are computed here independently of the reader: the pcap files
are unpacked with ``struct``, records decoded with the ``asterix`` package
directly, units converted by hand, and monoradar plots positioned with a
hand-written WGS-84 ECEF computation (bisection on the elevation angle, no
pyproj), against which the reader's pyproj/iteration geometry is checked.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import math
import random
import struct
import subprocess
import sys
from collections import Counter
from pathlib import Path

import asterix as pkg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airwitness.errors import InputError, UsageError
from airwitness.io import asterix
from airwitness.io.options import ReadOptions
from airwitness.schema import FPM_TO_MPS, FT_TO_M, KT_TO_MPS, POSITION_SCHEMA

from .helpers import DATA, reconcile, rows_of, utc_ns

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
    return record(items)


def cat021(
    tod: float | None,
    lat: float | None,
    lon: float | None,
    address: int | None,
    **kw: float | str,
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
    return record(items)


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


# ------------------------------------------------------------------- samples


def test_cat034_048_counts_and_site():
    result = asterix.read(PCAP_048)
    check(result)
    assert result.format == "asterix"
    assert result.records == 162  # 128 CAT048 + 34 CAT034 records
    assert result.reject_counts() == Counter(
        {"no radar site": 88, "service message": 34, "no position": 2}
    )
    assert result.table.num_rows == 38  # every positioned plot is from SAC 25 / SIC 12
    assert all(t.startswith("asterix:25/12:") for t in result.table["track_id"].to_pylist())
    records = decoded_records(PCAP_048.read_bytes())
    assert Counter(r["category"] for _, _, r in records) == {48: 128, 34: 34}
    per_source = Counter(
        (r["I010"]["SAC"]["val"], r["I010"]["SIC"]["val"]) for _, _, r in records
        if r["category"] == 48 and "I040" in r
    )  # fmt: skip
    assert per_source[(25, 12)] == 38
    assert sum(per_source.values()) == 126
    sites = {
        (r["I010"]["SAC"]["val"], r["I010"]["SIC"]["val"]): r["I120"] for _, _, r in records
        if r["category"] == 34 and "I120" in r
    }  # fmt: skip
    assert list(sites) == [(25, 12)]
    assert sites[(25, 12)]["Height"]["val"] == 780.0
    assert sites[(25, 12)]["LAT"]["val"] == pytest.approx(43.5710, abs=5e-5)
    assert sites[(25, 12)]["Lon"]["val"] == pytest.approx(16.4061, abs=5e-5)


def test_cat048_plots_positioned_with_the_cat034_site():
    result = asterix.read(PCAP_048)
    records = decoded_records(PCAP_048.read_bytes())
    site = sample_site()
    assert site == (pytest.approx(43.5710, abs=5e-5), pytest.approx(16.4061, abs=5e-5), 780)
    expected = {}
    for index, (ns, offset, rec) in enumerate(records, start=1):
        if rec["category"] != 48 or rec["I010"]["SIC"]["val"] != 12 or "I040" not in rec:
            continue
        fl = rec["I090"]["FL"]["val"]
        lat, lon = plot_position(
            site, rec["I040"]["RHO"]["val"] * NM, rec["I040"]["THETA"]["val"], fl * 100 * FT_TO_M
        )
        expected[index] = {
            "track_id": f"asterix:25/12:{rec['I161']['Tn']['val']}",
            "time": tod_time(ns, rec["I140"]["ToD"]["val"]),
            "lat": lat,
            "lon": lon,
            "alt_m": fl * 100 * FT_TO_M,
            "gs": rec["I200"]["CGS"]["val"] * KT_TO_MPS,
            "trk": rec["I200"]["CHdg"]["val"],
            "callsign": rec["I240"]["TId"]["val"].strip(),
            "offset": offset,
        }
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == sorted(expected)
    for row in (rows[0], rows[-1]):
        want = expected[row["source_record"]]
        assert row["track_id"] == want["track_id"]
        assert row["time"] == want["time"]
        assert row["lat"] == pytest.approx(want["lat"], abs=1e-7)
        assert row["lon"] == pytest.approx(want["lon"], abs=1e-7)
        assert row["alt_m"] == pytest.approx(want["alt_m"]) and row["alt_kind"] == "baro"
        assert row["ground_speed_mps"] == pytest.approx(want["gs"])
        assert row["track_deg"] == pytest.approx(want["trk"])
        assert row["callsign"] == want["callsign"]
    first = rows[0]
    # record 23: track 1581 (GWI7BX) at 07:35:55.8984375 UTC, FL 246, 43.3 NM from the radar
    assert first["source_record"] == 23 and first["callsign"] == "GWI7BX"
    assert first["time"] == utc_ns("2016-05-05T07:35:55.8984375Z")
    assert (first["lat"], first["lon"]) == (
        pytest.approx(44.008528, abs=1e-4),
        pytest.approx(15.746548, abs=1e-4),
    )
    all_max = max(
        abs(r["lat"] - expected[r["source_record"]]["lat"])
        + abs(r["lon"] - expected[r["source_record"]]["lon"])
        for r in rows
    )
    assert all_max < 1e-6


def test_cat062_pcap_values_against_the_package():
    result = asterix.read(PCAP_062)
    check(result)
    assert result.records == 3
    assert result.reject_counts() == {"service message": 1}
    records = decoded_records(PCAP_062.read_bytes())
    assert [r["category"] for _, _, r in records] == [62, 62, 65]
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == [1, 2]
    for row, (ns, _, rec) in zip(rows, records, strict=False):
        vx, vy = rec["I185"]["Vx"]["val"], rec["I185"]["Vy"]["val"]
        assert row["track_id"] == f"asterix:25/100:{rec['I040']['TrkN']['val']}"
        assert row["time"] == tod_time(ns, rec["I070"]["ToT"]["val"])
        assert (row["lat"], row["lon"]) == (rec["I105"]["Lat"]["val"], rec["I105"]["Lon"]["val"])
        assert row["alt_m"] == pytest.approx(rec["I136"]["MFL"]["val"] * FT_TO_M)
        assert row["ground_speed_mps"] == pytest.approx(math.hypot(vx, vy))
        assert row["track_deg"] == pytest.approx(math.degrees(math.atan2(vx, vy)) % 360)
        assert row["vrate_mps"] == pytest.approx(rec["I220"]["RoC"]["val"] * FPM_TO_MPS)
    assert rows[0]["track_id"] == "asterix:25/100:4713" and rows[0]["callsign"] == "RYR174C"
    assert rows[0]["time"] == utc_ns("2014-02-25T12:43:47.3984375Z")
    assert rows[1]["callsign"] == "ISS2007"


def test_cat062_raw_needs_a_date():
    with pytest.raises(InputError, match="date"):
        asterix.read(RAW_062)
    result = asterix.read(RAW_062, options=ReadOptions(date=dt.date(2015, 3, 1)))
    check(result)
    assert result.records == 3
    assert [(r.record, r.reason, r.offset) for r in result.rejects] == [(3, "service message", 183)]
    raw = pkg.parse(RAW_062.read_bytes(), verbose=False)
    rows = rows_of(result.table)
    for row, rec in zip(rows, raw, strict=False):
        assert row["time"] == utc_ns("2015-03-01T00:00:00Z") + round(
            rec["I070"]["ToT"]["val"] * 1e9
        )
        assert (row["lat"], row["lon"]) == (rec["I105"]["Lat"]["val"], rec["I105"]["Lon"]["val"])
    assert rows[0]["time"] == utc_ns("2015-03-01T08:35:11.6640625Z")
    assert rows[1]["callsign"] == "SXD4723"  # I062/380 identification; track id stays the number
    assert rows[1]["track_id"] == "asterix:25/100:7977"


def test_gzip_and_stream_give_the_same_table(tmp_path: Path):
    gz = tmp_path / "c.pcap.gz"
    gz.write_bytes(gzip.compress(PCAP_048.read_bytes()))
    plain, zipped = asterix.read(PCAP_048), asterix.read(gz)
    assert zipped.table.drop_columns(["source_file"]).equals(
        plain.table.drop_columns(["source_file"])
    )
    streamed = read_bytes(PCAP_048.read_bytes(), "upload.pcap")
    assert streamed.table.num_rows == 38 and streamed.table["source_file"][0].as_py() == (
        "upload.pcap"
    )


# ----------------------------------------------------------- sensors file


def without_cat034(data: bytes) -> bytes:
    out, off = bytearray(data[:24]), 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        packet = data[off : off + 16 + incl]
        if packet[16 + 14 + 20 + 8] != 34:
            out += packet
        off += 16 + incl
    return bytes(out)


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_sensors_file_positions_plots_without_cat034(tmp_path: Path, kind: str):
    stripped = without_cat034(PCAP_048.read_bytes())
    bare = read_bytes(stripped, "c.pcap")
    assert bare.reject_counts()["no radar site"] == 126 and bare.table.num_rows == 0
    site = sample_site()
    if kind == "csv":
        path = tmp_path / "sensors.csv"
        path.write_text(
            f"# radars\nsac,sic,lat,lon,alt_m,name\n25,12,{site[0]!r},{site[1]!r},780,X\n"
        )
    else:
        path = tmp_path / "sensors.json"
        path.write_text(json.dumps([{"sac": 25, "sic": 12, "lat": site[0], "lon": site[1],
                                     "alt_m": 780}]))  # fmt: skip
    with_file = read_bytes(stripped, "c.pcap", sensors=path)
    check(with_file)
    original = asterix.read(PCAP_048)
    cols = ["track_id", "time", "lat", "lon", "alt_m"]
    assert with_file.table.select(cols).equals(original.table.select(cols))


def test_capture_site_wins_over_the_sensors_file(tmp_path: Path):
    path = tmp_path / "s.csv"
    path.write_text("sac,sic,lat,lon,alt_m\n25,12,40.0,10.0,0\n25,13,45.0,15.0,100\n")
    result = asterix.read(PCAP_048, options=ReadOptions(sensors=path))
    check(result)
    original = asterix.read(PCAP_048)
    ids = result.table["track_id"].to_pylist()
    assert sum(t.startswith("asterix:25/13:") for t in ids) > 0
    sic12 = [r for r in rows_of(result.table) if r["track_id"].startswith("asterix:25/12:")]
    assert [(r["lat"], r["lon"]) for r in sic12] == [
        (r["lat"], r["lon"]) for r in rows_of(original.table)
    ]


@pytest.mark.parametrize(
    "content",
    [
        "sac,sic,lat\n1,2,3\n",
        "sac,sic,lat,lon,alt_m\n1,x,45,15,0\n",
        "sac,sic,lat,lon,alt_m\n1,2,95,15,0\n",
        '[{"sac": 1}]',
        "{not json",
    ],
)
def test_bad_sensors_file_is_a_usage_error(tmp_path: Path, content: str):
    path = tmp_path / "s.csv"
    path.write_text(content)
    with pytest.raises(UsageError, match="sensors file"):
        asterix.read(PCAP_048, options=ReadOptions(sensors=path))


# ------------------------------------------------------ hand-built records


def test_cat021_fields():
    data = block(
        21,
        cat021(
            43_200.5, 47.123456, 8.654321, 0x4B1A2C,
            fl=350.25, geo_ft=36_000, bvr_fpm=-1_000, gs_kt=450, track=90, callsign="SWR123",
        ),
        cat021(43_201.0, None, None, 0x4B1A2C),
        cat021(43_202.0, 47.2, 8.7, None),
        cat021(43_203.0, 47.3, 8.8, 0xABCDEF, geo_ft=1_000),
    )  # fmt: skip
    result = read_bytes(data, date=dt.date(2024, 2, 29))
    check(result)
    assert {r.record: r.reason for r in result.rejects} == {
        2: "no position",
        3: "no target address",
    }
    first, last = rows_of(result.table)
    assert first["track_id"] == "4b1a2c" and first["callsign"] == "SWR123"
    assert first["time"] == utc_ns("2024-02-29T12:00:00.5Z")
    assert first["lat"] == pytest.approx(47.123456, abs=1e-6)
    assert first["lon"] == pytest.approx(8.654321, abs=1e-6)
    assert first["alt_m"] == pytest.approx(35_025 * FT_TO_M) and first["alt_kind"] == "baro"
    assert first["vrate_mps"] == pytest.approx(-1_000 * FPM_TO_MPS)
    assert first["ground_speed_mps"] == pytest.approx(450 * KT_TO_MPS, abs=0.01)
    assert first["track_deg"] == pytest.approx(90.0)
    assert last["track_id"] == "abcdef"
    assert last["alt_m"] == pytest.approx(1_000 * FT_TO_M) and last["alt_kind"] == "geo"
    assert last["callsign"] is None and last["vrate_mps"] is None


def test_cat048_identity_height_and_site_after_the_plots():
    site = (45.0, 15.46875, 300.0)  # on the I034/120 grid (180/2^23 degrees)
    data = block(
        48,
        cat048(100.0, 50.0, 45.0, fl=300, track=17),
        cat048(100.1, 60.0, 90.0, fl=200, address=0x3C4B5A),
        cat048(100.2, 70.0, 135.0, fl=100),
        cat048(100.3, 80.0, 180.0, fl=310, garbled=True, track=18),
        cat048(100.4, 20.0, 270.0, sac=7, sic=10, track=19),
    ) + block(34, cat034_site(101.0, *site[:2], int(site[2])))
    result = read_bytes(data, date=dt.date(2024, 1, 1))
    check(result)
    assert {r.record: r.reason for r in result.rejects} == {
        3: "untracked plot",
        5: "no radar site",
        6: "service message",
    }
    rows = rows_of(result.table)
    assert [r["track_id"] for r in rows] == ["asterix:7/9:17", "3c4b5a", "asterix:7/9:18"]
    lat, lon = plot_position(site, 50 * NM, 45.0, 300 * 100 * FT_TO_M)
    assert (rows[0]["lat"], rows[0]["lon"]) == (
        pytest.approx(lat, abs=1e-6),
        pytest.approx(lon, abs=1e-6),
    )
    # garbled Mode C: no height, placed at the radar's height
    assert rows[2]["alt_m"] is None and rows[2]["alt_kind"] is None
    lat, lon = plot_position(site, 80 * NM, 180.0, site[2])
    assert rows[2]["lat"] == pytest.approx(lat, abs=1e-6)
    assert rows[2]["lon"] == pytest.approx(lon, abs=1e-6)


def test_polar_conversion_matches_the_hand_computation():
    site = (43.57102202219, 16.40606241326, 780.0)
    for rho_nm, theta, fl in [(0.5, 10.0, 20), (43.3, 290.0, 246), (200.0, 135.0, 410)]:
        lat, lon = asterix.polar_to_wgs84(
            site,
            asterix.np.array([rho_nm * NM]),
            asterix.np.array([theta]),
            asterix.np.array([fl * 100 * FT_TO_M]),
        )
        want = plot_position(site, rho_nm * NM, theta, fl * 100 * FT_TO_M)
        assert (lat[0], lon[0]) == (
            pytest.approx(want[0], abs=1e-7),
            pytest.approx(want[1], abs=1e-7),
        )


# ---------------------------------------------------------------- time


def test_resolve_times_rolls_over_at_midnight():
    tods = asterix.np.array([86_399.5, 0.5, 86_398.0, 1.0, 43_000.0, 100.0, math.nan])
    packets = asterix.np.full(len(tods), -1, dtype=asterix.np.int64)
    times, undated = asterix.resolve_times(tods, packets, dt.date(2023, 12, 31))
    d0, d1 = utc_ns("2023-12-31T00:00:00Z"), utc_ns("2024-01-01T00:00:00Z")
    assert times[:6].tolist() == [
        d0 + 86_399_500_000_000,
        d1 + 500_000_000,
        d0 + 86_398_000_000_000,  # a late report from before midnight keeps its day
        d1 + 1_000_000_000,
        d1 + 43_000_000_000_000,
        d1 + 100_000_000_000,  # back by less than 12 h: same day
    ]
    assert not undated.any()
    _, undated = asterix.resolve_times(tods, packets, None)
    assert undated[:6].all()


def test_raw_stream_rollover_with_options_date():
    data = block(62, cat062(86_399.0, 45, 15, 1), cat062(86_399.9, 45.01, 15, 1)) + block(
        62, cat062(0.3, 45.02, 15, 1), cat062(1.0, 45.03, 15, 1)
    )
    result = read_bytes(data, date=dt.date(2024, 2, 28))
    check(result)
    assert result.table["time"].cast("int64").to_pylist() == [
        utc_ns("2024-02-28T23:59:59Z"),
        utc_ns("2024-02-28T23:59:59.8984375Z"),  # 1/128 s resolution
        utc_ns("2024-02-29T00:00:00.296875Z"),
        utc_ns("2024-02-29T00:00:01Z"),
    ]


@pytest.mark.parametrize("nano", [False, True])
def test_pcap_timestamp_dates_reports_across_midnight(nano: bool):
    after = utc_ns("2024-03-01T00:00:00.25Z")
    packets = [
        (after, block(62, cat062(86_399.875, 45, 15, 1), cat062(0.125, 45, 15.01, 2))),
        (after + 10**9, block(62, cat062(1.0, 45, 15.02, 1))),
    ]
    result = read_bytes(pcap(packets, nano=nano), "c.pcap", date=dt.date(1999, 1, 1))
    check(result)
    assert result.table["time"].cast("int64").to_pylist() == [
        utc_ns("2024-02-29T23:59:59.875Z"),  # the packet's date wins over options.date
        utc_ns("2024-03-01T00:00:00.125Z"),
        utc_ns("2024-03-01T00:00:01Z"),
    ]


def test_one_flipped_packet_timestamp_is_not_believed():
    t0 = utc_ns("2024-03-01T12:00:00Z")
    packets = [(t0 + i * 10**9, block(62, cat062(43_200.0 + i, 45, 15, 1))) for i in range(4)]
    packets[2] = (packets[2][0] + 2**30 * 10**9, packets[2][1])  # ts_sec bit 30 flipped
    result = read_bytes(pcap(packets), "c.pcap")
    assert result.table["time"].cast("int64").to_pylist() == [t0 + i * 10**9 for i in range(4)]


@pytest.mark.parametrize("link", ["ethernet", "vlan", "sll", "raw", "ipv6"])
def test_link_layers(link: str):
    t0 = utc_ns("2024-03-01T12:00:00Z")
    packets = [(t0, block(62, cat062(43_200.0, 45, 15, 1), cat062(43_200.0, 46, 16, 2)))]
    result = read_bytes(pcap(packets, link=link), "c.pcap")
    check(result)
    assert result.table["lat"].to_pylist() == pytest.approx([45, 46], abs=1e-5)


def test_non_udp_and_fragments_are_counted():
    t0 = utc_ns("2024-03-01T12:00:00Z")
    good = pcap([(t0, block(62, cat062(43_200.0, 45, 15, 1)))])
    packet = good[24:]
    arp = bytearray(packet)
    arp[16 + 12 : 16 + 14] = b"\x08\x06"
    tcp = bytearray(packet)
    tcp[16 + 14 + 9] = 6
    frag = bytearray(packet)
    frag[16 + 14 + 6] = 0x20  # more fragments
    dns = pcap([(t0, b"\x12\x34\x01\x00\x00\x01")])[24:]
    data = good[:24] + bytes(arp) + bytes(tcp) + bytes(frag) + dns + packet
    result = read_bytes(data, "c.pcap")
    check(result)
    assert [r.reason for r in result.rejects] == [
        "not UDP",
        "not UDP",
        "IP fragment",
        "not ASTERIX",
    ]
    assert result.table["source_record"].to_pylist() == [5]


def test_pcapng_and_bad_link_type_are_refused():
    with pytest.raises(InputError, match="pcapng"):
        read_bytes(b"\x0a\x0d\x0d\x0a" + bytes(40))
    bad = bytearray(pcap([(utc_ns("2024-03-01T12:00:00Z"), block(62, cat062(1, 1, 1, 1)))]))
    bad[20:24] = struct.pack("<I", 147)
    with pytest.raises(InputError, match="link type 147"):
        read_bytes(bytes(bad))


# ------------------------------------------------------------ categories


def test_service_unsupported_and_unknown_categories():
    data = (
        block(150, b"\x80\x01\x02")
        + block(1, b"\x80\x01\x02")
        + block(2, b"\x80\x01\x02")
        + RAW_062.read_bytes()
    )
    result = read_bytes(data, date=dt.date(2020, 1, 1))
    check(result)
    assert [(r.record, r.reason, r.offset) for r in result.rejects] == [
        (1, "unknown category 150", 0),
        (2, "unsupported category 1", 6),
        (3, "service message", 12),
        (6, "service message", 18 + 183),
    ]
    assert result.table["source_record"].to_pylist() == [4, 5]


def test_only_unreadable_bytes_is_an_input_error():
    with pytest.raises(InputError, match="no readable ASTERIX"):
        read_bytes(b"\x00\x00\x00\x00\x00garbage")


def test_non_utf8_text_in_cat062_i390_does_not_crash_the_decoder(tmp_path: Path):
    """asterix-decoder 0.7.11 segfaults on such bytes unless CAT062 is patched (run apart)."""
    data = RAW_062.read_bytes()
    i = data.index(b"SXD4723")  # I062/390 callsign, ASCII
    path = tmp_path / "bad390.raw"
    path.write_bytes(data[: i + 1] + b"\xff\xfe\xc3\x28\xa0\xa1" + data[i + 7 :])
    code = (
        "import datetime as dt, sys\n"
        "from airwitness.io import asterix\n"
        "from airwitness.io.options import ReadOptions\n"
        f"r = asterix.read({str(path)!r}, options=ReadOptions(date=dt.date(2020, 1, 1)))\n"
        "print(r.table.num_rows, r.table['callsign'].to_pylist())\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "2 [None, 'SXD4723']"


# ---------------------------------------------------------------- damage


def test_resync_after_a_bad_block_length():
    prefix = block(150, b"\x80\x01")
    data = bytearray(prefix + RAW_062.read_bytes())
    k = len(prefix)
    data[k + 1 : k + 3] = b"\x00\x02"  # the CAT062 block's length: 183 -> 2
    result = read_bytes(bytes(data), date=dt.date(2020, 1, 1))
    check(result)
    # the damaged region is exactly the block: both records still decode
    assert result.table.num_rows == 2
    assert [r.reason for r in result.rejects] == ["unknown category 150", "service message"]
    data[k + 1 : k + 3] = b"\xff\xff"
    again = read_bytes(bytes(data), date=dt.date(2020, 1, 1))
    assert again.table.num_rows == 2


def test_long_damaged_region_and_resync_far_away():
    rng = random.Random(1)
    noise = bytes(rng.randrange(100, 200) for _ in range(300_000))  # no known category
    data = b"\x3e\x00\x02" + RAW_062.read_bytes()[3:183] + noise + RAW_062.read_bytes()
    result = read_bytes(data, date=dt.date(2020, 1, 1))
    check(result)
    assert result.table.num_rows == 4  # both blocks' records, the first from the damaged region
    assert [(r.reason, r.offset) for r in result.rejects] == [
        ("bad block length", 0),  # the noise after the two records of the damaged region
        ("service message", len(data) - 12),
    ]
    garbage = b"\x3e\xff\xff" + noise
    with pytest.raises(InputError, match="no readable"):
        read_bytes(garbage, date=dt.date(2020, 1, 1))


def test_truncated_raw_stream():
    data = RAW_062.read_bytes()
    result = read_bytes(data[:150], date=dt.date(2020, 1, 1))
    check(result)
    assert result.table.num_rows == 1
    assert [(r.record, r.reason, r.offset) for r in result.rejects] == [(2, "truncated block", 0)]


@pytest.mark.parametrize("sample", [PCAP_048, PCAP_062, RAW_062])
def test_every_truncation_reconciles(sample: Path):
    data = sample.read_bytes()
    full = read_bytes(data, sample.name, date=dt.date(2020, 1, 1))
    step = max(1, len(data) // 80)
    for cut in range(1, len(data), step):
        try:
            result = read_bytes(data[:cut], sample.name, date=dt.date(2020, 1, 1))
        except InputError:
            continue
        check(result, cut)
        assert result.table.num_rows <= full.table.num_rows
        assert result.records <= full.records + 1


@pytest.mark.parametrize("sample", [PCAP_048, PCAP_062, RAW_062])
def test_flipped_bits_reconcile(sample: Path):
    data = sample.read_bytes()
    step = max(1, len(data) // 100)
    for i in range(0, len(data), step):
        damaged = bytearray(data)
        damaged[i] ^= 1 << (i % 8)
        try:
            result = read_bytes(bytes(damaged), sample.name, date=dt.date(2020, 1, 1))
        except InputError:
            continue
        check(result, len(data))


def test_packet_cut_after_its_udp_header():
    """Fuzz finding: an empty UDP payload at the end of the file had its offset at EOF."""
    data = PCAP_048.read_bytes()[:1050]  # packet 17 ends right after its UDP header
    result = read_bytes(data, "cut.pcap")
    check(result, len(data))
    assert [(r.record, r.reason, r.offset) for r in result.rejects][-1] == (17, "not ASTERIX", 992)


def test_bad_pcap_record_header_resyncs():
    t0 = utc_ns("2024-03-01T12:00:00Z")
    packets = [(t0 + i * 10**9, block(62, cat062(43_200.0 + i, 45, 15, i))) for i in range(5)]
    data = bytearray(pcap(packets))
    size = (len(data) - 24) // 5
    struct.pack_into("<I", data, 24 + 2 * size + 8, 200_000)  # packet 3's incl_len
    result = read_bytes(bytes(data), "c.pcap")
    check(result)
    assert result.table["track_id"].to_pylist() == [f"asterix:7/9:{i}" for i in (0, 1, 3, 4)]
    assert [(r.reason, r.offset) for r in result.rejects] == [("bad pcap record", 24 + 2 * size)]


# --------------------------------------------------------------- sniffing


def test_sniff_samples_and_strictness():
    for sample in (PCAP_048, PCAP_062, RAW_062):
        assert asterix.sniff(sample.read_bytes()[: 1 << 16], sample.suffix)
    roots = [DATA, DATA.parents[1] / "examples"]
    others = [
        p for root in roots if root.exists() for p in root.rglob("*")
        if p.is_file() and SAMPLES not in p.parents
    ]  # fmt: skip
    assert others
    for path in others:
        head = path.read_bytes()
        if head[:2] == b"\x1f\x8b":
            head = gzip.decompress(head)
        assert not asterix.sniff(head[: 1 << 16], Path(path.name.removesuffix(".gz")).suffix), path
    t0 = utc_ns("2024-03-01T12:00:00Z")
    assert not asterix.sniff(pcap([(t0, b"\x12\x34\x01\x00\x00\x01")]), ".pcap")
    assert not asterix.sniff(b"0,1,2\n", ".csv") and not asterix.sniff(b"", "")


# -------------------------------------------------------------- fuzzing

SEEDS = [PCAP_048.read_bytes(), PCAP_062.read_bytes(), RAW_062.read_bytes()]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "byte", "cut", "drop", "dup"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte":
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i:]
        elif op == "drop":
            del data[i : i + draw(st.integers(1, 64))]
        else:
            data[i:i] = data[i : i + draw(st.integers(1, 64))]
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_fuzz_mutated_samples(data: bytes):
    try:
        result = read_bytes(data, "fuzz.bin", date=dt.date(2020, 1, 1))
    except InputError:
        return
    check(result, len(data))
