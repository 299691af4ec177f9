"""Result tables for people at a terminal (rich)."""

from __future__ import annotations

import pyarrow as pa
from rich.console import Console
from rich.table import Table

from airwitness.report.tables import text_columns


def print_table(table: pa.Table, title: str, *, console: Console | None = None) -> None:
    """Print every row of ``table``; floats to 5 decimals (about a metre in degrees)."""
    console = console or Console(width=200)
    view = Table(title=f"{title} ({table.num_rows})", show_lines=False)
    cols = text_columns(table)
    for name in cols:
        view.add_column(name, overflow="fold")
    for values in zip(*cols.values(), strict=True):
        view.add_row(*(_cell(v) for v in values))
    console.print(view)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.5f}" if abs(value) < 1e6 else f"{value:.1f}"
    return str(value)
