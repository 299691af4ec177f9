"""Generate the synthetic Caucasus example scenario (``examples/caucasus/``).

Usage::

    python scripts/generate_caucasus.py [--seed 20250613] [-o examples/caucasus]

The scenario (June 2025, UTC) is made up but physically plausible: airliners on
great-circle legs between real airports of the South Caucasus, Iran and Turkey,
with take-off roll, climb, cruise, descent and landing; small UAVs; and
helicopters. Every route is a list of hard-coded waypoints that were checked,
once, against Natural Earth 5.1.1 admin-0 polygons plus a 12 NM territorial sea
so that each designed border crossing really happens, at least 3 km from any
tripoint (see ``examples/caucasus/README.md``). This script needs no map data.

Three files are written, byte-identical for the same seed:

* ``opensky_states.csv`` — OpenSky history-database state vectors, one row per
  aircraft every 10 s, with a few deliberate imperfections (rows without a
  position, one ~5 min coverage gap across a border, one isolated position
  spike across a border, exact duplicate rows);
* ``drones.gpx`` — GPX 1.1 tracks of three UAVs;
* ``helicopter.kml`` — KML 2.2: one ``gx:Track`` and one folder of timestamped
  point placemarks.

Only the standard library, numpy and pyproj are used. Kinematics are simulated
at 1 s steps: the aircraft steers towards its active waypoint with a bank-limited
turn rate (fly-by turns), and its height follows a climb / cruise / 3° descent
profile by distance flown and distance to go.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from pyproj import Geod

SEED = 20250613
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "examples" / "caucasus"

GEOD = Geod(ellps="WGS84")
G0 = 9.80665  # m/s², standard gravity
FT = 0.3048  # m
KT = 1852.0 / 3600.0  # m/s
FPM = FT / 60.0  # m/s
GLIDE = math.tan(math.radians(3.0))  # descent gradient of a 3° path

OPENSKY_HEADER = [
    "time",
    "icao24",
    "lat",
    "lon",
    "velocity",
    "heading",
    "vertrate",
    "callsign",
    "onground",
    "alert",
    "spi",
    "squawk",
    "baroaltitude",
    "geoaltitude",
    "lastposupdate",
    "lastcontact",
]

# Airports: (lon, lat) of the aerodrome reference point, elevation in metres.
AIRPORTS: dict[str, tuple[float, float, float]] = {
    "GYD": (50.0467, 40.4675, 3.0),  # Baku Heydar Aliyev
    "TBS": (44.9547, 41.6692, 495.0),  # Tbilisi
    "EVN": (44.3959, 40.1473, 865.0),  # Yerevan Zvartnots
    "TBZ": (46.2350, 38.1339, 1364.0),  # Tabriz
    "IKA": (51.1522, 35.4161, 1007.0),  # Tehran Imam Khomeini
    "NAJ": (45.4584, 39.1888, 873.0),  # Nakhchivan
    "KVD": (46.3176, 40.7377, 330.0),  # Ganja
}


def _ap(code: str) -> tuple[float, float]:
    lon, lat, _ = AIRPORTS[code]
    return (lon, lat)


def _epoch(text: str) -> int:
    """Unix seconds of an ISO-8601 UTC time such as ``2025-06-13T04:20:00``."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# Kinematics
# --------------------------------------------------------------------------


@dataclass
class Path4D:
    """A simulated trajectory at 1 s steps (SI units, degrees)."""

    t: np.ndarray  # seconds since start
    lon: np.ndarray
    lat: np.ndarray
    alt: np.ndarray  # metres above mean sea level (pressure altitude for airliners)
    gs: np.ndarray  # ground speed, m/s
    trk: np.ndarray  # true track, degrees
    vr: np.ndarray  # vertical rate, m/s
    ground: np.ndarray  # bool: on the ground


# A profile maps (distance flown m, distance to go m, step) to
# (altitude m, true airspeed m/s, on ground, finished).
Profile = Callable[[float, float, int], tuple[float, float, bool, bool]]


def _wrap180(a: float) -> float:
    return (a + 180.0) % 360.0 - 180.0


