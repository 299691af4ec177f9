"""Mode S / ADS-B messages built by hand for the decoding tests, and a way to decode them.

CPR is encoded with the DO-260B formulas and the parity computed by pyModeS, an
implementation independent of ours, so each rule can be checked with exact
numbers; real messages come from the pyModeS sample.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
from pyModeS import util as pms_util
from pyModeS.position import _cpr as pms_cpr

from airwitness import reasons
from airwitness.io._convert import Checks
from airwitness.io.modes._decode import decode
from airwitness.io.modes._messages import Messages, hex_frames
from airwitness.io.options import ReadOptions

from ..helpers import reconcile

T0 = 1_700_000_000 * 10**9
ICAO = 0x4CA2D4
# Real messages of aircraft 406b90 (pyModeS sample): a velocity and an identification.
VELOCITY = "8D406B909945DE10000405999BE4"  # 493.6 kt, track 284.9°, 0 ft/min
IDENT = "8D406B902015A678D4D220AA4BDA"  # EZY85MH


def with_crc(hex_without_parity: str) -> str:
    """Append the Mode S parity (computed by pyModeS, not by the code under test)."""
    return hex_without_parity + format(pms_util.crc(hex_without_parity + "000000"), "06x")


def cpr_encode(lat: float, lon: float, odd: int, span: float = 360.0) -> tuple[int, int]:
    """DO-260B A.1.7.2 CPR encoding (17 bits); span 360 airborne, 90 surface."""
    dlat = span / (60 - odd)
    yz = math.floor(2**17 * (lat % dlat) / dlat + 0.5)
    rlat = dlat * (yz / 2**17 + math.floor(lat / dlat))
    nl = pms_cpr.cprNL(rlat) - odd
    dlon = span / nl if nl > 0 else span
    xz = math.floor(2**17 * (lon % dlon) / dlon + 0.5)
    return yz % 2**17, xz % 2**17


def airborne(lat, lon, odd, alt_ft=35_000, tc=11, icao=ICAO, df=17, cf=5) -> str:
    yz, xz = cpr_encode(lat, lon, odd)
    n = (alt_ft + 1000) // 25
    ac = ((n & 0x7F0) << 1) | 0x10 | (n & 0xF)
    me = (tc << 51) | (ac << 36) | (odd << 34) | (yz << 17) | xz
    return with_crc(format((df << 3) | cf, "02x") + format(icao, "06x") + format(me, "014x"))


def surface(lat, lon, odd, tc=7, icao=ICAO) -> str:
    yz, xz = cpr_encode(lat, lon, odd, span=90.0)
    me = (tc << 51) | (1 << 44) | (odd << 34) | (yz << 17) | xz  # movement 1 = stopped
    return with_crc("8d" + format(icao, "06x") + format(me, "014x"))


def status(nacp: int, version=2, subtype=0, icao=ICAO, df=17, cf=5, imf=0) -> str:
    """TC 31 aircraft operational status: only subtype, version, NACp and IMF (ME bit 56) set."""
    me = (31 << 51) | (subtype << 48) | (version << 13) | (nacp << 8) | imf
    return with_crc(format((df << 3) | cf, "02x") + format(icao, "06x") + format(me, "014x"))


def target_state(nacp: int, subtype=1, icao=ICAO) -> str:
    """TC 29 target state and status: only subtype and NACp (ME bits 40-43) set."""
    me = (29 << 51) | (subtype << 49) | (nacp << 13)
    return with_crc("8d" + format(icao, "06x") + format(me, "014x"))


def retarget(msg: str, icao: int = ICAO, first_byte: int = 0x8D) -> str:
    """A real message moved to another aircraft (and/or DF/CF), with a fresh CRC."""
    return with_crc(format(first_byte, "02x") + format(icao, "06x") + msg[8:22])


def run(msgs: list[tuple[float, str]], **options):
    """Decode (seconds after T0, hex) pairs; records are 1..n."""
    n = len(msgs)
    frames, nbytes = hex_frames(pa.array([m for _, m in msgs], pa.string()))
    time_ns = np.array([T0 + round(s * 1e9) for s, _ in msgs], dtype=np.int64)
    checks = Checks(n)
    checks.flag(nbytes == 0, reasons.UNDECODABLE_MESSAGE)
    batch = Messages(np.arange(1, n + 1), time_ns, frames, nbytes, checks)
    result = decode("hand", "modes_raw", batch, ReadOptions(**options))
    reconcile(result, range(1, n + 1))
    return result


def rows(result) -> dict[int, dict]:
    return {r["source_record"]: r for r in result.table.to_pylist()}
