"""The OpenSky layouts of ``scripts/generate_traffic.py``: the same reports as users get them.

* ``opensky``: Parquet as OpenSky's Trino database (``state_vectors_data4``) exports
  it through pyopensky or ``CREATE TABLE … WITH (format = 'PARQUET')``: its columns,
  in its order, snappy-compressed, dictionary pages where they pay (pyarrow's
  default), one row group per time window as in the canonical layout.
* ``opensky-csv``: the hourly files of OpenSky's historical dumps,
  ``YYYY-MM-DD/HH/states_YYYY-MM-DD-HH.csv.gz`` (the dumps wrap each in a tar; here it
  is the gzip alone), with the dumps' 16 columns and a header line, no quoting, empty
  for unknown.

The values are those of the canonical table, in OpenSky's units (m, m/s, degrees,
unix seconds), so that airwitness reads back exactly the same reports: ``lastposupdate``
is the report's time in seconds (millisecond steps, exact after the reader's rounding
to the microsecond), ``time`` the whole second at or after it (a state vector's time
is never before its position's); ``baroaltitude`` is the airliners' altitude and
``geoaltitude`` the drones' (airliners' geometric altitude lies 150 ft above the
barometric one, which the reader prefers); ``callsign`` is padded to 8 characters as
OpenSky stores it; ``squawk`` is a fixed code per airliner; ``onground``, ``alert`` and
``spi`` are false; ``lastcontact`` equals ``lastposupdate``; ``hour`` (Parquet only) is
the hour the state belongs to, as in the database's partitions.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
from isal import isal_zlib

#: The state-vector columns of OpenSky's database, in its order (``serials`` left out).
SCHEMA = pa.schema(
    [
        ("time", pa.int64()),
        ("icao24", pa.string()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("velocity", pa.float64()),
        ("heading", pa.float64()),
        ("vertrate", pa.float64()),
        ("callsign", pa.string()),
        ("onground", pa.bool_()),
        ("alert", pa.bool_()),
        ("spi", pa.bool_()),
        ("squawk", pa.string()),
        ("baroaltitude", pa.float64()),
        ("geoaltitude", pa.float64()),
        ("lastposupdate", pa.float64()),
        ("lastcontact", pa.float64()),
        ("hour", pa.int64()),
    ]
)
#: The hourly dumps' columns: the database's without ``hour``.
CSV_COLUMNS = SCHEMA.names[:-1]
GEO_ABOVE_BARO_M = 150 * 0.3048
#: Compression level of the CSV files (ISA-L's 0–3: 2 is as small as zlib's 6 here,
#: and ten times as fast); the gzip header carries no time, so the bytes repeat.
GZIP_LEVEL = 2


def squawks(uid: np.ndarray) -> pa.Array:
    """A fixed four-digit octal code per flight."""
    code = (uid.astype(np.int64) * 2_654_435_761) % 4096
    return pa.array([f"{c:04o}" for c in code.tolist()], type=pa.string())


def padded(callsigns: pa.Array) -> pa.Array:
    """Callsigns padded with spaces to OpenSky's 8 characters."""
    return pc.utf8_rpad(callsigns, 8, " ")


def table(
    cols: dict[str, np.ndarray], track_id: pa.Array, callsign: pa.Array, squawk: pa.Array
) -> pa.Table:
    """One window's reports (``generate_traffic.reports_in``) in OpenSky's columns;
    ``track_id``, ``callsign`` (padded) and ``squawk`` are already one value per row."""
    n = cols["time"].size
    t_ms = cols["time"] // 1_000_000
    seconds = t_ms / 1e3  # exact to the millisecond after the reader's microsecond rounding
    whole = -(-t_ms // 1000)
    drone, alt_null, vel_null = cols["drone"], cols["alt_null"], cols["vel_null"]
    alt = cols["alt"]
    false = pa.array(np.zeros(n, dtype=bool))
    arrays = {
        "time": pa.array(whole, pa.int64()),
        "icao24": track_id,
        "lat": pa.array(cols["lat"]),
        "lon": pa.array(cols["lon"]),
        "velocity": pa.array(cols["gs"], mask=vel_null),
        "heading": pa.array(cols["trk"], mask=vel_null),
        "vertrate": pa.array(cols["vr"], mask=vel_null),
        "callsign": callsign,
        "onground": false,
        "alert": false,
        "spi": false,
        "squawk": squawk,
        "baroaltitude": pa.array(alt, mask=alt_null | drone),
        "geoaltitude": pa.array(np.where(drone, alt, alt + GEO_ABOVE_BARO_M), mask=alt_null),
        "lastposupdate": pa.array(seconds),
        "lastcontact": pa.array(seconds),
        "hour": pa.array(whole // 3600 * 3600, pa.int64()),
    }
    return pa.Table.from_arrays([arrays[name] for name in SCHEMA.names], schema=SCHEMA)


class CsvGzWriter:
    """An hourly dump file: a header, then the rows of each window, gzip-compressed."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._zip = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, 31)  # 31: gzip
        self._header = True

    def write(self, window: pa.Table) -> None:
        buf = io.BytesIO()
        if self._header:  # unquoted, as in the dumps (Arrow would quote the names)
            buf.write((",".join(CSV_COLUMNS) + "\n").encode())
            self._header = False
        options = pcsv.WriteOptions(include_header=False, quoting_style="none")
        pcsv.write_csv(window.select(CSV_COLUMNS), buf, options)
        self._file.write(self._zip.compress(buf.getvalue()))

    def close(self) -> None:
        if self._header:  # no rows: still a valid file with its header
            self.write(SCHEMA.empty_table())
        self._file.write(self._zip.flush())
        self._file.close()
