"""The sensors file: where each radar or sensor stands, how accurate it is, how it scans.

A CSV with a header, or a JSON list of objects (or ``{"sensors": [...]}``). Each
row names its sensor by ``sac`` and ``sic`` (ASTERIX sources), by ``name`` (plot
and detection CSVs), or both; ``lat, lon`` (WGS-84 degrees) and ``alt_m`` (the
antenna's height above the WGS-84 ellipsoid, m) are required. Optional, an empty
cell meaning the documented default:

- ``sigma_range_m``, ``sigma_azimuth_deg``: 1-σ random errors of a radar's slant
  range and azimuth (:data:`DEFAULT_SIGMA_RANGE_M`, :data:`DEFAULT_SIGMA_AZIMUTH_DEG`);
- ``scan_period_s``: the antenna's rotation period (a revisit time for other sensors);
- ``pd``: the probability that a target in coverage is detected on a scan;
- ``clutter_density``: expected false detections per km² per scan;
- ``assumed_alt_m``: the height band (``LOW:HIGH`` or one height, m above the
  ellipsoid) a 2D radar's plots without a measured height are assumed to lie in.

The last four tune the tracker (:mod:`airwitness.tracking`, which has defaults for
them). A bad file is a usage error (exit 2), naming the row.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from airwitness.errors import UsageError

#: radar sites: (SAC, SIC) -> (lat, lon, height above the WGS-84 ellipsoid in m)
Sites = dict[tuple[int, int], tuple[float, float, float]]

#: σ of a radar's range and azimuth measurements when the sensors file gives none:
#: typical figures for a monopulse secondary radar, those quoted as the SSR random-error
#: requirement of the EUROCONTROL radar surveillance standard (SUR.ET1.ST01.1000-STD-01-01,
#: 1997); radars measured for the ECAC radar separation guidelines showed 44-77 m and
#: 0.11-0.18 degrees: give yours in the sensors file (docs/formats.md)
DEFAULT_SIGMA_RANGE_M = 70.0
DEFAULT_SIGMA_AZIMUTH_DEG = 0.08

SIGMA_COLUMNS = ("sigma_range_m", "sigma_azimuth_deg")
#: the tracker's per-sensor settings, and what a valid value is
SCAN_COLUMNS: dict[str, Callable[[float], bool]] = {
    "scan_period_s": lambda v: v > 0.0,
    "pd": lambda v: 0.0 < v <= 1.0,
    "clutter_density": lambda v: v >= 0.0,
}


class Accuracy(NamedTuple):
    """1-σ random errors of a radar's slant range (m) and azimuth (degrees)."""

    sigma_range_m: float = DEFAULT_SIGMA_RANGE_M
    sigma_azimuth_deg: float = DEFAULT_SIGMA_AZIMUTH_DEG


@dataclass(frozen=True)
class Sensor:
    """One row of the sensors file."""

    site: tuple[float, float, float]  # lat, lon, height above the ellipsoid
    accuracy: Accuracy = field(default_factory=Accuracy)
    #: the tracker's settings for it; None: the tracker's defaults
    scan_period_s: float | None = None
    pd: float | None = None
    clutter_density: float | None = None  # false detections per km² per scan
    #: the height band of plots without a measured height (low, high), m
    assumed_alt_m: tuple[float, float] | None = None


def asterix_sensor(sac: int, sic: int) -> str:
    """The sensor id of an ASTERIX source, as detections name it.

    >>> asterix_sensor(25, 12)
    'asterix:25/12'
    """
    return f"asterix:{sac}/{sic}"


@dataclass(frozen=True)
class Sensors:
    """The sensors file: by sensor id (a name, or ``asterix:<SAC>/<SIC>``)."""

    by_id: Mapping[str, Sensor] = field(default_factory=dict)

    @property
    def sites(self) -> Sites:
        """The ASTERIX sources' sites by (SAC, SIC)."""
        out: Sites = {}
        for sensor_id, sensor in self.by_id.items():
            key = _sac_sic(sensor_id)
            if key is not None:
                out[key] = sensor.site
        return out

    def site_by_id(self) -> dict[str, tuple[float, float, float]]:
        """Every sensor's site by id (name and ``asterix:<SAC>/<SIC>``): lon, lat, height
        (the order geometry wants; the file's rows give lat first)."""
        return {sid: (s.site[1], s.site[0], s.site[2]) for sid, s in self.by_id.items()}

    def get(self, sensor_id: str) -> Sensor | None:
        return self.by_id.get(sensor_id)

    def accuracy_of(self, key: tuple[int, int]) -> Accuracy:
        """An ASTERIX radar's accuracy from the file, else the documented defaults."""
        sensor = self.by_id.get(asterix_sensor(*key))
        return sensor.accuracy if sensor is not None else Accuracy()


