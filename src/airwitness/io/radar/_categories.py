"""ASTERIX data records decoded category by category (CAT021, CAT048, CAT062, CAT034/065).

:class:`Reader` takes the data blocks that framing finds (see
:mod:`airwitness.io.radar._framing`), has ``asterix-decoder`` decode their
records and keeps, per record, the values of the canonical table in
:class:`Rows`, or a reject. CAT048 plots wait for their radar site until the
whole capture is read (:func:`position_plots`). What each category gives, and
why the decoder is used the way it is, is told in :mod:`airwitness.io.radar.asterix`.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import threading
from array import array
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from airwitness import reasons
from airwitness.io._convert import position_problem
from airwitness.io._source import Source
from airwitness.io.radar._accuracy import cat021_sigma, cat062_sigma
from airwitness.io.radar._framing import KNOWN, MIN_BLOCK
from airwitness.io.radar._sites import NM_TO_M, polar_to_wgs84
from airwitness.io.sensors import Sensors, Sites
from airwitness.schema import FPM_TO_MPS, FT_TO_M, KT_TO_MPS, Reject
from airwitness.uncertainty import sigma_from_range_azimuth

#: Categories handed to the decoder (the only ones whose text items are safe).
DECODED = frozenset({21, 34, 48, 62, 65})
#: Status and service categories: no aircraft positions by definition.
SERVICE = frozenset({2, 19, 23, 25, 34, 63, 65, 247, 252})

#: bytes of a block handed to the decoder at once (see Reader._decode)
DECODE_WINDOW = 4096
#: the largest record accepted (a window is widened up to this for a long record)
MAX_RECORD = 16384
FL_TO_M = 100.0 * FT_TO_M
TRACK_PREFIX = "asterix"
#: The ``sensor`` of ADS-B reports (CAT021): the aircraft's own position, whoever heard it
ADSB = "adsb"


def sensor_name(key: tuple[int, int]) -> str:
    """The ``sensor`` (and track id prefix) of a radar or tracker by its SAC/SIC."""
    return f"{TRACK_PREFIX}:{key[0]}/{key[1]}"


# --------------------------------------------------------------------- decoder


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


def _num(node: Any, field: str) -> float:
    """:func:`_f` on an item already looked up (``rec.get(item)``): items with several
    fields are looked up once (CAT048 plots come by the tens of thousands), and an
    absent one costs no exception."""
    if node is None:
        return math.nan
    try:
        v = node[field]["val"]
    except (KeyError, TypeError, IndexError):
        return math.nan
    if type(v) is float:
        return v if math.isfinite(v) else math.nan
    return float(v) if type(v) is int else math.nan


def _field(node: Any, field: str) -> Any:
    """:func:`_val` on an item already looked up."""
    if node is None:
        return None
    try:
        return node[field]["val"]
    except (KeyError, TypeError, IndexError):
        return None


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


@dataclass
class Plot:
    """What a detection keeps of a CAT048 plot with neither track number nor address."""

    sac_sic: tuple[int, int]
    rho_m: float
    theta_deg: float
    mode3a: str | None
    amplitude: float
    site: tuple[float, float, float] | None = None  # lat, lon, height, once known
    accuracy: tuple[float, float] | None = None  # σ range m, σ azimuth deg


class Rows:
    """Columns of the records that may become rows, in file order."""

    def __init__(self) -> None:
        self.record = array("q")
        self.offset = array("q")
        self.packet_ns = array("q")  # -1: no usable packet timestamp
        self.tod = array("d")  # seconds since midnight, NaN when absent
        self.lat, self.lon, self.alt = array("d"), array("d"), array("d")
        self.alt_kind = array("b")
        self.gs, self.trk, self.vr = array("d"), array("d"), array("d")
        self.sigma = array("d")  # pos_sigma_m, NaN: not stated
        self.track_id: list[str | None] = []
        self.sensor: list[str | None] = []  # the schema's ``sensor``: who measured
        self.identity: list[str | None] = []  # the Mode S address, where one is given
        self.callsign: list[str | None] = []
        self.reason: list[str | None] = []  # known before positioning
        # CAT048 plots waiting for their radar site: row, (SAC, SIC), rho m, theta deg, height m
        self.polar: list[tuple[int, tuple[int, int], float, float, float]] = []
        # CAT048 plots with no identity, for the tracker: row -> Plot
        self.plots: dict[int, Plot] = {}
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
        sigma: float = math.nan,
        sensor: str | None = None,
        identity: str | None = None,
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
        self.sigma.append(sigma)
        self.callsign.append(self._intern(callsign))
        self.sensor.append(self._intern(sensor))
        self.identity.append(self._intern(identity))
        self.reason.append(reason)
        return len(self.record) - 1


class Reader:
    """State of one read: record counter, rows, rejects, radar sites."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.count = 0
        self.rows = Rows()
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
            self.reject(reasons.SERVICE_MESSAGE, offset)
        elif cat in KNOWN:
            self.readable += 1
            self.reject(reasons.unsupported_category(cat), offset)
        else:
            self.reject(reasons.unknown_category(cat), offset)

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
                self.reject(problem or reasons.BAD_RECORD, offset)  # the rest is not framed
                return
            elif consumed > 0:
                pos += consumed
            else:
                window = min(4 * window, MAX_RECORD)  # a record longer than the window

    def _record(self, rec: dict, offset: int, packet_ns: int | None) -> None:
        if len(rec) <= 5 and not any(k.startswith("I") for k in rec):
            self.reject(reasons.EMPTY_RECORD, offset)
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
            self.rejects.append(Reject(self.src.name, self.count, reasons.SERVICE_MESSAGE, offset))

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
        reason = position_problem(lat, lon) or (None if address else reasons.NO_TARGET_ADDRESS)
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
            sigma=cat021_sigma(rec),
            sensor=ADSB,
            identity=address,
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
        reason = position_problem(lat, lon) or (None if track_id else reasons.NO_TRACK_NUMBER)
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
            sigma=cat062_sigma(rec, lat),
            sensor=None if key is None else sensor_name(key),
            identity=_address(_val(rec, "I380", "ADR", "ADR")) if "I380" in rec else None,
        )

    def _cat048(self, rec: dict, offset: int, packet_ns: int | None) -> None:
        i040, i090, get = rec.get("I040"), rec.get("I090"), rec.get
        rho, theta = _num(i040, "RHO"), _num(i040, "THETA")
        key = _source_key(rec)
        fl = _num(i090, "FL")
        if _field(i090, "V") != 0 or _field(i090, "G") != 0:
            fl = math.nan  # not validated or garbled Mode C
        number = _i(rec, "I161", "Tn") if "I161" in rec else None
        address = _address(_val(rec, "I220", "ACAddr")) if "I220" in rec else None
        track_id: str | None = None
        if key is not None and number is not None:
            track_id = f"{sensor_name(key)}:{number}"
        elif key is not None and address is not None:
            # the radar's own track of the address: never merged with the aircraft's
            # ADS-B, which is another sensor (docs/fusion.md)
            track_id = f"{sensor_name(key)}:{address}"
        reason: str | None = None
        if math.isnan(rho) or math.isnan(theta):
            reason = reasons.NO_POSITION
        elif key is None:
            reason = reasons.NO_RADAR_SITE
        row = self.rows.add(
            self.count,
            offset,
            packet_ns,
            _num(get("I140"), "ToD"),
            track_id,
            math.nan,
            math.nan,
            fl * FL_TO_M,
            0,
            gs=_num(get("I200"), "CGS") * KT_TO_MPS,
            trk=_num(get("I200"), "CHdg"),
            callsign=_text(_val(rec, "I240", "TId")) if "I240" in rec else None,
            reason=reason,
            sensor=None if key is None else sensor_name(key),
            identity=address,
        )
        if reason is None and key is not None:
            self.rows.polar.append((row, key, rho * NM_TO_M, theta, fl * FL_TO_M))
            if track_id is None:  # an anonymous plot: a detection, for the tracker
                i070, i130 = get("I070"), get("I130")
                mode3a = _field(i070, "Mode3A")
                if _field(i070, "V") != 0 or _field(i070, "G") != 0:
                    mode3a = None  # not validated, or garbled
                amplitude = _num(i130, "PAM")
                if math.isnan(amplitude):
                    amplitude = _num(i130, "SAM")
                self.rows.plots[row] = Plot(key, rho * NM_TO_M, theta, _text(mode3a), amplitude)

    def _site(self, rec: dict) -> None:
        key = _source_key(rec)
        lat, lon = _f(rec, "I120", "LAT"), _f(rec, "I120", "Lon")
        height = _f(rec, "I120", "Height")
        if key is None or key in self.sites or position_problem(lat, lon) or math.isnan(height):
            return
        scale = _decoder().site_scale
        lat, lon = round(lat / scale) * SITE_LSB, round(lon / scale) * SITE_LSB
        self.sites[key] = (lat, lon, height)


