"""The embedded DuckDB store: ingest once, query many times (issue 4).

An investigation reads its evidence files once into a single DuckDB file and
then runs every command against it. The store keeps exactly what the readers
produced, so :func:`load` returns the same :class:`~airwitness.io.inputs.Inputs`
as reading the files directly, and every result is the same.

Guarantees:

- **Idempotent by content.** A file is identified by the SHA-256 of its bytes
  as held (compressed or not). A file already in the store, under any name, is
  skipped and said so; re-ingesting changes nothing that :func:`info` shows.
- **Atomic per file.** A file's provenance row, reports and rejects go in one
  transaction that commits only after the last row; a crash or SIGKILL before
  that leaves none of them: DuckDB's write-ahead log holds committed
  transactions only, and rows written to the database file ahead of the commit
  sit in blocks that nothing references until then. Running the same ingest
  again finishes the job (file ids are dense: the next is max + 1).
- **Exact.** Times are kept as integer nanoseconds (DuckDB's TIMESTAMPTZ
  holds microseconds only); floats, NaN and nulls round-trip bit for bit, and
  rows come back in the order the reader produced them.

Tables (``SCHEMA_VERSION`` 4), for users who query the file with SQL:

- ``meta(key, value)``: ``schema_version``, ``created_by``.
- ``files``: one row per stored file, ``file_id`` 1, 2, … in ingest order;
  ``path`` (as given at ingest), ``size``, ``sha256``, ``format``,
  ``source``, ``reader_version``, ``options_json``, ``records``,
  ``reports``, ``rejects``, ``rejects_json`` (counts by reason), ``tracks``,
  ``first_ns``/``last_ns``, bounding box, and ``ingested_at`` (wall clock,
  provenance only: never part of :func:`info`).
- ``reports``: the canonical columns (``leg_start`` new in version 2, ``pos_sigma_m``
  in version 3: a version-2 store is read with it null, and upgraded when written)
  with ``time_ns`` (BIGINT, ns since the epoch, UTC) instead of ``time``, and
  ``file_id`` instead of ``source`` and ``source_file``.
- ``rejects(file_id, record, byte_offset, reason)``.
- ``detections`` (version 4): radar plots and other anonymous detections as read
  (``file_id``, the detection columns, ``time_ns``), and ``sensors`` (version 4):
  the sensors file's rows they were read with. :func:`load` tracks them, every
  file's together, with the caller's tracker settings (docs/tracking.md).
- view ``positions``: the canonical table in SQL terms, with ``time`` as
  TIMESTAMPTZ (microseconds, floored) beside the exact ``time_ns``,
  ``source``/``source_file`` joined from ``files``, and ``file_id``.

One process at a time may write a store; readers may share it. The DuckDB
spatial extension is never loaded here.

The modules: :mod:`~airwitness.store.ingestion` (writing),
:mod:`~airwitness.store.reading` (:func:`info`, :func:`load`),
:mod:`~airwitness.store.connection` (opening the file),
:mod:`~airwitness.store.detections` (detections in and out) and
:mod:`~airwitness.store.tables` (the layout, created and checked).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airwitness.store.ingestion import IngestResult, ingest
    from airwitness.store.reading import info, load
    from airwitness.store.tables import SCHEMA_VERSION

__all__ = ["DEFAULT_STORE", "SCHEMA_VERSION", "IngestResult", "info", "ingest", "load"]

#: The store the CLI uses when ``--store`` is not given.
DEFAULT_STORE = "airwitness.duckdb"

# The rest is imported on first use: the CLI needs DEFAULT_STORE to build its options,
# and importing the readers and DuckDB would make every `airwitness --help` slow.
_LAZY = {
    "IngestResult": "ingestion",
    "ingest": "ingestion",
    "info": "reading",
    "load": "reading",
    "SCHEMA_VERSION": "tables",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value
