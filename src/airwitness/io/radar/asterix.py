"""EUROCONTROL ASTERIX surveillance data, from pcap captures or raw block streams.

Decoding of data records is done by the ``asterix-decoder`` package (module
``asterix``); this module only frames the input (pcap packets, Ethernet / IP /
UDP headers, ASTERIX data blocks), turns decoded items into the canonical
table, and positions monoradar plots.

Inputs
    * libpcap captures (micro- or nanosecond magic, either byte order; link
      types Ethernet with VLAN tags, Linux cooked v1/v2, raw IP, BSD null):
      each UDP payload holds one or more ASTERIX data blocks. pcapng is refused
      (convert it with ``editcap -F pcap``).
    * raw streams: data blocks back to back (``CAT LEN LEN records...``), as
      recorders write them.

Categories
    * CAT021 (ADS-B reports): track_id is the target address (I021/080, 6
      lowercase hex digits); position I021/131 (high resolution) or /130; time
      of applicability of position I021/071, else reception of position /073,
      else report transmission /077; altitude flight level /145 (``baro``) else
      geometric height /140 (``geo``); ground vector /160; vertical rate /155
      (barometric) else /157; callsign /170.
    * CAT062 (system tracks): track_id ``asterix:<SAC>/<SIC>:<track number>``
      (I062/010, /040), also when I062/380 carries the aircraft address;
      position /105; time of track information /070; altitude measured flight
      level /136, else calculated barometric altitude /135 (``baro``), else
      geometric altitude /130 (``geo``); velocity /185 (vx east, vy north:
      ground speed and track angle); rate of climb /220; callsign I062/380
      ``ID``, else /245, else the flight plan's /390 ``CSN``.
    * CAT048 (monoradar target reports): the measured polar position I048/040
      (rho = slant range in NM, theta = azimuth from north at the radar) is
      turned into WGS-84 with the radar site: I034/120 (3D position of the data
      source) of the same SAC/SIC anywhere in the same capture (the first one
      seen), else the sensors file of ``ReadOptions.sensors``, else the record
      is rejected ``no radar site``. Geometry: the target's height above the
      WGS-84 ellipsoid is taken from the flight level I048/090 (pressure
      altitude, used only when validated and not garbled), the elevation angle
      is solved so that the end of the slant range sits at that height
      (spherical triangle with the local radius of curvature along the
      azimuth, then corrected on the ellipsoid by fixed-point iteration until
      the height error is below 1 mm), and the point is converted
      radar-local ENU -> ECEF -> WGS-84 with pyproj. A plot without a valid
      flight level is placed as if at the radar's own height (elevation near
      zero: the horizontal error is about dh²/(2·rho)) and has no ``alt_m``.
      track_id ``asterix:<SAC>/<SIC>:<I048/161 track number>``; a plot without
      a track number but with a Mode S address (I048/220) takes the address
      (6 lowercase hex digits); a plot with neither is rejected ``untracked
      plot``. Velocity I048/200, callsign I048/240, time of day I048/140.
    * CAT034 and CAT065 records are decoded (CAT034 for the radar sites) and
      rejected ``service message``; so are blocks of the other status/service
      categories (002, 019, 023, 025, 063, 247, 252), one reject per block.
      Blocks of other categories that the decoder knows are rejected
      ``unsupported category N``; categories it does not know ``unknown category
      N`` (one reject per block: their records cannot be framed).

Time
    ASTERIX carries the time of day (UTC seconds since midnight). The date
    comes from the pcap packet timestamp when the capture has one (the day
    that puts the time of day nearest to the packet's own time, so a report
    stamped 23:59:59 and captured at 00:00:01 keeps its day), else from
    ``ReadOptions.date`` for the first record, then from the previous record's
    time: each time of day is put on the day that brings it nearest to the
    previous report, so a jump back by more than 12 h is a midnight rollover
    (and a late report from before midnight does not move the date forward).
    Without either source the reader raises InputError naming the missing date.
    A packet timestamp outside 1990–2100 or more than a day from the last
    believed one is not believed (a bit flip: the last believed time stands
    in), until two consecutive packets agree on the new time.

Records and rejects
    Every ASTERIX data record is one record: ``source_record`` is its 1-based
    index in file order and a Reject's ``offset`` is the byte offset of the data
    block it came from (for damage outside blocks: of the pcap record or of
    the first skipped byte). Input that cannot be framed into records counts
    as one record per damaged region. Benign reasons (normal data): ``no
    position`` (a record without a position, e.g. a track end), ``service
    message``, ``not UDP`` (a captured packet that is not UDP over IP:
    capture noise), ``untracked plot`` (a CAT048 plot with neither track number
    nor Mode S address). Damage or missing context: ``bad record`` (the
    decoder could not read the record; the rest of its block cannot be framed
    and is not counted), ``empty record``, ``truncated block``, ``bad block
    length`` (the length field is impossible: the bytes up to the next pair
    of plausible block headers form one region, whose leading records are
    still decoded), ``truncated packet``, ``bad pcap record`` (bytes skipped up
    to the next plausible pair of pcap record headers), ``bad packet header``,
    ``IP fragment`` (not reassembled), ``not ASTERIX`` (a UDP payload with no
    ASTERIX block in it), ``no radar site``, ``no target address``, ``no track
    number``, ``no time``, ``no date``, ``time out of range``, ``lat/lon out
    of range``, ``unsupported category N``, ``unknown category N``. A file in
    which no block can be read at all raises InputError.

Decoder safety
    asterix-decoder 0.7.11 crashes the interpreter (SIGSEGV) on text items
    whose bytes are not UTF-8 (its ``ascii`` encoding; CAT062 I390 among the
    categories read here): CAT062 is therefore re-loaded with those fields as
    hex, and only blocks of categories 021, 034, 048, 062, 065 are handed to
    the decoder. After a record it cannot read, the decoder parses the rest of
    the block as garbage records at quadratic cost, so blocks are decoded in
    windows of 4 KiB (a record may be up to 16 KiB) and only leading
    well-read records are kept. It scales I034/120 by a rounded LSB; the exact
    180/2^23 degrees is restored. Decoding is serialised with a lock (the
    decoder has global state).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import struct
import tempfile
import threading
from array import array
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from airwitness.io._convert import T_MAX_NS, T_MIN_NS, Checks, labels
from airwitness.io._pcap import (
    KNOWN,
    LINK_TYPES,
    MAX_PACKET,
    MIN_BLOCK,
    PCAP_MAGIC,
    PCAPNG_MAGIC,
    Buffer,
    Clock,
    Pcap,
    block_sync,
    blocks,
    resync,
    udp_payload,
)
from airwitness.io._radar import NM_TO_M, Sites, load_sensors, polar_to_wgs84, position_reason
from airwitness.io._source import Source
from airwitness.io.options import ReadOptions
from airwitness.schema import (
    FPM_TO_MPS,
    FT_TO_M,
    KT_TO_MPS,
    ReadResult,
    Reject,
    make_table,
)

FORMAT = "asterix"
NAME = FORMAT

#: Categories handed to the decoder (the only ones whose text items are safe).
DECODED = frozenset({21, 34, 48, 62, 65})
#: Status and service categories: no aircraft positions by definition.
SERVICE = frozenset({2, 19, 23, 25, 34, 63, 65, 247, 252})

#: bytes of a block handed to the decoder at once (see _Reader._decode)
DECODE_WINDOW = 4096
#: the largest record accepted (a window is widened up to this for a long record)
MAX_RECORD = 16384
CHUNK = 1 << 20
NS = 1_000_000_000
DAY_NS = 86_400 * NS
FL_TO_M = 100.0 * FT_TO_M
ALT_KINDS = ["baro", "geo"]
TRACK_PREFIX = "asterix"


# --------------------------------------------------------------------- sniffing


def sniff(head: bytes, extension: str) -> bool:
    """True for a libpcap capture of ASTERIX over UDP, or a raw block stream.

    pcap: the magic number, a supported link type, and UDP payloads among the
    first packets of which at least half are whole chains of ASTERIX blocks.
    Raw: the head is a chain of blocks of known categories that ends exactly at
    the end of the file (or runs past a full 64 KiB head).
    """
    if head[:4] in PCAP_MAGIC:
        return _sniff_pcap(head)
    return _is_block_chain(head, len(head) < (1 << 16))


def _is_block_chain(data: bytes | memoryview, complete: bool) -> bool:
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


def _sniff_pcap(head: bytes) -> bool:
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
        asterix_like += _is_block_chain(packet[where[0] : where[1]], True)
    return asterix_like > 0 and 2 * asterix_like >= udp


# --------------------------------------------------------------------- decoding


class _Decoder:
    """asterix-decoder, loaded once, with CAT062's text items read as hex."""

    def __init__(self) -> None:
        import asterix  # heavy: loads every category definition

        self._parse = asterix.parse
        self._lock = threading.Lock()
        with open(asterix.get_configuration_file("cat062"), encoding="utf-8") as f:
            text = f.read().replace('encode="ascii"', 'encode="hex"')
        fd, name = tempfile.mkstemp(prefix="airwitness-cat062-", suffix=".xml")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            asterix.init(name)
        finally:
            os.unlink(name)

        # asterix-decoder scales I034/120 by a rounded LSB (0.00002145767 instead of
        # 180/2^23: 0.5 m at 45°): remember it to recover the exact value.
        with open(asterix.get_configuration_file("cat034"), encoding="utf-8") as f:
            found = re.search(_SITE_SCALE_RE, f.read(), flags=re.DOTALL)
        self.site_scale = float(found.group(1)) if found else SITE_LSB

    def records(self, block: bytes) -> list[dict]:
        """Decoded records of one data block (length field already correct)."""
        with self._lock:
            return self._parse(block, verbose=False)