def simulate(
    route: Sequence[tuple[float, float]],
    profile: Profile,
    *,
    wind: tuple[float, float] = (0.0, 0.0),
    bank_deg: float = 25.0,
    max_rate_dps: float = 3.0,
    dt: float = 1.0,
) -> Path4D:
    """Fly ``route`` (lon, lat waypoints) with fly-by turns at a limited bank.

    The aircraft starts at the first waypoint heading for the second, steers
    towards its active waypoint, and switches to the next one a turn-anticipation
    distance before reaching it. Steps are geodesics on the WGS-84 ellipsoid.
    ``wind`` is (towards east, towards north) in m/s and only changes ground speed.
    """
    legs = [GEOD.inv(*route[i], *route[i + 1])[2] for i in range(len(route) - 1)]
    # togo_after[k]: route length from waypoint k to the end.
    togo_after = [sum(legs[k:]) for k in range(len(route))]
    lon, lat = route[0]
    hdg = GEOD.inv(*route[0], *route[1])[0] % 360.0
    k = 1
    flown = 0.0
    togo = 0.0
    rows: list[tuple[float, ...]] = []
    step = 0
    tan_bank = math.tan(math.radians(bank_deg))
    while True:
        az, back_az, dist = GEOD.inv(lon, lat, *route[k])
        if k < len(route) - 1:
            arrive = back_az + 180.0
            leave = GEOD.inv(*route[k], *route[k + 1])[0]
            turn = abs(_wrap180(leave - arrive))
            gs_est = rows[-1][3] if rows else 100.0
            radius = max(gs_est, 20.0) ** 2 / (G0 * tan_bank)
            if dist < radius * math.tan(math.radians(min(turn, 150.0)) / 2.0):
                k += 1
                az, back_az, dist = GEOD.inv(lon, lat, *route[k])
        # Distance to go shrinks when a fly-by turn cuts a corner; let it catch up
        # gradually so the descent profile has no step.
        gs_prev = rows[-1][3] if rows else 0.0
        geometric = dist + togo_after[k]
        togo = geometric if not rows else min(togo, max(geometric, togo - 1.25 * gs_prev * dt))
        alt, tas, on_ground, done = profile(flown, togo, step)
        h = math.radians(hdg)
        gs = tas if on_ground else tas + wind[0] * math.sin(h) + wind[1] * math.cos(h)
        rows.append((step * dt, lon, lat, gs, hdg % 360.0, alt, float(on_ground)))
        if done:
            break
        if not (k == len(route) - 1 and dist < 3000.0):  # hold heading on short final
            rate = min(max_rate_dps, math.degrees(G0 * tan_bank / max(gs, 20.0)))
            hdg += float(np.clip(_wrap180(az - hdg), -rate * dt, rate * dt))
        lon, lat, _ = GEOD.fwd(lon, lat, hdg, gs * dt)
        flown += gs * dt
        step += 1
        if step > 6 * 3600:
            raise RuntimeError("route did not finish within 6 h of simulated time")
    a = np.array(rows)
    alt = a[:, 5]
    return Path4D(
        t=a[:, 0],
        lon=a[:, 1],
        lat=a[:, 2],
        alt=alt,
        gs=a[:, 3],
        trk=a[:, 4],
        vr=np.gradient(alt, a[:, 0]),
        ground=a[:, 6] > 0.5,
    )


def airliner_profile(
    *,
    origin_elev: float | None,
    dest_elev: float | None,
    cruise_m: float,
    cruise_tas: float,
    start_alt: float | None = None,
) -> Profile:
    """Take-off roll, exponential climb, cruise, 3° descent, landing roll.

    ``origin_elev``/``dest_elev`` None means the track starts/ends en route
    (the aircraft is first/last seen in cruise, as at the edge of coverage).
    """
    accel, decel, v_rot, v_td, climb_len = 2.2, 2.0, 80.0, 72.0, 60_000.0
    s_rot = v_rot**2 / (2 * accel)
    state = {"landed_v": None}
    climb_tab = ([0, 1000, 3000, 6000, 9000], [v_rot, 120, 150, 200, cruise_tas])
    desc_tab = ([0, 1000, 3000, 6000, 9000], [v_td, 95, 135, 190, cruise_tas])

    def profile(flown: float, togo: float, step: int) -> tuple[float, float, bool, bool]:
        if origin_elev is not None and flown < s_rot:  # take-off roll
            return origin_elev, max(3.0, math.sqrt(2 * accel * flown)), True, False
        if state["landed_v"] is not None:  # landing roll
            v = state["landed_v"] - decel
            state["landed_v"] = v
            return float(dest_elev), v, True, v < 15.0  # type: ignore[arg-type]
        climb = descent = math.inf
        if origin_elev is not None:
            gain = cruise_m - origin_elev + 300.0
            climb = origin_elev + gain * (1 - math.exp(-(flown - s_rot) / climb_len))
        elif start_alt is not None:
            climb = start_alt
        if dest_elev is not None:
            descent = dest_elev + GLIDE * max(0.0, togo - 800.0)
        alt = min(cruise_m, climb, descent)
        if dest_elev is not None and togo <= 800.0:
            state["landed_v"] = v_td
            return dest_elev, v_td, True, False
        departing = flown < togo
        ref = origin_elev if departing else dest_elev
        agl = alt - (ref or 0.0)
        xs, ys = climb_tab if departing else desc_tab
        tas = float(np.interp(agl, xs, ys))
        finished = dest_elev is None and togo < 1000.0
        return alt, tas, False, finished

    return profile


