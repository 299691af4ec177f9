"""Generate N position reports of realistic traffic as hive-partitioned Parquet, for scale.

Usage::

    python scripts/generate_traffic.py --reports 10000000 [--seed 0] [-o DIR] [--files K]
                                       [--format canonical|opensky|opensky-csv]

Writes ``DIR/day=YYYY-MM-DD/part-NNNN.parquet`` (UTC days) holding exactly N rows of the
canonical table (:data:`airwitness.schema.POSITION_SCHEMA`, nothing more: the day is in
the path only), plus ``DIR/_generate_traffic.json`` (parameters and row counts; readers
such as ``pyarrow.dataset`` skip names starting with ``_``). Same arguments, same bytes.

``--format`` writes the same reports as users get them from OpenSky instead
(``scripts/traffic_opensky.py``): ``opensky``, Parquet in the columns of OpenSky's Trino
database (snappy, as its exports), in the same files and row groups; ``opensky-csv``,
the hourly ``YYYY-MM-DD/HH/states_YYYY-MM-DD-HH.csv.gz`` files of its historical dumps.
airwitness reads the same positions, times and altitudes from all three; only the
provenance differs (each file names its own rows), and the source (``generated`` in the
canonical files, ``opensky`` in the others: its default position error, 50 m against
100 m, enters the confidences).

What is in it, and why it looks like a real feed:

* **Flights** on great circles between 193 real airports (ICAO code, position;
  weighted towards Europe, the Middle East and the Caucasus), departing uniformly over
  ``--days`` days from ``--start``. Ground speed ramps up over the climb and down over the
  descent; altitude climbs at 8–12 m/s to a cruise level that grows with the leg's length
  and descends at 6–9 m/s; turboprops fly the short legs slower and lower.
* **Drones** loiter on ellipses of 2–8 km over land borders (AZE–IRN, POL–BLR, UKR–RUS,
  LTU–BLR, ARM–AZE, …; each point was checked once against the built-in airspace to lie
  on the border), so every orbit crosses it twice. About 4 % of the reports.
* **Like a receiver network**: each aircraft reports every 1–10 s (fixed per aircraft,
  with jitter), loses coverage for 20 s – 20 min up to three times per flight (now and then
  for over 30 min, which splits the track), has ~15 m of position noise (drones 3 m),
  25 ft altitude steps, a few isolated position outliers (2 per 100,000 reports, 20–200 km
  off), and some null fields (callsign, altitude, velocity).
* **Sorted by time within a file**, files being consecutive time slices of about
  N / K reports each, so one flight's reports are spread over several files and days
  (as in hourly OpenSky dumps): finding a track's crossings needs a shuffle by track.

Speed: everything is vectorised numpy over all flights at once. Per-report randomness
(time jitter, noise, outliers, dropouts) is a counter-based hash of (seed, flight,
report index), so any time window can be generated on its own and the output does not
depend on how the work is cut; ``--jobs 2`` writes files in parallel.
``source`` is ``generated``; ``source_file`` is the file's path relative to DIR and
``source_record`` its 1-based row number, so every report can be found again.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from airwitness.schema import PARQUET_COMPRESSION, POSITION_SCHEMA, parquet_options

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the OpenSky layouts beside it
import traffic_opensky

MANIFEST = "_generate_traffic.json"
SOURCE = "generated"
DEFAULT_START = "2025-06-13"
# Same script, same settings, same bytes (hashed at start: the code that runs).
_SELF_SHA256 = hashlib.sha256(
    Path(__file__).read_bytes() + Path(traffic_opensky.__file__).read_bytes()
).hexdigest()
FORMATS = ("canonical", "opensky", "opensky-csv")
#: Parquet compression of each format unless ``--compression`` says otherwise (canonical:
#: as airwitness writes it, ``airwitness.schema.parquet_options``)
COMPRESSION = {"canonical": PARQUET_COMPRESSION, "opensky": "snappy", "opensky-csv": "gzip"}
ROW_GROUP = 1_000_000
ROWS_PER_FILE = 4_000_000
EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0
NS = 1_000_000_000
FT = 0.3048

# ICAO code, latitude, longitude (aerodrome reference points, WGS-84 degrees), region.
# Regions: E Europe, R Russia, C Caucasus, M Middle East, A Central Asia, W rest of world.
AIRPORTS = """
EGLL 51.4700 -0.4543 E|EGKK 51.1481 -0.1903 E|EGCC 53.3537 -2.2750 E|EGPH 55.9500 -3.3725 E
EGBB 52.4539 -1.7480 E|EIDW 53.4213 -6.2701 E|LFPG 49.0097 2.5479 E|LFPO 48.7233 2.3794 E
LFML 43.4393 5.2214 E|LFMN 43.6584 7.2159 E|LFLL 45.7256 5.0811 E|LFBO 43.6291 1.3638 E
LFSB 47.5896 7.5299 E|EHAM 52.3105 4.7683 E|EBBR 50.9014 4.4844 E|ELLX 49.6233 6.2044 E
EDDF 50.0379 8.5622 E|EDDM 48.3538 11.7861 E|EDDB 52.3667 13.5033 E|EDDH 53.6304 9.9882 E
EDDL 51.2895 6.7668 E|EDDK 50.8659 7.1427 E|EDDS 48.6899 9.2220 E|EDDN 49.4987 11.0669 E
EDDP 51.4239 12.2364 E|LSZH 47.4647 8.5492 E|LSGG 46.2381 6.1090 E|LOWW 48.1103 16.5697 E
LOWS 47.7933 13.0043 E|LOWI 47.2602 11.3439 E|LKPR 50.1008 14.2600 E|EPWA 52.1657 20.9671 E
EPKK 50.0777 19.7848 E|EPGD 54.3776 18.4662 E|EPWR 51.1027 16.8858 E|EPRZ 50.1100 22.0190 E
LHBP 47.4298 19.2611 E|LHDC 47.4889 21.6153 E|LZIB 48.1702 17.2127 E|LJLJ 46.2237 14.4576 E
LDZA 45.7429 16.0688 E|LDSP 43.5389 16.2980 E|LYBE 44.8184 20.3091 E|LQSA 43.8246 18.3315 E
LWSK 41.9616 21.6214 E|LATI 41.4147 19.7206 E|LBSF 42.6967 23.4114 E|LBWN 43.2321 27.8251 E
LROP 44.5711 26.0850 E|LRCL 46.7852 23.6862 E|LUKK 46.9277 28.9310 E|UKBB 50.3450 30.8947 E
UKOO 46.4268 30.6765 E|UKLL 49.8125 23.9561 E|UKHH 49.9248 36.2900 E|UKDD 48.3572 35.1006 E
UMMS 53.8825 28.0307 E|UMBB 52.1083 23.8981 E|UMGG 52.5270 31.0167 E|EYVI 54.6341 25.2858 E
EVRA 56.9236 23.9711 E|EETN 59.4133 24.8328 E|EFHK 60.3172 24.9633 E|EFOU 64.9301 25.3546 E
ESSA 59.6519 17.9186 E|ESGG 57.6628 12.2798 E|ENGM 60.1939 11.1004 E|ENBR 60.2934 5.2181 E
ENVA 63.4578 10.9240 E|EKCH 55.6180 12.6561 E|BIKF 63.9850 -22.6056 E|LEMD 40.4719 -3.5626 E
LEBL 41.2971 2.0785 E|LEPA 39.5517 2.7388 E|LEMG 36.6749 -4.4991 E|LPPT 38.7813 -9.1359 E
LPPR 41.2481 -8.6814 E|LIRF 41.8003 12.2389 E|LIMC 45.6306 8.7281 E|LIPZ 45.5053 12.3519 E
LIPE 44.5354 11.2887 E|LIRN 40.8860 14.2908 E|LICC 37.4668 15.0664 E|LMML 35.8575 14.4775 E
LGAV 37.9364 23.9445 E|LGTS 40.5197 22.9709 E|LGIR 35.3397 25.1803 E|LCLK 34.8751 33.6249 E
LTFM 41.2753 28.7519 E|LTFJ 40.8986 29.3092 E|LTAC 40.1281 32.9951 M|LTAI 36.8987 30.8005 M
LTBJ 38.2924 27.1570 E|LTCG 40.9951 39.7897 M|LTCE 39.9565 41.1702 M|LTAJ 36.9472 37.4787 M
LTCI 38.4682 43.3323 M|LTCC 37.8939 40.2010 M|UUEE 55.9726 37.4146 R|UUDD 55.4088 37.9063 R
ULLI 59.8003 30.2625 R|URSS 43.4499 39.9566 R|URRP 47.4939 39.9245 R|URKK 45.0347 39.1705 R
URMM 44.2251 43.0819 R|URML 42.8168 47.6523 R|URWA 46.2833 48.0063 R|UUOB 50.6438 36.5901 R
UUBP 53.2142 34.1764 R|UBBB 40.4675 50.0467 C|UBBG 40.7377 46.3176 C|UBBN 39.1888 45.4584 C
UBBL 38.7464 48.8180 C|UBBQ 40.8267 47.7125 C|UDYZ 40.1473 44.3959 C|UDSG 40.7504 43.8593 C
UGTB 41.6692 44.9547 C|UGSB 41.6103 41.5997 C|UGKO 42.1767 42.4826 C|OIII 35.6892 51.3134 M
OIIE 35.4161 51.1522 M|OITT 38.1339 46.2350 M|OITR 37.6681 45.0687 M|OIGG 37.3233 49.6178 M
OIMM 36.2352 59.6410 M|OISS 29.5392 52.5899 M|OIFM 32.7508 51.8613 M|OIKB 27.2183 56.3778 M
OIAW 31.3374 48.7620 M|ORBI 33.2625 44.2346 M|ORER 36.2376 43.9632 M|ORMM 30.5491 47.6621 M
ORNI 31.9899 44.4043 M|OSDI 33.4115 36.5156 M|OSLK 35.4011 35.9487 M|OLBA 33.8209 35.4884 M
OJAI 31.7226 35.9932 M|LLBG 32.0114 34.8867 M|HECA 30.1219 31.4056 M|OEJN 21.6796 39.1565 M
OEMA 24.5534 39.7051 M|OERK 24.9576 46.6988 M|OEDF 26.4712 49.7979 M|OKBK 29.2267 47.9689 M
OBBI 26.2708 50.6336 M|OTHH 25.2731 51.6081 M|OMDB 25.2528 55.3644 M|OMAA 24.4330 54.6511 M
OOMS 23.5933 58.2844 M|OYSN 15.4763 44.2197 M|UAAA 43.3521 77.0405 A|UACC 51.0222 71.4669 A
UTTT 41.2579 69.2812 A|UTAA 37.9868 58.3610 A|UCFM 43.0613 74.4776 A|UTDD 38.5433 68.8250 A
OAKB 34.5659 69.2123 A|OPKC 24.9065 67.1608 W|OPLA 31.5216 74.4036 W|GMMN 33.3675 -7.5898 W
DTTA 36.8510 10.2272 W|DAAG 36.6910 3.2154 W|HLLT 32.6635 13.1590 W|HAAB 8.9779 38.7993 W
HKJK -1.3192 36.9278 W|FAOR -26.1392 28.2460 W|DNMM 6.5774 3.3212 W|VIDP 28.5562 77.1000 W
VABB 19.0896 72.8656 W|VHHH 22.3080 113.9185 W|ZBAA 40.0799 116.6031 W|ZSPD 31.1443 121.8083 W
RJTT 35.5494 139.7798 W|RKSI 37.4602 126.4407 W|WSSS 1.3644 103.9915 W|VTBS 13.6900 100.7501 W
WMKK 2.7456 101.7072 W|KJFK 40.6413 -73.7781 W|KORD 41.9742 -87.9073 W|KLAX 33.9416 -118.4085 W
KATL 33.6407 -84.4277 W|KMIA 25.7959 -80.2870 W|KIAD 38.9531 -77.4565 W|KBOS 42.3656 -71.0096 W
CYYZ 43.6777 -79.6248 W|CYUL 45.4706 -73.7408 W|MMMX 19.4361 -99.0719 W|SBGR -23.4356 -46.4731 W
SAEZ -34.8222 -58.5358 W|SCEL -33.3930 -70.7858 W|SKBO 4.7016 -74.1469 W|YSSY -33.9399 151.1753 W
NZAA -37.0082 174.7850 W
"""
REGION_WEIGHT = {"E": 3.0, "R": 2.0, "C": 4.0, "M": 3.0, "A": 1.5, "W": 0.5}

# Points on land borders (lon, lat, weight), found once by bisecting between a point in
# each country with the built-in airspace (Natural Earth 5.1.1).
BORDERS = np.array(
    [
        (47.0000, 39.1810, 3.0),  # AZE–IRN, Aras near Horadiz
        (47.6000, 39.5581, 2.0),  # AZE–IRN, Aras near Beylagan
        (48.4825, 38.5219, 2.0),  # AZE–IRN, near Astara
        (45.6300, 38.9555, 2.0),  # AZE (Nakhchivan)–IRN, Julfa
        (45.2819, 41.0061, 1.5),  # ARM–AZE, Tavush / Qazax
        (23.9089, 52.7002, 3.0),  # POL–BLR, Białowieża
        (23.7517, 53.3447, 2.0),  # POL–BLR, near Kuźnica
        (25.6751, 54.5304, 1.5),  # LTU–BLR, Medininkai
        (36.4027, 50.3061, 3.0),  # UKR–RUS, Kharkiv / Belgorod
        (35.0705, 51.2096, 2.0),  # UKR–RUS, Sumy / Kursk
        (30.5000, 51.2590, 1.0),  # UKR–BLR
        (28.0456, 59.3246, 1.0),  # EST–RUS, Narva
        (28.6621, 61.0021, 1.0),  # FIN–RUS
        (44.6000, 42.7492, 1.0),  # GEO–RUS
        (37.1000, 36.6494, 1.0),  # TUR–SYR, Kilis
        (35.4359, 33.0803, 1.0),  # ISR–LBN
        (44.3359, 39.3920, 1.0),  # TUR–IRN
        (45.4242, 34.0022, 1.0),  # IRQ–IRN
        (29.1921, 47.6620, 1.0),  # MDA–UKR
    ]
)

# ICAO airline designators for callsigns.
_AIRLINE_CODES = (
    "AFR BAW DLH KLM SWR AUA LOT THY PGT AHY IRA IRM QTR UAE ETD SVA RJA MEA ELY AFL SDM "
    "WZZ RYR EZY SAS FIN AEE TAP IBE VLG ITY BEL DAL UAL AAL ACA CCA JAL SIA ETH MSR TAY "
    "BMS AZG UKN FDB KAC GFA OMA IAW KZR UZB"
)
AIRLINES = tuple(_AIRLINE_CODES.split())

# Shares and rates.
DRONE_SHARE = 0.04  # of reports
GAP_SLOTS = 3  # at most this many dropouts per flight, one per third of it
GAP_PROB = 0.5  # chance of a dropout in each slot
LONG_GAP_PROB = 0.03  # a dropout longer than 30 min (the track splits)
OUTLIER_PROB = 2e-5
NULL_CALLSIGN = 0.02
NULL_ALT = 0.005
NULL_VELOCITY = 0.01
JITTER = 0.8  # report k lies in [k, k + JITTER) report intervals after the first


@dataclass
class Flights:
    """Every flight's parameters, one array element per flight (airliners and drones)."""

    uid: np.ndarray  # int64, hash key of the flight
    drone: np.ndarray  # bool
    t0_ns: np.ndarray  # int64, time of report index 0
    dt_s: np.ndarray  # report interval
    k_max: np.ndarray  # int64, reports indices 0..k_max-1 (before dropouts)
    gap_lo: np.ndarray  # (F, GAP_SLOTS) int64, dropped report indices [lo, hi)
    gap_hi: np.ndarray
    track: np.ndarray  # int64 index into the track_id strings
    callsign: np.ndarray  # int64 index into the callsign strings, -1 none
    # airliner geometry: unit vectors of origin a, destination b, arc angle
    ax: np.ndarray
    ay: np.ndarray
    az: np.ndarray
    bx: np.ndarray
    by: np.ndarray
    bz: np.ndarray
    omega: np.ndarray
    length_m: np.ndarray
    v0: np.ndarray
    vc: np.ndarray
    t_climb: np.ndarray  # speed ramp-up time
    t_desc: np.ndarray  # speed ramp-down time
    duration: np.ndarray
    h_cruise: np.ndarray
    climb: np.ndarray
    desc: np.ndarray
    # drone geometry: centre, semi-axes, rotation, angular speed, phase, height
    clon: np.ndarray
    clat: np.ndarray
    semi_a: np.ndarray
    semi_b: np.ndarray
    rot: np.ndarray
    ang_v: np.ndarray
    phase: np.ndarray

    def take(self, idx: np.ndarray) -> Flights:
        return Flights(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    @property
    def reports(self) -> np.ndarray:
        """Reports per flight: indices below k_max outside every dropout."""
        lo = np.minimum(self.gap_lo, self.k_max[:, None])
        hi = np.minimum(self.gap_hi, self.k_max[:, None])
        return self.k_max - np.maximum(hi - lo, 0).sum(axis=1)

    @property
    def t1_ns(self) -> np.ndarray:
        """An upper bound on the time of the last report."""
        return self.t0_ns + np.ceil(self.k_max * self.dt_s * NS).astype(np.int64) + NS


# ---------------------------------------------------------------- counter-based randomness

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijective avalanche of 64-bit keys."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def _hash(seed: int, stream: int, uid: np.ndarray, k: np.ndarray) -> np.ndarray:
    salt = _mix(np.array([seed * 1_000_003 + stream], dtype=np.uint64))[0]
    key = (uid.astype(np.uint64) << np.uint64(32)) ^ k.astype(np.uint64) ^ salt
    return _mix(key)


def _unit(h: np.ndarray, bits: int, shift: int) -> np.ndarray:
    """Uniform [0, 1) from ``bits`` bits of ``h`` starting at ``shift``."""
    field = (h >> np.uint64(shift)) & np.uint64((1 << bits) - 1)
    return field.astype(np.float64) * (1.0 / (1 << bits))


def _normals(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two independent standard normals per hash (Box–Muller on 2 × 32 bits)."""
    u1 = _unit(h, 32, 0) + 0.5 / 2**32
    u2 = _unit(h, 32, 32)
    r = np.sqrt(-2.0 * np.log(u1))
    return r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)


# ---------------------------------------------------------------- flights


def _airports() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    rows = [r.split() for line in AIRPORTS.strip().splitlines() for r in line.split("|")]
    codes = [r[0] for r in rows]
    lat = np.array([float(r[1]) for r in rows])
    lon = np.array([float(r[2]) for r in rows])
    weight = np.array([REGION_WEIGHT[r[3]] for r in rows])
    return codes, lon, lat, weight


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lo, la = np.radians(lon), np.radians(lat)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _route_table() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All airport pairs with a choice probability: busier regions, mostly 300–3,000 km."""
    _, lon, lat, weight = _airports()
    v = _unit_vectors(lon, lat)
    cos = np.clip(v.T @ v, -1.0, 1.0)
    dist_km = np.arccos(cos) * EARTH_RADIUS_M / 1000.0
    pref = np.where(
        (dist_km > 250.0) & (dist_km < 13_500.0), np.exp(-dist_km / 2_000.0) + 0.02, 0.0
    )
    p = (weight[:, None] * weight[None, :] * pref).ravel()
    i, j = np.divmod(np.arange(p.size), len(lon))
    return i, j, p / p.sum(), lon, lat


def _airliners(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    oi, di, p, lon, lat = _route_table()
    pick = rng.choice(p.size, size=n, p=p)
    o, d = oi[pick], di[pick]
    a, b = _unit_vectors(lon[o], lat[o]), _unit_vectors(lon[d], lat[d])
    omega = np.arccos(np.clip((a * b).sum(axis=0), -1.0, 1.0))
    length = omega * EARTH_RADIUS_M
    prop = (length < 1_200_000.0) & (rng.random(n) < 0.25)  # turboprops on short legs
    vc = np.where(prop, rng.uniform(125.0, 150.0, n), rng.uniform(215.0, 255.0, n))
    v0 = np.where(prop, 55.0, 75.0)
    fl = np.where(
        prop,
        rng.integers(170, 250, n),
        np.clip(np.round((200.0 + length / 10_000.0) / 10.0) * 10.0, 240.0, 400.0)
        + rng.integers(-2, 3, n) * 10.0,
    )
    h_cruise = fl * 100.0 * FT
    climb = rng.uniform(8.0, 12.0, n) * np.where(prop, 0.6, 1.0)
    desc = rng.uniform(6.0, 9.0, n) * np.where(prop, 0.7, 1.0)
    t_climb, t_desc = h_cruise / climb, h_cruise / desc
    ramp = (v0 + vc) / 2.0 * (t_climb + t_desc)  # distance flown while ramping speed
    short = ramp > length
    scale = np.where(short, length / ramp, 1.0)
    t_climb, t_desc = t_climb * scale, t_desc * scale
    cruise = np.where(short, 0.0, (length - ramp) / vc)
    return {
        "ax": a[0], "ay": a[1], "az": a[2], "bx": b[0], "by": b[1], "bz": b[2],
        "omega": omega, "length_m": length, "v0": v0, "vc": vc,
        "t_climb": t_climb, "t_desc": t_desc, "duration": t_climb + cruise + t_desc,
        "h_cruise": h_cruise, "climb": climb, "desc": desc,
    }  # fmt: skip


def _drones(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    which = rng.choice(len(BORDERS), size=n, p=BORDERS[:, 2] / BORDERS[:, 2].sum())
    semi_a = rng.uniform(2_000.0, 8_000.0, n)
    semi_b = semi_a * rng.uniform(0.3, 1.0, n)
    # Centre within a third of the short axis of the border point: every orbit crosses.
    off = semi_b * rng.uniform(0.0, 0.33, n)
    bearing = rng.uniform(0.0, 2 * np.pi, n)
    clat = BORDERS[which, 1] + off * np.cos(bearing) / M_PER_DEG
    clon = BORDERS[which, 0] + off * np.sin(bearing) / (M_PER_DEG * np.cos(np.radians(clat)))
    speed = rng.uniform(20.0, 45.0, n)
    mean_radius = np.sqrt((semi_a**2 + semi_b**2) / 2.0)
    return {
        "clon": clon, "clat": clat, "semi_a": semi_a, "semi_b": semi_b,
        "rot": rng.uniform(0.0, np.pi, n), "ang_v": speed / mean_radius * rng.choice([-1, 1], n),
        "phase": rng.uniform(0.0, 2 * np.pi, n),
        "h_cruise": rng.uniform(300.0, 5_000.0, n), "duration": rng.uniform(1_800.0, 4 * 3600.0, n),
    }  # fmt: skip


def make_flights(n_reports: int, seed: int, start_ns: int, days: int) -> Flights:
    """Flights whose reports add up to exactly ``n_reports`` (the last one is cut short)."""
    rng = np.random.default_rng(seed)
    mean_airliner, mean_drone = 3_100.0, 3_250.0  # reports per flight, roughly
    flights: list[Flights] = []
    total, uid0 = 0, 0
    while total < n_reports:
        need = n_reports - total
        n_air = max(8, int(need * (1 - DRONE_SHARE) / mean_airliner * 1.1))
        n_drone = max(2, int(need * DRONE_SHARE / mean_drone * 1.1))
        batch = _batch(rng, n_air, n_drone, uid0, start_ns, days)
        uid0 += n_air + n_drone
        flights.append(batch)
        total += int(batch.reports.sum())
    merged = Flights(
        **{f.name: np.concatenate([getattr(b, f.name) for b in flights]) for f in fields(Flights)}
    )
    return _cut(merged, n_reports)


def fleet(n_airliners: int, n_drones: int, seed: int, start: str = DEFAULT_START) -> Flights:
    """A chosen number of airliner and drone flights departing on one day (for benchmarks)."""
    return _batch(np.random.default_rng(seed), n_airliners, n_drones, 0, _start_ns(start), 1)


def fleet_table(fl: Flights, seed: int, source_file: str) -> pa.Table:
    """Every report of these flights as one canonical table, sorted by time."""
    cols = reports_in(fl, int(fl.t0_ns.min()), int(fl.t1_ns.max()) + 1, seed)
    tracks = track_ids(int(fl.track.max()) + 1)
    return _arrow(fl, cols, source_file, 0, tracks, callsigns(fl.callsign))


def _start_ns(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()) * NS


def _batch(
    rng: np.random.Generator, n_air: int, n_drone: int, uid0: int, start_ns: int, days: int
) -> Flights:
    n = n_air + n_drone
    drone = np.zeros(n, dtype=bool)
    drone[rng.permutation(n)[:n_drone]] = True  # interleave so any cut keeps the mix
    geo = {f.name: np.zeros(n) for f in fields(Flights) if f.name not in _NON_GEOMETRY}
    for key, val in _airliners(rng, n_air).items():
        geo[key][~drone] = val
    for key, val in _drones(rng, n_drone).items():
        geo[key][drone] = val
    dt = np.where(drone, rng.uniform(1.0, 4.0, n), np.exp(rng.uniform(0.0, np.log(10.0), n)))
    k_max = np.floor(geo["duration"] / dt).astype(np.int64) + 1
    # Dropouts: slot s covers the s-th third of the flight; a gap starts inside it.
    dur = np.exp(rng.uniform(np.log(20.0), np.log(1_200.0), (n, GAP_SLOTS)))
    dur = np.where(
        rng.random((n, GAP_SLOTS)) < LONG_GAP_PROB, rng.uniform(1_900, 3_600, (n, GAP_SLOTS)), dur
    )
    on = rng.random((n, GAP_SLOTS)) < GAP_PROB
    slot = k_max[:, None] / GAP_SLOTS
    lo = np.floor((np.arange(GAP_SLOTS)[None, :] + rng.random((n, GAP_SLOTS))) * slot)
    length = np.ceil(dur / dt[:, None])
    hi = np.minimum(lo + length, np.floor((np.arange(GAP_SLOTS)[None, :] + 1) * slot))
    gap_lo = np.where(on, lo, 0).astype(np.int64)
    gap_hi = np.where(on, np.maximum(hi, lo), 0).astype(np.int64)
    t0 = start_ns + (rng.random(n) * days * 86_400_000).astype(np.int64) * 1_000_000
    number = rng.integers(1, 9_999, n)
    airline = rng.integers(0, len(AIRLINES), n)
    callsign = np.where(drone | (rng.random(n) < 0.03), -1, airline * 10_000 + number)
    return Flights(
        uid=np.arange(uid0, uid0 + n, dtype=np.int64),
        drone=drone,
        t0_ns=t0,
        dt_s=dt,
        k_max=k_max,
        gap_lo=gap_lo,
        gap_hi=gap_hi,
        track=np.arange(uid0, uid0 + n, dtype=np.int64),
        callsign=callsign,
        **geo,
    )


_NON_GEOMETRY = {"uid", "drone", "t0_ns", "dt_s", "k_max", "gap_lo", "gap_hi", "track", "callsign"}


def _cut(fl: Flights, n_reports: int) -> Flights:
    counts = fl.reports
    cum = np.cumsum(counts)
    last = int(np.searchsorted(cum, n_reports))  # first flight reaching the total
    fl = fl.take(np.arange(last + 1))
    before = int(cum[last - 1]) if last else 0
    fl.gap_lo[last] = 0  # the cut flight loses its dropouts: k_max is then its count
    fl.gap_hi[last] = 0
    fl.k_max[last] = n_reports - before
    return fl


def track_ids(n: int) -> pa.Array:
    """Distinct ICAO-style 24-bit addresses: an odd-multiplier bijection of the flight number."""
    if n > 1 << 24:
        raise SystemExit("more flights than 24-bit addresses; use fewer reports or split runs")
    addr = (np.arange(n, dtype=np.int64) * 0x9E3779 + 0x3C4A5B) % (1 << 24)
    return pa.array([f"{a:06x}" for a in addr.tolist()], type=pa.string())


def callsigns(codes: np.ndarray) -> pa.Array:
    return pa.array(
        [None if c < 0 else f"{AIRLINES[c // 10_000]}{c % 10_000}" for c in codes.tolist()],
        type=pa.string(),
    )


# ---------------------------------------------------------------- reports in a window


def reports_in(fl: Flights, w0: int, w1: int, seed: int) -> dict[str, np.ndarray]:
    """All reports with w0 <= time < w1 (ns), sorted by time, as numpy columns."""
    active = np.flatnonzero((fl.t0_ns < w1) & (fl.t1_ns >= w0))
    if active.size == 0:
        return {}
    dt = fl.dt_s[active]
    rel0 = (w0 - fl.t0_ns[active]) / NS
    rel1 = (w1 - fl.t0_ns[active]) / NS
    k_lo = np.clip(np.floor(rel0 / dt).astype(np.int64) - 1, 0, fl.k_max[active])
    k_hi = np.clip(np.ceil(rel1 / dt).astype(np.int64) + 1, 0, fl.k_max[active])
    count = np.maximum(k_hi - k_lo, 0)
    f = np.repeat(active, count)
    k = np.arange(f.size, dtype=np.int64) - np.repeat(np.cumsum(count) - count - k_lo, count)
    uid = fl.uid[f]
    h = _hash(seed, 0, uid, k)
    t_rel = (k + JITTER * _unit(h, 21, 0)) * fl.dt_s[f]
    t_ns = fl.t0_ns[f] + np.round(t_rel * 1e3).astype(np.int64) * 1_000_000  # ms steps
    keep = (t_ns >= w0) & (t_ns < w1)
    keep &= ~((k[:, None] >= fl.gap_lo[f]) & (k[:, None] < fl.gap_hi[f])).any(axis=1)
    sel = np.flatnonzero(keep)
    f, k, uid, h, t_rel, t_ns = f[sel], k[sel], uid[sel], h[sel], t_rel[sel], t_ns[sel]
    order = np.argsort(t_ns, kind="stable")
    f, k, uid, h, t_rel, t_ns = f[order], k[order], uid[order], h[order], t_rel[order], t_ns[order]

    n = f.size
    cols = {name: np.empty(n) for name in ("lon", "lat", "alt", "gs", "trk", "vr")}
    is_drone = fl.drone[f]
    for mask, kinematics in ((~is_drone, _airliner_state), (is_drone, _drone_state)):
        idx = np.flatnonzero(mask)
        if idx.size:
            for name, val in zip(cols, kinematics(fl, f[idx], t_rel[idx]), strict=True):
                cols[name][idx] = val

    # Noise: position (15 m, drones 3 m), speed, track, vertical rate; 25 ft altitude steps.
    h1 = _hash(seed, 1, uid, k)
    h2 = _hash(seed, 2, uid, k)
    zx, zy = _normals(h1)
    zs, zt = _normals(h2)
    sigma = np.where(is_drone, 3.0, 15.0)
    lat = cols["lat"] + sigma * zy / M_PER_DEG
    coslat = np.maximum(np.cos(np.radians(lat)), 1e-6)
    lon = cols["lon"] + sigma * zx / (M_PER_DEG * coslat)
    # Isolated outliers: 20–200 km off in a random direction.
    u_out = _unit(h, 21, 21)
    out = np.flatnonzero(u_out < OUTLIER_PROB)
    if out.size:
        dist = 20_000.0 + 180_000.0 * _unit(h1[out], 16, 48)
        ang = 2 * np.pi * _unit(h2[out], 16, 48)
        lat[out] += dist * np.cos(ang) / M_PER_DEG
        lon[out] += dist * np.sin(ang) / (M_PER_DEG * coslat[out])
        lat[out] = np.clip(lat[out], -89.9, 89.9)
    lon = (lon + 180.0) % 360.0 - 180.0
    alt = np.round(cols["alt"] / (25 * FT)) * (25 * FT)
    alt = np.where(is_drone, np.round(cols["alt"], 1), alt)
    gs = np.maximum(cols["gs"] + 0.5 * zs, 0.0)
    trk = (cols["trk"] + 0.3 * zt) % 360.0
    vr = np.round(cols["vr"] / (64 * FT / 60)) * (64 * FT / 60)  # ADS-B: 64 ft/min steps

    u_null = _unit(h, 22, 42)
    return {
        "flight": f,
        "time": t_ns,
        "lon": lon,
        "lat": lat,
        "alt": alt,
        "alt_null": (u_null >= NULL_CALLSIGN) & (u_null < NULL_CALLSIGN + NULL_ALT),
        "gs": gs,
        "trk": trk,
        "vr": vr,
        "vel_null": u_null >= 1.0 - NULL_VELOCITY,
        "call_null": u_null < NULL_CALLSIGN,
        "drone": is_drone,
    }


def _airliner_state(fl: Flights, f: np.ndarray, t: np.ndarray):
    """Position, altitude, ground speed, track and vertical rate at time t after departure."""
    v0, vc, ta, td, dur = fl.v0[f], fl.vc[f], fl.t_climb[f], fl.t_desc[f], fl.duration[f]
    t = np.minimum(t, dur)
    tau = dur - t
    s_a = (v0 + vc) / 2 * ta
    s = np.where(
        t < ta,
        v0 * t + (vc - v0) * t * t / (2 * ta),
        np.where(
            tau < td,
            fl.length_m[f] - (v0 * tau + (vc - v0) * tau * tau / (2 * td)),
            s_a + vc * (t - ta),
        ),
    )
    speed = np.where(
        t < ta, v0 + (vc - v0) * t / ta, np.where(tau < td, v0 + (vc - v0) * tau / td, vc)
    )
    omega = fl.omega[f]
    frac = np.clip(s / np.maximum(fl.length_m[f], 1.0), 0.0, 1.0)
    so = np.maximum(np.sin(omega), 1e-12)
    wa = np.sin((1 - frac) * omega) / so
    wb = np.sin(frac * omega) / so
    ax, ay, az, bx, by, bz = fl.ax[f], fl.ay[f], fl.az[f], fl.bx[f], fl.by[f], fl.bz[f]
    x, y, z = wa * ax + wb * bx, wa * ay + wb * by, wa * az + wb * bz
    lon = np.degrees(np.arctan2(y, x))
    rho = np.hypot(x, y)
    lat = np.degrees(np.arctan2(z, rho))
    # Direction of motion: derivative of the slerp, projected on east and north.
    ca, cb = np.cos((1 - frac) * omega), np.cos(frac * omega)
    tx, ty, tz = cb * bx - ca * ax, cb * by - ca * ay, cb * bz - ca * az
    trk = np.degrees(np.arctan2(x * ty - y * tx, rho * rho * tz - z * (x * tx + y * ty))) % 360.0
    climb_h, desc_h, h_c = fl.climb[f] * t, fl.desc[f] * tau, fl.h_cruise[f]
    alt = np.minimum(np.minimum(climb_h, desc_h), h_c)
    climbing = climb_h <= np.minimum(desc_h, h_c)
    vr = np.where(climbing, fl.climb[f], np.where(desc_h < h_c, -fl.desc[f], 0.0))
    return lon, lat, alt, speed, trk, vr


def _drone_state(fl: Flights, f: np.ndarray, t: np.ndarray):
    """A drone orbiting its ellipse; height wanders ±50 m over a 10-minute period."""
    theta = fl.phase[f] + fl.ang_v[f] * t
    a, b, rot = fl.semi_a[f], fl.semi_b[f], fl.rot[f]
    ex, ny = a * np.cos(theta), b * np.sin(theta)
    dex, dny = -a * np.sin(theta) * fl.ang_v[f], b * np.cos(theta) * fl.ang_v[f]
    cr, sr = np.cos(rot), np.sin(rot)
    east, north = cr * ex - sr * ny, sr * ex + cr * ny
    ve, vn = cr * dex - sr * dny, sr * dex + cr * dny
    clat = fl.clat[f]
    lat = clat + north / M_PER_DEG
    lon = fl.clon[f] + east / (M_PER_DEG * np.cos(np.radians(clat)))
    w = 2 * np.pi / 600.0
    alt = fl.h_cruise[f] + 50.0 * np.sin(w * t + fl.phase[f])
    vr = 50.0 * w * np.cos(w * t + fl.phase[f])
    return lon, lat, alt, np.hypot(ve, vn), np.degrees(np.arctan2(ve, vn)) % 360.0, vr


# ---------------------------------------------------------------- layout and writing


@dataclass
class Part:
    """One output file: a time slice [start_ns, end_ns) cut into row-group windows."""

    path: str  # relative to the output folder
    windows: list[tuple[int, int]]


def plan(fl: Flights, n_files: int, row_group: int, hourly: bool = False) -> list[Part]:
    """Cut time into files of about N / K expected reports, never across a UTC day
    (``hourly``: one file per UTC hour, as OpenSky's dumps).

    The expected number of reports per second is a step function (each flight reports
    at a constant rate from its first to its last report), integrated on a 1 s grid.
    """
    lo = int(fl.t0_ns.min() // NS)
    hi = int(fl.t1_ns.max() // NS) + 2
    rate = np.zeros(hi - lo + 1)
    first = fl.t0_ns // NS - lo
    last = fl.t1_ns // NS - lo
    per_s = fl.reports / np.maximum(last - first, 1)
    np.add.at(rate, first, per_s)
    np.add.at(rate, last, -per_s)
    cum = np.concatenate([[0.0], np.cumsum(np.cumsum(rate))])  # expected reports before second i
    total = cum[-1]
    per_file = total / max(n_files, 1)
    parts: list[Part] = []
    period = 3_600 if hourly else 86_400
    for day in range(lo // period, (hi // period) + 1):
        a = max(day * period, lo) - lo
        b = min((day + 1) * period, hi) - lo
        if a >= b:
            continue
        rows = cum[b] - cum[a]
        if rows <= 0:
            continue
        k = 1 if hourly else max(1, round(rows / per_file))
        cuts = np.searchsorted(cum[a : b + 1], cum[a] + rows * np.arange(1, k) / k) + a
        edges = np.unique(np.concatenate([[a], cuts, [b]]))
        when = datetime.fromtimestamp(day * period, UTC)
        name = when.strftime("%Y-%m-%d")
        for j, (s0, s1) in enumerate(itertools.pairwise(edges)):
            groups = max(1, math.ceil((cum[s1] - cum[s0]) / row_group))
            sub = np.unique(np.round(np.linspace(s0, s1, groups + 1)).astype(np.int64))
            windows = [((lo + int(x)) * NS, (lo + int(y)) * NS) for x, y in itertools.pairwise(sub)]
            if hourly:
                path = when.strftime("%Y-%m-%d/%H/states_%Y-%m-%d-%H.csv.gz")
            else:
                path = f"day={name}/part-{j:04d}.parquet"
            parts.append(Part(path, windows))
    return parts


def write_part(
    fl: Flights,
    part: Part,
    out: Path,
    seed: int,
    tracks: pa.Array,
    calls: pa.Array,
    compression: str,
    format: str = "canonical",
) -> int:
    """Write one file, a row group per window; returns the rows written."""
    path = out / part.path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if format != "canonical":
        rows = _write_opensky(fl, part, tmp, seed, tracks, calls, compression, format)
        tmp.replace(path)
        return rows
    rows = 0
    options = parquet_options(POSITION_SCHEMA) | {"compression": compression}
    with pq.ParquetWriter(tmp, POSITION_SCHEMA, **options) as writer:
        for w0, w1 in part.windows:
            cols = reports_in(fl, w0, w1, seed)
            if not cols:
                continue
            table = _arrow(fl, cols, part.path, rows, tracks, calls)
            writer.write_table(table, row_group_size=max(table.num_rows, 1))
            rows += table.num_rows
    tmp.replace(path)
    return rows


def _write_opensky(
    fl: Flights,
    part: Part,
    path: Path,
    seed: int,
    tracks: pa.Array,
    calls: pa.Array,
    compression: str,
    format: str,
) -> int:
    """One file in an OpenSky layout (``scripts/traffic_opensky.py``), a window at a time."""
    padded = traffic_opensky.padded(calls)
    squawks = traffic_opensky.squawks(fl.uid)
    if format == "opensky-csv":
        writer = traffic_opensky.CsvGzWriter(path)
    else:
        writer = pq.ParquetWriter(path, traffic_opensky.SCHEMA, compression=compression)
    rows = 0
    try:
        for w0, w1 in part.windows:
            cols = reports_in(fl, w0, w1, seed)
            if not cols:
                continue
            f = cols["flight"]
            table = traffic_opensky.table(
                cols,
                tracks.take(pa.array(fl.track[f])),
                padded.take(pa.array(f, mask=cols["call_null"])),
                squawks.take(pa.array(f, mask=fl.drone[f])),  # drones squawk nothing
            )
            if format == "opensky-csv":
                writer.write(table)
            else:
                writer.write_table(table, row_group_size=max(table.num_rows, 1))
            rows += table.num_rows
    finally:
        writer.close()
    return rows


_KINDS = pa.array(["baro", "geo"], type=pa.string())


def _arrow(fl: Flights, cols: dict, rel: str, row0: int, tracks: pa.Array, calls: pa.Array):
    """The canonical table; columns this generator does not model (nullable) are null."""
    n = cols["time"].size
    f = cols["flight"]
    vel_null = cols["vel_null"]
    zeros = pa.array(np.zeros(n, dtype=np.int32))
    have = {
        "track_id": tracks.take(pa.array(fl.track[f])),
        "time": pa.array(cols["time"], type=pa.int64()).cast(POSITION_SCHEMA.field("time").type),
        "lon": pa.array(cols["lon"]),
        "lat": pa.array(cols["lat"]),
        "alt_m": pa.array(cols["alt"], mask=cols["alt_null"]),
        "alt_kind": _KINDS.take(pa.array(cols["drone"].astype(np.int8))),
        "ground_speed_mps": pa.array(cols["gs"], mask=vel_null),
        "track_deg": pa.array(cols["trk"], mask=vel_null),
        "vrate_mps": pa.array(cols["vr"], mask=vel_null),
        "callsign": calls.take(pa.array(f, mask=cols["call_null"])),  # null index -> null
        "source": pa.DictionaryArray.from_arrays(zeros, pa.array([SOURCE])),
        "source_file": pa.DictionaryArray.from_arrays(zeros, pa.array([rel])),
        "source_record": pa.array(np.arange(row0 + 1, row0 + n + 1, dtype=np.int64)),
    }
    arrays = [have[x.name] if x.name in have else pa.nulls(n, x.type) for x in POSITION_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=POSITION_SCHEMA)


# ---------------------------------------------------------------- driver


@dataclass
class Settings:
    reports: int
    seed: int = 0
    files: int = 0  # 0: one per ~4M reports
    days: int = 0  # 0: one per 100M reports
    start: str = DEFAULT_START
    row_group: int = ROW_GROUP
    compression: str = ""  # "": the format's own (COMPRESSION)
    format: str = "canonical"

    def resolved(self) -> Settings:
        files = self.files or max(1, math.ceil(self.reports / ROWS_PER_FILE))
        days = self.days or max(1, math.ceil(self.reports / 100_000_000))
        compression = self.compression or COMPRESSION[self.format]
        return Settings(
            self.reports, self.seed, files, days, self.start, self.row_group, compression,
            self.format,
        )  # fmt: skip


_STATE: dict = {}


def _init(fl, out, seed, tracks, calls, compression, format) -> None:
    _STATE.update(
        fl=fl, out=out, seed=seed, tracks=tracks, calls=calls, comp=compression, format=format
    )


def _work(part: Part) -> int:
    s = _STATE
    return write_part(
        s["fl"], part, s["out"], s["seed"], s["tracks"], s["calls"], s["comp"], s["format"]
    )


def generate(settings: Settings, out: Path, jobs: int = 1, log=None) -> dict:
    """Write the dataset; returns the manifest (also written to ``out/_generate_traffic.json``)."""
    s = settings.resolved()
    fl = make_flights(s.reports, s.seed, _start_ns(s.start), s.days)
    tracks, calls = track_ids(len(fl.uid)), callsigns(fl.callsign)
    parts = plan(fl, s.files, s.row_group, hourly=s.format == "opensky-csv")
    if log:
        drones = int(fl.drone.sum())
        log(f"{len(fl.uid):,} flights ({drones:,} drones), {len(parts)} files")
    out.mkdir(parents=True, exist_ok=True)
    args = (fl, out, s.seed, tracks, calls, s.compression, s.format)
    if jobs > 1:
        ctx = get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init, initargs=args) as pool:
            rows = list(pool.map(_work, parts))
    else:
        _init(*args)
        rows = []
        for i, part in enumerate(parts):
            rows.append(_work(part))
            if log:
                log(f"  [{i + 1}/{len(parts)}] {part.path}: {rows[-1]:,} rows")
    if sum(rows) != s.reports:  # the plan covers every report: a mismatch is a bug
        raise RuntimeError(f"wrote {sum(rows)} rows, expected {s.reports}")
    manifest = {
        "generator": "scripts/generate_traffic.py",
        "format": s.format,
        "generator_sha256": _SELF_SHA256,
        "settings": asdict(s),
        "flights": len(fl.uid),
        "drones": int(fl.drone.sum()),
        "files": {p.path: r for p, r in zip(parts, rows, strict=True) if r},
    }
    for p, r in zip(parts, rows, strict=True):
        if not r:
            (out / p.path).unlink()  # an empty time slice: no file
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def existing(out: Path) -> dict | None:
    """The manifest of a complete dataset in ``out``, if any."""
    try:
        return json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, required=True, help="exact number of rows")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-o", "--out", type=Path, default=Path("traffic"), help="output folder")
    ap.add_argument("--files", type=int, default=0, help="about this many files (default N/4M)")
    ap.add_argument("--days", type=int, default=0, help="departures spread over D days")
    ap.add_argument("--start", default=DEFAULT_START, help="first UTC day (YYYY-MM-DD)")
    ap.add_argument("--row-group", type=int, default=ROW_GROUP, help="rows per row group, about")
    ap.add_argument(
        "--compression",
        default="",
        choices=["zstd", "snappy", "lz4", "none"],
        help="Parquet compression (default: canonical as airwitness writes it, lz4 with "
        "delta-coded times; opensky as OpenSky's files, snappy)",
    )
    ap.add_argument(
        "--format",
        default="canonical",
        choices=FORMATS,
        help="canonical Parquet; opensky: OpenSky's Trino columns as Parquet; "
        "opensky-csv: its hourly CSV.gz dumps",
    )
    ap.add_argument("--jobs", type=int, default=1, help="processes writing files in parallel")
    ap.add_argument("--overwrite", action="store_true", help="replace a dataset already in -o")
    a = ap.parse_args(argv)
    if a.reports < 1:
        ap.error("--reports must be at least 1")
    if a.out.exists() and any(a.out.iterdir()):
        if not a.overwrite:
            ap.error(f"{a.out} is not empty (use --overwrite to replace a generated dataset)")
        _remove_dataset(a.out)
    settings = Settings(
        a.reports, a.seed, a.files, a.days, a.start, a.row_group, a.compression, a.format
    )
    t = time.perf_counter()
    generate(settings, a.out, jobs=a.jobs, log=lambda m: print(m, file=sys.stderr))
    dt = time.perf_counter() - t
    size = sum(p.stat().st_size for p in a.out.rglob("*") if p.name.endswith(DATA_SUFFIXES))
    rate = a.reports / dt * 60 / 1e6
    print(
        f"wrote {a.reports:,} reports to {a.out} in {dt:.1f} s "
        f"({rate:.1f} M rows/min, {size / 1e6:,.0f} MB)",
        file=sys.stderr,
    )
    return 0


DATA_SUFFIXES = (".parquet", ".csv.gz")


def _remove_dataset(out: Path) -> None:
    """Delete what this script writes (and nothing else): part files, day (and hour)
    folders, manifest."""
    for p in [*out.glob("day=*/part-*.parquet*"), *out.glob("*-*-*/[0-2][0-9]/states_*.csv.gz*")]:
        p.unlink()
    for d in sorted(out.glob("*-*-*/[0-2][0-9]"), reverse=True):
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()
    for d in [*out.glob("day=*"), *out.glob("*-*-*")]:
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()
    (out / MANIFEST).unlink(missing_ok=True)
    leftover = [p for p in out.iterdir()]
    if leftover:
        raise SystemExit(f"{out} holds other files ({leftover[0].name}, …): not touching it")


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
