"""The ``airwitness`` command: a thin shell over :mod:`airwitness.pipeline`.

Exit codes (ARCHITECTURE §5): 0 success whatever was found, 2 usage error,
3 unreadable or invalid input (one line naming the file and the record).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from airwitness import __version__
from airwitness.errors import InputError, SpillError, UsageError

T = TypeVar("T")

app = typer.Typer(
    name="airwitness",
    help="Which aircraft or drones crossed from one country's airspace into another's, "
    "when and where, and how sure can we be.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
airspace_app = typer.Typer(help="Inspect airspace boundary sets.", no_args_is_help=True)
app.add_typer(airspace_app, name="airspace")

Inputs = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Input files (format detected; .gz accepted), or none with --store.",
        show_default=False,
    ),
]
StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="Read the reports from this store (airwitness ingest) instead of input files.",
    ),
]
Output = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help="Write here; the extension picks the format "
        "(.jsonl .csv .geojson .parquet .kml). Default: JSON Lines on stdout.",
    ),
]
Format = Annotated[str | None, typer.Option("--format", help="Force the input format.")]
Boundaries = Annotated[
    Path | None,
    typer.Option(
        "--boundaries",
        help="Boundary set (GeoJSON, GeoPackage, Shapefile) instead of the built-in countries.",
    ),
]
CodeField = Annotated[
    str | None, typer.Option("--code-field", help="Code property of --boundaries.")
]
MaxGap = Annotated[float, typer.Option("--max-gap", help="Split tracks on gaps above S seconds.")]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 3 if any record is rejected.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")]
StartTime = Annotated[
    str | None,
    typer.Option(
        "--start-time",
        help="UTC start of captures with relative timestamps "
        "(Beast, AVR, drone logs without GPS time).",
    ),
]
CaptureDate = Annotated[
    str | None,
    typer.Option("--date", help="UTC date of captures carrying time of day only (ASTERIX)."),
]
Reference = Annotated[
    str | None,
    typer.Option("--reference", help="LAT,LON near the receiver, for local CPR decoding."),
]
Sensors = Annotated[
    Path | None, typer.Option("--sensors", help="Radar sites by SAC/SIC (CSV), for ASTERIX CAT048.")
]
Engine = Annotated[
    str,
    typer.Option(
        "--engine",
        help="auto (memory for small inputs, else local), memory, "
        "local (bounded memory, all cores) or dask.",
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
AUTO_MEMORY_INPUT_BYTES = 200e6  # `--engine auto` streams inputs larger than this
AsTable = Annotated[bool, typer.Option("--table", help="Print a table instead of JSON Lines.")]
RejectsOut = Annotated[
    Path | None,
    typer.Option(
        "--rejects",
        help="Write every rejected record (file, record, offset, reason) "
        "here: .csv, .jsonl or .parquet.",
    ),
]


def _guarded(body: Callable[[], T]) -> T:
    """Run a command body, turning bad input into one line and an exit code."""
    try:
        return body()
    except InputError as exc:
        typer.echo(f"airwitness: error: {exc}", err=True)
        raise typer.Exit(3) from None
    except UsageError as exc:
        typer.echo(f"airwitness: usage error: {exc}", err=True)
        raise typer.Exit(2) from None
    except SpillError as exc:
        typer.echo(f"airwitness: error: {exc}", err=True)
        raise typer.Exit(4) from None


def _airspace(boundaries: Path | None, code_field: str | None):
    from airwitness.airspace import Airspace

    if boundaries is None:
        if code_field:
            raise UsageError("--code-field needs --boundaries")
        return Airspace.builtin()
    if not code_field:
        raise UsageError("--boundaries needs --code-field (the property holding each code)")
    return Airspace.from_file(boundaries, code_field)


def _read_options(start_time, date, reference, sensors):
    """ReadOptions from the command line; None when nothing was given."""
    import datetime as dt

    from airwitness.io.options import ReadOptions
    from airwitness.times import parse_utc_ns

    if not any((start_time, date, reference, sensors)):
        return None
    try:
        start_ns = parse_utc_ns(start_time) if start_time else None
        day = dt.date.fromisoformat(date) if date else None
    except ValueError as exc:
        raise UsageError(f"--start-time/--date: {exc}") from None
    ref = None
    if reference:
        try:
            lat, lon = (float(v) for v in reference.split(","))
        except ValueError:
            raise UsageError(f"--reference: expected LAT,LON, got {reference!r}") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UsageError(f"--reference: {reference} is not a position")
        ref = (lat, lon)
    return ReadOptions(start_time_ns=start_ns, date=day, reference=ref, sensors=sensors)


def _load_inputs(inputs, store, format, options, quiet):
    """The reports of the input files, or of the store."""
    from airwitness.pipeline import read_inputs

    if store is not None:
        if inputs:
            raise UsageError("give input files or --store, not both")
        if format or options:
            raise UsageError("--format and read options apply to files, not to --store")
        from airwitness.store import load

        return load(store)
    if not inputs:
        raise UsageError("no input files (or give --store FILE)")
    with _progress(len(inputs), quiet) as progress:
        return read_inputs(inputs, format=format, progress=progress, options=options)


def _choose_engine(engine: str, inputs, store, scheduler) -> str:
    """The engine to run: ``auto`` keeps small inputs in memory, streams big ones."""
    if engine not in ("auto", "memory", "local", "dask"):
        raise UsageError(f"--engine: one of auto, memory, local, dask (not {engine!r})")
    if store is not None:
        if engine in ("local", "dask"):
            raise UsageError("--store runs in memory; --engine local/dask read files")
        return "memory"
    if scheduler is not None and engine == "auto":
        return "dask"
    if engine != "auto":
        return engine
    total = sum(Path(p).stat().st_size for p in inputs or [] if Path(p).is_file())
    folders = any(Path(p).is_dir() or not Path(p).exists() for p in inputs or [])
    return "local" if folders or total > AUTO_MEMORY_INPUT_BYTES else "memory"


def _plain_files(inputs) -> bool:
    """Every input is an existing file (not a folder, glob or URI)."""
    return all(Path(p).is_file() for p in inputs or [])


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


def _finish(
    summary, rejects, *, strict: bool, quiet: bool, rejects_out: Path | None = None
) -> None:
    """Print the summary, write the rejects; with --strict, fail on the first harmful one."""
    if not quiet:
        for line in summary.lines():
            typer.echo(line, err=True)
    if rejects_out is not None:
        _write_rejects(rejects, rejects_out)
    if strict and summary.harmful_rejects():
        from airwitness.schema import BENIGN_REASONS

        first = next(r for r in sorted(rejects) if r.reason not in BENIGN_REASONS)
        typer.echo(f"airwitness: error (--strict): {first}", err=True)
        raise typer.Exit(3)


def _write_rejects(rejects, path: Path) -> None:
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


@contextmanager
def _bar(quiet: bool) -> Iterator[Any]:
    """Rich progress bars on stderr, or None when quiet or stderr is no terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        yield bar


