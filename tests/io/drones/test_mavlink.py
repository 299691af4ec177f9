"""MAVLink tlog: the fixture made from a real track, hand-built logs, damage, fuzzing."""

from __future__ import annotations

import gzip
import io
import math
import random
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymavlink.dialects.v10 import ardupilotmega as mavlink1
from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from airwitness.errors import InputError
from airwitness.io.drones import mavlink
from airwitness.io.options import ReadOptions
from airwitness.schema import POSITION_SCHEMA, ReadResult
from tests.data.drones import make_fixtures as mf

from ..helpers import DATA, by_record, rows_of

TLOG = DATA / "drones" / "rega.tlog"
RAW = TLOG.read_bytes()
POINTS = mf.load_track()
HALF = 0.5e-7 + 1e-12  # half the format's resolution (1e-7°), plus float rounding


def consistent(result: ReadResult) -> None:
    """Every record is a row or a reject, once; records are message indexes."""
    assert result.table.schema == POSITION_SCHEMA
    seen = result.table["source_record"].to_pylist() + [r.record for r in result.rejects]
    assert len(seen) == len(set(seen)) == result.records
    assert all(r >= 1 for r in seen)


def entries(data: bytes) -> list[tuple[int, bytes]]:
    """(offset, entry) of an undamaged tlog."""
    out, p = [], 0
    while p < len(data):
        n = 8 + (6 if data[p + 8] == 0xFE else 10) + data[p + 9] + 2
        out.append((p, data[p : p + n]))
        p += n
    return out


ENTRIES = entries(RAW)
MSG_IDS = [int.from_bytes(e[8 + 7 : 8 + 10], "little") for _, e in ENTRIES]
GPOS = [i + 1 for i, m in enumerate(MSG_IDS) if m == 33]  # records (1-based)


def test_fixture_is_reproduced_by_the_generator():
    assert mf.tlog_bytes(POINTS, random.Random(mf.SEED)) == RAW


def test_fixture_round_trip():
    result = mavlink.read(TLOG)
    consistent(result)
    assert result.format == "mavlink"
    assert len(GPOS) == 3 + len(POINTS)
    # the three before the first fix carry 0/0: benign; GPS_RAW_INT is not read at all
    assert by_record(result) == {r: "no position" for r in GPOS[:3]}
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == GPOS[3:]
    for row, p in zip(rows, POINTS, strict=True):
        assert row["time"] == p.us * 1000  # the tlog timestamp, exact
        assert row["lat"] == round(p.lat * 1e7) / 1e7 and row["lon"] == round(p.lon * 1e7) / 1e7
        assert abs(row["lat"] - p.lat) <= HALF and abs(row["lon"] - p.lon) <= HALF
        assert row["alt_m"] == round(p.alt * 1000) / 1000 and row["alt_kind"] == "geo"
        assert row["ground_speed_mps"] == pytest.approx(p.speed, abs=0.01)
        assert abs((row["track_deg"] - p.track + 180) % 360 - 180) < 0.1
        assert row["vrate_mps"] == pytest.approx(p.vrate, abs=0.005)
        assert row["track_id"] == "mavlink:1" and row["source"] == "mavlink"


def test_gzip_and_stream():
    plain = mavlink.read(TLOG)
    with io.BytesIO(gzip.compress(RAW)) as f:
        gz = mavlink.read("upload.tlog.gz", stream=f)
    assert gz.table.drop_columns(["source_file"]).equals(plain.table.drop_columns(["source_file"]))


def test_gps_raw_int_when_no_global_position():
    data = b"".join(e for (_, e), m in zip(ENTRIES, MSG_IDS, strict=True) if m != 33)
    result = mavlink.read("gps.tlog", stream=io.BytesIO(data))
    consistent(result)
    assert result.reject_counts() == {"no position": 3}  # fix_type 0
    rows = rows_of(result.table)
    assert len(rows) == len(POINTS)
    for row, p in zip(rows, POINTS, strict=True):
        assert row["time"] == p.us * 1000 and row["lat"] == round(p.lat * 1e7) / 1e7
        assert row["ground_speed_mps"] == round(p.speed * 100) / 100
        assert row["track_deg"] == (round(p.track * 100) % 36000) / 100
        assert row["vrate_mps"] is None and row["alt_m"] == round(p.alt * 1000) / 1000


def _entry(us: int, msg, link) -> bytes:
    return struct.pack(">Q", us) + msg.pack(link)


