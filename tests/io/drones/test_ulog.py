"""PX4 ULog: the fixture made from a real track (checked against pyulog), variants, damage."""

from __future__ import annotations

import gzip
import io
import math
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyulog import ULog

from airwitness.errors import InputError
from airwitness.io.drones import ulog
from airwitness.io.options import ReadOptions
from airwitness.schema import POSITION_SCHEMA, ReadResult
from tests.data.drones import make_fixtures as mf

from ..helpers import DATA, by_record, rows_of

FIXTURE = DATA / "drones" / "rega.ulg"
RAW = FIXTURE.read_bytes()
POINTS = mf.load_track()
HALF = 0.5e-7 + 1e-12  # half the resolution of 1e-7° integers, plus float rounding
UUID = f"px4:{mf.SYS_UUID}"


def consistent(result: ReadResult) -> None:
    """Every record is a row or a reject, once; records are message indexes."""
    assert result.table.schema == POSITION_SCHEMA
    seen = result.table["source_record"].to_pylist() + [r.record for r in result.rejects]
    assert len(seen) == len(set(seen)) == result.records
    assert all(r >= 1 for r in seen)


def messages(data: bytes) -> list[tuple[int, int, str]]:
    """(offset, type, topic of a data message or '') of an undamaged ULog, in file order."""
    out, p, names = [], 16, {}
    while p < len(data):
        size, kind = struct.unpack_from("<HB", data, p)
        payload = data[p + 3 : p + 3 + size]
        if kind == ord("A"):
            names[struct.unpack_from("<H", payload, 1)[0]] = payload[3:].decode()
        topic = names[struct.unpack_from("<H", payload)[0]] if kind == ord("D") else ""
        out.append((p, kind, topic))
        p += 3 + size
    return out


def records_of(data: bytes, topic: str) -> list[int]:
    return [i + 1 for i, (_, _, t) in enumerate(messages(data)) if t == topic]


def read_bytes(data: bytes, name: str = "x.ulg", **kw) -> ReadResult:
    return ulog.read(name, stream=io.BytesIO(data), **kw)


def test_fixture_is_reproduced_by_the_generator():
    assert mf.ulog_bytes(POINTS) == RAW


def test_fixture_round_trip_against_pyulog():
    result = ulog.read(FIXTURE)
    consistent(result)
    assert result.format == "ulog" and result.rejects == []
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == records_of(RAW, "vehicle_global_position")
    gpos = ULog(str(FIXTURE)).get_dataset("vehicle_global_position").data
    boot_us = POINTS[0].us - mf.BOOT_BEFORE_US
    assert [r["lat"] for r in rows] == gpos["lat"].tolist()
    assert [r["lon"] for r in rows] == gpos["lon"].tolist()
    assert [r["time"] for r in rows] == ((gpos["timestamp"] + boot_us) * 1000).tolist()
    for row, p in zip(rows, POINTS, strict=True):
        assert (row["lat"], row["lon"]) == (p.lat, p.lon)  # doubles: exact
        assert row["time"] == p.us * 1000  # boot time + the GPS UTC offset: exact
        assert row["alt_m"] == float(np.float32(p.alt)) and row["alt_kind"] == "geo"
        assert row["ground_speed_mps"] == pytest.approx(p.speed, rel=1e-6)
        assert row["track_deg"] == pytest.approx(p.track, abs=1e-4)
        assert row["vrate_mps"] == pytest.approx(p.vrate, rel=1e-6)
        assert row["track_id"] == UUID and row["source"] == "ulog"


def test_gps_topic_when_no_global_position():
    data = mf.ulog_bytes(POINTS, ("gps", "status", "anon"))
    result = read_bytes(data, "flight_42.ulg")
    consistent(result)
    gps = records_of(data, "vehicle_gps_position")
    assert by_record(result) == {r: "no position" for r in gps[:3]}  # fix_type 0
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == gps[3:]
    for row, p in zip(rows, POINTS, strict=True):
        assert row["time"] == p.us * 1000
        assert abs(row["lat"] - p.lat) <= HALF and abs(row["lon"] - p.lon) <= HALF
        assert row["lat"] == round(p.lat * 1e7) / 1e7  # int32 1e-7°
        assert row["alt_m"] == round(p.alt * 1000) / 1000  # int32 mm
        assert row["track_id"] == "flight_42"  # no sys_uuid: the file stem


