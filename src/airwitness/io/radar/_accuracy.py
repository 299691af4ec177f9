"""Position errors (``pos_sigma_m``) from the quality items of decoded ASTERIX records.

Each function takes a record as ``asterix-decoder`` gives it and returns the 1-σ
horizontal position error in metres (circular model, docs/architecture.md §2),
or NaN where the record states nothing usable: the report is kept either way
(a missing or nonsensical accuracy is never a reason to reject a position).
CAT048 plots get theirs from the radar's accuracy when they are positioned
(:func:`airwitness.io.radar._categories.position_plots`).
"""

from __future__ import annotations

import math
from typing import Any

from airwitness.io.radar._sites import WGS84_A, WGS84_E2
from airwitness.uncertainty import sigma_from_nacp, sigma_from_nic, sigma_from_nucp


def _number(rec: dict, item: str, *path: str) -> float:
    """rec[item][path...]['val'] as a finite float, else NaN (absent, or the decoder's
    "Error" text)."""
    node: Any = rec.get(item)
    try:
        for key in path:
            node = node[key]
        value = node["val"]
    except (KeyError, TypeError, IndexError):
        return math.nan
    if type(value) is int or type(value) is float:
        return float(value) if math.isfinite(value) else math.nan
    return math.nan


def _code(rec: dict, item: str, field: str) -> int | None:
    value = _number(rec, item, field)
    return None if math.isnan(value) else int(value)


def _or_nan(sigma: float | None) -> float:
    return math.nan if sigma is None else sigma


# ------------------------------------------------------------------- CAT021


def cat021_sigma(rec: dict) -> float:
    """σ of an ADS-B report from I021/090 (quality indicators).

    The NACp (first extension; its EPU is a 95 % bound) when it is 1-11; else
    the primary subfield, which is a NIC for MOPS version 1 or 2 and a NUCp for
    version 0 (I021/210 ``VN``): both are integrity bounds, taken as 95 %
    bounds (conservative). Without I021/210 the version is unknown and the
    larger σ of both readings is kept. NACp 0, NIC/NUCp 0 or reserved values:
    NaN.
    """
    sigma = sigma_from_nacp(_code(rec, "I090", "NACp"))
    if sigma is not None:
        return sigma
    value = _code(rec, "I090", "NUCp_or_NIC")
    version = _code(rec, "I210", "VN")
    if version is None:
        readings = [s for s in (sigma_from_nic(value), sigma_from_nucp(value)) if s is not None]
        return max(readings) if readings else math.nan
    if version == 0:
        return _or_nan(sigma_from_nucp(value))
    return _or_nan(sigma_from_nic(value))


# ------------------------------------------------------------------- CAT062


def cat062_sigma(rec: dict, lat: float) -> float:
    """σ of a system track from I062/500 (estimated accuracies), at latitude ``lat``.

    APC gives σx, σy (m, LSB 0.5 m) in the tracker's Cartesian plane and COV
    the XY covariance as sign(cov)·√|cov| (m, LSB 0.5 m): the σ is the major
    semi-axis of that error ellipse, √λmax (max(σx, σy) without COV). APW gives
    σ of latitude and longitude (degrees, LSB 180/2^25), turned into metres with
    the WGS-84 radii of curvature at ``lat``: the larger of the two. With both
    APC and APW the larger σ is kept (conservative). An item without APC or APW,
    or whose axes are all 0 (not filled in), gives NaN.
    """
    sigmas = [_apc(rec), _apw(rec, lat)]
    stated = [s for s in sigmas if not math.isnan(s) and s > 0.0]
    return max(stated) if stated else math.nan


def _apc(rec: dict) -> float:
    sx, sy = _number(rec, "I500", "APC", "APC_X"), _number(rec, "I500", "APC", "APC_Y")
    if math.isnan(sx) or math.isnan(sy):
        return math.nan
    c = _number(rec, "I500", "COV", "COV_XY")
    cov = 0.0 if math.isnan(c) else math.copysign(c * c, c)
    half_sum, half_diff = (sx * sx + sy * sy) / 2.0, (sx * sx - sy * sy) / 2.0
    return math.sqrt(half_sum + math.hypot(half_diff, cov))


def _apw(rec: dict, lat: float) -> float:
    s_lat, s_lon = _number(rec, "I500", "APW", "APW_Lat"), _number(rec, "I500", "APW", "APW_Long")
    if math.isnan(s_lat) or math.isnan(s_lon) or math.isnan(lat):
        return math.nan
    north_m, east_m = degrees_to_metres(lat, s_lat, s_lon)
    return max(north_m, east_m)


def degrees_to_metres(lat: float, d_lat: float, d_lon: float) -> tuple[float, float]:
    """Small angles of latitude and longitude at latitude ``lat`` as metres north and
    east: the WGS-84 meridian radius M and prime-vertical radius N·cos(lat)."""
    phi = math.radians(lat)
    w = 1.0 - WGS84_E2 * math.sin(phi) ** 2
    meridian = WGS84_A * (1.0 - WGS84_E2) / w**1.5
    prime_vertical = WGS84_A / math.sqrt(w)
    return (
        math.radians(d_lat) * meridian,
        math.radians(d_lon) * prime_vertical * math.cos(phi),
    )
