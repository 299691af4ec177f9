"""Geographic detections as CSV (``detections``): where something was seen, not who.

For sensors that locate without identifying: passive RF, acoustic or optical
sensors, geolocated sightings. The tracker (:mod:`airwitness.tracking`) makes
tracks of them. One header line, then one detection per line. Required columns
(any order, names matched case-insensitively):

=================  ==========================================================
``time``           ISO-8601 date and time (a time without a zone is UTC), or
                   unix seconds, as in the plain ``csv`` format
``sensor``         the sensor's name (tracks never mix sensors)
``lat``, ``lon``   WGS-84 decimal degrees
=================  ==========================================================

Optional, empty meaning unknown: ``alt_m`` (height above the WGS-84 ellipsoid),
``pos_sigma_m`` (1-σ horizontal error per axis, metres; empty: the tracker's
default, docs/tracking.md), ``mode3a`` (an identity code the tracker never
mixes), ``amplitude``. A file with a ``track_id`` column is the plain ``csv``
format instead.

Rows are numbered by physical line (header = line 1). A row is rejected, with
the first reason that applies, for: ``wrong number of fields``, ``missing
sensor``, ``bad time``, ``bad lat/lon``, ``no position``, ``lat/lon out of
range``, ``bad number in <column>`` (also a ``pos_sigma_m`` ≤ 0).

Example::

    time,sensor,lat,lon,pos_sigma_m
    2025-06-16T00:00:01Z,RF-EAST,39.512,47.301,150
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa

from airwitness import reasons
from airwitness.io._convert import Checks, all_rejects, floats, kept_rows, text, times
from airwitness.io._source import Source
from airwitness.io.options import ReadOptions
from airwitness.io.tabular._containers import load
from airwitness.schema import ReadResult, Reject, empty_table, make_detections

NAME = "detections"
REQUIRED = ("time", "sensor", "lat", "lon")
NUMBERS = ("alt_m", "pos_sigma_m", "amplitude")
OPTIONAL = (*NUMBERS, "mode3a")


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read a CSV of geographic detections (see the module docs for the format)."""
    src = Source(path, stream)
    data = load(src, REQUIRED + OPTIONAL, REQUIRED, NAME)
    checks = Checks(len(data))

    sensor, time_ns = sensor_and_time(data, checks)
    lat, lon = floats(data.get("lat")), floats(data.get("lon"))
    checks.position(lat, lon, reasons.NO_POSITION)
    numbers, mode3a = optional_fields(data, checks, NUMBERS)
    with np.errstate(invalid="ignore"):
        checks.flag(numbers["pos_sigma_m"] <= 0, reasons.bad_number_in("pos_sigma_m"))

    columns = {
        "sensor": sensor,
        "time": time_ns,
        "lon": lon[0],
        "lat": lat[0],
        "pos_sigma_m": numbers["pos_sigma_m"],
        "alt_m": numbers["alt_m"],
        "mode3a": mode3a,
        "amplitude": numbers["amplitude"],
    }
    return detections_result(src.name, NAME, checks, data.records, columns, data.rejects)


def sensor_and_time(data: Any, checks: Checks) -> tuple[pa.Array, np.ndarray]:
    """The ``sensor`` and ``time`` columns every detection CSV has, checked."""
    sensor, bad = text(data.get("sensor"))
    checks.flag(bad | ~sensor.is_valid().to_numpy(zero_copy_only=False), reasons.MISSING_SENSOR)
    time_ns, bad, missing = times(data.get("time"), "s")
    checks.flag(bad | missing, reasons.BAD_TIME)
    return sensor, time_ns


def optional_fields(
    data: Any, checks: Checks, numbers: Sequence[str]
) -> tuple[dict[str, np.ndarray], pa.Array]:
    """The optional number columns and ``mode3a``, each bad value flagged."""
    values = {}
    for name in numbers:
        values[name], bad = floats(data.get(name))
        checks.flag(bad, reasons.bad_number_in(name))
    mode3a, bad = text(data.get("mode3a"))
    checks.flag(bad, reasons.bad_number_in("mode3a"))
    return values, mode3a


def detections_result(
    src_name: str,
    source: str,
    checks: Checks,
    records: np.ndarray,
    columns: Mapping[str, np.ndarray | pa.Array],
    extra_rejects: Sequence[Reject] = (),
) -> ReadResult:
    """The rows that passed every check as detections; everything else a Reject."""
    cols = kept_rows(checks, records, columns)
    if "alt_m" in cols:
        known = ~np.isnan(np.asarray(cols["alt_m"], dtype=np.float64))
        cols["alt_kind"] = pa.array(np.where(known, "geo", None).tolist(), pa.string())
    detections = make_detections(cols, source=source, source_file=src_name)
    rejects = all_rejects(checks, src_name, records, extra_rejects)
    return ReadResult(empty_table(), rejects, format=source, detections=detections)