def cruise_profile(
    *, alt0: float, cruise: float, alt1: float, tas: float, vs: float, rng: np.random.Generator
) -> Profile:
    """Rotorcraft / UAV: climb from ``alt0`` and descend to ``alt1`` at ``vs`` m/s.

    Airspeed wanders slowly (a random walk of about ±10 %) so tracks look flown.
    """
    walk = np.cumsum(rng.normal(0.0, 0.004, 20_000))
    walk = np.clip(walk, -0.1, 0.1)

    def profile(flown: float, togo: float, step: int) -> tuple[float, float, bool, bool]:
        v = tas * (1.0 + walk[step])
        alt = min(cruise, alt0 + vs * flown / v, alt1 + vs * togo / v)
        return alt, v, False, togo < 150.0

    return profile


# --------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Flight:
    """One airliner flight as OpenSky would have recorded it."""

    icao24: str  # from the operator's national ICAO 24-bit block
    callsign: str
    squawk: str
    start: str  # UTC of the first simulated instant (take-off roll or first sighting)
    route: tuple[tuple[float, float], ...]
    origin: str | None  # airport code, None when first seen en route
    dest: str | None  # airport code, None when last seen en route
    cruise_ft: int
    cruise_tas: float  # m/s
    wind: tuple[float, float] = (16.0, 3.0)  # towards east, towards north, m/s
    no_position: tuple[int, ...] = ()  # report indices with an empty position
    duplicates: tuple[int, ...] = ()  # report indices written twice
    gap_at: tuple[float, float] | None = None  # drop ~5 min of reports around here
    spike_at: tuple[float, float] | None = None  # displace the nearest report ~30 km
    spike_bearing: float = 0.0
    geo_offset_m: float = 40.0  # geometric minus barometric altitude near the ground


GYD, TBS, EVN, TBZ, IKA, NAJ, KVD = (
    _ap(c) for c in ("GYD", "TBS", "EVN", "TBZ", "IKA", "NAJ", "KVD")
)

# Baku -> Nakhchivan flights avoid Armenia by routing through Iranian airspace:
# out of Azerbaijan over the Aras, along northern Iran, into the exclave at Julfa.
_GYD_NAJ = (GYD, (48.06, 39.87), (47.20, 39.10), (46.30, 38.70), (45.85, 38.85), NAJ)

