"""Escaped, fixed-format cells and tables for the HTML report."""

from __future__ import annotations

from typing import Any

import numpy as np

from airwitness.report._svg import esc


def fmt(value: Any, digits: int = 0, unit: str = "") -> str:
    """A value as text: thousands separators, fixed decimals, an em dash for none."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        text = f"{value:,.{digits}f}"
        return f"{text} {unit}" if unit else text
    return str(value)


def pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f} %"


def table(
    head: list[str],
    rows: list[list[str]],
    *,
    numeric: frozenset[int] | set[int] = frozenset(),
    row_class: list[str] | None = None,
    empty: str = "none",
) -> str:
    """A table of already-escaped cells (``head`` is escaped here)."""
    if not rows:
        return f'<p class="empty">{esc(empty)}</p>'
    out = ["<table><thead><tr>", *(f"<th>{esc(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for k, row in enumerate(rows):
        cls = f' class="{row_class[k]}"' if row_class and row_class[k] else ""
        cells = "".join(
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        out.append(f"<tr{cls}>{cells}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def kv(pairs: list[tuple[str, str]]) -> str:
    """A definition list; values already escaped."""
    return '<dl class="kv">' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in pairs) + "</dl>"
