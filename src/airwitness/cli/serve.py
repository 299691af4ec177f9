"""The serve command: the web app (:mod:`airwitness.web`) on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from airwitness.cli.command import command


@command
def serve(
    store: Annotated[
        Path | None, typer.Option("--store", help="The store to show (created if missing).")
    ] = None,
    case: Annotated[Path | None, typer.Option("--case", help="A case file to show.")] = None,
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8750,
    token: Annotated[
        str | None,
        typer.Option(
            help="Required on every API request; needed to bind off loopback "
            "(or set AIRWITNESS_TOKEN)."
        ),
    ] = None,
    max_upload_mb: Annotated[float, typer.Option(help="Largest upload accepted.")] = 200.0,
) -> None:
    """The web app: the map, tracks, crossings and cases, offline, in a browser.

    Example: airwitness serve --store case.duckdb --case examples/caucasus/case.yaml
    """
    from airwitness.web import serve as run_server

    run_server(
        store=store, case=case, host=host, port=port, token=token, max_upload_mb=max_upload_mb
    )
