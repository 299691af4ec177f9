"""ArduPilot DataFlash: the fixture made from a real track (checked against pymavlink), damage."""

from __future__ import annotations

import gzip
import io
import math
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymavlink import DFReader

from airwitness.errors import InputError
from airwitness.io.drones import dataflash
from airwitness.io.options import ReadOptions
from airwitness.schema import POSITION_SCHEMA, ReadResult
from tests.data.drones import make_fixtures as mf

from ..helpers import DATA, by_record, rows_of, utc_ns

FIXTURE = DATA / "drones" / "rega.bin"
RAW = FIXTURE.read_bytes()
POINTS = mf.load_track()
LENGTHS = {
    t: 3 + struct.calcsize(DFReader.DFFormat(t, n, 0, f, c).msg_struct)
    for t, n, f, c in mf.DF_FORMATS
}
GPS, POS = 131, 132
LAT_AT = 3 + struct.calcsize("<QBBIHBh")  # Lat's offset in a GPS message (c is int16)


def consistent(result: ReadResult) -> None:
    """Every record is a row or a reject, once; records are message indexes."""
    assert result.table.schema == POSITION_SCHEMA
    seen = result.table["source_record"].to_pylist() + [r.record for r in result.rejects]
    assert len(seen) == len(set(seen)) == result.records
    assert all(r >= 1 for r in seen)


def messages(data: bytes) -> list[tuple[int, bytes]]:
    """(offset, message) of an undamaged log of the fixture's formats."""
    out, p = [], 0
    while p < len(data):
        n = LENGTHS[data[p + 2]]
        out.append((p, data[p : p + n]))
        p += n
    return out


MSGS = messages(RAW)
GPS0 = [i + 1 for i, (_, m) in enumerate(MSGS) if m[2] == GPS and m[11] == 0]


def read_bytes(data: bytes, name: str = "x.bin", **kw) -> ReadResult:
    return dataflash.read(name, stream=io.BytesIO(data), **kw)


def test_fixture_is_reproduced_by_the_generator():
    assert mf.dataflash_bytes(POINTS) == RAW


def test_fixture_round_trip_against_pymavlink():
    result = dataflash.read(FIXTURE)
    consistent(result)
    assert result.format == "dataflash"
    assert by_record(result) == {r: "no position" for r in GPS0[:3]}  # Status 1: no fix
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == GPS0[3:]
    log = DFReader.DFReader_binary(str(FIXTURE))
    theirs = []
    while (m := log.recv_match(type="GPS")) is not None:
        if m.I == 0 and m.Status >= 2:
            theirs.append(m)
    assert len(theirs) == len(rows) == len(POINTS)
    for row, m, p in zip(rows, theirs, POINTS, strict=True):
        assert (row["lat"], row["lon"], row["alt_m"]) == (m.Lat, m.Lng, m.Alt)
        assert row["lat"] == round(p.lat * 1e7) / 1e7 and row["lon"] == round(p.lon * 1e7) / 1e7
        assert row["alt_m"] == round(p.alt * 100) / 100 and row["alt_kind"] == "geo"
        assert row["time"] == p.us * 1000  # GPS week + ms - 18 leap seconds: exact
        assert abs(row["time"] / 1e9 - m._timestamp) < 1e-3  # pymavlink's clock agrees
        assert row["ground_speed_mps"] == pytest.approx(p.speed, rel=1e-6)
        assert row["track_deg"] == pytest.approx(p.track, rel=1e-6)
        assert row["vrate_mps"] == pytest.approx(p.vrate, rel=1e-6)
        assert row["track_id"] == "rega" and row["source"] == "dataflash"


def test_gps_to_utc_leap_seconds():
    def gps(utc: str, leap: int) -> tuple[int, int]:
        s = utc_ns(utc) // 10**9 + leap - mf.GPS_EPOCH_S
        return s // 604_800, s % 604_800 * 1000

    for utc, leap in [
        ("2019-05-23T12:00:00Z", 18),
        ("2017-01-01T00:00:00Z", 18),
        ("2016-12-31T23:59:59Z", 17),
        ("2015-06-30T23:59:59Z", 16),
        ("2010-01-01T00:00:00Z", 15),
    ]:
        assert dataflash.gps_to_utc_ns(*gps(utc, leap)) == utc_ns(utc)


