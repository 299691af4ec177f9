"""The aircraft of ``generate_fusion.py``: designed and random airliners, the aircraft
seen by the primary radar only, their identities and the spoofing of their ADS-B.

Flights are ``radar_targets.Target`` recipes (straight legs at constant speed and
height in the radar's local plane), so ``radar_targets.fly`` and the radar plot
model of ``generate_radar.py`` apply unchanged. An :class:`Aircraft` adds what the
aircraft broadcasts and answers: its 24-bit address, callsign, Mode 3/A code, the
NACp its ADS-B states, and whether its ADS-B positions are spoofed.

The eight designed airliners (their paths do not depend on the seed; x east and y
north of the radar, km; the Azerbaijan–Iran border runs south-west to north-east
some 21 km south of the radar and turns south along x ≈ 75 km, so Iran is a wedge
reaching north to y ≈ 0 between x ≈ −40 and 75 km):

==== ======= ====== ===================================== ===============================
name address callsn path                                  true crossings
==== ======= ====== ===================================== ===============================
A01  600a01  AHY021 (15, 100) due south, 230 m/s, FL350    AZE→IRN
A02  730a02  IRA712 (20, −140) heading 355°, FL340        IRN→AZE
A03  4ba0c3  THY7AB (−90, 40) due east, FL370             none
A04  06a1d4  QTR8KD (140, 60) heading 225°, FL360         AZE→IRN (the wedge's east side)
A05  896e15  UAE3NF (−90, 15) due east, FL330             none — spoofed: its ADS-B is
                                                          walked 35 km south (into Iran)
                                                          and back: AZE→IRN, IRN→AZE fake
A06  7300f6  IRM112 (−80, −150) heading 80°, FL320        none (inside Iran)
A07  1521a7  AFL183 (−80, 60) heading 150°, FL380         AZE→IRN
A08  600a08  AHY087 (110, 110) due south, FL300           none (inside Azerbaijan)
==== ======= ====== ===================================== ===============================

and ``K01`` (600b11, ``4KAZ11``), a turboprop at 110 m/s and 2,500 m from (−40, 40)
heading 160°, crossing AZE→IRN, whose transponder does not answer the secondary
radar (its ADS-B comes from a portable ADS-B-out unit with its own GNSS): the
primary radar's anonymous plots and its ADS-B are to be associated by kinematics
alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from radar_targets import Target

FT_M = 0.3048


def fl_m(flight_level: int) -> float:
    """Height (m) of a flight level; in the scenario pressure altitude is the height
    above the WGS-84 ellipsoid (standard atmosphere, geoid ignored)."""
    return flight_level * 100 * FT_M


@dataclass(frozen=True)
class Spoof:
    """A GNSS spoofing episode: the reported position is walked away from the true one
    in the local plane, linearly over ``ramp_s``, held for ``hold_s``, walked back
    over ``ramp_s``; ``start_s`` is seconds after the aircraft's own start."""

    start_s: float
    ramp_s: float
    hold_s: float
    east_m: float
    north_m: float

    @property
    def end_s(self) -> float:
        return self.start_s + 2 * self.ramp_s + self.hold_s

    @property
    def offset_m(self) -> float:
        return math.hypot(self.east_m, self.north_m)

    def offset(self, t_rel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """East and north displacement (m) at ``t_rel`` s after the aircraft's start."""
        u = np.asarray(t_rel, dtype=np.float64) - self.start_s
        ramp = max(self.ramp_s, 1e-9)
        up = np.clip(u / ramp, 0.0, 1.0)
        down = np.clip((self.end_s - self.start_s - u) / ramp, 0.0, 1.0)
        f = np.minimum(up, down)
        return f * self.east_m, f * self.north_m


@dataclass(frozen=True)
class Aircraft:
    """A flight and what the aircraft says about itself."""

    target: Target
    address: int  # 24-bit ICAO address
    callsign: str
    squawk: int  # Mode 3/A code (the value of its four octal digits)
    nacp: int  # the NACp its ADS-B states
    mode_s: bool  # answers the secondary radar (else: primary radar only)
    spoof: Spoof | None = None

    @property
    def icao24(self) -> str:
        return f"{self.address:06x}"


#: NACp → EPU (95 % horizontal bound, m), DO-260B
EPU_M = {8: 92.6, 9: 30.0, 10: 10.0, 11: 3.0}


def _airliner(name, start, x_km, y_km, hdg, speed, fl, dur, address, callsign, nacp, spoof=None):
    target = Target(
        name, "airliner", start, x_km * 1000, y_km * 1000, hdg, speed, fl_m(fl),
        ((dur, 0.0),), "straight",
    )  # fmt: skip
    squawk = 0o2100 + int(name[1:])
    return Aircraft(target, address, callsign, squawk, nacp, True, spoof)


#: A05's spoofing: from 320 s into its flight (x ≈ −20 km), 35 km due south in 300 s,
#: held 120 s, back in 300 s (reported velocity stays the true one throughout)
A05_SPOOF = Spoof(start_s=320.0, ramp_s=300.0, hold_s=120.0, east_m=0.0, north_m=-35_000.0)

# fmt: off
DESIGNED_AIRLINERS: tuple[Aircraft, ...] = (
    _airliner("A01", 300, 15, 100, 180, 230, 350, 1000, 0x600A01, "AHY021", 9),
    _airliner("A02", 900, 20, -140, 355, 220, 340, 1100, 0x730A02, "IRA712", 8),
    _airliner("A03", 1500, -90, 40, 90, 240, 370, 1000, 0x4BA0C3, "THY7AB", 10),
    _airliner("A04", 2100, 140, 60, 225, 230, 360, 870, 0x06A1D4, "QTR8KD", 9),
    _airliner("A05", 2700, -90, 15, 90, 220, 330, 1090, 0x896E15, "UAE3NF", 9, A05_SPOOF),
    _airliner("A06", 3300, -80, -150, 80, 210, 320, 700, 0x7300F6, "IRM112", 8),
    _airliner("A07", 3900, -80, 60, 150, 240, 380, 1000, 0x1521A7, "AFL183", 9),
    _airliner("A08", 4500, 110, 110, 180, 225, 300, 900, 0x600A08, "AHY087", 10),
)
DESIGNED_KINEMATIC: tuple[Aircraft, ...] = (
    Aircraft(
        Target("K01", "aircraft", 1200, -40_000, 40_000, 160, 110, 2500.0, ((800, 0.0),),
               "straight"),
        0x600B11, "4KAZ11", 0o7000, 9, False,
    ),
)
# fmt: on

#: random airliners enter and leave a circle of this radius round the radar (m)
AIRLINER_CIRCLE_M = 200_000.0


def random_airliners(
    n: int, first: int, duration_s: float, rng: np.random.Generator
) -> list[Aircraft]:
    """``n`` airliners drawn from ``rng``, named from ``A{first}``: each enters the
    200 km circle at a random bearing, aims at a random point within 80 km of the
    radar and flies straight until it leaves the circle, at 200–250 m/s, FL300–FL370."""
    out = []
    for k in range(first, first + n):
        while True:  # not within 10 km of the radar (its beam must outrun the bearing)
            bearing = rng.uniform(0.0, 2 * math.pi)
            x0, y0 = AIRLINER_CIRCLE_M * math.sin(bearing), AIRLINER_CIRCLE_M * math.cos(bearing)
            r, phi = 80_000.0 * math.sqrt(rng.uniform()), rng.uniform(0.0, 2 * math.pi)
            dx, dy = r * math.sin(phi) - x0, r * math.cos(phi) - y0
            ux, uy = dx / math.hypot(dx, dy), dy / math.hypot(dx, dy)
            chord = -2.0 * (x0 * ux + y0 * uy)  # to the circle's far side
            if _closest_m(x0, y0, ux, uy, chord) >= 10_000.0:
                break
        heading = math.degrees(math.atan2(ux, uy)) % 360.0
        speed = round(float(rng.uniform(200.0, 250.0)), 1)
        fl = 300 + 10 * int(rng.integers(8))
        life = round(chord / speed)
        start = round(float(rng.uniform(0.0, max(duration_s - 300.0, 0.0))))
        target = Target(
            f"A{k:02d}", "airliner", start, round(x0), round(y0), round(heading, 2), speed,
            fl_m(fl), ((life, 0.0),), "straight",
        )  # fmt: skip
        nacp = int(rng.choice([8, 9, 9, 9, 10]))
        out.append(Aircraft(target, 0x710000 + k, f"FA{k:04d}", 0o3000 + k % 512, nacp, True))
    return out


def random_kinematic(
    n: int, first: int, duration_s: float, rng: np.random.Generator
) -> list[Aircraft]:
    """``n`` aircraft without Mode S replies, named from ``K{first}``: starting within
    45 km of the radar, 80–150 m/s, 1,000–3,000 m, straight for 5–15 minutes."""
    out = []
    for k in range(first, first + n):
        while True:  # not within 2 km of the radar
            r, phi = 45_000.0 * math.sqrt(rng.uniform()), rng.uniform(0.0, 2 * math.pi)
            x0, y0 = round(r * math.sin(phi)), round(r * math.cos(phi))
            heading = round(float(rng.uniform(0.0, 360.0)), 1)
            speed = round(float(rng.uniform(80.0, 150.0)), 1)
            life = round(float(rng.uniform(300.0, 900.0)))
            ux, uy = math.sin(math.radians(heading)), math.cos(math.radians(heading))
            if _closest_m(x0, y0, ux, uy, speed * life) >= 2_000.0:
                break
        start = round(float(rng.uniform(0.0, max(duration_s - life, 0.0))))
        target = Target(
            f"K{k:02d}", "aircraft", start, x0, y0, heading, speed,
            float(round(rng.uniform(1000.0, 3000.0))), ((life, 0.0),), "straight",
        )  # fmt: skip
        out.append(Aircraft(target, 0x600C00 + k, f"FK{k:04d}", 0o7000, 9, False))
    return out


def _closest_m(x0: float, y0: float, ux: float, uy: float, length: float) -> float:
    """Closest distance to the radar of the segment from (x0, y0) along (ux, uy)."""
    s = min(max(-(x0 * ux + y0 * uy), 0.0), length)
    return math.hypot(x0 + s * ux, y0 + s * uy)


def random_spoof(life_s: float, rng: np.random.Generator) -> Spoof:
    """A spoofing episode inside a flight of ``life_s``: offsets log-uniform from 300 m
    to 40 km in a random direction, ramps of 30–300 s, held 0–300 s."""
    offset = math.exp(rng.uniform(math.log(300.0), math.log(40_000.0)))
    direction = rng.uniform(0.0, 2 * math.pi)
    ramp = min(float(rng.uniform(30.0, 300.0)), 0.2 * life_s)
    hold = min(float(rng.uniform(0.0, 300.0)), 0.3 * life_s)
    return Spoof(
        round(0.1 * life_s),
        round(ramp),
        round(hold),
        round(offset * math.sin(direction), 1),
        round(offset * math.cos(direction), 1),
    )