def test_sensor_gps_new_layout_instance_0_only():
    data = mf.ulog_bytes(POINTS, ("sensor_gps", "sensor_gps_1"))
    result = read_bytes(data)
    consistent(result)
    assert result.rejects == []
    rows = rows_of(result.table)
    assert len(rows) == len(POINTS)  # instance 1 (another receiver) is not read
    for row, p in zip(rows, POINTS, strict=True):
        assert (row["lat"], row["lon"], row["alt_m"]) == (p.lat, p.lon, p.alt)  # doubles
        assert row["time"] == p.us * 1000


def test_no_utc_needs_a_start_time():
    data = mf.ulog_bytes(POINTS, ("gpos",))
    with pytest.raises(InputError, match="no UTC time in the log"):
        read_bytes(data)
    start = 1_700_000_000_000_000_000
    result = read_bytes(data, options=ReadOptions(start_time_ns=start))
    boot_us = POINTS[0].us - mf.BOOT_BEFORE_US
    times = result.table["time"].cast("int64").to_pylist()
    # the header's timestamp (1 s after boot) is the start time
    assert times == [start + (p.us - boot_us - 1_000_000) * 1000 for p in POINTS]


def test_gzip_and_stream():
    plain = ulog.read(FIXTURE)
    gz = read_bytes(gzip.compress(RAW), "rega.ulg.gz")
    assert gz.table.drop_columns(["source_file"]).equals(plain.table.drop_columns(["source_file"]))


MSGS = messages(RAW)
ENDS = [m[0] for m in MSGS[1:]] + [len(RAW)]
GPOS_RECORDS = records_of(RAW, "vehicle_global_position")


def test_damaged_message_id_size_and_garbage():
    record = GPOS_RECORDS[20]
    offset = MSGS[record - 1][0]
    data = bytearray(RAW)
    data[offset + 3] ^= 0x40  # the message id: no such subscription
    result = read_bytes(bytes(data))
    consistent(result)
    assert by_record(result) == {record: "unknown message id"}
    assert result.rejects[0].offset == offset
    assert result.table.num_rows == len(POINTS) - 1

    data = bytearray(RAW)
    data[offset] ^= 0x01  # the size: the walk is lost until the next message that checks out
    result = read_bytes(bytes(data))
    consistent(result)
    assert by_record(result) == {record: "bad message size"}
    assert result.table.num_rows == len(POINTS) - 1

    data = RAW[:offset] + b"\x13\x37garbage D\x00" * 7 + RAW[offset:]
    result = read_bytes(data)
    consistent(result)
    assert result.reject_counts() == {"corrupt message": 1}
    assert result.table.num_rows == len(POINTS)


def test_damaged_definition():
    # the format of vehicle_global_position loses its ':' -> unusable; its data is damage
    at = RAW.index(b"vehicle_global_position:") + len("vehicle_global_position")
    data = bytearray(RAW)
    data[at] = ord(";")
    result = read_bytes(bytes(data))
    consistent(result)
    counts = result.reject_counts()
    assert counts["corrupt message"] >= 1 and counts["unknown message id"] >= 1
    assert result.table.num_rows == len(POINTS)  # from vehicle_gps_position instead
    assert result.rejects[0].offset == at - len("vehicle_global_position") - 3