# ---------------------------------------------------------------- positioning


def position_plots(reader: Reader, sensors: Sensors) -> None:
    """Place the CAT048 plots in WGS-84 from their radar site: a CAT034 site report
    of the capture, else the sensors file; without either the plot is ``no radar
    site``. Each plot's σ is its radar's accuracy at its slant range (the sensors
    file's figures for that SAC/SIC, else the defaults), whichever gave the site."""
    rows = reader.rows
    file_sites = sensors.sites
    by_site: dict[tuple[float, float, float], list[tuple[int, float, float, float]]] = {}
    for row, key, rho, theta, height in rows.polar:
        site = reader.sites.get(key) or file_sites.get(key)
        if site is None:
            rows.reason[row] = reasons.NO_RADAR_SITE
            continue
        accuracy = sensors.accuracy_of(key)
        plot = rows.plots.get(row)
        if plot is not None:  # the tracker places it
            plot.site, plot.accuracy = site, accuracy
            continue
        rows.sigma[row] = sigma_from_range_azimuth(
            rho, accuracy.sigma_range_m, accuracy.sigma_azimuth_deg
        )
        by_site.setdefault(site, []).append((row, rho, theta, height))
    for site, plots in by_site.items():
        idx, rho, theta, height = (np.array(v) for v in zip(*plots, strict=True))
        lat, lon = polar_to_wgs84(site, rho, theta, height)
        for i, la, lo in zip(idx.tolist(), lat.tolist(), lon.tolist(), strict=True):
            rows.lat[i], rows.lon[i] = la, lo
            if position_problem(la, lo):
                rows.reason[i] = reasons.LAT_LON_OUT_OF_RANGE
