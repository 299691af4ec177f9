"""Remote ID (ASTM F3411): the codec against published vectors and hand-built messages,
the receiver-log reader on a fixture made from a real track, bad lines, fuzzing."""

from __future__ import annotations

import gzip
import io
import math
import random
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.io.drones import remoteid
from airwitness.io.drones.remoteid import BasicId, DecodeError, Location
from airwitness.schema import POSITION_SCHEMA, ReadResult
from tests.data.drones import make_fixtures as mf

from ..helpers import DATA, by_record, rows_of, utc_ns

FIXTURE = DATA / "drones" / "rega_remoteid.txt"
R95 = math.sqrt(-2 * math.log(0.05))  # a 95 % radius in σ of a circular Gaussian
RAW = FIXTURE.read_bytes()
POINTS = mf.load_track()
MAC = mf.MAC

# Two real Message Packs (Bluetooth 5 advertisements without their 6-byte AD header),
# published as the self-test vectors of an open-source OpenDroneID decoder in Python,
# with the values that decoder gives. The first is from a DJI aircraft: serial number,
# CAA id, Location, Authentication, Self-ID, System, Operator ID.
DJI_PACK = bytes.fromhex(
    "f01907001231383635364132343330330000000000000000000000000022444a4900000000000000000000"
    "0000000000000000000012205e0100ecc10f147ce4fece00006808be074c445e15020020300011e1eb2c"
    "0a0000000000000000000000000000000000320044726f6e6573204944207465737420666c69676874"
    "00004204ad9810144825fece010000d007d007127a08e1eb2c0a00520000000000000000000000000000"
    "00000000000000000000"
)
# Basic ID, Location with every value unknown, Self-ID, System, Operator ID
UNKNOWNS_PACK = bytes.fromhex(
    "f01905001253534556544647393337303030373000000000000000001023b5ff7e000000000000000062"
    "070000cf07005000000100300044726f6e652049442064656d6f00000000000000000000400400000000"
    "00000000010000000000001100000000000000500046494e38376173747264676531326b78797a38000000"
    "00"
)


def consistent(result: ReadResult) -> None:
    assert result.table.schema == POSITION_SCHEMA
    seen = result.table["source_record"].to_pylist() + [r.record for r in result.rejects]
    assert len(seen) == len(set(seen)) == result.records
    assert all(r >= 1 for r in seen)


def read_text(text: str, name: str = "rid.txt") -> ReadResult:
    return remoteid.read(name, stream=io.BytesIO(text.encode()))


# --- the codec -------------------------------------------------------------------


def test_published_vectors():
    ids, loc = remoteid.decode(DJI_PACK)
    assert ids == [BasicId(1, 2, "18656A24303"), BasicId(2, 2, "DJI")]
    assert loc == Location(
        status=2,
        lat=33.6577004,
        lon=-82.2156164,
        geo_alt_m=76.0,
        baro_alt_m=None,
        height_m=-9.0,
        speed_mps=0.25,
        track_deg=94.0,
        vrate_mps=0.0,
        tenths=5470,
        h_accuracy=12,  # < 1 m
    )
    assert loc.pos_sigma_m == 1.0 / R95 == 0.4085389826536349
    ids, loc = remoteid.decode(UNKNOWNS_PACK)
    assert ids == [BasicId(1, 2, "SSEVTFG93700070")]
    assert (loc.lat, loc.lon, loc.geo_alt_m, loc.height_m) == (0.0, 0.0, None, -0.5)
    assert (loc.speed_mps, loc.track_deg, loc.vrate_mps) == (None, None, None)  # all unknown
    assert loc.baro_alt_m == -55.0 and loc.tenths == 0
    assert loc.h_accuracy == 0 and loc.pos_sigma_m is None  # accuracy unknown


