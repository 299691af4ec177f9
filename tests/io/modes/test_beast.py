"""Beast binary captures: the traffic sample asserted exactly, clocks, damage, chunking, fuzz."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import random
from pathlib import Path

import pytest
import rs1090
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.io.modes import beast
from airwitness.io.options import ReadOptions

from ..helpers import DATA, reconcile, rows_of, utc_ns
from .test_modes_raw import check_invariants

SAMPLE = DATA / "beast" / "sample_dump1090.bin"
RAW = SAMPLE.read_bytes()
START = utc_ns("2020-01-01T12:00:00Z")
OPTIONS = ReadOptions(start_time_ns=START)


def plain_frames(data: bytes) -> list[tuple[int, int, int, bytes]]:
    """A deliberately simple Beast parser: (offset, type, counter, message) per frame."""
    out, i = [], 0
    while i < len(data):
        assert data[i] == 0x1A
        start, typ, i = i, data[i + 1], i + 2
        body = bytearray()
        need = 7 + {0x31: 2, 0x32: 7, 0x33: 14}[typ]
        while len(body) < need:
            if data[i] == 0x1A:
                assert data[i + 1] == 0x1A
                i += 1
            body.append(data[i])
            i += 1
        out.append((start, typ, int.from_bytes(body[:6], "big"), bytes(body[7:])))
    return out


FRAMES = plain_frames(RAW)


def test_sample_exact():
    result = beast.read(SAMPLE, options=OPTIONS)
    reconcile(result, range(1, 240))
    assert len(FRAMES) == 239 and RAW.count(b"\x1a\x1a") == 16  # escapes are exercised
    assert result.reject_counts() == {"no position": 235, "CPR unresolved": 1}
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == [61, 71, 108]
    first_counter = FRAMES[0][2]
    for r in rows:
        _, _, counter, _ = FRAMES[r["source_record"] - 1]
        assert r["time"] == START + (counter - first_counter) * 250 // 3  # 12 MHz, exact ns
    assert rows[0]["time"] == utc_ns("2020-01-01T12:00:05.795062Z")
    assert {r["track_id"] for r in rows} == {"48520a"}
    assert rows[2]["callsign"] == "TRA89M"
    assert rows[0]["alt_m"] == pytest.approx(38_000 * 0.3048)
    unresolved = [r for r in result.rejects if r.reason == "CPR unresolved"]
    assert [(r.record, r.offset) for r in unresolved] == [(51, FRAMES[50][0])]
    # independent check: rs1090 decoding the same frames with the same times
    msgs = [m.hex() for _, _, _, m in FRAMES]
    secs = [(c - first_counter) / 12e6 for _, _, c, _ in FRAMES]
    direct = {i + 1: d for i, d in enumerate(rs1090.decode(msgs, secs)) if "latitude" in d}
    assert sorted(direct) == [61, 71, 108]
    for r in rows:
        d = direct[r["source_record"]]
        assert (r["lat"], r["lon"]) == pytest.approx((d["latitude"], d["longitude"]), abs=1e-5)
    assert (rows[0]["lat"], rows[0]["lon"]) == pytest.approx((43.644213, 1.231515), abs=1e-5)


def test_reference_resolves_the_first_frame():
    result = beast.read(SAMPLE, options=ReadOptions(start_time_ns=START, reference=(43.6, 1.4)))
    assert [r["source_record"] for r in rows_of(result.table)] == [51, 61, 71, 108]
    assert result.reject_counts() == {"no position": 235}


def test_sample_position_error_from_its_nacp():
    """48520a states NACp 9 (EPU 30 m) in TC 31 v2 (records 15, 75, ...) and TC 29 (17, 90, ...)."""
    result = beast.read(SAMPLE, options=ReadOptions(start_time_ns=START, reference=(43.6, 1.4)))
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == [51, 61, 71, 108]
    # every position has had a NACp at most 60 s before it: 30 m / 2.4477, not TC 11's 0.1 NM
    assert [r["pos_sigma_m"] for r in rows] == pytest.approx([12.256169] * 4, abs=1e-6)
    got = {r.record: r.reason for r in result.rejects}
    assert [got[n] for n in (15, 17, 75, 90, 150, 203)] == ["no position"] * 6
    # without the status messages the type code is all there is
    kept = b"".join(
        RAW[f[0] : (FRAMES[i + 1][0] if i + 1 < len(FRAMES) else len(RAW))]
        for i, f in enumerate(FRAMES)
        if f[3][:1] != b"\x8d" or f[3][4] >> 3 not in (29, 31)
    )
    alone = beast.read(SAMPLE.name, io.BytesIO(kept), options=OPTIONS)
    assert alone.table.num_rows == 3
    assert alone.table["pos_sigma_m"].to_pylist() == pytest.approx([75.6614] * 3, abs=1e-4)


def test_relative_clock_needs_start_time():
    with pytest.raises(InputError) as e:
        beast.read(SAMPLE)
    assert e.value.reason.startswith(
        "Beast capture has only relative timestamps: give the start time (--start-time)"
    )


def test_gps_time_of_day_with_a_date():
    # the sample's small counters also fit the GPS layout (0 s, n ns): only --date selects it
    result = beast.read(SAMPLE, options=ReadOptions(date=dt.date(2020, 1, 1)))
    row = rows_of(result.table)[0]
    counter = FRAMES[60][2]
    assert row["time"] == utc_ns("2020-01-01T00:00:00Z") + (counter >> 30) * 10**9 + (
        counter & 0x3FFFFFFF
    )


def test_gzip_and_stream(write):
    path = write("cap.bin.gz", RAW, gz=True)
    assert beast.sniff(RAW[:65536], ".bin")
    a = beast.read(path, options=OPTIONS)
    with open(SAMPLE, "rb") as f:
        b = beast.read("upload.bin", stream=f, options=OPTIONS)
    assert a.table.num_rows == b.table.num_rows == 3


@pytest.mark.parametrize("chunk", [1, 2, 7, 23, 64, 1000])
def test_chunk_boundaries_do_not_matter(monkeypatch, write, chunk):
    path = write("cap.bin", b"\x00junk" + RAW[:2000] + b"\x1a\x37status" + RAW[2000:] + b"\x1a")
    expected = beast.read(path, options=OPTIONS)
    monkeypatch.setattr(beast, "CHUNK_BYTES", chunk)
    got = beast.read(path, options=OPTIONS)
    assert got.table.equals(expected.table)
    assert got.rejects == expected.rejects


# --- damage ---------------------------------------------------------------


def test_truncated_capture():
    for cut in (len(RAW) - 1, len(RAW) - 20, 2000, 100):
        path = Path(f"/tmp/airwitness-test-{cut}.bin")
        path.write_bytes(RAW[:cut])
        try:
            result = beast.read(path, options=OPTIONS)
        finally:
            path.unlink()
        whole = sum(1 for off, *_ in FRAMES if off < cut)
        reconcile(result, range(1, whole + 1))
        assert result.reject_counts()["truncated message"] == 1
        assert result.rejects[-1].record == whole


def test_garbage_unknown_types_and_status_frames(write):
    f = FRAMES
    status = b"\x1a\x34" + bytes(range(1, 20))  # Radarcape status: length unknown
    data = (
        b"\xff\xfegarbage"  # before the first frame
        + RAW[: f[10][0]]
        + b"\x1a\x39\x01\x02"  # unknown frame type
        + RAW[f[10][0] : f[20][0]]
        + status
        + RAW[f[20][0] :]
    )
    result = beast.read(write("g.bin", data), options=OPTIONS)
    n = 239 + 3
    reconcile(result, range(1, n + 1))
    got = {r.record: r.reason for r in result.rejects}
    assert got[1] == "not a Beast frame" and result.rejects[0].offset == 0
    assert got[12] == "unknown frame type"
    assert got[23] == "no position"
    assert result.table.num_rows == 3


def test_a_frame_cut_by_the_next_one(write):
    f = FRAMES
    data = RAW[: f[61][0] - 5] + RAW[f[61][0] :]  # frame 61 loses its last 5 bytes
    result = beast.read(write("c.bin", data), options=OPTIONS)
    reconcile(result, range(1, 240))
    assert {r.record: r.reason for r in result.rejects}[61] == "truncated message"


def test_bit_flips_reconcile(write):
    rng = random.Random(7)
    for _ in range(20):
        data = bytearray(RAW)
        for _ in range(rng.randint(1, 30)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        try:
            result = beast.read(write("f.bin", bytes(data)), options=OPTIONS)
        except InputError:
            continue
        seen = result.table["source_record"].to_pylist() + [r.record for r in result.rejects]
        assert sorted(seen) == list(range(1, result.records + 1))


def test_not_beast(write):
    with pytest.raises(InputError, match="no frames found"):
        beast.read(write("x.bin", b"hello world\n"), options=OPTIONS)
    with pytest.raises(InputError, match="empty file"):
        beast.read(write("e.bin", b""), options=OPTIONS)
    assert not beast.sniff(b"hello", ".bin")
    assert not beast.sniff(b"\x1a\x1a\x1a\x1a", ".bin")


# --- fuzz -----------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_capture(tmp_path_factory, data):
    blob = bytearray(RAW[: data.draw(st.integers(1, len(RAW)))])
    for _ in range(data.draw(st.integers(0, 10))):
        pos = data.draw(st.integers(0, max(0, len(blob) - 1)))
        op = data.draw(st.sampled_from(["flip", "delete", "insert", "esc"]))
        if op == "flip" and blob:
            blob[pos] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "delete":
            del blob[pos : pos + data.draw(st.integers(1, 30))]
        elif op == "insert":
            blob[pos:pos] = data.draw(st.binary(min_size=1, max_size=30))
        else:
            blob[pos:pos] = b"\x1a" * data.draw(st.integers(1, 3))
    path = Path(tmp_path_factory.mktemp("fz")) / "f.bin"
    path.write_bytes(gzip.compress(bytes(blob)) if data.draw(st.booleans()) else bytes(blob))
    check_invariants(path, lambda p: beast.read(p, options=OPTIONS), bytes(blob))


def test_damaged_gzip_keeps_what_precedes_the_damage(write):
    packed = gzip.compress(RAW * 20, mtime=0)
    result = beast.read(write("t.bin.gz", packed[: len(packed) // 2]), options=OPTIONS)
    reconcile(result, range(1, result.records + 1))
    assert result.rejects[-1].reason == "truncated gzip data"
    assert result.table.num_rows > 0


def test_receiver_restart(write):
    result = beast.read(write("twice.bin", RAW + RAW), options=OPTIONS)
    reconcile(result, range(1, 479))
    # the second copy's clock runs from the start again: its times cannot be known
    assert result.reject_counts()["receiver clock reset"] == 239
    assert result.table.num_rows == 3


def test_stream_decoder_in_pieces_equals_the_batch_read():
    """``airwitness watch``: the counter anchored at the first frame's receive time (here
    the batch read's start time), frames split across pieces, the CPR walk carried."""
    from ..helpers import same_as_batch, stream_read

    live = stream_read(beast.StreamDecoder("live"), RAW + b"\x00junk", START)
    batch = beast.read(SAMPLE, options=OPTIONS)
    table, rejects = live
    assert [r.reason for r in rejects if r.record == 240] == ["not a Beast frame"]
    same_as_batch((table, [r for r in rejects if r.record != 240]), batch)
