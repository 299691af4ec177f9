"""The watch command: crossing alerts, live, from receiver and radar feeds (docs/watch.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from airwitness.cli.analysis import (
    BoundarySigma,
    FromCodes,
    IntoCodes,
    MinConfidence,
    ObservedGap,
    Since,
    TrackIds,
    Until,
    check_rule_options,
    crossing_filter_for,
)
from airwitness.cli.command import command
from airwitness.cli.options import (
    Boundaries,
    CodeField,
    IncludeDisputed,
    MaxGap,
    Quiet,
    Reference,
    Sensors,
    airspace_of,
)
from airwitness.errors import UsageError

Sources = Annotated[
    list[str],
    typer.Argument(
        help="sbs://HOST:PORT (30003), beast://HOST:PORT (30005), avr://HOST:PORT (30002), "
        "asterix+udp://[ADDR]:PORT, remoteid+udp://[ADDR]:PORT, or a file that grows "
        "(SBS, AVR or Remote ID lines).",
        show_default=False,
    ),
]


@command
def watch(
    sources: Sources,
    from_codes: FromCodes = None,
    into_codes: IntoCodes = None,
    disputed: IncludeDisputed = False,
    since: Since = None,
    until: Until = None,
    track: TrackIds = None,
    min_confidence: MinConfidence = None,
    boundaries: Boundaries = None,
    code_field: CodeField = None,
    boundary_sigma_m: BoundarySigma = None,
    observed_gap: ObservedGap = 60.0,
    max_gap: MaxGap = 1800.0,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="POST each alert as JSON to this URL.")
    ] = None,
    mqtt: Annotated[
        str | None,
        typer.Option("--mqtt", help="Publish each alert to this broker, mqtt://HOST[:PORT]."),
    ] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="The MQTT topic.")] = None,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="Append reports, rejects and alerts to this store."),
    ] = None,
    stats: Annotated[
        float | None, typer.Option("--stats", help="Print counts on stderr every S seconds.")
    ] = None,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow/--no-follow",
            help="Follow files as they grow; --no-follow reads them to their end and stops.",
        ),
    ] = True,
    file_format: Annotated[
        str | None, typer.Option("--format", help="Format of the files (sbs, avr, remoteid).")
    ] = None,
    reference: Reference = None,
    sensors: Sensors = None,
    quiet: Quiet = False,
) -> None:
    """Alert, as JSON lines on stdout, on every crossing as it happens (provisional at
    once, then confirmed or withdrawn), until Ctrl-C or SIGTERM. With sources of several
    sensors (ADS-B and a radar, say), a confirmed alert says how many sensors show the
    crossing and whether a measurement contradicts it (docs/watch.md).

    Example: airwitness watch sbs://127.0.0.1:30003 --into IRN --webhook http://127.0.0.1:9000/a
    """
    from airwitness.cli.options import ReadArgs
    from airwitness.watch.build import build_watch
    from airwitness.watch.runner import WatchOptions, run_watch
    from airwitness.watch.tracker import Rules

    check_rule_options(observed_gap, max_gap, min_confidence, boundary_sigma_m)
    if stats is not None and stats <= 0:
        raise UsageError("--stats: seconds, more than 0")
    sky = airspace_of(boundaries, code_field)
    where = crossing_filter_for(
        sky, from_codes, into_codes, disputed, since, until, track, min_confidence
    )
    rules = Rules(max_gap, observed_gap, where, boundary_sigma_m=boundary_sigma_m)
    running = build_watch(
        sources,
        sky,
        rules,
        file_format=file_format,
        read_options=ReadArgs(reference=reference, sensors=sensors).options(),
        webhook=webhook,
        mqtt=mqtt,
        topic=topic,
        store=store,
        options=WatchOptions(stats_every_s=stats, follow_files=follow, quiet=quiet),
    )
    run_watch(running)