@contextmanager
def _progress(total: int, quiet: bool) -> Iterator[Callable[[str], None] | None]:
    """A progress bar over input files on stderr, only when stderr is a terminal."""
    with _bar(quiet) as bar:
        if bar is None:
            yield None
            return
        task = bar.add_task("reading", total=total)

        def advance(name: str) -> None:
            bar.update(task, description=f"reading {Path(name).name}", advance=1)

        yield advance


@contextmanager
def _stages(quiet: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar per stage of the engines (units read, partitions crossed)
    on stderr, only when stderr is a terminal."""
    with _bar(quiet) as bar:
        if bar is None:
            yield None
            return
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def _emit(table, output: Path | None, as_table: bool, title: str) -> None:
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


@app.command()
def crossings(
    inputs: Inputs = None,
    output: Output = None,
    from_codes: Annotated[
        list[str] | None, typer.Option("--from", help="Only crossings out of CODE (repeatable).")
    ] = None,
    into_codes: Annotated[
        list[str] | None, typer.Option("--into", help="Only crossings into CODE (repeatable).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this UTC date or datetime.")] = None,
    until: Annotated[
        str | None, typer.Option(help="Up to this UTC datetime (a date covers the whole day).")
    ] = None,
    track: Annotated[
        list[str] | None, typer.Option(help="Only this track_id (repeatable).")
    ] = None,
    boundaries: Boundaries = None,
    code_field: CodeField = None,
    observed_gap: Annotated[
        float, typer.Option(help="Crossings bracketed by reports at most S s apart are observed.")
    ] = 60.0,
    max_gap: MaxGap = 1800.0,
    format: Format = None,
    strict: Strict = False,
    quiet: Quiet = False,
    as_table: AsTable = False,
    rejects_out: RejectsOut = None,
    start_time: StartTime = None,
    date: CaptureDate = None,
    reference: Reference = None,
    sensors: Sensors = None,
    store: StoreOpt = None,
    engine: Engine = "auto",
    workers: Workers = None,
    memory: Memory = "2GB",
    scheduler: Scheduler = None,
    spill_dir: SpillDir = None,
) -> None:
    """Every crossing between airspaces in the input tracks.

    Example: airwitness crossings states.csv.gz drones.gpx --into IRN --since 2025-06-13 -o x.csv
    """

    def body() -> None:
        from airwitness.crossings import CrossingFilter
        from airwitness.pipeline import check_codes, crossings_of_inputs
        from airwitness.times import WindowError, parse_window

        if observed_gap < 0 or max_gap <= 0:
            raise UsageError("--observed-gap must be >= 0 and --max-gap > 0")
        sky = _airspace(boundaries, code_field)
        unknown = check_codes(sky, [*(from_codes or []), *(into_codes or [])])
        if unknown:
            raise UsageError(f"unknown airspace code(s) {', '.join(unknown)} in this set")
        try:
            since_ns, until_ns = parse_window(since, until)
        except WindowError as exc:
            raise UsageError(f"--{exc.field}: {exc}") from None
        where = CrossingFilter(
            from_codes=from_codes or (),
            into_codes=into_codes or (),
            since_ns=since_ns,
            until_ns=until_ns,
            tracks=track or (),
        )
        options = _read_options(start_time, date, reference, sensors)
        chosen = _choose_engine(engine, inputs, store, scheduler)
        if chosen == "memory" and store is None and not _plain_files(inputs):
            chosen = "memory-datasets"  # folders, globs, URIs: the engines expand them
        if chosen == "memory":
            run = crossings_of_inputs(
                _load_inputs(inputs, store, format, options, quiet),
                sky,
                max_gap_s=max_gap,
                observed_gap_s=observed_gap,
                where=where,
            )
            summary, rejects = run.summary, run.inputs.rejects + run.prepared.rejects
        else:
            from airwitness.engine import run_crossings_scaled

            with _stages(quiet) as progress:
                run = run_crossings_scaled(
                    inputs,
                    (str(boundaries), code_field) if boundaries else None,
                    engine=chosen.removesuffix("-datasets"),
                    workers=workers,
                    memory_bytes=_bytes(memory),
                    scheduler=scheduler,
                    format=format,
                    read_options=options,
                    max_gap_s=max_gap,
                    observed_gap_s=observed_gap,
                    where=where,
                    keep_rejects=strict or rejects_out is not None,
                    spill_dir=spill_dir,
                    progress=progress,
                )
            summary, rejects = run.summary, run.rejects
        _finish(summary, rejects, strict=strict, quiet=quiet, rejects_out=rejects_out)
        _emit(run.crossings, output, as_table, "Crossings")

    _guarded(body)


@app.command()
def label(
    inputs: Inputs = None,
    output: Output = None,
    boundaries: Boundaries = None,
    code_field: CodeField = None,
    format: Format = None,
    strict: Strict = False,
    quiet: Quiet = False,
    rejects_out: RejectsOut = None,
    start_time: StartTime = None,
    date: CaptureDate = None,
    reference: Reference = None,
    sensors: Sensors = None,
    store: StoreOpt = None,
) -> None:
    """Each input report with the code of the airspace it lies in.

    Example: airwitness label states.csv -o labelled.parquet
    """

    def body() -> None:
        from airwitness.pipeline import label_reports, summarize

        sky = _airspace(boundaries, code_field)
        options = _read_options(start_time, date, reference, sensors)
        inputs_read = _load_inputs(inputs, store, format, options, quiet)
        labelled = label_reports(inputs_read.table, sky)
        summary = summarize(inputs_read, None, labelled.num_rows, "labelled reports")
        _finish(summary, inputs_read.rejects, strict=strict, quiet=quiet, rejects_out=rejects_out)
        _emit(labelled, output, False, "Labels")

    _guarded(body)


@app.command()
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
    start_time: StartTime = None,
    date: CaptureDate = None,
    reference: Reference = None,
    sensors: Sensors = None,
    store: StoreOpt = None,
) -> None:
    """Per track: first and last seen, airspaces in order, reports, segments, rejects.

    Example: airwitness tracks flights.json.gz --table
    """

    def body() -> None:
        from airwitness.pipeline import summarize, track_summaries
        from airwitness.tracks import prepare_tracks

        if max_gap <= 0:
            raise UsageError("--max-gap must be > 0")
        sky = _airspace(boundaries, code_field)
        options = _read_options(start_time, date, reference, sensors)
        inputs_read = _load_inputs(inputs, store, format, options, quiet)
        prepared = prepare_tracks(inputs_read.table, max_gap_s=max_gap)
        table = track_summaries(prepared, sky)
        summary = summarize(inputs_read, prepared, table.num_rows, "tracks listed")
        _finish(
            summary,
            inputs_read.rejects + prepared.rejects,
            strict=strict,
            quiet=quiet,
            rejects_out=rejects_out,
        )
        _emit(table, output, as_table, "Tracks")

    _guarded(body)


@app.command()
def verify(
    case_file: Annotated[Path, typer.Argument(help="The case file (YAML).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the report.")],
    quiet: Quiet = False,
) -> None:
    """Test an allegation against the evidence: verdict, findings, coverage, manifest.

    Example: airwitness verify examples/caucasus/case.yaml -o report/
    """

    def body() -> None:
        from airwitness.investigate.casefile import CaseError, load_case
        from airwitness.investigate.run import investigate
        from airwitness.pipeline import summarize
        from airwitness.report.case_files import write_case_outputs

        try:
            case = load_case(case_file)
            inv = investigate(case)
        except CaseError as exc:
            raise UsageError(str(exc)) from None
        write_case_outputs(inv, output, case_file)
        summary = summarize(inv.inputs, inv.prepared, inv.findings.num_rows, "findings")
        _finish(summary, [], strict=False, quiet=quiet)
        typer.echo(f"verdict: {inv.verdict} — {inv.reason}")
        typer.echo(f"report: {output / 'report.html'}")

    _guarded(body)


manifest_app = typer.Typer(
    help="Check the evidence manifest of a report folder.", no_args_is_help=True
)
app.add_typer(manifest_app, name="manifest")


@manifest_app.command("check")
def manifest_check(
    folder: Annotated[Path, typer.Argument(help="A folder written by `airwitness verify`.")],
    case_file: Annotated[
        Path | None,
        typer.Option("--case", help="The case file, to re-hash it and the inputs too."),
    ] = None,
) -> None:
    """Re-hash every file the manifest lists; exit 1 naming any that changed.

    Example: airwitness manifest check report/ --case examples/caucasus/case.yaml
    """

    def body() -> None:
        from airwitness.report.manifest import MANIFEST, check_manifest

        path = folder / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(
                str(path), f"cannot read the manifest ({exc.__class__.__name__})"
            ) from None
        problems = check_manifest(folder, manifest, case_file.parent if case_file else None)
        for problem in problems:
            typer.echo(f"airwitness: {problem}", err=True)
        extra = sum(k in manifest for k in ("case", "airspace_file"))
        checked = len(manifest["outputs"]) + (len(manifest["inputs"]) + extra if case_file else 0)
        if problems:
            raise typer.Exit(1)
        typer.echo(
            f"ok: {checked} files match the manifest"
            + ("" if case_file else " (outputs only; give --case to check inputs)")
        )

    _guarded(body)


case_app = typer.Typer(help="Case files.", no_args_is_help=True)
app.add_typer(case_app, name="case")


@case_app.command("draft")
def case_draft(
    text_file: Annotated[Path, typer.Argument(help="A news report or statement (UTF-8 text).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
) -> None:
    """Draft a case file from a text; every uncertain field is marked `# CHECK:`.

    Example: airwitness case draft statement.txt -o case.yaml
    """

    def body() -> None:
        from airwitness.airspace import Airspace
        from airwitness.investigate.draft import draft_case, read_text_file

        text = read_text_file(text_file)
        yaml_text = draft_case(text, codes=set(Airspace.builtin().code_names))
        if output is None:
            typer.echo(yaml_text, nl=False)
        else:
            output.write_text(yaml_text, encoding="utf-8")

    _guarded(body)


@app.command()
def ingest(
    inputs: Annotated[list[Path], typer.Argument(help="Input files to store.")],
    store: Annotated[Path, typer.Option("--store", help="The store (created if missing).")] = Path(
        "airwitness.duckdb"
    ),
    format: Format = None,
    start_time: StartTime = None,
    date: CaptureDate = None,
    reference: Reference = None,
    sensors: Sensors = None,
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """Read files once into an embedded DuckDB store; files already there are skipped.

    Each file goes in whole or not at all (a crash leaves no partial file; rerun to
    finish). Example: airwitness ingest captures/*.bin --start-time 2025-06-14T02:00Z
    """

    def body() -> None:
        from airwitness.store import ingest as ingest_files

        options = _read_options(start_time, date, reference, sensors)
        results = ingest_files(inputs, store, format=format, options=options)
        for r in results:
            if not quiet or r.status == "failed":
                typer.echo(r.message, err=True)
        failed = [r for r in results if r.status == "failed"]
        harmful = sum(
            n for r in results for reason, n in (r.rejects or {}).items() if reason not in _benign()
        )
        if failed:
            raise typer.Exit(3)
        if strict and harmful:
            typer.echo(f"airwitness: error (--strict): {harmful} damaged record(s)", err=True)
            raise typer.Exit(3)

    _guarded(body)


def _benign() -> frozenset[str]:
    from airwitness.schema import BENIGN_REASONS

    return BENIGN_REASONS


store_app = typer.Typer(help="Inspect a store made by `airwitness ingest`.", no_args_is_help=True)
app.add_typer(store_app, name="store")


@store_app.command("info")
def store_info(
    store: Annotated[Path, typer.Option("--store", help="The store.")] = Path("airwitness.duckdb"),
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Files, reports, rejects, time span and bounding box of a store.

    Example: airwitness store info --store case.duckdb --json
    """

    def body() -> None:
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

    _guarded(body)


@app.command()
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

    def body() -> None:
        from airwitness.web import serve as run_server

        run_server(
            store=store, case=case, host=host, port=port, token=token, max_upload_mb=max_upload_mb
        )

    _guarded(body)


@airspace_app.command("info")
def airspace_info(
    boundaries: Boundaries = None,
    code_field: CodeField = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Where the boundary set comes from and what it holds.

    Example: airwitness airspace info --json
    """

    def body() -> None:
        info = _airspace(boundaries, code_field).info()
        if as_json:
            typer.echo(json.dumps(info, indent=2, sort_keys=True))
            return
        for key, value in info["provenance"].items():
            typer.echo(f"{key}: {value}")
        for key in ("codes", "polygons", "vertices", "zones"):
            typer.echo(f"{key}: {info[key]}")

    _guarded(body)


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        typer.echo(f"airwitness {__version__}")
        raise typer.Exit(0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