# Designed crossings are in the comments (Natural Earth 5.1.1 + 12 NM sea);
# examples/caucasus/README.md has the table with times.
# fmt: off
FLIGHTS: tuple[Flight, ...] = (
    # AZE->IRN over the Aras near 47.85 E 39.69 N; IRN->AZE (Nakhchivan) at Julfa.
    Flight(
        icao24="600a1c", callsign="AHY71", squawk="2141", start="2025-06-13T04:20:00",
        route=_GYD_NAJ, origin="GYD", dest="NAJ", cruise_ft=30_000, cruise_tas=220.0,
        no_position=(3,),
    ),
    # The same aircraft flying back: AZE (Nakhchivan)->IRN at Julfa, IRN->AZE over the Aras.
    Flight(
        icao24="600a1c", callsign="AHY72", squawk="2156", start="2025-06-13T06:35:00",
        route=_GYD_NAJ[::-1], origin="NAJ", dest="GYD", cruise_ft=31_000, cruise_tas=222.0,
    ),
    # Tehran -> Baku along the Caspian coast: IRN->AZE at sea, 8 km off Astara.
    Flight(
        icao24="600b07", callsign="AHY18", squawk="3315", start="2025-06-14T13:05:00",
        route=(IKA, (49.62, 37.33), (49.00, 37.85), (48.95, 38.20), (48.97, 38.60),
               (48.90, 38.90), (49.10, 39.60), GYD),
        origin="IKA", dest="GYD", cruise_ft=34_000, cruise_tas=228.0, duplicates=(150, 151),
    ),
    # Istanbul -> Baku, first seen over eastern Turkey: TUR->GEO, then GEO->AZE inside
    # a ~5 min coverage gap (an inferred crossing).
    Flight(
        icao24="4bb1c2", callsign="THY6NU", squawk="6423", start="2025-06-15T08:40:00",
        route=((40.50, 41.00), (42.30, 41.30), (43.30, 41.62), TBS, GYD),
        origin=None, dest="GYD", cruise_ft=37_000, cruise_tas=236.0,
        gap_at=(46.6823, 41.2916),
    ),
    # Tehran -> Yerevan via Tabriz and the Meghri corridor: IRN->ARM over the Aras.
    Flight(
        icao24="730c4a", callsign="IRA712", squawk="5012", start="2025-06-16T06:10:00",
        route=(IKA, TBZ, (46.30, 38.70), (46.25, 38.95), (46.22, 39.25), (45.95, 39.65),
               (45.50, 39.78), EVN),
        origin="IKA", dest="EVN", cruise_ft=36_000, cruise_tas=232.0, wind=(20.0, -4.0),
        no_position=(12, 13),
    ),
    # Tabriz -> Yerevan over Nakhchivan: IRN->AZE over the Aras, AZE->ARM.
    Flight(
        icao24="7301b5", callsign="IRC682", squawk="4471", start="2025-06-17T11:20:00",
        route=(TBZ, (45.62, 38.80), NAJ, (45.34, 39.60), EVN),
        origin="TBZ", dest="EVN", cruise_ft=24_000, cruise_tas=205.0,
    ),
    # Istanbul -> Nakhchivan, first seen near Erzurum: along the narrow Turkish strip
    # at Dilucu, TUR->AZE across the ~7.5 km Turkey-Nakhchivan border.
    Flight(
        icao24="4ba9e4", callsign="THY8KC", squawk="7130", start="2025-06-18T09:50:00",
        route=((41.00, 39.90), (43.00, 39.75), (43.90, 39.75), (44.45, 39.82), (44.60, 39.80),
               (44.93, 39.58), NAJ),
        origin=None, dest="NAJ", cruise_ft=35_000, cruise_tas=234.0, wind=(12.0, 0.0),
        no_position=(40,),
    ),
    # flydubai Dubai -> Moscow, seen from Iran to Dagestan: IRN->AZE west of Astara,
    # AZE->RUS over the Samur; one report spikes 30 km back into Iran.
    Flight(
        icao24="896458", callsign="FDB8QF", squawk="1026", start="2025-06-19T20:40:00",
        route=((48.00, 37.00), (48.10, 37.80), (48.60, 39.60), (49.20, 40.60), (48.30, 41.70),
               (47.90, 42.60)),
        origin=None, dest=None, cruise_ft=35_000, cruise_tas=235.0, wind=(18.0, 6.0),
        spike_at=(48.3723, 38.7918), spike_bearing=225.0,
    ),
    # Baku -> Tbilisi via Ganja: AZE->GEO into south-eastern Kakheti.
    Flight(
        icao24="600898", callsign="AHY223", squawk="2210", start="2025-06-20T15:50:00",
        route=(GYD, KVD, (45.80, 41.40), TBS),
        origin="GYD", dest="TBS", cruise_ft=28_000, cruise_tas=226.0, duplicates=(60,),
    ),
    # Baku -> Ganja, domestic: no crossing (a control).
    Flight(
        icao24="6009e3", callsign="AHY57", squawk="2633", start="2025-06-21T05:30:00",
        route=(GYD, KVD), origin="GYD", dest="KVD", cruise_ft=20_000, cruise_tas=200.0,
        duplicates=(45,), no_position=(70,),
    ),
)
# fmt: on