_SITE_SCALE_RE = r'<DataItem id="120".*?<BitsShortName>LAT</BitsShortName>.*?scale="([^"]+)"'
#: LSB of I034/120 latitude and longitude (ASTERIX CAT034 spec: 180/2^23 degrees)
SITE_LSB = 180.0 / 2**23


@lru_cache(maxsize=1)
def _decoder() -> _Decoder:
    return _Decoder()


def _val(rec: dict, item: str, field: str, sub: str | None = None) -> Any:
    """rec[item][field]['val'] (or [field][sub]['val'] in compound items), else None."""
    try:
        node = rec[item][field]
        return (node[sub] if sub is not None else node)["val"]
    except (KeyError, TypeError, IndexError):  # absent, or the decoder's "Error" string
        return None


def _f(rec: dict, item: str, field: str) -> float:
    """A finite number item as float, else NaN."""
    try:
        v = rec[item][field]["val"]
    except (KeyError, TypeError, IndexError):
        return math.nan
    if type(v) is float:
        return v if math.isfinite(v) else math.nan
    return float(v) if type(v) is int else math.nan


def _i(rec: dict, item: str, field: str) -> int | None:
    """An integer item, else None."""
    try:
        v = rec[item][field]["val"]
    except (KeyError, TypeError, IndexError):
        return None
    return v if type(v) is int else None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    s = value.strip()
    return s if s and s.isprintable() else None


