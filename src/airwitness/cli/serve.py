"""The serve command: the web app (:mod:`airwitness.web`) on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from airwitness.cli.command import command
from airwitness.cli.options import NO_READ_ARGS, Boundaries, CodeField, ReadArgs, airspace_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from airwitness.watch.runner import Watch


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
    watch: Annotated[
        list[str] | None,
        typer.Option(
            "--watch",
            help="Watch this source live (as `airwitness watch`; repeat for more) and show "
            "it on the Live page; with --store, appended to the store.",
        ),
    ] = None,
    boundaries: Boundaries = None,
    code_field: CodeField = None,
    read: ReadArgs = NO_READ_ARGS,
) -> None:
    """The web app: the map, tracks, crossings and cases, offline, in a browser.

    Uploads are read with the read options given here (--date, --sensors, ...), and
    the store's radar plots tracked with the tracker options.
    Example: airwitness serve --store case.duckdb --case examples/caucasus/case.yaml
    """
    from airwitness.web import serve as run_server
    from airwitness.web.state import Reading

    running: Callable[[], Watch] | None = None
    if watch:
        from airwitness.watch.build import build_watch
        from airwitness.watch.runner import WatchOptions
        from airwitness.watch.tracker import Rules

        sources, sky = list(watch), airspace_of(boundaries, code_field)

        def running() -> Watch:
            return build_watch(
                sources,
                sky,
                Rules(max_gap_s=1800.0, observed_gap_s=60.0),
                store=store,
                options=WatchOptions(quiet=True),
                stdout=False,
            )

    run_server(
        store=store,
        case=case,
        host=host,
        port=port,
        token=token,
        max_upload_mb=max_upload_mb,
        watch=running,
        reading=Reading(read.options(), read.tracker()),
    )
