"""AVR text captures: real samples rewritten as AVR lines, time rules, damage, fuzz."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.io.modes import avr, beast, modes_raw
from airwitness.io.options import ReadOptions

from ..helpers import reconcile
from .test_beast import FRAMES, OPTIONS
from .test_beast import SAMPLE as BEAST_SAMPLE
from .test_modes_raw import LINES, check_invariants
from .test_modes_raw import SAMPLE as RAW_SAMPLE

# The Beast sample, frame for frame, as AVR lines with MLAT timestamps.
MLAT_LINES = [f"@{c:012X}{m.hex().upper()};" for _, _, c, m in FRAMES]
# The pyModeS sample as plain lines with the receive time in front (`ts %.s` style).
STAMPED_LINES = [f"{f.split(',')[0]}.000000 *{f.split(',')[1].strip(chr(34))};" for f in LINES]


def _same_rows(a, b) -> None:
    drop = ["source", "source_file"]
    assert a.table.drop_columns(drop).equals(b.table.drop_columns(drop))


def test_mlat_lines_equal_the_beast_capture(write):
    path = write("cap.avr", "\n".join(MLAT_LINES) + "\n")
    assert avr.sniff(path.read_bytes(), ".avr")
    result = avr.read(path, options=OPTIONS)
    reconcile(result, range(1, 240))
    assert result.reject_counts() == {"no position": 235, "CPR unresolved": 1}
    _same_rows(result, beast.read(BEAST_SAMPLE, options=OPTIONS))
    with pytest.raises(InputError, match="AVR capture has only relative timestamps"):
        avr.read(path)


def test_stamped_lines_equal_the_raw_messages(write):
    path = write("cap.txt", "\r\n".join(STAMPED_LINES) + "\r\n", gz=True)
    result = avr.read(path)
    reconcile(result, range(1, 2001))
    _same_rows(result, modes_raw.read(RAW_SAMPLE))
    iso = [
        f"2016-03-14T23:00:{i % 60:02d}Z *{line.split('*')[1]}"
        for i, line in enumerate(STAMPED_LINES[:50])
    ]
    assert avr.read(write("iso.avr", "\n".join(iso))).records == 50


def test_plain_lines_have_no_time(write):
    plain = [line.split(" ", 1)[1] for line in STAMPED_LINES]
    with pytest.raises(InputError, match=r"AVR lines without timestamps"):
        avr.read(write("p.avr", "\n".join(plain)), options=OPTIONS)
    mixed = MLAT_LINES[:100] + plain[:5]
    result = avr.read(write("m.avr", "\n".join(mixed)), options=OPTIONS)
    reconcile(result, range(1, 106))
    assert [r.reason for r in result.rejects if r.record > 100] == ["no timestamp"] * 5


def test_damaged_lines(write):
    lines = list(MLAT_LINES)
    lines[3] = "hello"  # not AVR
    lines[4] = lines[4][:20] + ";"  # message cut short
    lines[5] = "*7700;"  # Mode A/C: no time, and no position anyway
    lines[6] = "@00000000000020000CA8F70AA7;"  # zero timestamp: no clock
    lines.insert(10, "   ")  # blank: not a record
    text = "\n".join(lines) + "\n" + MLAT_LINES[60][:30]  # last line cut
    result = avr.read(write("d.avr", text), options=OPTIONS)
    expected = [n for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    reconcile(result, expected)
    got = {r.record: (r.reason, r.offset) for r in result.rejects}
    offset_of = {n: sum(len(x) + 1 for x in text.split("\n")[: n - 1]) for n in expected}
    assert got[4] == ("bad line", offset_of[4])
    assert got[5][0] == "undecodable message"
    assert got[6][0] == "no timestamp"
    assert got[7][0] == "no timestamp"
    assert got[expected[-1]][0] == "undecodable message"


def test_sniff():
    assert avr.sniff(b"*8D406B909945DE10000405999BE4;\n*5d3981e46dc8eb;\n", ".txt")
    assert avr.sniff(b"1457996400.5 *8D406B909945DE10000405999BE4;\n", "")
    assert avr.sniff("\n".join(MLAT_LINES[:5]).encode(), "")
    assert not avr.sniff(b"*8D406B909945DE10000405999BE4;\nhello\n", "")
    assert not avr.sniff(b"*8D406B9099;\n", "")  # 10 hex digits: no such message
    assert not avr.sniff(b"time,msg\n1,*8D406B909945DE10000405999BE4;\n", ".csv")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_lines(tmp_path_factory, data):
    base = "\n".join(MLAT_LINES[:80] + STAMPED_LINES[:80]) + "\n"
    blob = bytearray(base.encode())
    for _ in range(data.draw(st.integers(1, 12))):
        pos = data.draw(st.integers(0, len(blob) - 1))
        op = data.draw(st.sampled_from(["flip", "delete", "insert"]))
        if op == "flip":
            blob[pos] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "delete":
            del blob[pos : pos + data.draw(st.integers(1, 40))]
        else:
            blob[pos:pos] = data.draw(st.binary(min_size=1, max_size=30))
        if not blob:
            blob = bytearray(b"x")
    path = Path(tmp_path_factory.mktemp("fz")) / "f.avr"
    path.write_bytes(gzip.compress(bytes(blob)) if data.draw(st.booleans()) else bytes(blob))
    check_invariants(
        path,
        lambda p: avr.read(p, options=ReadOptions(start_time_ns=OPTIONS.start_time_ns)),
        bytes(blob),
    )


def test_damaged_gzip_keeps_the_lines_before(write):
    packed = gzip.compress(("\n".join(STAMPED_LINES) + "\n").encode(), mtime=0)
    result = avr.read(write("t.avr.gz", packed[: len(packed) // 2]))
    last = result.rejects[-1]
    assert last.reason == "truncated gzip data"
    reconcile(result, range(1, last.record + 1))
    assert result.table.num_rows > 100


@pytest.mark.parametrize("lines", ["stamped", "mlat"])
def test_stream_decoder_in_pieces_equals_the_batch_read(write, lines):
    from ..helpers import same_as_batch, stream_read
    from .test_beast import START

    text = "\n".join(STAMPED_LINES if lines == "stamped" else MLAT_LINES) + "\n"
    batch = avr.read(write("cap.avr", text), options=OPTIONS)
    same_as_batch(stream_read(avr.StreamDecoder("live"), text.encode(), START), batch)