def _with_gps(change) -> bytes:
    out = bytearray()
    for _, m in MSGS:
        out += change(m) if m[2] == GPS else m
    return bytes(out)


def test_pos_when_gps_has_no_position():
    # GPS still has time (and so the boot-time offset) but latitude 95°: POS is used
    data = _with_gps(lambda m: m[:LAT_AT] + struct.pack("<i", 950_000_000) + m[LAT_AT + 4 :])
    result = read_bytes(data)
    consistent(result)
    assert result.rejects == []  # GPS, the unused kind, is not a record
    rows = rows_of(result.table)
    pos = [i + 1 for i, (_, m) in enumerate(MSGS) if m[2] == POS]
    assert [r["source_record"] for r in rows] == pos
    for row, p in zip(rows, POINTS, strict=True):
        assert row["time"] == p.us * 1000 + 2_500_000  # TimeUS 2.5 ms after the GPS sample
        assert row["lat"] == round(p.lat * 1e7) / 1e7 and row["ground_speed_mps"] is None


def test_pos_without_gps_needs_a_start_time():
    data = b"".join(m for _, m in MSGS if m[2] != GPS)
    with pytest.raises(InputError, match="no UTC time in the log"):
        read_bytes(data)
    start = 1_700_000_000_000_000_000
    result = read_bytes(data, options=ReadOptions(start_time_ns=start))
    times = result.table["time"].cast("int64").to_pylist()
    assert times == [start + (p.us - POINTS[0].us) * 1000 for p in POINTS]


def test_gzip_stream_and_padding():
    plain = dataflash.read(FIXTURE)
    gz = read_bytes(gzip.compress(RAW + b"\xff" * 249), "rega.bin.gz")
    assert gz.table.drop_columns(["source_file"]).equals(plain.table.drop_columns(["source_file"]))
    assert [(r.record, r.reason, r.offset) for r in gz.rejects] == [
        (r.record, r.reason, r.offset) for r in plain.rejects
    ]


def test_damage():
    record = GPS0[40]
    offset = MSGS[record - 1][0]
    for at, reason in [(0, "bad frame"), (2, "unknown message type")]:
        data = bytearray(RAW)
        data[offset + at] = 0x77
        result = read_bytes(bytes(data))
        consistent(result)
        assert by_record(result)[record] == reason
        assert next(r.offset for r in result.rejects if r.record == record) == offset
        assert result.table.num_rows == len(POINTS) - 1
    # garbage between messages: one damaged stretch
    data = RAW[:offset] + b"\xa3\x95\x01junk\xa3" * 9 + RAW[offset:]
    result = read_bytes(data)
    consistent(result)
    assert result.reject_counts() == {"unknown message type": 1, "no position": 3}
    assert result.table.num_rows == len(POINTS)
    # a FMT whose format does not fit its length: POS messages cannot be read (damage)
    at = RAW.index(b"QLLfff")
    data = bytearray(RAW)
    data[at] = ord("B")
    result = read_bytes(bytes(data))
    consistent(result)
    assert result.table.num_rows == len(POINTS)
    counts = result.reject_counts()
    assert counts["corrupt message"] == 1 and counts["unknown message type"] == len(POINTS)


