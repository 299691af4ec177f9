"""ASTERIX framing: link layers and packets around the blocks, and damage in them."""

from __future__ import annotations

import datetime as dt
import random
import struct
from pathlib import Path

import pytest

from airwitness.errors import InputError

from ..helpers import utc_ns
from .captures import (
    PCAP_048,
    PCAP_062,
    RAW_062,
    block,
    cat062,
    check,
    pcap,
    read_bytes,
)


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
