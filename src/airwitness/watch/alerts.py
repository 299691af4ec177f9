"""An alert: one crossing, as ``airwitness crossings`` writes it, with its status.

The crossing's fields are those of a JSON Lines row of ``crossings``
(:func:`airwitness.report.tables.text_columns`: times as ISO-8601 UTC with
milliseconds, NaN as null), in the same order; then ``status`` and
``received``, the UTC wall-clock time the alert was made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from airwitness.report.tables import text_columns
from airwitness.times import iso_ms

PROVISIONAL = "provisional"
CONFIRMED = "confirmed"
WITHDRAWN = "withdrawn"
STATUSES = (PROVISIONAL, CONFIRMED, WITHDRAWN)


@dataclass(frozen=True)
class Alert:
    """``fields``: the crossing's, as :func:`crossing_rows` gives them."""

    status: str
    fields: dict[str, Any]
    received_ns: int

    def record(self) -> dict[str, Any]:
        """The alert as one JSON object: the crossing's fields, ``status``, ``received``."""
        return {**self.fields, "status": self.status, "received": iso_ms(self.received_ns)}

    def json(self) -> str:
        """One line of JSON (no newline)."""
        return json.dumps(self.record(), ensure_ascii=False, allow_nan=False)


def crossing_rows(crossings: pa.Table) -> list[dict[str, Any]]:
    """The rows of a crossings table as ``crossings`` writes them to JSON Lines."""
    columns = text_columns(crossings)
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]
