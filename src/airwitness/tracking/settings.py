"""The tracker's settings, their defaults, and how a sensor's own values override them.

Every default is stated in docs/tracking.md with its reason; the CLI's tracker
options and a case file's ``tracker:`` block set these fields.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from airwitness.errors import UsageError
from airwitness.io.sensors import Sensor

#: a radar's rotation period when it is neither given nor measurable (s): en-route
#: and terminal radars turn in 4-12 s
DEFAULT_SCAN_PERIOD_S = 5.0


@dataclass(frozen=True)
class TrackerSettings:
    """How anonymous detections become tracks (docs/tracking.md)."""

    #: a radar's rotation period (s); None: measured from the plots' azimuths
    scan_period_s: float | None = None
    #: revisit time of a sensor that does not rotate (geographic detections), s, when
    #: it cannot be measured from the detections (``scan_period_s`` forces one)
    revisit_s: float = 1.0
    #: probability of detecting a target on a scan
    pd: float = 0.9
    #: false detections per km² per scan at least (the clutter map may say more)
    clutter_density: float = 0.0
    #: the fastest target to be tracked, m/s (bounds the first association)
    max_speed_mps: float = 350.0
    #: height band assumed where a plot has no measured height (m above the ellipsoid)
    assumed_alt_m: tuple[float, float] = (0.0, 3000.0)
    #: σ of a geographic detection that states none, m per axis
    detection_sigma_m: float = 100.0
    #: confirm a track after this many updates ...
    confirm_hits: int = 4
    #: ... within its first this many scans ...
    confirm_scans: int = 6
    #: ... once its log-likelihood ratio against clutter reaches this
    confirm_score: float = 12.0
    #: delete a confirmed track after this many scans without an update
    max_misses: int = 6
    #: white-noise acceleration of the constant-velocity model, m/s²
    accel_cv_mps2: float = 1.0
    #: white-noise acceleration of the coordinated-turn model, m/s²
    accel_ct_mps2: float = 3.0
    #: how fast the turn rate may change, rad/s per √s
    turn_noise: float = 0.02
    #: mean time a target keeps flying straight or turning before it switches, s
    dwell_s: float = 30.0
    #: side of the clutter map's cells, m
    clutter_cell_m: float = 2000.0

    def __post_init__(self) -> None:
        checks = {
            "revisit_s": self.revisit_s > 0,
            "pd": 0 < self.pd < 1,
            "clutter_density": self.clutter_density >= 0,
            "max_speed_mps": self.max_speed_mps > 0,
            "detection_sigma_m": self.detection_sigma_m > 0,
            "confirm_hits": 2 <= self.confirm_hits <= self.confirm_scans,
            "max_misses": self.max_misses >= 1,
            "accel_cv_mps2": self.accel_cv_mps2 > 0,
            "accel_ct_mps2": self.accel_ct_mps2 > 0,
            "turn_noise": self.turn_noise > 0,
            "dwell_s": self.dwell_s > 0,
            "clutter_cell_m": self.clutter_cell_m > 0,
        }
        if self.scan_period_s is not None:
            checks["scan_period_s"] = self.scan_period_s > 0
        low, high = self.assumed_alt_m
        checks["assumed_alt_m"] = low <= high
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise UsageError(f"tracker settings out of range: {', '.join(bad)}")

    def for_sensor(self, sensor: Sensor | None) -> TrackerSettings:
        """These settings with what the sensors file says of one sensor."""
        if sensor is None:
            return self
        given: dict[str, Any] = {
            "scan_period_s": sensor.scan_period_s,
            "pd": min(sensor.pd, 0.999) if sensor.pd is not None else None,
            "clutter_density": sensor.clutter_density,
            "assumed_alt_m": sensor.assumed_alt_m,
        }
        return replace(self, **{k: v for k, v in given.items() if v is not None})

    @classmethod
    def from_mapping(cls, values: dict[str, Any], where: str) -> TrackerSettings:
        """From a case file's ``tracker:`` block (names as the fields)."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise UsageError(f"{where}: unknown tracker setting(s) {', '.join(unknown)}")
        clean: dict[str, Any] = dict(values)
        if "assumed_alt_m" in clean:
            clean["assumed_alt_m"] = parse_alt_band(clean["assumed_alt_m"], where)
        try:
            return cls(**clean)
        except TypeError as e:
            raise UsageError(f"{where}: bad tracker setting ({e})") from None


def parse_alt_band(value: Any, where: str = "--assumed-alt-m") -> tuple[float, float]:
    """``"0:3000"``, ``[0, 3000]`` or one height: the band (low, high) in metres.

    >>> parse_alt_band("0:3000"), parse_alt_band(1500)
    ((0.0, 3000.0), (1500.0, 1500.0))
    """
    try:
        if isinstance(value, str):
            parts = [float(p) for p in value.split(":")]
        elif isinstance(value, (list, tuple)):
            parts = [float(p) for p in value]
        else:
            parts = [float(value)]
    except (TypeError, ValueError):
        raise UsageError(f"{where}: give a height or LOW:HIGH in metres, not {value!r}") from None
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or parts[0] > parts[1]:
        raise UsageError(f"{where}: give a height or LOW:HIGH in metres, not {value!r}")
    return parts[0], parts[1]
