"""DataFrame exports of the ``traffic`` library: Parquet, CSV, or pandas JSON.

JSON is a pandas ``records`` array (``[{"timestamp": ..., ...}, ...]``, as in
traffic's sample files) or JSON Lines of such objects. Columns:
``timestamp, icao24, latitude, longitude`` (required), ``altitude`` (ft,
barometric) or else ``geoaltitude`` (ft, geometric), ``groundspeed`` (kt),
``track`` (deg), ``vertical_rate`` (ft/min), ``callsign``, and
``last_position``. Like OpenSky's ``lastposupdate``, ``last_position`` is when
the position was measured, so it is the row's time where set, else
``timestamp``. Times are Arrow timestamps, ISO-8601 text (no zone = UTC) or
epoch numbers whose unit (s, ms, µs, ns) is told by magnitude: inside the
accepted 1990–2100 window the four never overlap.

Position error (``pos_sigma_m``): not stated (the exports have no NACp/NIC
column), so null; the documented default for ``traffic`` applies
(``uncertainty.DEFAULT_SIGMA_M``).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import BinaryIO

from airwitness import reasons
from airwitness.io._convert import (
    Checks,
    finish,
    floats,
    icao_fields,
    pick_altitude,
)
from airwitness.io._source import Source
from airwitness.io.options import ReadOptions
from airwitness.io.tabular._containers import Columns, load
from airwitness.schema import FPM_TO_MPS, FT_TO_M, KT_TO_MPS, ReadResult

NAME = "traffic"
REQUIRED = ("timestamp", "icao24", "latitude", "longitude")
# column -> factor to SI
NUMBERS = {
    "altitude": FT_TO_M,
    "geoaltitude": FT_TO_M,
    "groundspeed": KT_TO_MPS,
    "track": 1.0,
    "vertical_rate": FPM_TO_MPS,
}
OPTIONAL = ("last_position", "callsign", *NUMBERS)
#: Text columns, converted per distinct value when they come dictionary-encoded
TEXT = ("icao24", "callsign")
#: Columns that only fill a report's details (not its track, time, position or
#: altitude): the engines need not read them where the file proves them clean
DETAIL = ("groundspeed", "track", "vertical_rate", "callsign")


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read a traffic export (Parquet, CSV or JSON, optionally gzip-compressed)."""
    src = Source(path, stream)
    return convert(src.name, load(src, REQUIRED + OPTIONAL, REQUIRED, NAME))


def convert(file: str, data: Columns, only: Collection[str] | None = None) -> ReadResult:
    """The canonical table of columns already read (by ``read``, or by the engines a
    batch at a time: ``only`` those canonical columns, text as dictionaries)."""
    checks = Checks(len(data))

    track_id, time_ns, lat, lon, callsign = icao_fields(
        data,
        checks,
        time="timestamp",
        position_time_col="last_position",
        unit="auto",
        lat="latitude",
        lon="longitude",
    )

    numbers = {}
    for name, factor in NUMBERS.items():
        values, bad = floats(data.get(name))
        checks.flag(bad, reasons.bad_number_in(name))
        numbers[name] = values * factor

    alt_m, alt_kind = pick_altitude(numbers["altitude"], numbers["geoaltitude"])
    columns = {
        "track_id": track_id,
        "time": time_ns,
        "lon": lon[0],
        "lat": lat[0],
        "alt_m": alt_m,
        "alt_kind": alt_kind,
        "ground_speed_mps": numbers["groundspeed"],
        "track_deg": numbers["track"],
        "vrate_mps": numbers["vertical_rate"],
        "callsign": callsign,
        "identity": track_id,  # the Mode S address
    }
    # traffic's flights are ADS-B state vectors (OpenSky's, or a receiver's)
    return finish(file, NAME, checks, data.records, columns, data.rejects, only, "adsb")
