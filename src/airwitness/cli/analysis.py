"""The analysis commands: crossings, label and tracks. Each writes one table (JSON Lines
on stdout by default) and a summary of what was read and rejected on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from airwitness.cli.command import command
from airwitness.cli.options import (
    NO_READ_ARGS,
    AsTable,
    Boundaries,
    CodeField,
    Format,
    IncludeDisputed,
    Inputs,
    MaxGap,
    Output,
    Quiet,
    ReadArgs,
    RejectsOut,
    StoreOpt,
    Strict,
    airspace_of,
    engine_airspace,
    load_inputs,
)
from airwitness.cli.progress import stages
from airwitness.cli.results import emit, finish
from airwitness.errors import UsageError

if TYPE_CHECKING:
    from airwitness.airspace import Airspace
    from airwitness.crossings import CrossingFilter

FromCodes = Annotated[
    list[str] | None, typer.Option("--from", help="Only crossings out of CODE (repeatable).")
]
IntoCodes = Annotated[
    list[str] | None, typer.Option("--into", help="Only crossings into CODE (repeatable).")
]
Since = Annotated[str | None, typer.Option(help="From this UTC date or datetime.")]
Until = Annotated[
    str | None, typer.Option(help="Up to this UTC datetime (a date covers the whole day).")
]
TrackIds = Annotated[list[str] | None, typer.Option(help="Only this track_id (repeatable).")]
ObservedGap = Annotated[
    float, typer.Option(help="Crossings bracketed by reports at most S s apart are observed.")
]
MinConfidence = Annotated[
    float | None,
    typer.Option(
        "--min-confidence",
        help="Only crossings at least this sure, 0-1 (docs/uncertainty.md).",
    ),
]
BoundarySigma = Annotated[
    float | None,
    typer.Option(
        "--boundary-sigma-m",
        help="The boundaries' 1-sigma error in metres, instead of the set's stated one "
        "(osm 15, ne10m 1500, a file 100).",
    ),
]
Engine = Annotated[
    str,
    typer.Option(
        "--engine",
        help="auto (memory for small inputs and for inputs of several sensors up to "
        "2 GB, else local), memory, local (bounded memory, all cores) or dask.",
    ),
]
Workers = Annotated[
    int | None, typer.Option("--workers", help="Processes (local) or Dask workers.")
]
Memory = Annotated[
    str, typer.Option("--memory", help="Memory budget of all processes, e.g. 2GB, 500MB, 2e9.")
]
Scheduler = Annotated[
    str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786.")
]
SpillDir = Annotated[
    str | None,
    typer.Option(
        "--spill-dir",
        help="Folder or URI for the partitions between the passes of --engine local/dask "
        "(about 36 bytes per report; default: the system temporary folder; on a Dask "
        "cluster of several machines, storage they all reach).",
    ),
]

SpillCompression = Annotated[
    str,
    typer.Option(
        "--spill-compression",
        help="auto (compress the spill when the spill folder's disk lacks room for it "
        "plain), lz4 (always: about half the bytes, a little more CPU) or none.",
    ),
]


@command
def crossings(
    inputs: Inputs = None,
    output: Output = None,
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
    format: Format = None,
    strict: Strict = False,
    quiet: Quiet = False,
    as_table: AsTable = False,
    rejects_out: RejectsOut = None,
    read: ReadArgs = NO_READ_ARGS,
    store: StoreOpt = None,
    engine: Engine = "auto",
    workers: Workers = None,
    memory: Memory = "2GB",
    scheduler: Scheduler = None,
    spill_dir: SpillDir = None,
    spill_compression: SpillCompression = "auto",
) -> None:
    """Every crossing between airspaces in the input tracks.

    Example: airwitness crossings states.csv.gz drones.gpx --into IRN --since 2025-06-13 -o x.csv
    """
    from airwitness.engine import choose_engine, run_crossings_scaled
    from airwitness.pipeline import crossings_of_inputs

    check_rule_options(observed_gap, max_gap, min_confidence, boundary_sigma_m)
    sky = airspace_of(boundaries, code_field)
    where = crossing_filter_for(
        sky, from_codes, into_codes, disputed, since, until, track, min_confidence
    )
    options = read.options()
    chosen = choose_engine(engine, inputs, store=store, scheduler=scheduler)
    if chosen.by_pipeline:
        reports = load_inputs(inputs, store, format, read, quiet)
        run = crossings_of_inputs(
            reports,
            sky,
            max_gap_s=max_gap,
            observed_gap_s=observed_gap,
            where=where,
            boundary_sigma_m=boundary_sigma_m,
        )
        summary, rejects = run.summary, run.inputs.rejects + run.prepared.rejects
    else:
        with stages(quiet) as progress:
            run = run_crossings_scaled(
                inputs,
                engine_airspace(boundaries, code_field),
                engine=chosen.engine,
                workers=workers,
                memory_bytes=_bytes(memory),
                scheduler=scheduler,
                format=format,
                read_options=options,
                tracker=read.tracker(),
                max_gap_s=max_gap,
                observed_gap_s=observed_gap,
                where=where,
                keep_rejects=strict or rejects_out is not None,
                spill_dir=spill_dir,
                spill_compression=spill_compression,
                progress=progress,
                boundary_sigma_m=boundary_sigma_m,
            )
        summary, rejects = run.summary, run.rejects
    finish(summary, rejects, strict=strict, quiet=quiet, rejects_out=rejects_out)
    emit(run.crossings, output, as_table, "Crossings")


def check_rule_options(
    observed_gap: float,
    max_gap: float,
    min_confidence: float | None,
    boundary_sigma_m: float | None,
) -> None:
    """Usage errors for rule options out of range."""
    if observed_gap < 0 or max_gap <= 0:
        raise UsageError("--observed-gap must be >= 0 and --max-gap > 0")
    if min_confidence is not None and not 0 <= min_confidence <= 1:
        raise UsageError("--min-confidence: a number from 0 to 1")
    if boundary_sigma_m is not None and not boundary_sigma_m >= 0:
        raise UsageError("--boundary-sigma-m: metres, 0 or more")


def crossing_filter_for(
    sky: Airspace,
    from_codes: list[str] | None,
    into_codes: list[str] | None,
    disputed: bool,
    since: str | None,
    until: str | None,
    track: list[str] | None,
    min_confidence: float | None,
) -> CrossingFilter:
    """The crossings ``--from``/``--into`` (codes of ``sky``), ``--include-disputed``,
    ``--since``/``--until``, ``--track`` and ``--min-confidence`` keep; an unknown
    code is a usage error."""
    from airwitness.pipeline import check_codes

    unknown = check_codes(sky, [*(from_codes or []), *(into_codes or [])])
    if unknown:
        raise UsageError(f"unknown airspace code(s) {', '.join(unknown)} in this set")
    return _crossing_filter(
        [
            c
            for code in from_codes or ()
            for c in sky.codes_matching(code, include_disputed=disputed)
        ],
        [
            c
            for code in into_codes or ()
            for c in sky.codes_matching(code, include_disputed=disputed)
        ],
        since,
        until,
        track,
        min_confidence,
    )


def _crossing_filter(
    from_codes: list[str] | None,
    into_codes: list[str] | None,
    since: str | None,
    until: str | None,
    track: list[str] | None,
    min_confidence: float | None = None,
) -> CrossingFilter:
    """The crossings the options keep; a bad --since/--until is a usage error."""
    from airwitness.crossings import CrossingFilter
    from airwitness.times import WindowError, parse_window

    try:
        since_ns, until_ns = parse_window(since, until)
    except WindowError as exc:
        raise UsageError(f"--{exc.field}: {exc}") from None
    return CrossingFilter(
        from_codes=from_codes or (),
        into_codes=into_codes or (),
        since_ns=since_ns,
        until_ns=until_ns,
        tracks=track or (),
        min_confidence=min_confidence,
    )


def _bytes(text: str) -> float:
    """``2GB``, ``500MB``, ``2e9`` -> bytes (GB = 10^9)."""
    units = {"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}
    t = text.strip().upper()
    try:
        for unit, factor in units.items():
            if t.endswith(unit):
                return float(t[: -len(unit)]) * factor
        return float(t)
    except ValueError:
        raise UsageError(f"--memory: not a size: {text!r} (e.g. 2GB)") from None


@command
def label(
    inputs: Inputs = None,
    output: Output = None,
    boundaries: Boundaries = None,
    code_field: CodeField = None,
    format: Format = None,
    strict: Strict = False,
    quiet: Quiet = False,
    rejects_out: RejectsOut = None,
    read: ReadArgs = NO_READ_ARGS,
    store: StoreOpt = None,
) -> None:
    """Each input report with the code of the airspace it lies in.

    Example: airwitness label states.csv -o labelled.parquet
    """
    from airwitness.pipeline import label_reports, summarize

    sky = airspace_of(boundaries, code_field)
    reports = load_inputs(inputs, store, format, read, quiet)
    labelled = label_reports(reports.table, sky)
    summary = summarize(reports, None, labelled.num_rows, "labelled reports")
    finish(summary, reports.rejects, strict=strict, quiet=quiet, rejects_out=rejects_out)
    emit(labelled, output, False, "Labels")


@command
def tracks(
    inputs: Inputs = None,
    output: Output = None,
    boundaries: Boundaries = None,
    code_field: CodeField = None,
    max_gap: MaxGap = 1800.0,
    format: Format = None,
    strict: Strict = False,
    quiet: Quiet = False,
    as_table: AsTable = False,
    rejects_out: RejectsOut = None,
    read: ReadArgs = NO_READ_ARGS,
    store: StoreOpt = None,
) -> None:
    """Per track: first and last seen, airspaces in order, reports, segments, rejects.

    Example: airwitness tracks flights.json.gz --table
    """
    from airwitness.pipeline import summarize, track_summaries
    from airwitness.tracks import prepare_tracks

    if max_gap <= 0:
        raise UsageError("--max-gap must be > 0")
    sky = airspace_of(boundaries, code_field)
    reports = load_inputs(inputs, store, format, read, quiet)
    prepared = prepare_tracks(reports.table, max_gap_s=max_gap)
    table = track_summaries(prepared, sky)
    summary = summarize(reports, prepared, table.num_rows, "tracks listed")
    rejects = reports.rejects + prepared.rejects
    finish(summary, rejects, strict=strict, quiet=quiet, rejects_out=rejects_out)
    emit(table, output, as_table, "Tracks")