def _hex_text(value: Any) -> str | None:
    """Text items that were re-encoded as hex (CAT062 I390), printable ASCII only."""
    if not isinstance(value, str):
        return None
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        return None
    if any(b < 32 or b > 126 for b in raw.rstrip(b"\x00")):
        return None
    return _text(raw.rstrip(b"\x00").decode("ascii"))


def _address(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) != 6:
        return None
    try:
        int(value, 16)
    except ValueError:
        return None
    return value.lower()


def _source_key(rec: dict) -> tuple[int, int] | None:
    sac, sic = _i(rec, "I010", "SAC"), _i(rec, "I010", "SIC")
    return None if sac is None or sic is None else (sac, sic)


# ------------------------------------------------------------------- collecting


class _Rows:
    """Columns of the records that may become rows, in file order."""

    def __init__(self) -> None:
        self.record = array("q")
        self.offset = array("q")
        self.packet_ns = array("q")  # -1: no usable packet timestamp
        self.tod = array("d")  # seconds since midnight, NaN when absent
        self.lat, self.lon, self.alt = array("d"), array("d"), array("d")
        self.alt_kind = array("b")
        self.gs, self.trk, self.vr = array("d"), array("d"), array("d")
        self.track_id: list[str | None] = []
        self.callsign: list[str | None] = []
        self.reason: list[str | None] = []  # known before positioning
        # CAT048 plots waiting for their radar site: row, (SAC, SIC), rho m, theta deg, height m
        self.polar: list[tuple[int, tuple[int, int], float, float, float]] = []
        self._strings: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.record)

    def _intern(self, s: str | None) -> str | None:
        return None if s is None else self._strings.setdefault(s, s)

    def add(
        self,
        record: int,
        offset: int,
        packet_ns: int | None,
        tod: float,
        track_id: str | None,
        lat: float,
        lon: float,
        alt: float = math.nan,
        alt_kind: int = -1,
        gs: float = math.nan,
        trk: float = math.nan,
        vr: float = math.nan,
        callsign: str | None = None,
        reason: str | None = None,
    ) -> int:
        self.record.append(record)
        self.offset.append(offset)
        self.packet_ns.append(-1 if packet_ns is None else packet_ns)
        self.tod.append(tod)
        self.track_id.append(self._intern(track_id))
        self.lat.append(lat)
        self.lon.append(lon)
        self.alt.append(alt)
        self.alt_kind.append(alt_kind if not math.isnan(alt) else -1)
        self.gs.append(gs)
        self.trk.append(trk)
        self.vr.append(vr)
        self.callsign.append(self._intern(callsign))
        self.reason.append(reason)
        return len(self.record) - 1