def test_two_systems_v1_and_v2_and_unknown_ids():
    a = mavlink2.MAVLink(None, srcSystem=1, srcComponent=1)
    b = mavlink1.MAVLink(None, srcSystem=42, srcComponent=1)  # MAVLink 1 frames
    us = 1_700_000_000_000_000
    data = b"".join(
        [
            _entry(
                us,
                a.global_position_int_encode(1, 475_000_000, 85_000_000, 500_000, 0, 0, 0, 0, 0),
                a,
            ),
            _entry(
                us + 1,
                b.gps_raw_int_encode(0, 3, 475_100_000, 85_100_000, 600_000, 0, 0, 65535, 65535, 9),
                b,
            ),
            _entry(us + 2, b.global_position_int_encode(2, 0, 0, 0, 0, 0, 0, 0, 0), b),
            _entry(us + 3, a.gps_raw_int_encode(0, 3, 1, 1, 1, 0, 0, 0, 0, 9), a),
        ]
    )
    unknown = bytearray(_entry(us + 4, a.heartbeat_encode(1, 1, 0, 0, 0), a))
    unknown[8 + 7] = 0xEE  # message id 0xEE0000... unknown to the dialect
    result = mavlink.read("two.tlog", stream=io.BytesIO(data + bytes(unknown)))
    consistent(result)
    rows = rows_of(result.table)
    assert [(r["track_id"], r["source_record"], r["lat"]) for r in rows] == [
        ("mavlink:1", 1, 47.5),
        ("mavlink:42", 2, 47.51),  # system 42's global position is all 0/0: GPS is used
    ]
    assert rows[1]["ground_speed_mps"] is None and rows[1]["track_deg"] is None
    assert rows[0]["track_deg"] is None  # standing still: no track
    # system 1's GPS_RAW_INT (record 4) and system 42's 0/0 (record 3) are not records
    assert by_record(result) == {5: "unknown message id"}


def test_damage_is_counted_and_the_rest_read():
    gpos = GPOS[10] - 1  # 0-based entry index of a position message
    offset, _ = ENTRIES[gpos]
    cases = {
        "bad CRC": offset + 8 + 14,  # a payload byte
        "bad frame": offset + 8,  # the frame marker
    }
    for reason, at in cases.items():
        data = bytearray(RAW)
        data[at] ^= 0x55
        result = mavlink.read("d.tlog", stream=io.BytesIO(bytes(data)))
        consistent(result)
        assert by_record(result)[gpos + 1] == reason
        assert result.table.num_rows == len(POINTS) - 1
    # garbage between two entries: one damaged stretch, nothing lost
    data = RAW[:offset] + b"\x00garbage\xfd\xfe" * 5 + RAW[offset:]
    result = mavlink.read("g.tlog", stream=io.BytesIO(data))
    consistent(result)
    assert result.table.num_rows == len(POINTS)
    assert result.reject_counts()["bad frame"] == 1
    assert [r.offset for r in result.rejects if r.reason == "bad frame"] == [offset]


