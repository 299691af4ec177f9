"""GPX 1.1 and 1.0 tracks: every ``trk/trkseg/trkpt`` is a position report.

``lat``/``lon`` attributes, ``ele`` (metres, ``alt_kind`` ``geo``) and
``time`` (ISO-8601; no zone = UTC). The track's ``<name>`` is the track_id;
an unnamed track is ``<file stem>:<n>`` (n-th track in the file, from 1).
Waypoints (``wpt``) and routes (``rte``) are not reports and are not read.
Records are numbered by the point's position in the document (1-based).
A point is rejected as ``bad time`` (missing or unparseable time), ``bad
lat/lon`` (missing or unparseable attribute), ``lat/lon out of range`` or
``bad number in ele``. Documents with a DOCTYPE are refused (see ``_xml``).

Position error (``pos_sigma_m``): the point's ``<hdop>`` (horizontal dilution of
precision) → ``uncertainty.sigma_from_hdop`` (HDOP × ``UERE_M`` 5 m / √2); null
without one. An ``<hdop>`` that is not a positive number leaves ``pos_sigma_m``
null and the point is kept: a malformed accuracy is no reason to lose a position.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from airwitness import reasons
from airwitness.io._convert import Checks, finish, floats, labels, times
from airwitness.io._source import Source
from airwitness.io.options import ReadOptions
from airwitness.io.tabular._xml import events, local
from airwitness.schema import ReadResult
from airwitness.uncertainty import sigma_from_hdop

NAME = "gpx"


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read the track points of a GPX file (optionally gzip-compressed)."""
    src = Source(path, stream)
    lat: list[str | None] = []
    lon: list[str | None] = []
    ele: list[str | None] = []
    when: list[str | None] = []
    hdop: list[str | None] = []
    track: list[int] = []  # track number of each point (0 = outside any <trk>)
    names: dict[int, str] = {}
    stack: list = []
    count, current = 0, 0
    for event, el in events(src):
        tag = local(el.tag)
        if event == "start":
            if not stack and tag != "gpx":
                raise src.fail(f"not a GPX document (root element <{tag}>)")
            stack.append(el)
            if tag == "trk":
                count += 1
                current = count
            continue
        stack.pop()
        if tag == "trkpt":
            lat.append(el.get("lat"))
            lon.append(el.get("lon"))
            e = t = h = None
            for child in el:
                name = local(child.tag)
                if name == "ele":
                    e = child.text
                elif name == "time":
                    t = child.text
                elif name == "hdop":
                    h = child.text
            ele.append(e)
            when.append(t)
            hdop.append(h)
            track.append(current)
            del stack[-1][:]  # done with this point
        elif tag == "name" and stack and local(stack[-1].tag) == "trk":
            if text := (el.text or "").strip():
                names[current] = text
        elif tag == "trk":
            current = 0
        if len(stack) == 1:
            del stack[0][:]  # free finished top-level elements
    ids = [names.get(k) or (f"{src.stem}:{k}" if k else src.stem) for k in track]

    n = len(lat)
    checks = Checks(n)
    time_ns, bad, missing = times(pa.array(when, pa.string()), None)
    checks.flag(bad | missing, reasons.BAD_TIME)
    la, lo = floats(pa.array(lat, pa.string())), floats(pa.array(lon, pa.string()))
    checks.position(la, lo, reasons.BAD_LAT_LON)
    alt, bad = floats(pa.array(ele, pa.string()))
    checks.flag(bad, reasons.bad_number_in("ele"))
    columns = {
        "track_id": pa.array(ids, pa.string()),
        "time": time_ns,
        "lon": lo[0],
        "lat": la[0],
        "alt_m": alt,
        "alt_kind": labels(np.where(np.isnan(alt), -1, 0), ["geo"]),
        "pos_sigma_m": _sigma(hdop),
    }
    records = np.arange(1, n + 1, dtype=np.int64)
    return finish(src.name, NAME, checks, records, columns)


def _sigma(hdop: list[str | None]) -> np.ndarray:
    """σ (m) of each point from its ``<hdop>``; NaN (null) where absent or unusable."""
    values, _unusable = floats(pa.array(hdop, pa.string()))  # unusable: σ null, point kept
    sigmas = (sigma_from_hdop(v) for v in values.tolist())
    return np.fromiter((np.nan if s is None else s for s in sigmas), np.float64, len(values))