class _Reader:
    """State of one read: record counter, rows, rejects, radar sites."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.count = 0
        self.rows = _Rows()
        self.rejects: list[Reject] = []
        self.sites: Sites = {}
        self.readable = 0  # records decoded without error, and well-framed blocks not decoded

    def reject(self, reason: str, offset: int) -> None:
        self.count += 1
        self.rejects.append(Reject(self.src.name, self.count, reason, offset=offset))

    # -- blocks

    def block(self, offset: int, data: bytes, packet_ns: int | None, problem: str | None) -> None:
        """One data block (``problem`` set when it was framed from damaged bytes)."""
        cat = data[0]
        if cat in DECODED and len(data) >= MIN_BLOCK:
            self._decode(offset, data, packet_ns, problem)
        elif problem is not None:
            self.reject(problem, offset)
        elif cat in SERVICE:
            self.readable += 1
            self.reject("service message", offset)
        elif cat in KNOWN:
            self.readable += 1
            self.reject(f"unsupported category {cat}", offset)
        else:
            self.reject(f"unknown category {cat}", offset)

    def _decode(self, offset: int, data: bytes, packet_ns: int | None, problem: str | None) -> None:
        """Decode a block's records in windows of at most DECODE_WINDOW bytes.

        After a record it cannot read, asterix-decoder goes on parsing from
        wherever that record stopped (garbage) and dumps the rest of the block
        in an error message for each failure: quadratic in the block size. So
        records are decoded a window at a time, only the leading well-decoded
        records of a window are kept, and the next window starts after them. A
        failure is real when the window reached the end of the block.
        """
        cat, pos, window = data[0], 3, DECODE_WINDOW
        while pos < len(data):
            piece = data[pos : pos + window]
            head = bytes([cat, (len(piece) + 3) >> 8, (len(piece) + 3) & 0xFF])
            try:
                records = _decoder().records(head + piece)
            except (SystemError, ValueError, UnicodeDecodeError):
                records = []
            good = []
            for rec in records:
                if not isinstance(rec, dict) or rec.get("hexdata") is None:
                    break
                good.append(rec)
            consumed = sum(rec.get("len", 0) for rec in good)
            for rec in good:
                self._record(rec, offset, packet_ns)
            if len(good) == len(records) and records and consumed > 0:
                pos += consumed
            elif pos + len(piece) >= len(data) or window >= MAX_RECORD:
                self.reject(problem or "bad record", offset)  # the rest is not framed
                return
            elif consumed > 0:
                pos += consumed
            else:
                window = min(4 * window, MAX_RECORD)  # a record longer than the window

    def _record(self, rec: dict, offset: int, packet_ns: int | None) -> None:
        if len(rec) <= 5 and not any(k.startswith("I") for k in rec):
            self.reject("empty record", offset)
            return
        self.readable += 1
        self.count += 1
        cat = rec.get("category")
        if cat == 21:
            self._cat021(rec, offset, packet_ns)
        elif cat == 48:
            self._cat048(rec, offset, packet_ns)
        elif cat == 62:
            self._cat062(rec, offset, packet_ns)
        else:
            if cat == 34:
                self._site(rec)
            self.rejects.append(Reject(self.src.name, self.count, "service message", offset))

    # -- categories

    def _cat021(self, rec: dict, offset: int, packet_ns: int | None) -> None:
        lat, lon = _f(rec, "I131", "Lat"), _f(rec, "I131", "Lon")
        if math.isnan(lat) or math.isnan(lon):
            lat, lon = _f(rec, "I130", "Lat"), _f(rec, "I130", "Lon")
        tod = math.nan
        for item, field in (
            ("I071", "time_applicability_position"),
            ("I073", "time_reception_position"),
            ("I077", "time_report_transmission"),
        ):
            tod = _f(rec, item, field)
            if not math.isnan(tod):
                break
        alt, kind = _f(rec, "I145", "FL") * FL_TO_M, 0
        if math.isnan(alt):
            alt, kind = _f(rec, "I140", "geometric_height") * FT_TO_M, 1
        vr = _f(rec, "I155", "BVR")
        if math.isnan(vr):
            vr = _f(rec, "I157", "GVR")
        address = _address(_val(rec, "I080", "TAddr"))
        reason = position_reason(lat, lon) or (None if address else "no target address")
        self.rows.add(
            self.count,
            offset,
            packet_ns,
            tod,
            address,
            lat,
            lon,
            alt,
            kind,
            gs=_f(rec, "I160", "GS") * NM_TO_M,
            trk=_f(rec, "I160", "TA"),
            vr=vr * FPM_TO_MPS,
            callsign=_text(_val(rec, "I170", "TId")),
            reason=reason,
        )

    def _cat062(self, rec: dict, offset: int, packet_ns: int | None) -> None:
        lat, lon = _f(rec, "I105", "Lat"), _f(rec, "I105", "Lon")
        key, number = _source_key(rec), _i(rec, "I040", "TrkN")
        track_id = None
        if key is not None and number is not None:
            track_id = f"{TRACK_PREFIX}:{key[0]}/{key[1]}:{number}"
        alt, kind = _f(rec, "I136", "MFL") * FT_TO_M, 0
        if math.isnan(alt):
            alt = _f(rec, "I135", "CTBA") * FT_TO_M
        if math.isnan(alt):
            alt, kind = _f(rec, "I130", "Alt") * FT_TO_M, 1
        vx, vy = _f(rec, "I185", "Vx"), _f(rec, "I185", "Vy")
        callsign = (
            _text(_val(rec, "I380", "ID", "ACID"))
            or _text(_val(rec, "I245", "TId"))
            or _hex_text(_val(rec, "I390", "CSN", "CS"))
        )
        reason = position_reason(lat, lon) or (None if track_id else "no track number")
        self.rows.add(
            self.count,
            offset,
            packet_ns,
            _f(rec, "I070", "ToT"),
            track_id,
            lat,
            lon,
            alt,
            kind,
            gs=math.hypot(vx, vy),
            trk=math.degrees(math.atan2(vx, vy)) % 360.0,
            vr=_f(rec, "I220", "RoC") * FPM_TO_MPS,
            callsign=callsign,
            reason=reason,
        )

    def _cat048(self, rec: dict, offset: int, packet_ns: int | None) -> None:
        rho, theta = _f(rec, "I040", "RHO"), _f(rec, "I040", "THETA")
        key = _source_key(rec)
        fl = _f(rec, "I090", "FL")
        if _val(rec, "I090", "V") != 0 or _val(rec, "I090", "G") != 0:
            fl = math.nan  # not validated or garbled Mode C
        number = _i(rec, "I161", "Tn")
        if key is not None and number is not None:
            track_id: str | None = f"{TRACK_PREFIX}:{key[0]}/{key[1]}:{number}"
        else:
            track_id = _address(_val(rec, "I220", "ACAddr"))
        reason: str | None = None
        if math.isnan(rho) or math.isnan(theta):
            reason = "no position"
        elif key is None:
            reason = "no radar site"
        elif track_id is None:
            reason = "untracked plot"
        row = self.rows.add(
            self.count,
            offset,
            packet_ns,
            _f(rec, "I140", "ToD"),
            track_id,
            math.nan,
            math.nan,
            fl * FL_TO_M,
            0,
            gs=_f(rec, "I200", "CGS") * KT_TO_MPS,
            trk=_f(rec, "I200", "CHdg"),
            callsign=_text(_val(rec, "I240", "TId")),
            reason=reason,
        )
        if reason is None and key is not None:
            self.rows.polar.append((row, key, rho * NM_TO_M, theta, fl * FL_TO_M))

    def _site(self, rec: dict) -> None:
        key = _source_key(rec)
        lat, lon = _f(rec, "I120", "LAT"), _f(rec, "I120", "Lon")
        height = _f(rec, "I120", "Height")
        if key is None or key in self.sites or position_reason(lat, lon) or math.isnan(height):
            return
        scale = _decoder().site_scale
        lat, lon = round(lat / scale) * SITE_LSB, round(lon / scale) * SITE_LSB
        self.sites[key] = (lat, lon, height)


# ---------------------------------------------------------------------- framing


def _read_pcap(reader: _Reader, buf: Buffer) -> None:
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
            reader.reject("truncated packet", start)
            buf.pos += n
            return
        sec, frac, incl, orig = struct.unpack_from(endian + "IIII", buf.data, buf.pos)
        if frac >= (NS if nano else 1_000_000) or incl > MAX_PACKET or incl > orig:
            end = resync(buf, buf.pos + 1, partial(pcap.header_ok, last_s=clock.last_s))
            reader.reject("bad pcap record", start)
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
        _read_payload(reader, payload, start + 16 + where[0], start, packet_ns)


def _read_payload(
    reader: _Reader, payload: bytes, offset: int, packet_offset: int, packet_ns: int | None
) -> None:
    """Data blocks of a UDP payload at file ``offset`` (its pcap record at ``packet_offset``)."""
    length = (payload[1] << 8) | payload[2] if len(payload) >= 3 else 0
    if not MIN_BLOCK <= length <= len(payload) and not any(
        block_sync(payload, i, len(payload), True) for i in range(1, len(payload))
    ):
        reader.reject("not ASTERIX", packet_offset)
        return
    for block_offset, data, problem in blocks(Buffer(None, payload, offset)):
        reader.block(block_offset, data, packet_ns, problem)


# ---------------------------------------------------------------- positioning


def _position_plots(reader: _Reader, sensors: Sites) -> None:
    rows = reader.rows
    by_site: dict[tuple[float, float, float], list[tuple[int, float, float, float]]] = {}
    for row, key, rho, theta, height in rows.polar:
        site = reader.sites.get(key) or sensors.get(key)
        if site is None:
            rows.reason[row] = "no radar site"
            continue
        by_site.setdefault(site, []).append((row, rho, theta, height))
    for site, plots in by_site.items():
        idx, rho, theta, height = (np.array(v) for v in zip(*plots, strict=True))
        lat, lon = polar_to_wgs84(site, rho, theta, height)
        for i, la, lo in zip(idx.tolist(), lat.tolist(), lon.tolist(), strict=True):
            rows.lat[i], rows.lon[i] = la, lo
            if position_reason(la, lo):
                rows.reason[i] = "lat/lon out of range"


# ------------------------------------------------------------------------ time


def _midnight_ns(date: dt.date) -> int:
    return (date - dt.date(1970, 1, 1)).days * DAY_NS


def resolve_times(
    tod_s: np.ndarray, packet_ns: np.ndarray, date: dt.date | None
) -> tuple[np.ndarray, np.ndarray]:
    """UTC ns for times of day, in file order; and a mask of those without a date.

    Each time of day goes on the day that puts it nearest to a reference: the
    packet's own timestamp when there is one (``packet_ns >= 0``), else the
    previous resolved time, else midnight of ``date`` (first record only).
    """
    n = len(tod_s)
    out = np.zeros(n, dtype=np.int64)
    undated = np.zeros(n, dtype=bool)
    valid = (tod_s >= 0.0) & (tod_s < 86_400.0)  # NaN compares False
    tod_ns = np.where(valid, np.round(np.where(valid, tod_s, 0.0) * NS), -1).astype(np.int64)
    tod_ns = tod_ns.tolist()
    packets = packet_ns.tolist()
    prev: int | None = None
    for i in range(n):
        t = tod_ns[i]
        if t < 0:
            continue
        ref = packets[i] if packets[i] >= 0 else prev
        if ref is None:
            if date is None:
                undated[i] = True
                continue
            value = _midnight_ns(date) + t
        else:
            value = ref // DAY_NS * DAY_NS + t
            if value - ref > DAY_NS // 2:
                value -= DAY_NS
            elif ref - value > DAY_NS // 2:
                value += DAY_NS
        out[i] = value
        prev = value
    return out, undated


# ------------------------------------------------------------------------ read


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read an ASTERIX pcap capture or raw block stream (see the module docs).

    ``options.date`` dates records whose capture has no packet timestamps;
    ``options.sensors`` names a radar-site file for CAT048 plots whose capture
    has no CAT034 site report.
    """
    options = options or ReadOptions()
    src = Source(path, stream)
    sensors = load_sensors(options.sensors) if options.sensors is not None else {}
    reader = _Reader(src)
    with src.open() as f:
        buf = Buffer(f)
        if buf.fill(4) == 0:
            raise src.fail("empty file")
        magic = bytes(buf.data[:4])
        if magic == PCAPNG_MAGIC:
            raise src.fail("pcapng capture: convert it to pcap first (editcap -F pcap)")
        if magic in PCAP_MAGIC:
            _read_pcap(reader, buf)
        else:
            for offset, data, problem in blocks(buf):
                reader.block(offset, data, None, problem)
    return _finish(reader, options, sensors)


