"""Radar plots as CSV (``plots``): anonymous detections in polar coordinates.

One header line, then one plot per line, as a radar's plot extractor gives them
(no identity: the tracker, :mod:`airwitness.tracking`, makes tracks of them).
Required columns (any order, names matched case-insensitively):

=================  ==========================================================
``time``           ISO-8601 date and time (a time without a zone is UTC), or
                   unix seconds, as in the plain ``csv`` format
``sensor``         the radar's name, as in the sensors file (``--sensors``),
                   which gives its site and accuracy
``range_m``        slant range from the antenna, metres
``azimuth_deg``    azimuth from true north, clockwise, degrees (taken modulo 360)
=================  ==========================================================

Optional columns, empty cells meaning not measured: ``elevation_deg`` (degrees
above the horizontal at the antenna), ``alt_m`` (the target's height above the
WGS-84 ellipsoid, e.g. from Mode C), ``mode3a`` (the Mode 3/A code, 4 octal
digits: kept as an identity the tracker never mixes), ``amplitude`` (any unit).

Other columns are ignored; blank lines are skipped; gzip is fine. Rows are
numbered by physical line (header = line 1). A row is rejected, with the first
reason that applies, for: ``wrong number of fields``, ``missing sensor``, ``bad
time``, ``no position`` (empty range or azimuth), ``bad number in <column>``
(not a number, infinite, or a range ≤ 0), ``no radar site`` (the sensors file
does not name the radar).

Example::

    time,sensor,range_m,azimuth_deg,alt_m,mode3a,amplitude
    2025-06-16T00:00:01.234Z,AZ-PSR-1,23456.7,201.42,,,
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np

from airwitness import reasons
from airwitness.io._convert import Checks, floats
from airwitness.io._source import Source
from airwitness.io.options import ReadOptions
from airwitness.io.sensors import Sensors, load_sensors
from airwitness.io.tabular._containers import load
from airwitness.io.tabular.sightings import detections_result, optional_fields, sensor_and_time
from airwitness.schema import ReadResult

NAME = "plots"
REQUIRED = ("time", "sensor", "range_m", "azimuth_deg")
NUMBERS = ("elevation_deg", "alt_m", "amplitude")
OPTIONAL = (*NUMBERS, "mode3a")


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read a CSV of radar plots (see the module docs for the format)."""
    options = options or ReadOptions()
    sensors = load_sensors(options.sensors) if options.sensors is not None else Sensors()
    src = Source(path, stream)
    data = load(src, REQUIRED + OPTIONAL, REQUIRED, NAME)
    checks = Checks(len(data))

    sensor, time_ns = sensor_and_time(data, checks)

    (rng, rng_bad), (az, az_bad) = floats(data.get("range_m")), floats(data.get("azimuth_deg"))
    checks.flag(np.isnan(rng) & ~rng_bad | np.isnan(az) & ~az_bad, reasons.NO_POSITION)
    with np.errstate(invalid="ignore"):
        checks.flag(rng_bad | (rng <= 0), reasons.bad_number_in("range_m"))
    checks.flag(az_bad, reasons.bad_number_in("azimuth_deg"))
    numbers, mode3a = optional_fields(data, checks, NUMBERS)

    names = sensor.to_pylist()
    known = {n: sensors.get(n) for n in set(names) if n is not None}
    site = np.array([_site(known.get(n)) for n in names], dtype=np.float64).reshape(-1, 5)
    checks.flag(np.isnan(site[:, 0]), reasons.NO_RADAR_SITE)

    columns = {
        "sensor": sensor,
        "time": time_ns,
        "range_m": rng,
        "azimuth_deg": np.mod(az, 360.0),
        "elevation_deg": numbers["elevation_deg"],
        "site_lat": site[:, 0],
        "site_lon": site[:, 1],
        "site_alt_m": site[:, 2],
        "sigma_range_m": site[:, 3],
        "sigma_azimuth_deg": site[:, 4],
        "alt_m": numbers["alt_m"],
        "mode3a": mode3a,
        "amplitude": numbers["amplitude"],
    }
    return detections_result(src.name, NAME, checks, data.records, columns, data.rejects)


def _site(sensor) -> tuple[float, float, float, float, float]:  # type: ignore[no-untyped-def]
    """(lat, lon, height, σ range, σ azimuth) of a sensor; NaN when it has no row."""
    if sensor is None:
        return (np.nan,) * 5
    return (*sensor.site, *sensor.accuracy)
