"""Result tables for people at a terminal (rich).

Compact on purpose: file references show the file name only, coordinates five
decimals (about a metre), altitudes and gaps whole units. The exact values are
in the machine formats (``-o FILE``).
"""

from __future__ import annotations

import pyarrow as pa
from rich.console import Console
from rich.table import Table

from airwitness.report.tables import text_columns

_DECIMALS = {"lon": 5, "lat": 5, "alt_m": 0, "gap_s": 1}
_REFERENCES = {"before", "after"}


def print_table(table: pa.Table, title: str, *, console: Console | None = None) -> None:
    """Print every row of ``table``."""
    console = console or Console(width=220)
    view = Table(title=f"{title} ({table.num_rows})")
    cols = text_columns(table)
    for name in cols:
        view.add_column(name, no_wrap=True)
    for values in zip(*cols.values(), strict=True):
        view.add_row(*(_cell(n, v) for n, v in zip(cols, values, strict=True)))
    console.print(view)


def _cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{_DECIMALS.get(name, 3)}f}"
    if name in _REFERENCES and isinstance(value, str):
        return value.replace("\\", "/").rsplit("/", 1)[-1]
    return str(value)