@dataclass(frozen=True)
class Rotor:
    """A UAV or helicopter track: name, route, timing and flight envelope."""

    name: str
    start: str  # UTC of the first sample
    route: tuple[tuple[float, float], ...]  # one point: loiter in orbits around it
    interval_s: int  # sampling interval
    tas: float  # m/s
    alt0: float  # altitude at the start, m
    cruise: float  # m
    alt1: float  # altitude at the end, m
    vs: float = 4.0  # climb and descent rate, m/s


# fmt: off
UAVS: tuple[Rotor, ...] = (
    # AZE->IRN southwards across the Aras east of Horadiz.
    Rotor(
        name="UAV-1", start="2025-06-14T02:30:00",
        route=((47.45, 39.70), (47.43, 39.55), (47.40, 39.30)),
        interval_s=2, tas=42.0, alt0=1200.0, cruise=1500.0, alt1=1300.0,
    ),
    # Orbits near Mingachevir, staying inside Azerbaijan.
    Rotor(
        name="UAV-2", start="2025-06-20T09:00:00", route=((47.05, 40.77),),
        interval_s=1, tas=31.0, alt0=800.0, cruise=800.0, alt1=800.0,
    ),
    # Over the Caspian off Astara: Azerbaijani into Iranian territorial sea.
    Rotor(
        name="UAV-3", start="2025-06-19T03:00:00",
        route=((49.00, 38.62), (49.01, 38.45), (49.02, 38.25)),
        interval_s=5, tas=55.0, alt0=3000.0, cruise=3200.0, alt1=3100.0,
    ),
)

HELICOPTERS: tuple[Rotor, ...] = (
    # Tbilisi -> Alaverdi: GEO->ARM west of Sadakhlo.
    Rotor(
        name="HELI-1", start="2025-06-16T10:00:00",
        route=((44.85, 41.70), (44.81, 41.47), (44.75, 41.15), (44.66, 41.10)),
        interval_s=5, tas=62.0, alt0=700.0, cruise=1800.0, alt1=1000.0, vs=5.0,
    ),
    # Vanadzor -> Tsalka: ARM->GEO north of Tashir.
    Rotor(
        name="HELI-2", start="2025-06-22T07:30:00",
        route=((44.49, 40.81), (44.28, 41.12), (44.09, 41.60)),
        interval_s=20, tas=58.0, alt0=1500.0, cruise=2400.0, alt1=1600.0, vs=5.0,
    ),
)
# fmt: on


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------


def _num(x: float, nd: int) -> str:
    s = f"{x:.{nd}f}"
    return s[1:] if s.startswith("-") and float(s) == 0.0 else s


def _q(x: float, step: float) -> float:
    """Quantise as a transponder does (25 ft altitude, 1 kt speed, 64 ft/min rate)."""
    return round(x / step) * step


def _interp_at(p: Path4D, tq: np.ndarray) -> dict[str, np.ndarray]:
    idx = np.clip(np.searchsorted(p.t, tq, side="right") - 1, 0, len(p.t) - 1)
    return {
        "lon": np.interp(tq, p.t, p.lon),
        "lat": np.interp(tq, p.t, p.lat),
        "alt": np.interp(tq, p.t, p.alt),
        "gs": np.interp(tq, p.t, p.gs),
        "trk": p.trk[idx],
        "vr": p.vr[idx],
        "ground": p.ground[idx],
    }


