"""EUROCONTROL ASTERIX surveillance data, from pcap captures or raw block streams.

Decoding of data records is done by the ``asterix-decoder`` package (module
``asterix``); airwitness only frames the input (pcap packets, Ethernet / IP /
UDP headers, ASTERIX data blocks: :mod:`airwitness.io.radar._framing`), turns
decoded items into the canonical table category by category, and positions
monoradar plots (:mod:`airwitness.io.radar._categories`). This module reads a
file with them and dates the records.

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
      (6 lowercase hex digits); a plot with neither is a detection
      (``ReadResult.detections``), which the tracker makes tracks of
      (docs/tracking.md). Velocity I048/200, callsign I048/240, time of day I048/140.
    * CAT034 and CAT065 records are decoded (CAT034 for the radar sites) and
      rejected ``service message``; so are blocks of the other status/service
      categories (002, 019, 023, 025, 063, 247, 252), one reject per block.
      Blocks of other categories that the decoder knows are rejected
      ``unsupported category N``; categories it does not know ``unknown category
      N`` (one reject per block: their records cannot be framed).

Position error (``pos_sigma_m``)
    CAT021 from I021/090 (NACp, else NIC or NUCp by the MOPS version of
    I021/210), CAT062 from I062/500 (APC with its covariance, APW), both in
    :mod:`airwitness.io.radar._accuracy`; null where the record states nothing
    usable, and never a reason to reject. CAT048 plots from their radar's range
    and azimuth accuracy at the plot's slant range (the sensors file's
    ``sigma_range_m``, ``sigma_azimuth_deg``, else 70 m and 0.08°, typical of a
    monopulse SSR: :mod:`airwitness.io.radar._sites`); I048/210 describes the
    tracker's smoothed position, not the plot, and is not used. Details and
    sources: docs/formats.md.

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
    capture noise). Damage or missing context: ``bad record`` (the
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
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa

from airwitness import reasons
from airwitness.io._convert import T_MAX_NS, T_MIN_NS, Checks, labels
from airwitness.io._source import Source
from airwitness.io.options import ReadOptions
from airwitness.io.radar._categories import Reader, Rows, position_plots
from airwitness.io.radar._framing import (
    PCAP_MAGIC,
    PCAPNG_MAGIC,
    Buffer,
    blocks,
    is_block_chain,
    read_payload,
    read_pcap,
    sniff_pcap,
)
from airwitness.io.sensors import Sensors, asterix_sensor, load_sensors
from airwitness.schema import ReadResult, Reject, make_detections, make_table

FORMAT = "asterix"
NS = 1_000_000_000
DAY_NS = 86_400 * NS
ALT_KINDS = ["baro", "geo"]


# --------------------------------------------------------------------- sniffing


def sniff(head: bytes, extension: str) -> bool:
    """True for a libpcap capture of ASTERIX over UDP, or a raw block stream.

    pcap: the magic number, a supported link type, and UDP payloads among the
    first packets of which at least half are whole chains of ASTERIX blocks.
    Raw: the head is a chain of blocks of known categories that ends exactly at
    the end of the file (or runs past a full 64 KiB head).
    """
    if head[:4] in PCAP_MAGIC:
        return sniff_pcap(head)
    return is_block_chain(head, len(head) < (1 << 16))


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
    sensors = load_sensors(options.sensors) if options.sensors is not None else Sensors()
    reader = Reader(src)
    with src.open() as f:
        buf = Buffer(f)
        if buf.fill(4) == 0:
            raise src.fail("empty file")
        magic = bytes(buf.data[:4])
        if magic == PCAPNG_MAGIC:
            raise src.fail("pcapng capture: convert it to pcap first (editcap -F pcap)")
        if magic in PCAP_MAGIC:
            read_pcap(reader, buf)
        else:
            for offset, data, problem in blocks(buf):
                reader.block(offset, data, None, problem)
    return _finish(reader, options, sensors)


class StreamDecoder:
    """ASTERIX datagrams as they arrive (``airwitness watch``, ``asterix+udp://``): each
    payload is read as :func:`read` reads a captured UDP payload, and dated by the time
    it was received (each time of day goes on the day nearest to it). Records are
    data records counted from the first datagram on; offsets count the bytes
    received. CAT048 plots are placed with the radar sites known when their batch
    is taken (CAT034 reports received so far, else the sensors file)."""

    def __init__(self, name: str, options: ReadOptions | None = None) -> None:
        self._options = options or ReadOptions()
        sensors = self._options.sensors
        self._sensors = load_sensors(sensors) if sensors is not None else Sensors()
        self._reader = Reader(Source(name))
        self._offset = 0

    def feed(self, data: bytes, receive_ns: int) -> None:
        """One datagram's payload."""
        if data:
            read_payload(self._reader, data, self._offset, self._offset, receive_ns)
        self._offset += len(data)

    def end(self, broken: bool) -> None:
        """Datagrams come whole: nothing is left over."""

    def take(self) -> ReadResult:
        """The rows and rejects of the datagrams fed since the last call."""
        reader = self._reader
        result = _result(reader, self._options, self._sensors)
        reader.rows, reader.rejects = Rows(), []
        return result


def _finish(reader: Reader, options: ReadOptions, sensors: Sensors) -> ReadResult:
    if reader.readable == 0:
        raise reader.src.fail("no readable ASTERIX data block")
    return _result(reader, options, sensors)


def _result(reader: Reader, options: ReadOptions, sensors: Sensors) -> ReadResult:
    src, rows = reader.src, reader.rows
    position_plots(reader, sensors)
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
        checks.flag(np.isnan(tod) | (tod < 0) | (tod >= 86_400.0), reasons.NO_TIME)
    checks.flag(undated, reasons.NO_DATE)
    checks.flag((time_ns < T_MIN_NS) | (time_ns >= T_MAX_NS), reasons.TIME_OUT_OF_RANGE)
    if undated.any() and checks.ok.sum() == 0:
        raise src.fail(
            "ASTERIX gives only the time of day and the capture has no usable packet "
            "timestamps: the date is missing (give it with ReadOptions.date / --date)"
        )
    is_plot = np.zeros(len(rows), dtype=bool)
    is_plot[list(rows.plots)] = True
    keep = checks.ok & ~is_plot
    records = np.frombuffer(rows.record, dtype=np.int64) if len(rows) else np.zeros(0, np.int64)
    offsets = np.frombuffer(rows.offset, dtype=np.int64) if len(rows) else np.zeros(0, np.int64)
    floats = {
        "lat": rows.lat,
        "lon": rows.lon,
        "alt_m": rows.alt,
        "ground_speed_mps": rows.gs,
        "track_deg": rows.trk,
        "vrate_mps": rows.vr,
        "pos_sigma_m": rows.sigma,
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
    columns["sensor"] = [rows.sensor[i] for i in idx]
    columns["identity"] = [rows.identity[i] for i in idx]
    columns["time"] = time_ns[keep]
    columns["source_record"] = records[keep]
    table = make_table(columns, source=FORMAT, source_file=src.name)
    names = checks.reasons
    rejects = reader.rejects + [
        Reject(src.name, int(records[i]), names[checks.code[i]], offset=int(offsets[i]))
        for i in np.flatnonzero(~checks.ok).tolist()
    ]
    rejects.sort(key=lambda r: r.record)
    plots = np.flatnonzero(checks.ok & is_plot)
    detections = _detections(rows, plots, time_ns, records, offsets, src.name)
    sites = {
        asterix_sensor(*key): (lon, lat, height)
        for key, (lat, lon, height) in sorted(reader.sites.items())
    }
    return ReadResult(table, rejects, format=FORMAT, detections=detections, sites=sites)


def _detections(
    rows: Rows,
    idx: np.ndarray,
    time_ns: np.ndarray,
    records: np.ndarray,
    offsets: np.ndarray,
    name: str,
) -> pa.Table:
    """The anonymous CAT048 plots, as detections for the tracker."""
    plots = [rows.plots[i] for i in idx.tolist()]
    alt = np.frombuffer(rows.alt, dtype=np.float64)[idx] if len(rows) else np.zeros(0)
    sites = [p.site for p in plots]
    accuracy = [p.accuracy for p in plots]
    columns: dict[str, Any] = {
        "sensor": [asterix_sensor(*p.sac_sic) for p in plots],
        "time": time_ns[idx],
        "range_m": [p.rho_m for p in plots],
        "azimuth_deg": [p.theta_deg for p in plots],
        "site_lat": [s[0] for s in sites],
        "site_lon": [s[1] for s in sites],
        "site_alt_m": [s[2] for s in sites],
        "sigma_range_m": [a[0] for a in accuracy],
        "sigma_azimuth_deg": [a[1] for a in accuracy],
        "alt_m": alt,
        "alt_kind": np.where(np.isnan(alt), None, ALT_KINDS[0]).tolist(),
        "mode3a": [p.mode3a for p in plots],
        "amplitude": np.array([p.amplitude for p in plots], dtype=np.float64),
        "source_record": records[idx],
        "source_offset": offsets[idx],
    }
    return make_detections(columns, source=FORMAT, source_file=name)
