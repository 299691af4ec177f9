"""Input readers: one file in, the canonical table of position reports out.

:func:`read` picks the reader with :func:`sniff` (or ``format=``) and returns
a :class:`~airwitness.schema.ReadResult`. A file that cannot be read at all
raises :class:`~airwitness.errors.InputError`; bad records inside a readable
file become rejects, whose reasons are named in :mod:`airwitness.reasons`.

Layout, by source family. Each reader is a module named after its format (its
docstring says what it reads, record by record); the modules starting with
``_`` are the family's shared parts:

- ``tabular/``: ready positions, one per row or point. ``opensky``,
  ``traffic``, ``csv_plain`` (format ``csv``), ``gpx``, ``kml``, ``canonical``
  (the canonical table as Parquet); the
  containers they come in: ``_containers`` (CSV, Parquet, JSON, JSON Lines as
  raw columns), ``_csvtext`` (CSV with line numbers), ``_xml`` (safe streaming).
- ``modes/``: Mode S / ADS-B receivers. ``beast``, ``avr`` and ``modes_raw``
  carry raw messages, decoded here: ``_messages`` (hex, CRC), ``_decode``
  (judging and decoding every message), ``_cpr`` (position resolution),
  ``_clocks`` (receiver clocks); ``sbs`` and ``readsb`` are decoded already.
- ``radar/``: ``asterix``, with ``_framing`` (pcap records, UDP, chains of
  data blocks), ``_categories`` (per-category decoding) and ``_sites`` (radar
  sites and plot geometry).
- ``drones/``: ``ulog``, ``mavlink`` and ``dataflash``, framed logs walked by
  ``_frames``; ``remoteid``.

Shared by every family: ``_source`` (a path or stream, gzip or not),
``_convert`` (vectorised conversion of values, with per-row checks),
``options`` (:class:`ReadOptions`) and ``_detect`` (the readers by format, and
the detection below). Above the readers: ``inputs`` reads many files into one
table, and ``batches`` is what the engines use to read a file in parts.

Format detection, from content first (gzip is recognised by its magic bytes,
whatever the name; a ``.gz`` name on a file that is not gzip is an error), on
the first 64 KiB:

1. A zip or tar archive is refused (extract the file first).
2. The content sniffers, in this order, each a reader's ``sniff``: ``ulog``
   (magic), ``dataflash`` (the FMT message defining itself), ``mavlink`` (two
   tlog entries), ``remoteid`` (time and hex message lines), ``asterix``
   (a pcap capture of ASTERIX blocks, or a raw block chain), ``beast``
   (clean Beast frames from the start), ``avr`` (``*…;`` or ``@…;`` lines),
   ``modes_raw`` (CSV or JSON whose first record has a time and a hex Mode S
   message), ``readsb`` (an object with ``icao`` and a ``trace`` array),
   ``sbs`` (BaseStation lines). The first that recognises the content wins.
3. XML: root ``<gpx>`` -> ``gpx``; root ``<kml>`` -> ``kml``.
4. The tabular formats, by their columns:

   - ``PAR1`` magic (Parquet): ``canonical`` if the columns include
     ``track_id, time, lon, lat, source_file, source_record`` (the canonical
     table itself); ``opensky`` if they include ``time, icao24, lat, lon``;
     ``traffic`` if ``timestamp, icao24, latitude, longitude``; ``modes_raw``
     if ``mintime, rawmsg`` (OpenSky raw tables).
   - JSON (``[`` or ``{`` first): ``traffic`` if the first record has
     ``latitude`` and ``longitude``.
   - Otherwise the first non-blank line is a CSV header: ``opensky`` (``time,
     icao24, lat, lon``), ``traffic`` (``timestamp, icao24, latitude,
     longitude``), ``csv``, the plain format (``track_id, time, lat, lon``),
     or ``modes_raw`` (``mintime, rawmsg``).

5. When the content matches nothing, a ``.gpx`` or ``.kml`` extension (before
   any ``.gz``) picks that reader, which then explains what is wrong;
   otherwise InputError ``cannot detect the format``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from airwitness.errors import UsageError
from airwitness.io._detect import FORMATS, READERS, detect
from airwitness.io._source import Source
from airwitness.io.options import ReadOptions
from airwitness.schema import ReadResult

__all__ = ["FORMATS", "ReadOptions", "read", "sniff"]


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
            format = detect(Source(path, stream))
            stream.seek(0)
        else:
            format = sniff(path)
    elif format not in READERS:
        raise UsageError(f"unknown input format {format!r}; choose one of {', '.join(FORMATS)}")
    result = READERS[format](path, stream, options)
    result.format = format
    return result


def sniff(path: str | Path) -> str:
    """The name of the format of ``path`` (see the module docs for the rules)."""
    return detect(Source(path))