def location(
    flags=0x20, direction=0, speed=0, vspeed=0, lat=0, lon=0, baro=0, geo=0, tenths=0, acc=0
):
    return struct.pack(
        "<BBBBbiiHHHBBHBB", 0x12, flags, direction, speed, vspeed, lat, lon, baro, geo, 0,
        acc, 0, tenths, 0, 0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"speed": 100}, {"speed_mps": 25.0}),
        ({"speed": 255}, {"speed_mps": 63.75}),  # without the multiplier 255 is a speed
        ({"flags": 0x21, "speed": 10}, {"speed_mps": 71.25}),  # 10 × 0.75 + 63.75
        ({"flags": 0x21, "speed": 255}, {"speed_mps": None}),  # unknown
        ({"direction": 179}, {"track_deg": 179.0}),
        ({"flags": 0x22, "direction": 80}, {"track_deg": 260.0}),  # east/west bit: +180
        ({"flags": 0x22, "direction": 181}, {"track_deg": None}),  # 361: unknown
        ({"vspeed": -10}, {"vrate_mps": -5.0}),
        ({"vspeed": 124}, {"vrate_mps": 62.0}),
        ({"vspeed": 126}, {"vrate_mps": None}),  # 63 m/s: unknown
        ({"lat": -900_000_000, "lon": 1_799_999_999}, {"lat": -90.0, "lon": 179.9999999}),
        ({"geo": 3000, "baro": 2000}, {"geo_alt_m": 500.0, "baro_alt_m": 0.0}),
        ({"geo": 0}, {"geo_alt_m": None}),  # -1000 m: unknown
        ({"geo": 65535}, {"geo_alt_m": 31767.5}),
        ({"tenths": 36000}, {"tenths": 36000}),
        ({"tenths": 0xFFFF}, {"tenths": None}),
        ({"flags": 0x30}, {"status": 3}),  # emergency
        # horizontal accuracy: the low 4 bits of byte 19 (the high 4 are vertical)
        ({"acc": 0x4B}, {"h_accuracy": 11, "pos_sigma_m": 3.0 / R95}),  # < 3 m
        ({"acc": 0x09}, {"h_accuracy": 9, "pos_sigma_m": 12.256169479609047}),  # < 30 m
        ({"acc": 0x01}, {"h_accuracy": 1, "pos_sigma_m": 18520.0 / R95}),  # < 10 NM
        ({"acc": 0xF0}, {"h_accuracy": 0, "pos_sigma_m": None}),  # unknown
        ({"acc": 0x0D}, {"h_accuracy": 13, "pos_sigma_m": None}),  # reserved
    ],
)
def test_location_fields(fields, expected):
    loc = remoteid.decode_location(location(**fields))
    for name, value in expected.items():
        assert getattr(loc, name) == value, name


def test_basic_id_kinds():
    def basic(id_type: int, raw: bytes) -> BasicId:
        return remoteid.decode_basic_id(
            bytes([0x02, id_type << 4 | 2]) + raw.ljust(20, b"\0") + bytes(3)
        )

    assert basic(1, b"1581F4ABCDEF").uas_id == "1581F4ABCDEF"
    assert basic(2, b"FIN-87astrdge12k").uas_id == "FIN-87astrdge12k"
    uuid = bytes(range(1, 17))
    assert basic(3, uuid).uas_id == uuid.hex()  # UTM-assigned UUID: binary
    assert basic(1, b"\x01\x02bad").uas_id == "0102626164"  # not text: hex


@pytest.mark.parametrize(
    ("received", "tenths", "expected"),
    [
        ("2019-05-23T12:00:00.200Z", 35999, "2019-05-23T11:59:59.900Z"),  # previous hour
        ("2019-05-23T11:59:59.800Z", 1, "2019-05-23T12:00:00.100Z"),  # next hour
        ("2019-05-23T12:30:00.000Z", 18123, "2019-05-23T12:30:12.300Z"),
        ("2019-05-23T12:30:00.000Z", 0, "2019-05-23T12:00:00.000Z"),
        ("2019-05-23T12:45:00.000Z", 0, "2019-05-23T13:00:00.000Z"),  # nearer the next hour
        ("2019-05-23T23:59:59.950Z", 2, "2019-05-24T00:00:00.200Z"),  # and the next day
    ],
)
def test_hour_boundary(received, tenths, expected):
    loc = remoteid.decode_location(location(tenths=tenths))
    assert loc.time_ns(utc_ns(received)) == utc_ns(expected)


def test_unknown_timestamp_takes_the_receiver_time():
    loc = remoteid.decode_location(location(tenths=0xFFFF))
    assert loc.time_ns(utc_ns("2019-05-23T12:00:00.200Z")) == utc_ns("2019-05-23T12:00:00.200Z")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x12" * 24, "wrong message length"),
        (b"\x12" * 26, "wrong message length"),
        (b"\x72" + bytes(24), "unknown message type"),
        (bytes([0xF2, 24, 1]) + location(), "bad message pack"),  # wrong size
        (bytes([0xF2, 25, 0]) + bytes(22), "bad message pack"),  # no messages
        (bytes([0xF2, 25, 10]) + location() * 10, "bad message pack"),  # more than 9
        (bytes([0xF2, 25, 2]) + location(), "bad message pack"),  # too short
        (bytes([0xF2, 25, 1]) + location() + b"\x01", "bad message pack"),  # trailing data
        (bytes([0xF2, 25, 2]) + location() * 2, "bad message pack"),  # two locations
        (bytes([0xF2, 25, 1]) + bytes([0xF2]) + bytes(24), "bad message pack"),  # nested
        (location(tenths=36001), "bad time"),
    ],
)
def test_decode_errors(data, reason):
    with pytest.raises(DecodeError) as e:
        remoteid.decode(data)
    assert e.value.reason == reason