def _sac_sic(sensor_id: str) -> tuple[int, int] | None:
    if not sensor_id.startswith("asterix:"):
        return None
    sac, _, sic = sensor_id[len("asterix:") :].partition("/")
    return int(sac), int(sic)


def load_sensors(path: Path) -> Sensors:
    """Read a sensors file (see the module docs); a bad one raises UsageError."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"sensors file {path}: cannot read it ({e})") from None
    if text.lstrip().startswith(("[", "{")):
        numbered, where = _json_rows(path, text), "entry"
    else:
        numbered, where = _csv_rows(path, text), "data row"
    by_id: dict[str, Sensor] = {}
    for n, row in numbered:
        ids, sensor = _sensor(path, where, n, row)
        for sensor_id in ids:
            by_id[sensor_id] = sensor
    return Sensors(by_id)


def _json_rows(path: Path, text: str) -> list[tuple[int, dict]]:
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"sensors file {path}: bad JSON ({e.msg}, line {e.lineno})") from None
    if isinstance(rows, dict):
        rows = rows.get("sensors")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise UsageError(f"sensors file {path}: JSON must be a list of objects")
    return [(i + 1, r) for i, r in enumerate(rows)]


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict]]:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    names = {(n or "").strip() for n in reader.fieldnames or ()}
    missing = {"lat", "lon", "alt_m"} - names
    if not ({"sac", "sic"} <= names or "name" in names):
        missing |= {"sac, sic or name"}
    if missing:
        raise UsageError(f"sensors file {path}: missing column(s) {', '.join(sorted(missing))}")
    return [(i + 2, {(k or "").strip(): v for k, v in r.items()}) for i, r in enumerate(reader)]


def _sensor(path: Path, where: str, n: int, row: dict) -> tuple[list[str], Sensor]:
    def bad(what: str) -> UsageError:
        return UsageError(f"sensors file {path}: {where} {n} {what}")

    ids = []
    name = _text(row.get("name"))
    if name:
        ids.append(name)
    if _text(row.get("sac")) or _text(row.get("sic")):
        try:
            sac, sic = int(str(row["sac"]).strip()), int(str(row["sic"]).strip())
        except (KeyError, ValueError, TypeError):
            raise bad("needs integers sac and sic") from None
        if not (0 <= sac <= 255 and 0 <= sic <= 255):
            raise bad("has sac or sic out of range (0-255)")
        ids.append(asterix_sensor(sac, sic))
    if not ids:
        raise bad("needs a name, or sac and sic")
    try:
        lat, lon, alt = (float(str(row[k]).strip()) for k in ("lat", "lon", "alt_m"))
    except (KeyError, ValueError, TypeError):
        raise bad("needs numbers lat, lon, alt_m") from None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or not math.isfinite(alt):
        raise bad("is out of range")
    accuracy = _accuracy(row)
    if accuracy is None:
        raise bad("needs positive numbers (or nothing) in sigma_range_m, sigma_azimuth_deg")
    scan = {}
    for column, valid in SCAN_COLUMNS.items():
        value = _number(row.get(column))
        if value is not None and not valid(value):
            raise bad(f"has {column} out of range")
        scan[column] = value
    band = _band(row.get("assumed_alt_m"))
    if band is not None and not (math.isfinite(band[0]) and band[0] <= band[1]):
        raise bad("has assumed_alt_m that is not a height or LOW:HIGH in metres")
    return ids, Sensor((lat, lon, alt), accuracy, **scan, assumed_alt_m=band)


def _band(raw: Any) -> tuple[float, float] | None:
    """``"0:3000"`` or ``"1500"`` (or a JSON number): (low, high); NaN when unreadable."""
    text = _text(raw)
    if not text:
        return None
    parts = [_number(p) for p in text.split(":")]
    if len(parts) not in (1, 2) or any(p is None for p in parts):
        return (math.nan, math.nan)
    low, high = (parts[0], parts[0]) if len(parts) == 1 else (parts[0], parts[1])
    return (float(low), float(high))


def _text(raw: Any) -> str:
    return "" if raw is None else str(raw).strip()


def _number(raw: Any) -> float | None:
    """A cell's number; None when empty; NaN (out of every range) when not a number."""
    text = _text(raw)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _accuracy(row: dict) -> Accuracy | None:
    """A row's accuracy columns, defaults where empty or absent; None if one is bad."""
    values = []
    for name, default in zip(SIGMA_COLUMNS, Accuracy(), strict=True):
        value = _number(row.get(name))
        if value is None:
            values.append(default)
        elif not value > 0.0:
            return None
        else:
            values.append(value)
    return Accuracy(*values)
