"""Nominal speed and range per aircraft class, for origin plausibility.

When a track is first seen inside the airspace entered, with no entry
observed, the report gives the distance from there to each neighbouring
airspace and asks: could a vehicle of this class have flown that far? The
answer is "reachable from", never "came from": being within range proves
nothing, and being out of range only says the nominal figures below exclude it.

The figures are **nominal**: manufacturers' data sheets and widely reported
numbers, in still air, with full fuel or battery, no reserve, one way. Wind,
payload, altitude and modifications (extra tanks, lighter warheads) move them,
often a lot. Where a class spans many types, the figure is the most capable
common type, because the table is used to rule origins *out* and must not rule
out what a real vehicle of that class could do. Range is one-way flight
distance; for UAVs it is ``cruise speed × endurance`` where only endurance is
published, which overstates it (endurance is quoted at loiter speed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["PERFORMANCE", "Performance", "cruise_speed_mps", "max_range_m", "reachable"]

HOUR_S = 3600.0


@dataclass(frozen=True)
class Performance:
    """Nominal performance of one class."""

    label: str
    cruise_speed_mps: float
    max_range_m: float
    endurance_s: float | None  # None where range, not endurance, is the published figure
    basis: str


# Small multirotor, DJI Mavic 3 class. DJI's published specifications
# (dji.com/mavic-3/specs): max horizontal speed 21 m/s, max flight time 46 min,
# max flight distance 30 km (no wind), video link 15 km (FCC) / 8 km (CE).
# The flight distance, not the link, bounds a pre-programmed flight.
_SMALL_MULTIROTOR = Performance(
    label="small multirotor (DJI Mavic 3 class)",
    cruise_speed_mps=21.0,
    max_range_m=30_000.0,
    endurance_s=46 * 60.0,
    basis="DJI Mavic 3 specifications: 21 m/s, 46 min, 30 km max flight distance",
)

# Loitering munition, HESA Shahed-136 class. Widely reported figures (UK
# Ministry of Defence intelligence updates, 2022; press reporting): about
# 185 km/h (51 m/s), range 2,000-2,500 km. The upper figure is used.
_LOITERING_MUNITION = Performance(
    label="loitering munition (Shahed-136 class)",
    cruise_speed_mps=185 / 3.6,
    max_range_m=2_500_000.0,
    endurance_s=None,
    basis="widely reported Shahed-136 figures: ~185 km/h, 2,000-2,500 km",
)

# Medium-altitude long-endurance UAV, Elbit Hermes 900 class. Elbit and press
# figures: endurance 30+ h (36 h for the StarLiner), ceiling 25,000-30,000 ft,
# top speed ~220 km/h; ~60 m/s is taken as cruise. 60 m/s x 30 h = 6,480 km,
# an upper bound (the endurance is quoted at loiter speed).
_MALE_UAV = Performance(
    label="MALE UAV (Hermes 900 class)",
    cruise_speed_mps=60.0,
    max_range_m=60.0 * 30 * HOUR_S,
    endurance_s=30 * HOUR_S,
    basis="Elbit Hermes 900: 30+ h endurance, ~60 m/s; range = speed x endurance",
)

# Helicopter, medium twin (Leonardo AW139 class): max range 573 nm (1,061 km)
# and ~165 kt (85 m/s) cruise as widely published from Leonardo data.
# Auxiliary tanks extend some types beyond this.
_HELICOPTER = Performance(
    label="helicopter (AW139 class medium twin)",
    cruise_speed_mps=85.0,
    max_range_m=1_061_000.0,
    endurance_s=None,
    basis="Leonardo AW139: 573 nm max range, ~165 kt cruise",
)

# Jet: long-haul airliner (Airbus A350-900ULR, 9,700 nm ~ 18,000 km per
# Airbus; cruise Mach 0.85 ~ 250 m/s at altitude).
_JET = Performance(
    label="jet (long-haul airliner)",
    cruise_speed_mps=250.0,
    max_range_m=18_000_000.0,
    endurance_s=None,
    basis="Airbus A350-900ULR: ~18,000 km; cruise Mach 0.85",
)

# Propeller: from light pistons (Cessna 172S: 124 kt, 640 nm) through business
# turboprops (Beechcraft King Air 350i: ~312 kt, 1,806 nm = 3,345 km) to
# turboprop MALE UAVs, which the kinematic classifier also calls
# "propeller"; the MALE figure is the largest, so it bounds the class.
_PROPELLER = Performance(
    label="propeller aircraft (incl. turboprop MALE UAVs)",
    cruise_speed_mps=80.0,
    max_range_m=_MALE_UAV.max_range_m,
    endurance_s=None,
    basis="largest of King Air 350i (3,345 km) and the MALE UAV row (6,480 km)",
)

#: Nominal performance by class. The first five keys are the classes of
#: :func:`airwitness.investigate.classify.classify_tracks`; ``uav`` and
#: ``unknown`` take the most capable row they could be.
PERFORMANCE: Mapping[str, Performance] = {
    "jet": _JET,
    "propeller": _PROPELLER,
    "helicopter": _HELICOPTER,
    "uav": Performance(
        label="UAV (any; bounded by the MALE row)",
        cruise_speed_mps=_MALE_UAV.cruise_speed_mps,
        max_range_m=_MALE_UAV.max_range_m,
        endurance_s=_MALE_UAV.endurance_s,
        basis="the most capable UAV row (MALE UAV)",
    ),
    "unknown": Performance(
        label="unknown (bounded by the jet row)",
        cruise_speed_mps=_JET.cruise_speed_mps,
        max_range_m=_JET.max_range_m,
        endurance_s=None,
        basis="the most capable row (jet)",
    ),
    "small_multirotor": _SMALL_MULTIROTOR,
    "loitering_munition": _LOITERING_MUNITION,
    "male_uav": _MALE_UAV,
}


def _row(class_: str) -> Performance:
    try:
        return PERFORMANCE[class_]
    except KeyError:
        raise ValueError(
            f"unknown class {class_!r}; expected one of {sorted(PERFORMANCE)}"
        ) from None


def max_range_m(class_: str) -> float:
    """Nominal one-way range in metres of a vehicle of ``class_``.

    >>> max_range_m("loitering_munition")
    2500000.0
    """
    return _row(class_).max_range_m


def cruise_speed_mps(class_: str) -> float:
    """Nominal cruise speed in m/s of a vehicle of ``class_``."""
    return _row(class_).cruise_speed_mps


def reachable(distance_m: float, class_: str) -> bool:
    """Whether ``distance_m`` is within the nominal range of ``class_``.

    True means "reachable from there", not "came from there".

    >>> reachable(40_000.0, "small_multirotor")
    False
    """
    if not math.isfinite(distance_m) or distance_m < 0:
        raise ValueError(f"distance must be a finite number of metres >= 0, not {distance_m!r}")
    return distance_m <= _row(class_).max_range_m