def test_pack_zero_padding_is_accepted():
    ids, loc = remoteid.decode(bytes([0xF2, 25, 1]) + location(lat=1, lon=1) + bytes(50))
    assert ids == [] and loc is not None


# --- the reader ------------------------------------------------------------------


def test_fixture_is_reproduced_by_the_generator():
    assert mf.remoteid_text(POINTS, random.Random(mf.SEED + 1)).encode() == RAW


def test_fixture_round_trip():
    result = remoteid.read(FIXTURE)
    consistent(result)
    assert result.format == "remoteid"
    assert by_record(result) == {6: "no position"}  # the Basic ID alone on line 6
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == [n for n in range(2, 303) if n != 6]
    hours = set()
    for row, p in zip(rows, POINTS, strict=True):
        tenths = round((p.us % 3_600_000_000) / 100_000) % 36000
        hour = p.us * 1000 // remoteid.HOUR_NS * remoteid.HOUR_NS
        hour += remoteid.HOUR_NS if tenths == 0 and p.us % 3_600_000_000 > 10**9 else 0
        assert row["time"] == hour + tenths * remoteid.TENTH_NS  # exact to the format's 0.1 s
        assert abs(row["time"] - p.us * 1000) <= 50_000_000
        hours.add(row["time"] // remoteid.HOUR_NS)
        assert row["lat"] == round(p.lat * 1e7) / 1e7 and row["lon"] == round(p.lon * 1e7) / 1e7
        assert row["alt_m"] == round((p.alt + 1000) / 0.5) * 0.5 - 1000
        assert row["alt_kind"] == "geo"
        step = 0.25 if p.speed <= 63.75 else 0.75
        assert abs(row["ground_speed_mps"] - p.speed) <= step / 2 + 1e-9
        assert row["track_deg"] == round(p.track) % 360
        assert abs(row["vrate_mps"] - p.vrate) <= 0.25
        # the Basic ID comes on line 6 and every tenth line; its transmitter names them all
        assert row["track_id"] == mf.SERIAL and row["source"] == "remoteid"
    assert len(hours) == 2  # the track crosses 12:00 UTC
    assert any(row["ground_speed_mps"] > 63.75 for row in rows)  # the speed multiplier


def test_without_transmitter_column():
    lines = [",".join(line.split(",")[:2]) for line in RAW.decode().splitlines()]
    result = read_text("\n".join(lines) + "\n")
    consistent(result)
    ids = [(r["source_record"], r["track_id"]) for r in rows_of(result.table)]
    # before the first Basic ID the aircraft is unknown; after it, it is the serial number
    assert ids[:5] == [(n, "remoteid:unknown") for n in (2, 3, 4, 5)] + [(7, mf.SERIAL)]
    assert all(t == mf.SERIAL for _, t in ids[4:])


def test_two_transmitters_and_bad_lines():
    loc = location(lat=475_000_000, lon=85_000_000, geo=3000, tenths=100).hex()
    basic = mf.rid_basic_id("SERIAL-A").hex()
    baro_only = location(lat=475_000_000, lon=85_000_000, baro=3000, tenths=100).hex()
    text = "\n".join(
        [
            "receiver_time,message,mac",  # 1: header
            f"2019-05-23T12:00:11Z,{loc},AA:AA:AA:AA:AA:AA",  # 2: A before its Basic ID
            f"1558612811.5,{loc},bb:bb:bb:bb:bb:bb",  # 3: B never sends one
            f"2019-05-23T12:00:12+02:00,{basic},aa:aa:aa:aa:aa:aa",  # 4: A's Basic ID
            "",  # 5: blank: not a record
            f"2019-05-23T12:00:13Z,{baro_only},aa:aa:aa:aa:aa:aa",  # 6: pressure altitude
            "2019-05-23T12:00:14Z,zz,aa",  # 7
            f"2019-05-23T12:00:14Z,{loc[:-2]},aa",  # 8
            f"yesterday,{loc},aa",  # 9
            f"2019-05-23T12:00:14Z,{loc},aa,extra",  # 10
            f"2019-05-23T12:00:14Z,{location(lat=950_000_000, lon=1).hex()},aa",  # 11
            f"2019-05-23T12:00:14Z,{location().hex()},aa",  # 12: 0/0 unknown
            f"2019-05-23T12:00:14Z,{'3' + '0' * 49},aa",  # 13: Self-ID: no position
        ]
    )
    result = read_text(text + "\n")
    consistent(result)
    assert by_record(result) == {
        4: "no position",
        7: "bad hex",
        8: "wrong message length",
        9: "bad time",
        10: "wrong number of fields",
        11: "lat/lon out of range",
        12: "no position",
        13: "no position",
    }
    rows = rows_of(result.table)
    assert [(r["source_record"], r["track_id"]) for r in rows] == [
        (2, "SERIAL-A"),
        (3, "remoteid:bb:bb:bb:bb:bb:bb"),
        (6, "SERIAL-A"),
    ]
    assert rows[0]["time"] == utc_ns("2019-05-23T12:00:10Z")
    assert rows[1]["time"] == utc_ns("2019-05-23T12:00:10Z")
    assert (rows[2]["alt_m"], rows[2]["alt_kind"]) == (500.0, "baro")
    assert (rows[0]["alt_m"], rows[0]["alt_kind"]) == (500.0, "geo")


def test_gzip_and_long_lines():
    plain = remoteid.read(FIXTURE)
    gz = remoteid.read("r.txt.gz", stream=io.BytesIO(gzip.compress(RAW)))
    assert gz.table.drop_columns(["source_file"]).equals(plain.table.drop_columns(["source_file"]))
    text = RAW.decode().splitlines()
    text.insert(3, "2019-05-23T12:00:00Z," + "ab" * 5000)
    text.insert(4, "2019-05-23T12:00:00Z,\udcff")
    data = "\n".join(text).encode("utf-8", "surrogateescape")
    result = remoteid.read("r.txt", stream=io.BytesIO(data))
    consistent(result)
    assert by_record(result)[4] == "line too long" and by_record(result)[5] == "bad text"
    assert result.table.num_rows == plain.table.num_rows


def test_unreadable():
    with pytest.raises(InputError, match="empty file"):
        read_text("")
    with pytest.raises(InputError, match="no Remote ID lines"):
        read_text("time,message\n2019-05-23T12:00:00Z,zz\n")


def test_sniff():
    assert remoteid.sniff(RAW[:65536], ".txt")
    assert remoteid.sniff(b"1558612811.5," + DJI_PACK.hex().encode() + b"\n", "")
    assert not remoteid.sniff(b"time,message,transmitter\n", ".txt")  # no data
    assert not remoteid.sniff(b"1458000000.1,8d406b902015a678d4d220aa4bda\n", ".csv")  # ADS-B
    assert not remoteid.sniff(b"track_id,time,lat,lon\nD1,2025-06-13T04:05:06Z,40.1,47.2\n", "")
    assert not remoteid.sniff(b"\xa3\x95\x80\x80Y", ".bin")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    cut=st.integers(0, 3_000),
    flips=st.lists(st.tuples(st.integers(0, 2_999), st.integers(0, 255)), max_size=8),
)
def test_fuzz_mutated_fixture(cut, flips):
    data = bytearray(RAW[:3_000])
    for pos, value in flips:
        data[pos] = value
    try:
        result = remoteid.read("f.txt", stream=io.BytesIO(bytes(data[:cut])))
    except InputError:
        return
    consistent(result)


def test_pos_sigma_from_the_accuracy_codes():
    rows = rows_of(remoteid.read(FIXTURE).table)
    codes = [mf.RID_HACC[i % 7] for i in range(len(POINTS))]
    meters = {10: 10.0, 11: 3.0, 9: 30.0, 12: 1.0, 8: 0.05 * 1852}  # the codes' 95 % bounds
    expected = [meters[c] / R95 if c else None for c in codes]
    assert [r["pos_sigma_m"] for r in rows] == expected
    assert rows[0]["pos_sigma_m"] == 4.08538982653635  # code 10: < 10 m
    assert rows[4]["pos_sigma_m"] is None  # code 0: unknown


def test_stream_decoder_in_pieces_equals_the_batch_read():
    from ..helpers import same_as_batch, stream_read

    live = stream_read(remoteid.StreamDecoder("live"), FIXTURE.read_bytes(), 0)
    same_as_batch(live, remoteid.read(FIXTURE))
