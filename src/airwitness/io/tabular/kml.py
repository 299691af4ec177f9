"""KML 2.2 position reports: ``gx:Track`` points and time-stamped Placemark Points.

- ``gx:Track`` (or KML 2.3 ``Track``): its ``when`` and ``gx:coord``
  (``"lon lat [alt]"``) children are paired in order; a ``when`` without a
  coord is rejected as ``bad lat/lon``, a coord without a ``when`` as ``bad
  time``.
- A Placemark with ``TimeStamp/when`` and ``Point/coordinates``
  (``"lon,lat[,alt]"``) is one report; a Point without a TimeStamp is
  rejected as ``bad time``. Placemarks without a Point or Track (lines,
  polygons) hold no reports and are not read.

The Placemark ``name`` is the track_id (unnamed: the file stem), so Points
of one name form one track. Altitudes are metres, ``alt_kind`` ``agl`` when
the altitudeMode is ``relativeToGround``, otherwise ``geo``. Records are
numbered by the point's position in the document (1-based). Documents with a
DOCTYPE are refused (see ``_xml``); KMZ (zip) must be unzipped first.

Position error (``pos_sigma_m``): KML has no accuracy element, so null; the
documented default for ``kml`` applies (``uncertainty.DEFAULT_SIGMA_M``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
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

NAME = "kml"


class _Points:
    """Column lists filled point by point, in document order."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.when: list[str | None] = []
        self.lon: list[str | None] = []
        self.lat: list[str | None] = []
        self.alt: list[str | None] = []
        self.agl: list[bool] = []

    def add(self, tid: str, when: str | None, coord: list[str] | None, agl: bool) -> None:
        if coord is None or len(coord) not in (2, 3):
            coord = [None, None] if coord is None else ["?", "?"]  # "?" = bad lat/lon
        self.ids.append(tid)
        self.when.append(when)
        self.lon.append(coord[0])
        self.lat.append(coord[1])
        self.alt.append(coord[2] if len(coord) == 3 else None)
        self.agl.append(agl)


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read the time-stamped positions of a KML file (optionally gzip-compressed)."""
    src = Source(path, stream)
    pts = _Points()
    stack: list[ET.Element] = []
    for event, el in events(src):
        tag = local(el.tag)
        if event == "start":
            if not stack and tag != "kml":
                raise src.fail(f"not a KML document (root element <{tag}>)")
            stack.append(el)
            continue
        stack.pop()
        if tag == "Placemark":
            _placemark(el, src.stem, pts)
            if stack:
                del stack[-1][:]  # done with this placemark (and earlier siblings)

    n = len(pts.ids)
    checks = Checks(n)
    time_ns, bad, missing = times(pa.array(pts.when, pa.string()), None)
    checks.flag(bad | missing, reasons.BAD_TIME)
    lat, lon = floats(pa.array(pts.lat, pa.string())), floats(pa.array(pts.lon, pa.string()))
    checks.position(lat, lon, reasons.BAD_LAT_LON)
    alt, bad = floats(pa.array(pts.alt, pa.string()))
    checks.flag(bad, reasons.bad_number_in("altitude"))
    kind = np.where(np.isnan(alt), -1, np.asarray(pts.agl, dtype=np.int8))
    columns = {
        "track_id": pa.array(pts.ids, pa.string()),
        "time": time_ns,
        "lon": lon[0],
        "lat": lat[0],
        "alt_m": alt,
        "alt_kind": labels(kind, ["geo", "agl"]),
    }
    records = np.arange(1, n + 1, dtype=np.int64)
    return finish(src.name, NAME, checks, records, columns)


def _placemark(pm: ET.Element, stem: str, pts: _Points) -> None:
    name, stamp = None, None
    for child in pm:
        tag = local(child.tag)
        if tag == "name":
            name = (child.text or "").strip() or None
        elif tag == "TimeStamp":
            stamp = _child_text(child, "when")
    tid = name or stem
    for el in pm.iter():
        tag = local(el.tag)
        if tag == "Track":
            whens = [c.text for c in el if local(c.tag) == "when"]
            coords = [(c.text or "").split() for c in el if local(c.tag) == "coord"]
            agl = _agl(el)
            for i in range(max(len(whens), len(coords))):
                when = whens[i] if i < len(whens) else None
                pts.add(tid, when, coords[i] if i < len(coords) else None, agl)
        elif tag == "Point":
            tuples = re.sub(r"\s*,\s*", ",", _child_text(el, "coordinates") or "").split()
            coord = None if not tuples else tuples[0].split(",") if len(tuples) == 1 else ["?"]
            pts.add(tid, stamp, coord, _agl(el))


def _child_text(el: ET.Element, name: str) -> str | None:
    for child in el:
        if local(child.tag) == name:
            return child.text
    return None


def _agl(geometry: ET.Element) -> bool:
    mode = _child_text(geometry, "altitudeMode")
    return (mode or "").strip() == "relativeToGround"