def _finish(reader: _Reader, options: ReadOptions, sensors: Sites) -> ReadResult:
    src, rows = reader.src, reader.rows
    if reader.readable == 0:
        raise src.fail("no readable ASTERIX data block")
    _position_plots(reader, sensors)
    tod = np.frombuffer(rows.tod, dtype=np.float64) if len(rows) else np.zeros(0)
    packet = np.frombuffer(rows.packet_ns, dtype=np.int64) if len(rows) else np.zeros(0, np.int64)
    time_ns, undated = resolve_times(tod, packet, options.date)
    checks = Checks(len(rows))
    names = list(dict.fromkeys(r for r in rows.reason if r is not None))
    code = {name: i + 1 for i, name in enumerate(names)}
    known = np.array([0 if r is None else code[r] for r in rows.reason], dtype=np.int64)
    for name in names:
        checks.flag(known == code[name], name)
    with np.errstate(invalid="ignore"):
        checks.flag(np.isnan(tod) | (tod < 0) | (tod >= 86_400.0), "no time")
    checks.flag(undated, "no date")
    checks.flag((time_ns < T_MIN_NS) | (time_ns >= T_MAX_NS), "time out of range")
    if undated.any() and checks.ok.sum() == 0:
        raise src.fail(
            "ASTERIX gives only the time of day and the capture has no usable packet "
            "timestamps: the date is missing (give it with ReadOptions.date / --date)"
        )
    keep = checks.ok
    records = np.frombuffer(rows.record, dtype=np.int64) if len(rows) else np.zeros(0, np.int64)
    offsets = np.frombuffer(rows.offset, dtype=np.int64) if len(rows) else np.zeros(0, np.int64)
    floats = {
        "lat": rows.lat,
        "lon": rows.lon,
        "alt_m": rows.alt,
        "ground_speed_mps": rows.gs,
        "track_deg": rows.trk,
        "vrate_mps": rows.vr,
    }
    columns: dict[str, Any] = {
        name: np.frombuffer(v, dtype=np.float64)[keep] if len(rows) else np.zeros(0)
        for name, v in floats.items()
    }
    kinds = np.frombuffer(rows.alt_kind, dtype=np.int8) if len(rows) else np.zeros(0, np.int8)
    idx = np.flatnonzero(keep).tolist()
    columns["alt_kind"] = labels(kinds[keep].astype(np.int64), ALT_KINDS)
    columns["track_id"] = [rows.track_id[i] for i in idx]
    columns["callsign"] = [rows.callsign[i] for i in idx]
    columns["time"] = time_ns[keep]
    columns["source_record"] = records[keep]
    table = make_table(columns, source=FORMAT, source_file=src.name)
    reasons = checks.reasons
    rejects = reader.rejects + [
        Reject(src.name, int(records[i]), reasons[checks.code[i]], offset=int(offsets[i]))
        for i in np.flatnonzero(~keep).tolist()
    ]
    rejects.sort(key=lambda r: r.record)
    return ReadResult(table, rejects, format=FORMAT)
