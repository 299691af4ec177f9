"""Framing of ASTERIX inputs: libpcap records, link/IP/UDP headers, chains of data blocks.

Pure byte handling, no decoding: where each data block starts and ends in a
pcap capture or a raw stream, how to find the next plausible header after
damage, and whether the first bytes of a file look like either (sniffing).
:func:`read_pcap` and :func:`blocks` hand each data block to a
:class:`BlockReader` (the per-category decoding), with a reject for whatever
cannot be framed into blocks.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO, Protocol

from airwitness import reasons
from airwitness.io._convert import T_MAX_NS, T_MIN_NS
from airwitness.io._source import Source

#: Categories asterix-decoder 0.7.11 has definitions for (its config/*.xml).
KNOWN = frozenset(
    {1, 2, 4, 8, 10, 11, 15, 19, 20, 21, 23, 25, 30, 31, 32, 34, 48, 62, 63, 65, 205, 240, 247, 252}
)
PCAP_MAGIC = {
    b"\xd4\xc3\xb2\xa1": ("<", False),
    b"\xa1\xb2\xc3\xd4": (">", False),
    b"\x4d\x3c\xb2\xa1": ("<", True),
    b"\xa1\xb2\x3c\x4d": (">", True),
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
#: Largest packet a libpcap record may hold (tcpdump's maximum snapshot length).
MAX_PACKET = 262_144
MIN_BLOCK = 4  # CAT, LEN (2 octets) and at least one FSPEC octet
MAX_BLOCK = 0xFFFF
CHUNK = 1 << 20
NS = 1_000_000_000


class Buffer:
    """A growing window over a stream: ``data[pos:]`` is unread, ``base`` its file offset."""

    def __init__(self, f: BinaryIO | None, data: bytes = b"", base: int = 0) -> None:
        self.f = f
        self.data = data
        self.pos = 0
        self.base = base
        self.eof = f is None

    def fill(self, n: int) -> int:
        """Make at least ``n`` unread bytes available if the stream has them; return how many."""
        while len(self.data) - self.pos < n and not self.eof:
            chunk = self.f.read(max(CHUNK, n)) if self.f is not None else b""
            if not chunk:
                self.eof = True
                break
            self.data = self.data[self.pos :] + chunk
            self.base += self.pos
            self.pos = 0
        return len(self.data) - self.pos

    @property
    def offset(self) -> int:
        return self.base + self.pos


def blocks(buf: Buffer) -> Iterator[tuple[int, bytes, str | None]]:
    """(file offset, block bytes, problem) for every data block, in order.

    A header whose length is impossible starts a damaged region that runs to
    the next offset where two consecutive plausible block headers (or one that
    ends exactly at the end of the data) begin; the region is yielded as one
    block with the problem ``bad block length``, or ``truncated block`` when it
    runs to the end of the data.
    """
    window = 2 * (MAX_BLOCK + 3)
    while True:
        n = buf.fill(window)
        if n == 0:
            return
        start = buf.offset
        if n < 3:
            yield start, buf.data[buf.pos :], reasons.TRUNCATED_BLOCK
            buf.pos += n
            return
        d, p = buf.data, buf.pos
        length = (d[p + 1] << 8) | d[p + 2]
        if MIN_BLOCK <= length <= n:
            yield start, d[p : p + length], None
            buf.pos += length
            continue
        header_cat = d[p]
        end = resync(buf, p + 1, block_sync)
        problem = reasons.BAD_BLOCK_LENGTH if end is not None else reasons.TRUNCATED_BLOCK
        if end is None:
            end = len(buf.data)
        region = buf.data[buf.pos : end]
        buf.pos = end
        if buf.offset != start + len(region):
            region = bytes([header_cat])  # bytes were dropped while searching: not decodable
        yield start, region, problem


def resync(buf: Buffer, frm: int, plausible: Callable[[bytes, int, int, bool], bool]) -> int | None:
    """Index in ``buf.data`` of the next offset where ``plausible`` holds, else None (EOF).

    Searches in windows so that memory stays bounded; bytes before the window
    are dropped (``buf.pos`` moves) while nothing plausible is found.
    """
    lookahead = 2 * (MAX_PACKET + 16)
    rel = frm - buf.pos
    while True:
        n = buf.fill(rel + 2 * lookahead)
        d, p = buf.data, buf.pos
        stop = p + n if buf.eof else p + n - lookahead
        i = p + rel
        while i < stop:
            if plausible(d, i, len(d), buf.eof):
                return i
            i += 1
        if buf.eof:
            return None
        # drop what was searched, keeping the region's first byte at buf.pos
        keep = d[p : p + 1]
        buf.data = keep + d[i:]
        buf.base += i - 1
        buf.pos = 0
        rel = 1


def block_sync(d: bytes, i: int, end: int, eof: bool) -> bool:
    if i + 3 > end or d[i] not in KNOWN:
        return False
    length = (d[i + 1] << 8) | d[i + 2]
    if length < MIN_BLOCK:
        return False
    j = i + length
    if j == end:
        return eof
    if j + 3 > end or d[j] not in KNOWN:
        return False
    length2 = (d[j + 1] << 8) | d[j + 2]
    return length2 >= MIN_BLOCK and (j + length2 <= end)


# pcap link types: name -> how to find the network-layer header
LINK_TYPES = {
    0: "null",
    1: "ethernet",
    12: "raw",
    101: "raw",
    108: "loop",
    113: "sll",
    228: "ipv4",
    229: "ipv6",
    276: "sll2",
}
ETH_VLAN = (0x8100, 0x88A8, 0x9100)


def udp_payload(pkt: bytes, linktype: int) -> tuple[int, int] | str:
    """(start, end) of the UDP payload in a captured packet, or why there is none."""
    kind = LINK_TYPES.get(linktype)
    pos, proto = 0, None  # proto: 4, 6, or None = from the IP version nibble
    if kind == "ethernet":
        if len(pkt) < 14:
            return reasons.TRUNCATED_PACKET
        ethertype, pos = struct.unpack_from(">H", pkt, 12)[0], 14
        while ethertype in ETH_VLAN:
            if len(pkt) < pos + 4:
                return reasons.TRUNCATED_PACKET
            ethertype, pos = struct.unpack_from(">H", pkt, pos + 2)[0], pos + 4
        proto = {0x0800: 4, 0x86DD: 6}.get(ethertype)
        if proto is None:
            return reasons.NOT_UDP
    elif kind in ("sll", "sll2"):
        pos = 16 if kind == "sll" else 20
        if len(pkt) < pos:
            return reasons.TRUNCATED_PACKET
        ethertype = struct.unpack_from(">H", pkt, 14 if kind == "sll" else 0)[0]
        proto = {0x0800: 4, 0x86DD: 6}.get(ethertype)
        if proto is None:
            return reasons.NOT_UDP
    elif kind in ("null", "loop"):
        if len(pkt) < 4:
            return reasons.TRUNCATED_PACKET
        family = {struct.unpack_from(e + "I", pkt, 0)[0] for e in ("<", ">")}
        family = family if kind == "null" else {struct.unpack_from(">I", pkt, 0)[0]}
        proto = 4 if 2 in family else 6 if family & {24, 28, 30} else None
        pos = 4
        if proto is None:
            return reasons.NOT_UDP
    elif kind == "ipv4":
        proto = 4
    elif kind == "ipv6":
        proto = 6
    return ip_udp(pkt, pos, proto)


def ip_udp(pkt: bytes, pos: int, proto: int | None) -> tuple[int, int] | str:
    if len(pkt) < pos + 1:
        return reasons.TRUNCATED_PACKET
    version = pkt[pos] >> 4
    if proto is not None and version != proto:
        return reasons.BAD_PACKET_HEADER
    if version == 4:
        if len(pkt) < pos + 20:
            return reasons.TRUNCATED_PACKET
        ihl = (pkt[pos] & 0x0F) * 4
        total, frag, protocol = struct.unpack_from(">H2xHxB", pkt, pos + 2)
        if ihl < 20 or total < ihl:
            return reasons.BAD_PACKET_HEADER
        if frag & 0x3FFF:
            return reasons.IP_FRAGMENT
        if protocol != 17:
            return reasons.NOT_UDP
        end, pos = min(len(pkt), pos + total), pos + ihl
    elif version == 6:
        if len(pkt) < pos + 40:
            return reasons.TRUNCATED_PACKET
        length, nxt = struct.unpack_from(">HB", pkt, pos + 4)
        end, pos = min(len(pkt), pos + 40 + length), pos + 40
        while nxt in (0, 43, 60):  # hop-by-hop, routing, destination options
            if end < pos + 8:
                return reasons.TRUNCATED_PACKET
            nxt, pos = pkt[pos], pos + 8 + pkt[pos + 1] * 8
        if nxt == 44:
            return reasons.IP_FRAGMENT
        if nxt != 17:
            return reasons.NOT_UDP
    else:
        return reasons.BAD_PACKET_HEADER
    if end < pos + 8:
        return reasons.TRUNCATED_PACKET
    udp_len = struct.unpack_from(">H", pkt, pos + 4)[0]
    if udp_len < 8:
        return reasons.BAD_PACKET_HEADER
    return pos + 8, min(end, pos + udp_len)


@dataclass
class Pcap:
    endian: str
    nano: bool
    linktype: int

    def header_ok(self, d: bytes, i: int, end: int, eof: bool, last_s: int | None) -> bool:
        """A plausible record header at ``i`` followed by another one (or the end)."""
        if not self._one(d, i, end, last_s):
            return False
        j = i + 16 + struct.unpack_from(self.endian + "I", d, i + 8)[0]
        if j == end:
            return eof
        return self._one(d, j, end, last_s)

    def _one(self, d: bytes, i: int, end: int, last_s: int | None) -> bool:
        if i + 16 > end:
            return False
        sec, frac, incl, orig = struct.unpack_from(self.endian + "IIII", d, i)
        if frac >= (NS if self.nano else 1_000_000) or not 14 <= incl <= MAX_PACKET:
            return False
        if incl > orig or orig > 16 * MAX_PACKET:
            return False
        return last_s is None or abs(sec - last_s) <= 86_400


class Clock:
    """Which packet timestamps to believe.

    A timestamp outside 1990–2100, or more than a day from the last believed
    one, is not believed (a bit flip) and the last believed time stands in;
    two consecutive packets that agree with each other on a new time are
    believed (the capture's clock really moved).
    """

    def __init__(self) -> None:
        self.last_s: int | None = None
        self.last_ns: int | None = None
        self._candidate: int | None = None

    def packet(self, sec: int, ns: int) -> int | None:
        if not T_MIN_NS <= ns < T_MAX_NS:
            return self.last_ns
        near = self.last_s is None or abs(sec - self.last_s) <= 86_400
        if not near and (self._candidate is None or abs(sec - self._candidate) > 86_400):
            self._candidate = sec
            return self.last_ns
        self.last_s, self.last_ns, self._candidate = sec, ns, None
        return ns


# ---------------------------------------------------------------- sniffing


def is_block_chain(data: bytes | memoryview, complete: bool) -> bool:
    """Data blocks of known categories back to back, ending exactly at the end of
    ``data``; when not ``complete`` (a head cut short), running past it too."""
    pos, n, blocks = 0, len(data), 0
    while pos + 3 <= n:
        length = (data[pos + 1] << 8) | data[pos + 2]
        if data[pos] not in KNOWN or length < MIN_BLOCK:
            return False
        if pos + length > n:
            return not complete and blocks > 0
        pos += length
        blocks += 1
    return blocks > 0 and (pos == n or not complete)


def sniff_pcap(head: bytes) -> bool:
    """A supported link type, and at least half of the first UDP payloads are chains
    of ASTERIX blocks."""
    if len(head) < 24:
        return False
    endian, nano = PCAP_MAGIC[head[:4]]
    linktype = struct.unpack_from(endian + "I", head, 20)[0] & 0x0FFFFFFF
    if linktype not in LINK_TYPES:
        return False
    pos, udp, asterix_like = 24, 0, 0
    while pos + 16 <= len(head) and udp < 32:
        _, frac, incl, _ = struct.unpack_from(endian + "IIII", head, pos)
        if frac >= (NS if nano else 1_000_000) or incl > MAX_PACKET:
            return False
        packet = head[pos + 16 : pos + 16 + incl]
        pos += 16 + incl
        where = udp_payload(packet, linktype)
        if isinstance(where, str):
            continue
        udp += 1
        asterix_like += is_block_chain(packet[where[0] : where[1]], True)
    return asterix_like > 0 and 2 * asterix_like >= udp


# ---------------------------------------------------------------- reading


class BlockReader(Protocol):
    """Where framing delivers: every data block, and a reject for what is none."""

    src: Source

    def block(self, offset: int, data: bytes, packet_ns: int | None, problem: str | None) -> None:
        """One data block at file ``offset`` (``problem`` set when framed from damage)."""

    def reject(self, reason: str, offset: int) -> None:
        """One record of input that cannot be framed, at file ``offset``."""


def read_pcap(reader: BlockReader, buf: Buffer) -> None:
    """Packets -> UDP payloads -> data blocks."""
    if buf.fill(24) < 24:
        raise reader.src.fail("truncated pcap file header")
    endian, nano = PCAP_MAGIC[buf.data[:4]]
    linktype = struct.unpack_from(endian + "I", buf.data, 20)[0] & 0x0FFFFFFF
    if linktype not in LINK_TYPES:
        raise reader.src.fail(f"unsupported pcap link type {linktype}")
    pcap = Pcap(endian, nano, linktype)
    buf.pos += 24
    clock = Clock()
    while True:
        n = buf.fill(16 + MAX_PACKET + 16)
        if n == 0:
            return
        start = buf.offset
        if n < 16:
            reader.reject(reasons.TRUNCATED_PACKET, start)
            buf.pos += n
            return
        sec, frac, incl, orig = struct.unpack_from(endian + "IIII", buf.data, buf.pos)
        if frac >= (NS if nano else 1_000_000) or incl > MAX_PACKET or incl > orig:
            end = resync(buf, buf.pos + 1, partial(pcap.header_ok, last_s=clock.last_s))
            reader.reject(reasons.BAD_PCAP_RECORD, start)
            buf.pos = len(buf.data) if end is None else end
            continue
        packet = buf.data[buf.pos + 16 : buf.pos + 16 + incl]
        buf.pos += 16 + len(packet)
        packet_ns = clock.packet(sec, sec * NS + (frac if nano else frac * 1000))
        where = udp_payload(packet, linktype)
        if isinstance(where, str):
            reader.reject(where, start)
            continue
        payload = packet[where[0] : where[1]]
        read_payload(reader, payload, start + 16 + where[0], start, packet_ns)


def read_payload(
    reader: BlockReader, payload: bytes, offset: int, packet_offset: int, packet_ns: int | None
) -> None:
    """Data blocks of a UDP payload at file ``offset`` (its pcap record at ``packet_offset``);
    ``airwitness watch`` hands each received datagram to it the same way."""
    length = (payload[1] << 8) | payload[2] if len(payload) >= 3 else 0
    if not MIN_BLOCK <= length <= len(payload) and not any(
        block_sync(payload, i, len(payload), True) for i in range(1, len(payload))
    ):
        reader.reject(reasons.NOT_ASTERIX, packet_offset)
        return
    for block_offset, data, problem in blocks(Buffer(None, payload, offset)):
        reader.block(block_offset, data, packet_ns, problem)
