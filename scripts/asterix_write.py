"""Writing ASTERIX CAT048 plots of a primary radar, for ``generate_radar.py``.

Only what a PSR plot needs (EUROCONTROL ASTERIX Part 4, Category 048, edition 1.31):

=====  ========  ==========================================================
FRN    item      content
=====  ========  ==========================================================
1      I048/010  data source identifier: SAC, SIC (1 octet each)
2      I048/140  time of day: UTC seconds since midnight, LSB 1/128 s, 3 octets
3      I048/020  target report descriptor: TYP = 001 (single PSR detection), 1 octet
4      I048/040  measured position in polar coordinates: RHO, LSB 1/256 NM, and
                 THETA, LSB 360/2^16 degrees, 2 octets each
=====  ========  ==========================================================

Nothing else: no I048/161 track number, no I048/220 aircraft address, no I048/090
flight level (a 2D primary radar measures no height), so each record is 11 octets:
FSPEC ``F0``, then the items in FRN order. Records are packed into data blocks
(CAT, 2-octet length including the 3-octet header, records) of at most 65,535 octets.

A secondary (Mode S) radar's plot (``mode_s_plot``, for ``generate_fusion.py``) adds
what a roll-call reply tells, still without a track number (I048/161):

=====  ========  ==========================================================
5      I048/070  Mode 3/A code: V = G = L = 0, the code in octal, 2 octets
6      I048/090  flight level: V = G = 0, 14 bits two's complement, LSB 1/4 FL
8      I048/220  aircraft address, 3 octets
9      I048/240  aircraft identification: 8 characters of 6 bits (ICAO IA-5)
=====  ========  ==========================================================

with I048/020 TYP = 101 (single Mode S roll-call): FSPEC ``FD C0``, 25 octets.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator

import numpy as np

CAT048 = 48
#: FSPEC with FRN 1-4 present and no extension
FSPEC_PSR_PLOT = 0xF0
#: I048/020 octet 1: TYP (bits 8-6) = 001 single PSR detection; SIM, RDP, SPI, RAB, FX = 0
TYP_PSR = 0x20
RECORD_OCTETS = 11
MAX_BLOCK_OCTETS = 0xFFFF
NM_M = 1852.0
TOD_PER_S = 128  # I048/140 units per second
RHO_PER_NM = 256  # I048/040 RHO units per nautical mile
THETA_PER_TURN = 1 << 16  # I048/040 THETA units per 360 degrees

_RECORD = struct.Struct(">BBB3sBHH")
#: FSPEC with FRN 1-6 (FX) and FRN 8-9 present
FSPEC_MODE_S_PLOT = b"\xfd\xc0"
#: I048/020 octet 1: TYP = 101 single Mode S roll-call
TYP_MODE_S_ROLL_CALL = 0xA0
_MODE_S_RECORD = struct.Struct(">2sBB3sBHHHH3s6s")
#: ICAO 6-bit characters of I048/240 (A-Z 1-26, space 32, digits 48-57)
_IA5 = {**{chr(65 + k): 1 + k for k in range(26)}, " ": 32, **{str(d): 48 + d for d in range(10)}}


def tod_units(seconds_of_day: np.ndarray) -> np.ndarray:
    """I048/140 counts (1/128 s) of UTC seconds since midnight, rounded to nearest."""
    return np.rint(np.asarray(seconds_of_day, dtype=np.float64) * TOD_PER_S).astype(np.int64)


def rho_units(slant_range_m: np.ndarray) -> np.ndarray:
    """I048/040 RHO counts (1/256 NM) of slant ranges in metres, rounded to nearest."""
    return np.rint(np.asarray(slant_range_m) / NM_M * RHO_PER_NM).astype(np.int64)


def theta_units(azimuth_deg: np.ndarray) -> np.ndarray:
    """I048/040 THETA counts (360/2^16 degrees) of azimuths, rounded, modulo a full turn."""
    turns = np.asarray(azimuth_deg, dtype=np.float64) / 360.0 * THETA_PER_TURN
    return np.rint(turns).astype(np.int64) % THETA_PER_TURN


def psr_plot(sac: int, sic: int, tod: int, rho: int, theta: int) -> bytes:
    """One CAT048 record of a PSR plot from raw counts (time of day, RHO, THETA)."""
    if not (0 <= tod < 1 << 24 and 0 <= rho < 1 << 16 and 0 <= theta < 1 << 16):
        raise ValueError(f"plot out of CAT048 range: tod={tod} rho={rho} theta={theta}")
    return _RECORD.pack(FSPEC_PSR_PLOT, sac, sic, tod.to_bytes(3, "big"), TYP_PSR, rho, theta)


def mode_s_plot(
    sac: int, sic: int, tod: int, rho: int, theta: int, plot: tuple[int, int, int, str]
) -> bytes:
    """One CAT048 record of a Mode S roll-call plot from raw counts; ``plot`` is
    (Mode 3/A code as an int of its octal digits' value, flight level in 1/4 FL,
    24-bit address, callsign of at most 8 characters A-Z, 0-9, space)."""
    mode3a, fl_quarters, address, callsign = plot
    if not (0 <= tod < 1 << 24 and 0 <= rho < 1 << 16 and 0 <= theta < 1 << 16):
        raise ValueError(f"plot out of CAT048 range: tod={tod} rho={rho} theta={theta}")
    fl_ok = -(1 << 13) <= fl_quarters < 1 << 13
    if not (0 <= mode3a < 1 << 12 and fl_ok and 0 <= address < 1 << 24):
        raise ValueError(f"Mode S plot out of range: {plot}")
    return _MODE_S_RECORD.pack(
        FSPEC_MODE_S_PLOT,
        sac,
        sic,
        tod.to_bytes(3, "big"),
        TYP_MODE_S_ROLL_CALL,
        rho,
        theta,
        mode3a,
        fl_quarters & 0x3FFF,
        address.to_bytes(3, "big"),
        callsign_octets(callsign),
    )


def callsign_octets(callsign: str) -> bytes:
    """An aircraft identification as 6 octets: 8 characters of 6 bits (ICAO IA-5),
    space-padded; as I048/240 and I021/170 carry it."""
    bits = 0
    for ch in callsign.ljust(8):
        bits = (bits << 6) | _IA5[ch]
    return bits.to_bytes(6, "big")


def data_block(records: Iterable[bytes], cat: int = CAT048) -> bytes:
    """One data block holding ``records`` (CAT, LEN, records)."""
    body = b"".join(records)
    if not body or len(body) + 3 > MAX_BLOCK_OCTETS:
        raise ValueError(f"a data block holds 1 to 65,532 octets of records, not {len(body)}")
    return bytes([cat]) + struct.pack(">H", len(body) + 3) + body


def blocks(
    sac: int, sic: int, tod: np.ndarray, rho: np.ndarray, theta: np.ndarray, group: np.ndarray
) -> Iterator[bytes]:
    """Data blocks of PSR plots in the given order, a new block where ``group`` changes
    (e.g. the antenna's sector) or where a block would exceed 65,535 octets."""
    records = (psr_plot(sac, sic, int(tod[k]), int(rho[k]), int(theta[k])) for k in range(len(tod)))
    return pack(records, group)


def pack(records: Iterable[bytes], group: np.ndarray, cat: int = CAT048) -> Iterator[bytes]:
    """Data blocks of category ``cat`` holding ready-made records in the given order, a
    new block where ``group`` changes or where a block would exceed 65,535 octets."""
    body: list[bytes] = []
    size, last = 0, None
    for record, g in zip(records, group.tolist(), strict=True):
        if body and (g != last or size + len(record) > MAX_BLOCK_OCTETS - 3):
            yield data_block(body, cat)
            body, size = [], 0
        body.append(record)
        size += len(record)
        last = g
    if body:
        yield data_block(body, cat)
