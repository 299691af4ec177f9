"""The ``airwitness`` command: a thin shell over the API (:mod:`airwitness.pipeline`,
:mod:`airwitness.engine`, :mod:`airwitness.store`, ...). It parses options, calls, prints.

Exit codes (docs/architecture.md §5):

- ``0`` success, whatever was found;
- ``1`` ``manifest check`` found a file missing or changed (one line per file);
- ``2`` usage error: a bad option or argument, or an invalid case file;
- ``3`` unreadable or invalid input: a file that cannot be read, a format that
  cannot be detected, or (with ``--strict``) any damaged record (one line naming
  the file and the record);
- ``4`` no room for the spill of ``--engine local/dask``: a full disk or quota,
  or a spill folder that cannot be made (one line naming the folder).

One module per command group: :mod:`~airwitness.cli.analysis` (crossings, label,
tracks), :mod:`~airwitness.cli.case` (verify, case draft, manifest check),
:mod:`~airwitness.cli.store` (ingest, store info), :mod:`~airwitness.cli.serve`,
:mod:`~airwitness.cli.airspace` (airspace info); :mod:`~airwitness.cli.main` puts
them together into :data:`app`.
"""

from __future__ import annotations

from airwitness.cli.main import app

__all__ = ["app"]
