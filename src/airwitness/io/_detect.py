"""Every reader by its format name, and which format a file is, from its content.

The rules, in the order they are tried, are told in :mod:`airwitness.io`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

from airwitness.errors import InputError
from airwitness.io._source import CHUNK, Source
from airwitness.io.drones import dataflash, mavlink, remoteid, ulog
from airwitness.io.modes import avr, beast, modes_raw, readsb, sbs
from airwitness.io.options import ReadOptions
from airwitness.io.radar import asterix
from airwitness.io.tabular import (
    canonical,
    csv_plain,
    gpx,
    kml,
    opensky,
    plots,
    sightings,
    traffic,
)
from airwitness.io.tabular._containers import column_names, container
from airwitness.schema import ReadResult

Reader = Callable[[str | Path, BinaryIO | None, ReadOptions | None], ReadResult]
#: Content tests for formats that are recognised by their bytes (binary captures,
#: line formats): (format, test of the first 64 KiB and the file extension).
Sniffer = Callable[[bytes, str], bool]

READERS: dict[str, Reader] = {
    "canonical": canonical.read,
    "opensky": opensky.read,
    "traffic": traffic.read,
    "csv": csv_plain.read,
    "gpx": gpx.read,
    "kml": kml.read,
    "readsb": readsb.read,
    "sbs": sbs.read,
    "ulog": ulog.read,
    "mavlink": mavlink.read,
    "dataflash": dataflash.read,
    "remoteid": remoteid.read,
    "asterix": asterix.read,
    "modes_raw": modes_raw.read,
    "beast": beast.read,
    "avr": avr.read,
    "plots": plots.read,
    "detections": sightings.read,
}
FORMATS: tuple[str, ...] = tuple(READERS)
#: The content sniffers, in the order they are asked (before any tabular detection).
CONTENT_SNIFFERS: tuple[tuple[str, Sniffer], ...] = (
    ("ulog", ulog.sniff),
    ("dataflash", dataflash.sniff),
    ("mavlink", mavlink.sniff),
    ("remoteid", remoteid.sniff),
    ("asterix", asterix.sniff),
    ("beast", beast.sniff),
    ("avr", avr.sniff),
    ("modes_raw", modes_raw.sniff),
    ("readsb", readsb.sniff),
    ("sbs", sbs.sniff),
)
#: The tabular formats of ready positions, in order of preference: each reader
#: module names its ``REQUIRED`` and ``OPTIONAL`` columns.
TABULAR: dict[str, ModuleType] = {"opensky": opensky, "traffic": traffic, "csv": csv_plain}

# Required columns that identify each tabular format, in order of preference.
_SIGNATURES = (
    ("canonical", frozenset(canonical.REQUIRED)),  # Parquet only: a CSV of them is csv
    *((fmt, frozenset(module.REQUIRED)) for fmt, module in TABULAR.items()),
    ("modes_raw", frozenset({"mintime", "rawmsg"})),  # OpenSky raw tables in Parquet
    # anonymous detections, for the tracker
    ("plots", frozenset(plots.REQUIRED)),
    ("detections", frozenset(sightings.REQUIRED)),
)
_BY_EXTENSION = {".gpx": "gpx", ".kml": "kml"}
_ROOT_RE = re.compile(rb"<(?![?!])(?:[\w.-]+:)?([\w.-]+)")


def detect(src: Source) -> str:
    """The name of the format of ``src`` (see :mod:`airwitness.io` for the rules)."""
    head = src.head(CHUNK)
    if not head.strip():
        raise src.fail("empty file")
    if head.startswith(b"PK\x03\x04"):
        raise src.fail("zip archive (KMZ?): extract the file inside it first")
    if head[257:262] == b"ustar":
        raise src.fail("tar archive: extract the file inside it first")
    for fmt, test in CONTENT_SNIFFERS:
        if test(head, src.extension):
            return fmt
    text = _as_utf8(head).lstrip()
    if text.startswith(b"<"):
        root = _ROOT_RE.search(_skip_comments(text))
        name = root.group(1).decode("ascii", "replace").lower() if root else ""
        if name in ("gpx", "kml"):
            return name
        return _by_extension(src, f"XML document with root <{name}>, neither GPX nor KML")
    kind = container(head)
    names = set(column_names(src, head))
    for fmt, required in _SIGNATURES:
        if kind in ("json", "jsonl") and fmt != "traffic":
            continue
        if kind != "parquet" and fmt == "canonical":
            continue
        if kind == "parquet" and fmt in ("csv", "plots", "detections"):
            continue
        if required <= names:
            return fmt
    what = {"parquet": "Parquet", "json": "JSON", "jsonl": "JSON Lines", "csv": "text"}[kind]
    return _by_extension(
        src,
        f"cannot detect the format ({what} without the columns of "
        + (
            "the canonical table [track_id, time, lon, lat, source_file, source_record], "
            if kind == "parquet"
            else ""
        )
        + "opensky [time, icao24, lat, lon], traffic [timestamp, icao24, latitude, longitude], "
        "csv [track_id, time, lat, lon], plots [time, sensor, range_m, azimuth_deg] "
        "or detections [time, sensor, lat, lon])",
    )


def _by_extension(src: Source, reason: str) -> str:
    fmt = _BY_EXTENSION.get(src.extension)
    if fmt is None:
        raise InputError(src.name, reason)
    return fmt


def _as_utf8(head: bytes) -> bytes:
    """UTF-16 (with a byte-order mark) re-encoded for sniffing; UTF-8 BOM dropped."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore").encode("utf-8")
    return head.removeprefix(b"\xef\xbb\xbf")


def _skip_comments(text: bytes) -> bytes:
    return re.sub(rb"<!--.*?-->", b"", text, flags=re.DOTALL)
