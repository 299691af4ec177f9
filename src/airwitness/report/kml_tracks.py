"""Tracks as KML ``gx:Track``s, so Google Earth plays them on its time slider."""

from __future__ import annotations

import itertools
from xml.sax.saxutils import escape

import numpy as np
import pyarrow as pa

from airwitness.times import iso_times, rows_ns

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">\n'
    "<Document>\n<name>{name}</name>\n"
)


def tracks_kml(table: pa.Table, *, name: str, crossings: pa.Table | None = None) -> str:
    """One Placemark per (track, segment) of a prepared table, plus crossing points."""
    out = [_HEAD.format(name=escape(name))]
    if table.num_rows:
        ids = np.asarray(table["track_id"].to_pylist(), dtype=object)
        seg = table["segment"].to_numpy()
        times = iso_times(table["time"])
        lon = table["lon"].to_numpy()
        lat = table["lat"].to_numpy()
        alt = table["alt_m"].to_numpy(zero_copy_only=False).astype(np.float64)
        cut = np.flatnonzero(np.r_[True, (ids[1:] != ids[:-1]) | (seg[1:] != seg[:-1]), True])
        for a, b in itertools.pairwise(cut):
            has_alt = not np.isnan(alt[a:b]).any()
            out.append(
                f"<Placemark><name>{escape(str(ids[a]))} / segment {int(seg[a])}</name>"
                f"<gx:Track><altitudeMode>{'absolute' if has_alt else 'clampToGround'}"
                "</altitudeMode>\n"
            )
            out.extend(f"<when>{times[i]}</when>\n" for i in range(a, b))
            for i in range(a, b):
                z = f" {alt[i]!r}" if has_alt else " 0"
                out.append(f"<gx:coord>{lon[i]!r} {lat[i]!r}{z}</gx:coord>\n")
            out.append("</gx:Track></Placemark>\n")
    if crossings is not None and crossings.num_rows:
        out.append("<Folder><name>Crossings</name>\n")
        times = iso_times(crossings["time"])
        for i, row in enumerate(rows_ns(crossings)):
            label = f"{row['track_id']} {row['from']}→{row['to']} ({row['kind']})"
            if row.get("confidence") is not None:
                label += f", confidence {row['confidence']:.4f}"
            out.append(
                f"<Placemark><name>{escape(label)}</name>"
                f"<TimeStamp><when>{times[i]}</when></TimeStamp>"
                f"<Point><coordinates>{row['lon']!r},{row['lat']!r}</coordinates></Point>"
                "</Placemark>\n"
            )
        out.append("</Folder>\n")
    out.append("</Document>\n</kml>\n")
    return "".join(out)