@pytest.mark.parametrize("cut", [-1, -7, len(RAW) // 2, 5000])
def test_truncated(cut):
    data = RAW[:cut]
    result = read_bytes(data)
    consistent(result)
    whole = [i for i in GPOS_RECORDS if ENDS[i - 1] <= len(data)]
    assert result.table.num_rows == len(whole)
    cut_message = next(i for i, end in enumerate(ENDS) if end >= len(data))
    if ENDS[cut_message] > len(data):
        assert result.rejects[-1].reason == "truncated message"
        assert result.rejects[-1].offset == MSGS[cut_message][0]
    else:
        assert result.rejects == []


def test_unreadable():
    with pytest.raises(InputError, match="not a ULog file"):
        read_bytes(b"hello")
    with pytest.raises(InputError, match="no readable ULog messages"):
        read_bytes(RAW[:16])
    with pytest.raises(InputError, match="no readable ULog messages"):
        read_bytes(RAW[:16] + b"\xff" * 500)


def test_recursive_and_huge_formats_are_refused():
    header = RAW[:16]

    def msg(kind: bytes, payload: bytes) -> bytes:
        return struct.pack("<HB", len(payload), kind[0]) + payload

    data = (
        header
        + msg(b"F", b"a:a x;")  # refers to itself
        + msg(b"F", b"b:double[9000] y;")  # 72,000 bytes: larger than any message
        + msg(b"A", b"\x00\x01\x00a")
        + msg(b"A", b"\x00\x02\x00b")
    )
    result = read_bytes(data)
    consistent(result)
    assert result.reject_counts() == {"corrupt message": 1}  # the two A merge into one stretch
    assert result.table.num_rows == 0


def test_sniff():
    assert ulog.sniff(RAW[:65536], ".ulg")
    assert not ulog.sniff(b"ULog\x01\x12", ".ulg")
    assert not ulog.sniff(b"\xa3\x95\x80\x80Y", ".bin")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    cut=st.integers(0, 5_000),
    flips=st.lists(st.tuples(st.integers(0, 4_999), st.integers(0, 255)), max_size=8),
)
def test_fuzz_mutated_fixture(cut, flips):
    data = bytearray(RAW[:5_000])
    for pos, value in flips:
        data[pos] = value
    try:
        result = read_bytes(bytes(data[:cut]))
    except InputError:
        return
    consistent(result)
    assert all(math.isfinite(v) for v in result.table["lat"].to_pylist())


def test_appended_data_after_a_cut_message():
    # PX4 may cut the log and append data at an offset announced in the flag bits
    record = GPOS_RECORDS[100]
    start = MSGS[record - 1][0]
    cut = start + 20
    data = bytearray(RAW[:cut] + RAW[ENDS[record - 1] :])
    assert struct.unpack_from("<HB", data, 16) == (40, ord("B"))
    data[16 + 3 + 8] |= 1  # incompat flag: data appended
    struct.pack_into("<Q", data, 16 + 3 + 16, cut)
    result = read_bytes(bytes(data))
    consistent(result)
    assert [(r.record, r.reason, r.offset) for r in result.rejects] == [
        (record, "truncated message", start)
    ]
    assert result.table.num_rows == len(POINTS) - 1


# --- position error (pos_sigma_m) ------------------------------------------------


def drms_sigma(eph: float) -> float | None:
    """σ of an ``eph`` as the log holds it (float32): the 2-D rms / √2; None if unstated."""
    v = float(np.float32(eph))
    return v / math.sqrt(2.0) if math.isfinite(v) and v > 0 else None


def test_pos_sigma_from_global_position_eph():
    sigmas = ulog.read(FIXTURE).table["pos_sigma_m"].to_pylist()
    assert sigmas == [drms_sigma(mf.ulog_gpos_eph(i)) for i in range(len(POINTS))]
    assert sigmas[0] == 0.75 / math.sqrt(2.0) == 0.5303300858899106  # eph 0.75 m
    assert sigmas[7] is None  # eph ∞: the estimator had no global origin
    assert sigmas[5] == 1.375 / math.sqrt(2.0)  # not the GPS topic's eph (0 there)


def test_pos_sigma_from_gps_eph():
    data = mf.ulog_bytes(POINTS, ("gps", "status", "anon"))
    sigmas = read_bytes(data).table["pos_sigma_m"].to_pylist()
    assert sigmas == [drms_sigma(mf.ulog_gps_eph(i)) for i in range(len(POINTS))]
    assert sigmas[3] == 1.25 / math.sqrt(2.0) == 0.8838834764831843
    assert sigmas[5] is None  # eph 0: the receiver gave no estimate


def test_pos_sigma_from_sensor_gps_instance_0():
    data = mf.ulog_bytes(POINTS, ("sensor_gps", "sensor_gps_1"))
    sigmas = read_bytes(data).table["pos_sigma_m"].to_pylist()
    # instance 1 states eph + 1 m: not read
    assert sigmas == [drms_sigma(mf.ulog_gps_eph(i)) for i in range(len(POINTS))]


def test_pos_sigma_null_without_eph(monkeypatch):
    fields = [f for f in mf.GPOS_FIELDS if f[1] != "eph"]
    monkeypatch.setattr(mf, "GPOS_FIELDS", fields)
    monkeypatch.setattr(mf, "_gpos_records", _gpos_without_eph)
    result = read_bytes(mf.ulog_bytes(POINTS))
    assert result.table.num_rows == len(POINTS)
    assert result.table["pos_sigma_m"].null_count == len(POINTS)


def _gpos_without_eph(points: list[mf.Point], boot_us: int) -> list[tuple]:
    return [(*r[:8], r[9]) for r in _ORIGINAL_GPOS(points, boot_us)]


_ORIGINAL_GPOS = mf._gpos_records
