"""Input readers: one file in, the canonical table of position reports out.

:func:`read` picks the reader with :func:`sniff` (or ``format=``) and returns
a :class:`~airwitness.schema.ReadResult`. A file that cannot be read at all
raises :class:`~airwitness.errors.InputError`; bad records inside a readable
file become rejects.

Format detection, from content first (gzip is recognised by its magic bytes,
whatever the name; a ``.gz`` name on a file that is not gzip is an error):

- ``PAR1`` magic (Parquet): ``opensky`` if the columns include ``time, icao24,
  lat, lon``; ``traffic`` if ``timestamp, icao24, latitude, longitude``.
- XML: root ``<gpx>`` -> ``gpx``; root ``<kml>`` -> ``kml``.
- JSON (``[`` or ``{`` first): ``traffic`` if the first record has
  ``latitude`` and ``longitude``.
- Otherwise the first non-blank line is a CSV header: ``opensky`` (``time,
  icao24, lat, lon``), ``traffic`` (``timestamp, icao24, latitude,
  longitude``), or ``csv``, the plain format (``track_id, time, lat, lon``).
- When the content matches nothing, a ``.gpx`` or ``.kml`` extension (before
  any ``.gz``) picks that reader, which then explains what is wrong;
  otherwise InputError ``cannot detect the format``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from airwitness.errors import InputError, UsageError
from airwitness.io import (
    asterix,
    avr,
    beast,
    csv_plain,
    dataflash,
    gpx,
    kml,
    mavlink,
    modes_raw,
    opensky,
    readsb,
    remoteid,
    sbs,
    traffic,
    ulog,
)
from airwitness.io._source import CHUNK, Source
from airwitness.io._tabular import column_names, container
from airwitness.io.options import ReadOptions
from airwitness.schema import ReadResult

__all__ = ["FORMATS", "ReadOptions", "read", "sniff"]

Reader = Callable[[str | Path, BinaryIO | None, ReadOptions | None], ReadResult]
#: Content tests for formats that are recognised by their bytes (binary captures,
#: line formats): (format, test of the first 64 KiB and the file extension).
Sniffer = Callable[[bytes, str], bool]

_READERS: dict[str, Reader] = {
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
}
_CONTENT_SNIFFERS: list[tuple[str, Sniffer]] = [
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
]
FORMATS: tuple[str, ...] = tuple(_READERS)

# Required columns that identify each tabular format, in order of preference.
_SIGNATURES = (
    ("opensky", frozenset(opensky.REQUIRED)),
    ("traffic", frozenset(traffic.REQUIRED)),
    ("csv", frozenset(csv_plain.REQUIRED)),
    ("modes_raw", frozenset({"mintime", "rawmsg"})),  # OpenSky raw tables in Parquet
)
_BY_EXTENSION = {".gpx": "gpx", ".kml": "kml"}
_ROOT_RE = re.compile(rb"<(?![?!])(?:[\w.-]+:)?([\w.-]+)")


def read(
    path: str | Path,
    *,
    format: str | None = None,
    stream: BinaryIO | None = None,
    options: ReadOptions | None = None,
) -> ReadResult:
    """Read one input file into the canonical table.

    ``format`` forces a reader (one of :data:`FORMATS`); otherwise it is
    detected by :func:`sniff`. ``stream``, when given, is read instead of
    opening ``path``, which still names the file in the table and messages.

    >>> result = read("tests/data/traffic/elal747.json.gz")
    >>> result.format, result.table.num_rows, len(result.rejects)
    ('traffic', 2110, 0)
    """
    if format is None:
        if stream is not None:
            stream = io.BytesIO(stream.read())  # read once, used twice
            format = _sniff(Source(path, stream))
            stream.seek(0)
        else:
            format = sniff(path)
    elif format not in _READERS:
        raise UsageError(f"unknown input format {format!r}; choose one of {', '.join(FORMATS)}")
    result = _READERS[format](path, stream, options)
    result.format = format
    return result


def sniff(path: str | Path) -> str:
    """The name of the format of ``path`` (see the module docs for the rules)."""
    return _sniff(Source(path))


def _sniff(src: Source) -> str:
    head = src.head(CHUNK)
    if not head.strip():
        raise src.fail("empty file")
    if head.startswith(b"PK\x03\x04"):
        raise src.fail("zip archive (KMZ?): extract the file inside it first")
    if head[257:262] == b"ustar":
        raise src.fail("tar archive: extract the file inside it first")
    for fmt, test in _CONTENT_SNIFFERS:
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
        if kind == "parquet" and fmt == "csv":
            continue
        if required <= names:
            return fmt
    what = {"parquet": "Parquet", "json": "JSON", "jsonl": "JSON Lines", "csv": "text"}[kind]
    return _by_extension(
        src,
        f"cannot detect the format ({what} without the columns of "
        "opensky [time, icao24, lat, lon], traffic [timestamp, icao24, latitude, longitude] "
        "or csv [track_id, time, lat, lon])",
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