@pytest.mark.parametrize("cut", [-1, -30, len(RAW) // 2])
def test_truncated(cut):
    data = RAW[:cut]
    result = read_bytes(data)
    consistent(result)
    ends = {i + 1: o + len(m) for i, (o, m) in enumerate(MSGS)}
    assert result.table.num_rows == sum(1 for r in GPS0[3:] if ends[r] <= len(data))
    cut_at = next(o for o, m in MSGS if o + len(m) > len(data))
    if cut_at < len(data):
        assert (result.rejects[-1].reason, result.rejects[-1].offset) == (
            "truncated message",
            cut_at,
        )


def test_unreadable():
    with pytest.raises(InputError, match="empty file"):
        read_bytes(b"")
    with pytest.raises(InputError, match="no readable DataFlash messages"):
        read_bytes(b"\x00\x01\x02" * 1000)


def test_sniff():
    assert dataflash.sniff(RAW[:65536], ".bin")
    assert dataflash.sniff(RAW[:89], ".bin")
    assert not dataflash.sniff(RAW[:89] + b"\x00\x00", ".bin")
    assert not dataflash.sniff(b"\xa3\x95\x81" + RAW[3:200], ".bin")
    assert not dataflash.sniff(b"ULog\x01\x12\x35", ".bin")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    cut=st.integers(0, 4_000),
    flips=st.lists(st.tuples(st.integers(0, 3_999), st.integers(0, 255)), max_size=8),
)
def test_fuzz_mutated_fixture(cut, flips):
    data = bytearray(RAW[:4_000])
    for pos, value in flips:
        data[pos] = value
    try:
        result = read_bytes(bytes(data[:cut]))
    except InputError:
        return
    consistent(result)
    assert all(math.isfinite(v) for v in result.table["lat"].to_pylist())


# --- position error (pos_sigma_m) ------------------------------------------------


def gps_sigma(i: int) -> float | None:
    """σ of point i: its GPA's HAcc (2-D rms, m) / √2, else HDop × 5 m / √2, as logged."""
    hacc, hdop = mf.dataflash_accuracy(i)
    if hacc is not None and round(hacc * 100):
        return round(hacc * 100) / 100 / math.sqrt(2.0)
    centi = round(hdop * 100)
    return None if centi == 9999 else centi / 100 * 5.0 / math.sqrt(2.0)


def test_pos_sigma_from_gpa_hacc_else_hdop():
    sigmas = dataflash.read(FIXTURE).table["pos_sigma_m"].to_pylist()
    assert sigmas == [gps_sigma(i) for i in range(len(POINTS))]
    assert sigmas[0] == 0.45 / math.sqrt(2.0) == 0.31819805153394637  # GPA HAcc 0.45 m
    assert sigmas[4] == 2.616295090390226  # HAcc 0 (no estimate): HDop 0.74 × 5 m / √2
    assert sigmas[8] == 2.7577164466275352  # no GPA: HDop 0.78
    assert sigmas[2] is None  # no GPA, HDop 99.99 (unknown)
    # points 26 and 27 have the same time; only 27's GPS is followed by a GPA
    assert POINTS[26].us == POINTS[27].us and sigmas[26] is None and sigmas[27] is not None


def test_gpa_values_agree_with_pymavlink():
    # pymavlink's reading of the log: each first-receiver GPS with the GPA after it
    log = DFReader.DFReader_binary(str(FIXTURE))
    pairs: list[list] = []
    while (m := log.recv_match(type=["GPS", "GPA"])) is not None:
        if m.I != 0:
            continue
        if m.get_type() == "GPS":
            pairs.append([m, None])
        elif pairs[-1][0].TimeUS == m.TimeUS:
            pairs[-1][1] = m.HAcc
    pairs = [(m, h) for m, h in pairs if m.Status >= 2]
    sigmas = dataflash.read(FIXTURE).table["pos_sigma_m"].to_pylist()
    assert len(pairs) == len(sigmas) == len(POINTS)
    for i, (sigma, (gps, hacc)) in enumerate(zip(sigmas, pairs, strict=True)):
        if hacc:
            assert sigma == pytest.approx(hacc / math.sqrt(2.0), rel=1e-12), i
        elif gps.HDop < 99.99:
            assert sigma == pytest.approx(gps.HDop * 5.0 / math.sqrt(2.0), rel=1e-12), i
        else:
            assert sigma is None, i
    assert sum(1 for _, h in pairs if h) > len(POINTS) // 2  # most rows from HAcc


def test_pos_rows_state_no_error():
    data = _with_gps(lambda m: m[:LAT_AT] + struct.pack("<i", 950_000_000) + m[LAT_AT + 4 :])
    assert read_bytes(data).table["pos_sigma_m"].null_count == len(POINTS)


def test_gps_sigma_rules():
    assert dataflash.gps_sigma(1.0, 0.8) == 1 / math.sqrt(2.0)
    assert dataflash.gps_sigma(math.nan, 1.0) == dataflash.gps_sigma(0.0, 1.0) == 3.5355339059327373
    assert dataflash.gps_sigma(math.nan, 655.35) is None  # ArduPilot's 65535: unknown
    assert dataflash.gps_sigma(math.nan, -0.01) is None  # the same as int16
    assert dataflash.gps_sigma(math.nan, math.nan) is None  # a GPS format without HDop