@pytest.mark.parametrize("cut", [-1, -5, -30, -41, len(RAW) // 2 + 3])
def test_truncated(cut):
    data = RAW[:cut]
    result = mavlink.read("t.tlog", stream=io.BytesIO(data))
    consistent(result)
    last_offset = max(o for o, _ in ENTRIES if o < len(data))
    whole = sum(1 for i in GPOS[3:] if ENTRIES[i - 1][0] < last_offset)
    assert result.table.num_rows == whole
    if last_offset + len(dict(ENTRIES)[last_offset]) > len(data):
        assert result.rejects[-1].reason == "truncated message"
        assert result.rejects[-1].offset == last_offset


def test_unreadable():
    with pytest.raises(InputError, match="empty file"):
        mavlink.read("e.tlog", stream=io.BytesIO(b""))
    with pytest.raises(InputError, match="no readable MAVLink frames"):
        mavlink.read("x.tlog", stream=io.BytesIO(b"hello, world\n" * 100))


def test_options_are_ignored():
    assert mavlink.read(TLOG, options=ReadOptions(start_time_ns=0)).table.num_rows == len(POINTS)


def test_sniff():
    assert mavlink.sniff(RAW[:65536], ".tlog")
    assert mavlink.sniff(ENTRIES[0][1], "")  # a one-frame log
    assert not mavlink.sniff(RAW[1:65536], ".tlog")
    assert not mavlink.sniff(b"ULog\x01\x12\x35" + bytes(100), ".tlog")
    assert not mavlink.sniff(bytes(64), ".tlog")
    assert not mavlink.sniff(b"time,icao24,lat,lon\n", ".csv")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    cut=st.integers(0, 6_000),
    flips=st.lists(st.tuples(st.integers(0, 5_999), st.integers(0, 255)), max_size=8),
)
def test_fuzz_mutated_fixture(cut, flips):
    data = bytearray(RAW[:6_000])
    for pos, value in flips:
        data[pos] = value
    try:
        result = mavlink.read("f.tlog", stream=io.BytesIO(bytes(data[:cut])))
    except InputError:
        return
    consistent(result)
    assert all(math.isfinite(v) for v in result.table["lat"].to_pylist())


# --- position error (pos_sigma_m) ------------------------------------------------


def gps_raw_sigma(i: int) -> float | None:
    """σ of point i's GPS_RAW_INT: h_acc (mm, 2-D rms) / √2, else HDOP × 5 m / √2."""
    h_acc, eph = mf.mavlink_accuracy(i)
    if h_acc:
        return h_acc / 1000 / math.sqrt(2.0)
    return None if eph == 65535 else eph / 100 * 5.0 / math.sqrt(2.0)


def test_pos_sigma_of_global_position_joins_the_gps():
    sigmas = mavlink.read(TLOG).table["pos_sigma_m"].to_pylist()
    # each GLOBAL_POSITION_INT follows its point's GPS_RAW_INT (same tlog time)
    assert sigmas == [gps_raw_sigma(i) for i in range(len(POINTS))]
    assert sigmas[0] == 0.6 / math.sqrt(2.0) == 0.42426406871192845  # h_acc 600 mm
    assert sigmas[13] == 3.5355339059327373  # h_acc 0: HDOP 1.00 × 5 m / √2
    assert sigmas[3] is None  # neither h_acc nor HDOP known


def test_pos_sigma_of_gps_raw_int():
    data = b"".join(e for (_, e), m in zip(ENTRIES, MSG_IDS, strict=True) if m != 33)
    sigmas = mavlink.read("gps.tlog", stream=io.BytesIO(data)).table["pos_sigma_m"].to_pylist()
    assert sigmas == [gps_raw_sigma(i) for i in range(len(POINTS))]


def test_pos_sigma_age_fix_and_mavlink1():
    a = mavlink2.MAVLink(None, srcSystem=1, srcComponent=1)
    b = mavlink1.MAVLink(None, srcSystem=42, srcComponent=1)  # MAVLink 1: no h_acc
    us = 1_700_000_000_000_000
    lat, lon = 475_000_000, 85_000_000

    def gpos(t: int) -> bytes:
        return _entry(t, a.global_position_int_encode(1, lat, lon, 0, 0, 0, 0, 0, 0), a)

    def gps(t: int, fix: int, eph: int, h_acc: int, link=a, frame=mavlink2) -> bytes:
        raw = frame.MAVLink_gps_raw_int_message
        fields = [0, fix, lat, lon, 0, eph, 65535, 65535, 65535, 9]
        msg = raw(*fields, 0, h_acc) if frame is mavlink2 else raw(*fields)
        return _entry(t, msg, link)

    data = b"".join(
        [
            gpos(us),  # 1: no GPS yet
            gps(us + 1, 3, 120, 1_000),  # 2
            gpos(us + 1_900_001),  # 3: 1.9 s later: h_acc 1 m
            gpos(us + 2_000_001),  # 4: 2.0 s: still
            gpos(us + 2_000_002),  # 5: older than 2 s
            gps(us + 3_000_000, 3, 150, 0),  # 6: no h_acc: HDOP 1.5
            gpos(us + 3_000_000),  # 7
            gps(us + 4_000_000, 1, 150, 800),  # 8: no fix
            gpos(us + 4_000_001),  # 9: the GPS has no fix: dead reckoning
            gps(us + 5_000_000, 3, 9999, 0),  # 10: ArduPilot's old unknown HDOP
            gpos(us + 5_000_001),  # 11
            gps(us, 3, 150, 0, b, mavlink1),  # 12: system 42, MAVLink 1
            gps(us + 1, 3, 65535, 0, b, mavlink1),  # 13
        ]
    )
    result = mavlink.read("acc.tlog", stream=io.BytesIO(data))
    consistent(result)
    got = {r["source_record"]: r["pos_sigma_m"] for r in rows_of(result.table)}
    assert got == {
        1: None,
        3: 1 / math.sqrt(2.0),
        4: 1 / math.sqrt(2.0),
        5: None,
        7: 1.5 * 5.0 / math.sqrt(2.0),
        9: None,
        11: None,
        12: 1.5 * 5.0 / math.sqrt(2.0),
        13: None,
    }
    assert got[7] == 5.303300858899106