def flight_rows(f: Flight, rng: np.random.Generator) -> list[list[str]]:
    """State vectors of one flight every 10 s, with its designed imperfections."""
    origin_elev = AIRPORTS[f.origin][2] if f.origin else None
    dest_elev = AIRPORTS[f.dest][2] if f.dest else None
    cruise_m = f.cruise_ft * FT
    prof = airliner_profile(
        origin_elev=origin_elev,
        dest_elev=dest_elev,
        cruise_m=cruise_m,
        cruise_tas=f.cruise_tas,
        start_alt=None if origin_elev is not None else cruise_m,
    )
    path = simulate(f.route, prof, wind=f.wind)
    t0 = _epoch(f.start)
    times = np.arange(10, int(path.t[-1]) + 1, 10)
    delay = np.round(rng.uniform(0.05, 2.5, times.size), 3)  # position age at `time`
    contact = np.round(delay * rng.uniform(0.0, 1.0, times.size), 3)
    st = _interp_at(path, times - delay)
    noise_xy = rng.normal(0.0, 4.0, (times.size, 2))  # metres, ADS-B position noise
    lon, lat, _ = GEOD.fwd(
        st["lon"], st["lat"], np.degrees(np.arctan2(*noise_xy.T)), np.hypot(*noise_xy.T)
    )
    lon, lat = np.asarray(lon), np.asarray(lat)
    alt = st["alt"] + rng.normal(0.0, 1.5, times.size)
    gs = st["gs"] + rng.normal(0.0, 0.3, times.size)
    vr = st["vr"] + np.where(np.abs(st["vr"]) > 0.5, rng.normal(0.0, 0.3, times.size), 0.0)

    keep = np.ones(times.size, dtype=bool)
    if f.gap_at is not None:  # a receiver coverage hole of about 5 minutes
        d = GEOD.inv(lon, lat, np.full(lon.size, f.gap_at[0]), np.full(lon.size, f.gap_at[1]))[2]
        tc = times[int(np.argmin(d))]
        keep &= np.abs(times - tc) > 150
    if f.spike_at is not None:  # one decoded position jumps ~30 km and comes back
        d = GEOD.inv(lon, lat, np.full(lon.size, f.spike_at[0]), np.full(lon.size, f.spike_at[1]))[
            2
        ]
        i = int(np.argmin(d))
        lon[i], lat[i], _ = GEOD.fwd(lon[i], lat[i], f.spike_bearing, 30_000.0)

    callsign = f.callsign.ljust(8)
    rows: list[list[str]] = []
    for i in np.nonzero(keep)[0]:
        on_ground = bool(st["ground"][i])
        no_pos = int(i) in f.no_position
        baro = _q(alt[i] / FT, 25) * FT
        geo = _q((alt[i] + f.geo_offset_m + 0.025 * alt[i]) / FT, 25) * FT
        row = [
            str(t0 + int(times[i])),
            f.icao24,
            "" if no_pos else _num(lat[i], 5),
            "" if no_pos else _num(lon[i], 5),
            _num(_q(gs[i] / KT, 1) * KT, 2),
            _num(st["trk"][i] % 360.0, 2),
            "" if on_ground else _num(_q(vr[i] / FPM, 64) * FPM, 2),
            callsign,
            str(on_ground),
            "False",
            "False",
            f.squawk,
            "" if on_ground else _num(baro, 2),
            "" if on_ground or no_pos else _num(geo, 2),
            "" if no_pos else _num(t0 + times[i] - delay[i], 3),
            _num(t0 + times[i] - contact[i], 3),
        ]
        rows.append(row)
        if int(i) in f.duplicates:
            rows.append(list(row))
    return rows


def write_opensky(path: Path, seed: int) -> None:
    rows: list[list[str]] = []
    for n, f in enumerate(FLIGHTS):
        rows.extend(flight_rows(f, np.random.default_rng([seed, 1, n])))
    rows.sort(key=lambda r: (int(r[0]), r[1]))  # stable: duplicates stay adjacent
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(OPENSKY_HEADER)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def rotor_samples(r: Rotor, rng: np.random.Generator) -> list[tuple[int, float, float, float]]:
    """(unix time, lon, lat, altitude m) of a UAV or helicopter every ``interval_s``."""
    if len(r.route) == 1:  # loiter: orbits of 2.5 km radius around a drifting centre
        n = 15 * 60
        t = np.arange(0, n + 1, dtype=float)
        radius = 2500.0 + 150.0 * np.sin(t / 97.0)
        ang = np.degrees(np.cumsum(np.full(t.size, r.tas / 2500.0)))
        cx, cy, _ = GEOD.fwd(
            np.full(t.size, r.route[0][0]),
            np.full(t.size, r.route[0][1]),
            np.full(t.size, 80.0),
            1.2 * t,
        )  # drifts east at 1.2 m/s
        lon, lat, _ = GEOD.fwd(cx, cy, ang, radius)
        alt = r.cruise + 25.0 * np.sin(t / 61.0)
        zero = np.zeros(t.size)
        path = Path4D(t, np.asarray(lon), np.asarray(lat), alt, zero, zero, zero, zero > 0)
    else:
        prof = cruise_profile(
            alt0=r.alt0, cruise=r.cruise, alt1=r.alt1, tas=r.tas, vs=r.vs, rng=rng
        )
        path = simulate(r.route, prof, bank_deg=30.0, max_rate_dps=6.0)
    t0 = _epoch(r.start)
    times = np.arange(0, int(path.t[-1]) + 1, r.interval_s)
    st = _interp_at(path, times.astype(float))
    # GNSS error wanders slowly rather than jumping: AR(1) with a ~50 s memory,
    # about 2.5 m horizontally and 4 m vertically.
    phi = math.exp(-1.0 / 50.0)
    shocks = rng.normal(0.0, 1.0, (times.size, 3)) * math.sqrt(1 - phi**2) * [2.5, 2.5, 4.0]
    noise = np.zeros_like(shocks)
    noise[0] = shocks[0] / math.sqrt(1 - phi**2)
    for i in range(1, times.size):
        noise[i] = phi * noise[i - 1] + shocks[i]
    lon, lat, _ = GEOD.fwd(
        st["lon"],
        st["lat"],
        np.degrees(np.arctan2(noise[:, 0], noise[:, 1])),
        np.hypot(noise[:, 0], noise[:, 1]),
    )
    alt = st["alt"] + noise[:, 2]
    return [
        (t0 + int(t), float(x), float(y), float(z))
        for t, x, y, z in zip(times, lon, lat, alt, strict=True)
    ]


