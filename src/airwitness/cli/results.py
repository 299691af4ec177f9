"""The end of every analysis command: the summary and the rejects on their way out,
``--strict`` applied, and the result table written or printed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from airwitness.cli.command import EXIT_BAD_INPUT
from airwitness.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

    from airwitness.pipeline import Summary
    from airwitness.schema import Reject


def finish(
    summary: Summary,
    rejects: Sequence[Reject],
    *,
    strict: bool,
    quiet: bool,
    rejects_out: Path | None = None,
) -> None:
    """Print the summary, write the rejects; with --strict, fail on the first harmful one."""
    if not quiet:
        for line in summary.lines():
            typer.echo(line, err=True)
    if rejects_out is not None:
        write_rejects(rejects, rejects_out)
    if strict and summary.harmful_rejects():
        from airwitness.reasons import BENIGN_REASONS

        first = next(r for r in sorted(rejects) if r.reason not in BENIGN_REASONS)
        typer.echo(f"airwitness: error (--strict): {first}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)


def write_rejects(rejects: Sequence[Reject], path: Path) -> None:
    """Every rejected record (file, record, offset, reason), in order, as .csv/.jsonl/.parquet."""
    import pyarrow as pa

    from airwitness.report.tables import format_for, write_table

    try:
        fmt = format_for(path)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if fmt not in ("csv", "jsonl", "parquet"):
        raise UsageError("--rejects: use a .csv, .jsonl or .parquet file")
    ordered = sorted(rejects)
    table = pa.table(
        {
            "file": pa.array([r.file for r in ordered], type=pa.string()),
            "record": pa.array([r.record for r in ordered], type=pa.int64()),
            "offset": pa.array([r.offset for r in ordered], type=pa.int64()),
            "reason": pa.array([r.reason for r in ordered], type=pa.string()),
        }
    )
    write_table(table, path)


def emit(table: pa.Table, output: Path | None, as_table: bool, title: str) -> None:
    """The result to ``output`` (format from its extension), else JSON Lines on stdout,
    or with ``as_table`` a table on the terminal."""
    from airwitness.report.tables import format_for, write_table

    if output is not None:
        try:
            format_for(output)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if as_table and output is None:
        from airwitness.report.console import print_table

        print_table(table, title)
    else:
        write_table(table, output)
