"""The targets of ``generate_radar.py``: designed drones and fast movers, and their flight.

A target flies a list of legs in the radar's local plane (azimuthal equidistant
projection centred on the antenna: x east, y north, metres): each leg holds a turn
rate for a number of seconds at the target's constant speed and height, so a
straight leg has rate 0, a loiter is one long leg at a constant rate (a circle of
radius v/ω) and a zig-zag alternates signs. Kinematics are integrated at 1 s steps
(midpoint heading, the chord of each 1 s arc), and the truth *is* that polyline:
positions between whole seconds are linear between its points.

The eleven designed targets reproduce issue 17's scenario near the Aras river (the
Azerbaijan–Iran border runs south-west to north-east some 21 km south of the radar):
9 border crossings in all, two targets whose paths cross at the same second (T02 and
T06), a drone loitering 2.4 km from the border (T04), one weaving 2 km from it (T07),
one flying through the dense clutter patch (T08), two fast movers crossing the border
within 25 s of a drone (F02 and T05, 5 km apart). Their
paths do not depend on the seed (only measurements and clutter do), so every seed
has the same truth; targets beyond the eleventh (``--targets``) are drawn from the
seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: turn rate of a standard drone turn, degrees per second
RATE_DPS = 3.0


@dataclass(frozen=True)
class Target:
    """One target's recipe: where and when it starts, how it flies (SI units, degrees)."""

    name: str
    klass: str  # "uav" or "fast"
    start_s: float  # seconds after the scenario's start
    x0_m: float  # east of the radar, in its local plane
    y0_m: float  # north of the radar
    heading_deg: float  # initial heading, from north, clockwise
    speed_mps: float
    alt_m: float  # height above the WGS-84 ellipsoid
    legs: tuple[tuple[float, float], ...]  # (seconds, turn rate in degrees per second)
    pattern: str  # what the design is: "straight", "turning", "loiter", "weave"

    @property
    def duration_s(self) -> int:
        return int(sum(d for d, _ in self.legs))


def _zigzag(legs: int, straight_s: float, turn_s: float, rate: float) -> tuple:
    out: list[tuple[float, float]] = []
    for k in range(legs):
        out += [(straight_s, 0.0), (turn_s, rate if k % 2 == 0 else -rate)]
    return (*out, (straight_s, 0.0))


#: The designed scenario. Crossings (AZE→IRN unless said): T01 1, T02 1 (IRN→AZE),
#: T03 2 (out and back), T05 1 (IRN→AZE, after a racetrack), T08 1, T09 1 (IRN→AZE),
#: F01 1, F02 1 (IRN→AZE); none for T04 (loiter, 2.4 km from the border at its closest),
#: T06 (parallel to it, 5.6 km) and T07 (weaving, 2.0 km).
# fmt: off
DESIGNED: tuple[Target, ...] = (
    Target("T01", "uav", 120, -20_000, 0, 170, 35, 400, ((1500, 0),), "straight"),
    Target("T02", "uav", 600, 25_000, -35_000, 330, 45, 900, ((1400, 0),), "straight"),
    Target(
        "T03", "uav", 900, 5_000, -5_000, 180, 30, 250,
        ((700, 0), (60, RATE_DPS), (800, 0)), "turning",
    ),
    Target(
        "T04", "uav", 300, -22_000, -12_000, 180, 30, 600,
        ((700, 0), (1500, RATE_DPS), (600, 0)), "loiter",
    ),
    Target(
        "T05", "uav", 2400, 30_000, -28_000, 290, 25, 1200,
        ((500, 0), (60, RATE_DPS), (400, 0), (60, RATE_DPS), (400, 0), (900, 0)),
        "turning",
    ),
    Target("T06", "uav", 770, -16_900, -22_200, 55, 50, 1500, ((1200, 0),), "straight"),
    Target(
        "T07", "uav", 3000, 42_000, -40_000, 270, 35, 2000,
        _zigzag(4, 300, 30, RATE_DPS), "weave",
    ),
    Target("T08", "uav", 1800, -5_000, 10_000, 190, 28, 150, ((1600, 0),), "straight"),
    Target(
        "T09", "uav", 3600, 35_000, -45_000, 330, 40, 3000,
        _zigzag(5, 180, 20, 2.0), "weave",
    ),
    Target("F01", "fast", 2000, -50_000, 30_000, 135, 220, 5000, ((520, 0),), "straight"),
    Target("F02", "fast", 4200, 50_000, -40_000, 300, 180, 3500, ((620, 0),), "straight"),
)
# fmt: on


def random_targets(n: int, duration_s: float, range_m: float, rng: np.random.Generator) -> list:
    """``n`` extra drones drawn from ``rng``: anywhere in 0.8 × the coverage, 25–60 m/s,
    100–3000 m, straight, turning or loitering, for 10–30 minutes."""
    out = []
    for k in range(n):
        r = 0.8 * range_m * math.sqrt(rng.uniform())
        bearing = rng.uniform(0.0, 2 * math.pi)
        life = float(rng.uniform(600.0, 1800.0))
        start = float(rng.uniform(0.0, max(duration_s - life, 0.0)))
        pattern = ("straight", "turning", "loiter")[int(rng.integers(3))]
        rate = float(rng.choice([-RATE_DPS, RATE_DPS]))
        legs = {
            "straight": ((life, 0.0),),
            "turning": ((life / 3, 0.0), (60.0, rate), (life / 3, 0.0)),
            "loiter": ((life / 4, 0.0), (life / 2, rate), (life / 4, 0.0)),
        }[pattern]
        out.append(
            Target(
                f"R{k + 1:02d}",
                "uav",
                round(start),
                round(r * math.sin(bearing)),
                round(r * math.cos(bearing)),
                round(float(rng.uniform(0.0, 360.0))),
                round(float(rng.uniform(25.0, 60.0)), 1),
                round(float(rng.uniform(100.0, 3000.0))),
                tuple((round(d), rt) for d, rt in legs),
                pattern,
            )
        )
    return out


def fly(target: Target) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds after the target's start (0, 1, …, duration) and x, y in the local plane."""
    rates = np.concatenate([np.full(round(d), rate) for d, rate in target.legs])
    turn = np.radians(rates)  # per 1 s step
    heading = math.radians(target.heading_deg) + np.concatenate([[0.0], np.cumsum(turn)])
    mid = heading[:-1] + turn / 2.0
    x = target.x0_m + np.concatenate([[0.0], np.cumsum(target.speed_mps * np.sin(mid))])
    y = target.y0_m + np.concatenate([[0.0], np.cumsum(target.speed_mps * np.cos(mid))])
    return np.arange(len(x), dtype=np.float64), x, y
