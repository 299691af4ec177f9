"""Write a result table in the format its file extension names (docs/architecture.md §5).

Text formats show times as ISO-8601 UTC with milliseconds (``…T04:00:00.123Z``)
and are byte-for-byte deterministic: same table, same bytes.
"""

from __future__ import annotations

import io
import json
import math
import sys
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from airwitness.schema import parquet_options
from airwitness.times import iso_times

FORMATS = {
    ".jsonl": "jsonl",
    ".csv": "csv",
    ".geojson": "geojson",
    ".parquet": "parquet",
    ".kml": "kml",
}


def format_for(path: str | Path) -> str:
    """Output format from a file name; raises ValueError naming the choices."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"cannot tell the output format of {path!s}: use one of {', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def text_columns(table: pa.Table) -> dict[str, list[Any]]:
    """Columns as Python lists, times as ISO strings, NaN as None."""
    out: dict[str, list[Any]] = {}
    for name in table.column_names:
        col = table[name]
        if pa.types.is_timestamp(col.type):
            out[name] = iso_times(col)
        else:
            values = col.to_pylist()
            if pa.types.is_floating(col.type):
                values = [None if v is None or math.isnan(v) else v for v in values]
            out[name] = values
    return out


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    cols = text_columns(table)
    names = list(cols)
    return [dict(zip(names, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]


def write_jsonl(table: pa.Table, out: IO[str]) -> None:
    for row in _rows(table):
        out.write(json.dumps(row, ensure_ascii=False, allow_nan=False))
        out.write("\n")


def write_csv(table: pa.Table, out: IO[bytes]) -> None:
    cols = text_columns(table)
    plain = pa.table({k: pa.array(v, type=_text_type(table[k].type)) for k, v in cols.items()})
    pacsv.write_csv(plain, out)


def _text_type(typ: pa.DataType) -> pa.DataType:
    if pa.types.is_timestamp(typ) or pa.types.is_dictionary(typ):
        return pa.string()
    return typ


def write_geojson(table: pa.Table, out: IO[str]) -> None:
    """Points at (lon, lat[, alt_m]) with every other column as properties."""
    features = []
    for row in _rows(table):
        lon, lat = row.pop("lon"), row.pop("lat")
        coords = [lon, lat]
        if row.get("alt_m") is not None:
            coords.append(row["alt_m"])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": coords},
                "properties": row,
            }
        )
    json.dump(
        {"type": "FeatureCollection", "features": features},
        out,
        ensure_ascii=False,
        allow_nan=False,
        indent=1,
    )
    out.write("\n")


def write_kml(table: pa.Table, out: IO[str], *, name_field: str = "track_id") -> None:
    """Timestamped placemarks (Google Earth shows them on its time slider)."""
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n')
    for row in _rows(table):
        name = escape(str(row.get(name_field, "")))
        desc = escape(json.dumps(row, ensure_ascii=False, allow_nan=False))
        alt = row.get("alt_m")
        coord = f"{row['lon']!r},{row['lat']!r}" + (f",{alt!r}" if alt is not None else "")
        when = f"<TimeStamp><when>{row['time']}</when></TimeStamp>" if row.get("time") else ""
        mode = "<altitudeMode>absolute</altitudeMode>" if alt is not None else ""
        out.write(
            f"<Placemark><name>{name}</name><description>{desc}</description>{when}"
            f"<Point>{mode}<coordinates>{coord}</coordinates></Point></Placemark>\n"
        )
    out.write("</Document></kml>\n")


def write_table(table: pa.Table, path: str | Path | None) -> None:
    """Write ``table`` to ``path`` (format from its extension) or stdout as JSON Lines."""
    if path is None:
        write_jsonl(table, sys.stdout)
        sys.stdout.flush()
        return
    fmt = format_for(path)
    path = Path(path)
    if fmt == "parquet":
        pq.write_table(table, path, **parquet_options(table.schema))
    elif fmt == "csv":
        buf = io.BytesIO()
        write_csv(table, buf)
        path.write_bytes(buf.getvalue())
    else:
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            {"jsonl": write_jsonl, "geojson": write_geojson, "kml": write_kml}[fmt](table, fh)
