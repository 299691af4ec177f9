"""The store commands: ingest files into a DuckDB store, and what a store holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from airwitness.cli.command import EXIT_BAD_INPUT, command
from airwitness.cli.options import NO_READ_ARGS, AsJson, Format, Quiet, ReadArgs, Strict
from airwitness.errors import UsageError
from airwitness.store import DEFAULT_STORE


@command
def ingest(
    inputs: Annotated[list[Path], typer.Argument(help="Input files to store.")],
    store: Annotated[Path, typer.Option("--store", help="The store (created if missing).")] = Path(
        DEFAULT_STORE
    ),
    format: Format = None,
    read: ReadArgs = NO_READ_ARGS,
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """Read files once into an embedded DuckDB store; files already there are skipped.

    Each file goes in whole or not at all (a crash leaves no partial file; rerun to
    finish). Example: airwitness ingest captures/*.bin --start-time 2025-06-14T02:00Z
    """
    from airwitness.reasons import BENIGN_REASONS
    from airwitness.store import ingest as ingest_files

    if read.tracker() is not None:
        raise UsageError(
            "tracker options apply when a store is read (crossings --store …), not to ingest: "
            "detections are stored as read and tracked then"
        )
    results = ingest_files(inputs, store, format=format, options=read.options())
    for r in results:
        if not quiet or r.status == "failed":
            typer.echo(r.message, err=True)
    failed = [r for r in results if r.status == "failed"]
    harmful = sum(
        n
        for r in results
        for reason, n in (r.rejects or {}).items()
        if reason not in BENIGN_REASONS
    )
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)
    if strict and harmful:
        typer.echo(f"airwitness: error (--strict): {harmful} damaged record(s)", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)


@command
def store_info(
    store: Annotated[Path, typer.Option("--store", help="The store.")] = Path(DEFAULT_STORE),
    as_json: AsJson = False,
) -> None:
    """Files, reports, rejects, time span and bounding box of a store.

    Example: airwitness store info --store case.duckdb --json
    """
    from airwitness.store import info

    doc = info(store)
    if as_json:
        typer.echo(json.dumps(doc, indent=2, sort_keys=True))
        return
    for key in ("files", "records", "reports", "rejects", "tracks"):
        typer.echo(f"{key}: {doc[key]}")
    for reason, n in sorted(doc["rejects_by_reason"].items()):
        typer.echo(f"  {reason}: {n}")
    span, box = doc["time_span"], doc["bbox"]
    if span:
        typer.echo(f"time span: {span['first']} .. {span['last']}")
    if box:
        typer.echo("bbox: " + ", ".join(f"{k} {v}" for k, v in box.items()))