def write_gpx(path: Path, seed: int) -> None:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="airwitness scripts/generate_caucasus.py"'
        ' xmlns="http://www.topografix.com/GPX/1/1"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://www.topografix.com/GPX/1/1'
        ' http://www.topografix.com/GPX/1/1/gpx.xsd">',
        "  <metadata>",
        "    <name>Synthetic UAV tracks, South Caucasus, June 2025</name>",
        f"    <desc>Made up by scripts/generate_caucasus.py --seed {seed}; not real data.</desc>",
        "  </metadata>",
    ]
    for n, r in enumerate(UAVS):
        out += ["  <trk>", f"    <name>{r.name}</name>", "    <trkseg>"]
        for t, lon, lat, alt in rotor_samples(r, np.random.default_rng([seed, 2, n])):
            out.append(
                f'      <trkpt lat="{lat:.6f}" lon="{lon:.6f}"><ele>{alt:.1f}</ele>'
                f"<time>{_iso(t)}</time></trkpt>"
            )
        out += ["    </trkseg>", "  </trk>"]
    out.append("</gpx>")
    path.write_bytes(("\n".join(out) + "\n").encode("utf-8"))


def write_kml(path: Path, seed: int) -> None:
    track, points = HELICOPTERS
    rng_a = np.random.default_rng([seed, 3, 0])
    rng_b = np.random.default_rng([seed, 3, 1])
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">',
        "  <Document>",
        "    <name>Synthetic helicopter tracks, South Caucasus, June 2025</name>",
        f"    <description>Made up by scripts/generate_caucasus.py --seed {seed}; not real data."
        "</description>",
        "    <Placemark>",
        f"      <name>{track.name}</name>",
        "      <gx:Track>",
        "        <altitudeMode>absolute</altitudeMode>",
    ]
    samples = rotor_samples(track, rng_a)
    out += [f"        <when>{_iso(t)}</when>" for t, _, _, _ in samples]
    out += [
        f"        <gx:coord>{lon:.6f} {lat:.6f} {alt:.1f}</gx:coord>"
        for _, lon, lat, alt in samples
    ]
    out += [
        "      </gx:Track>",
        "    </Placemark>",
        "    <Folder>",
        f"      <name>{points.name}</name>",
    ]
    for t, lon, lat, alt in rotor_samples(points, rng_b):
        out += [
            "      <Placemark>",
            f"        <name>{points.name}</name>",
            f"        <TimeStamp><when>{_iso(t)}</when></TimeStamp>",
            "        <Point><altitudeMode>absolute</altitudeMode>"
            f"<coordinates>{lon:.6f},{lat:.6f},{alt:.1f}</coordinates></Point>",
            "      </Placemark>",
        ]
    out += ["    </Folder>", "  </Document>", "</kml>"]
    path.write_bytes(("\n".join(out) + "\n").encode("utf-8"))


def generate(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the three scenario files into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "opensky_states.csv", out_dir / "drones.gpx", out_dir / "helicopter.kml"]
    write_opensky(paths[0], seed)
    write_gpx(paths[1], seed)
    write_kml(paths[2], seed)
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    ap.add_argument(
        "-o",
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output folder (default: examples/caucasus next to this script)",
    )
    args = ap.parse_args(argv)
    for p in generate(args.out, args.seed):
        print(f"wrote {p} ({p.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
