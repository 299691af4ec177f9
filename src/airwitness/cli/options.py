"""The options several commands share, each defined once, and what they turn into:
the read options, the airspace set, the reports of the inputs or of a store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from airwitness.cli.progress import file_progress
from airwitness.errors import UsageError

if TYPE_CHECKING:
    from airwitness.airspace import Airspace
    from airwitness.io.inputs import Inputs as InputReports
    from airwitness.io.options import ReadOptions
    from airwitness.tracking import TrackerSettings

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
    str | None,
    typer.Option(
        "--boundaries",
        help="The airspace set: a built-in one (osm, the default; ne10m), or a boundary "
        "file (GeoJSON, GeoPackage, Shapefile) with --code-field.",
    ),
]
IncludeDisputed = Annotated[
    bool,
    typer.Option(
        "--include-disputed",
        help="--from/--into CODE also match the areas CODE claims with others "
        "(joint codes such as RUS+UKR).",
    ),
]
CodeField = Annotated[
    str | None, typer.Option("--code-field", help="Code property of --boundaries.")
]
MaxGap = Annotated[float, typer.Option("--max-gap", help="Split tracks on gaps above S seconds.")]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 3 if any record is rejected.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")]
AsTable = Annotated[bool, typer.Option("--table", help="Print a table instead of JSON Lines.")]
AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
RejectsOut = Annotated[
    Path | None,
    typer.Option(
        "--rejects",
        help="Write every rejected record (file, record, offset, reason) "
        "here: .csv, .jsonl or .parquet.",
    ),
]
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
    Path | None,
    typer.Option(
        "--sensors",
        help="Radars and sensors by SAC/SIC or name (CSV or JSON): sites, accuracy, scan "
        "period, Pd, clutter density (docs/formats.md).",
    ),
]
AssumedAlt = Annotated[
    str | None,
    typer.Option(
        "--assumed-alt-m",
        help="Tracker: height band LOW:HIGH (m) assumed for radar plots without a measured "
        "height; its spread is added to their error. Default 0:3000.",
    ),
]
ScanPeriod = Annotated[
    float | None,
    typer.Option(
        "--scan-period",
        help="Tracker: radar rotation period, s (default: the sensors file, else measured).",
    ),
]
DetectionP = Annotated[
    float | None,
    typer.Option("--pd", help="Tracker: probability of detection per scan (default 0.9)."),
]
ClutterDensity = Annotated[
    float | None,
    typer.Option(
        "--clutter-density",
        help="Tracker: false detections per km² per scan, at least (default: the clutter "
        "map measured from the detections).",
    ),
]
MaxSpeed = Annotated[
    float | None,
    typer.Option("--max-speed", help="Tracker: fastest target to track, m/s (default 350)."),
]


@dataclass(frozen=True)
class ReadArgs:
    """The read options as typed (and the tracker's, which apply to reading radar plots
    and other detections). A command takes them as one ``read: ReadArgs`` parameter;
    :func:`airwitness.cli.command.command` shows them as these options."""

    start_time: StartTime = None
    date: CaptureDate = None
    reference: Reference = None
    sensors: Sensors = None
    assumed_alt_m: AssumedAlt = None
    scan_period: ScanPeriod = None
    pd: DetectionP = None
    clutter_density: ClutterDensity = None
    max_speed: MaxSpeed = None

    def tracker(self) -> TrackerSettings | None:
        """The tracker's settings from the command line; None when none was given."""
        from airwitness.tracking import TrackerSettings, parse_alt_band

        given = {
            "assumed_alt_m": parse_alt_band(self.assumed_alt_m) if self.assumed_alt_m else None,
            "scan_period_s": self.scan_period,
            "pd": self.pd,
            "clutter_density": self.clutter_density,
            "max_speed_mps": self.max_speed,
        }
        given = {k: v for k, v in given.items() if v is not None}
        return TrackerSettings(**given) if given else None

    def options(self) -> ReadOptions | None:
        """ReadOptions from the command line; None when nothing was given."""
        from airwitness.io.options import ReadOptions
        from airwitness.times import parse_utc_ns

        if not any((self.start_time, self.date, self.reference, self.sensors)):
            return None
        try:
            start_ns = parse_utc_ns(self.start_time) if self.start_time else None
            day = dt.date.fromisoformat(self.date) if self.date else None
        except ValueError as exc:
            raise UsageError(f"--start-time/--date: {exc}") from None
        return ReadOptions(
            start_time_ns=start_ns,
            date=day,
            reference=_position(self.reference),
            sensors=self.sensors,
        )


#: The ``read`` default of a command signature (the command decorator replaces it).
NO_READ_ARGS = ReadArgs()


def _position(reference: str | None) -> tuple[float, float] | None:
    if not reference:
        return None
    try:
        lat, lon = (float(v) for v in reference.split(","))
    except ValueError:
        raise UsageError(f"--reference: expected LAT,LON, got {reference!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise UsageError(f"--reference: {reference} is not a position")
    return (lat, lon)


def airspace_of(boundaries: str | None, code_field: str | None) -> Airspace:
    """The set --boundaries names: a built-in set, or a file keyed by --code-field."""
    from airwitness.airspace import BUILTIN_SETS, Airspace
    from airwitness.airspace.boundaries import is_builtin_name

    if boundaries is None:
        if code_field:
            raise UsageError("--code-field needs --boundaries")
        return Airspace.builtin()
    if is_builtin_name(boundaries) and not code_field:
        return Airspace.builtin(boundaries)
    if not code_field:
        raise UsageError(
            "--boundaries FILE needs --code-field (the property holding each code); "
            f"the built-in sets are {', '.join(BUILTIN_SETS)}"
        )
    return Airspace.from_file(boundaries, code_field)


def engine_airspace(boundaries: str | None, code_field: str | None) -> str | tuple[str, str]:
    """What the scaled engines open in every worker: a built-in set's name, or
    (file, code field)."""
    from airwitness.airspace import DEFAULT_SET

    if boundaries is None:
        return DEFAULT_SET
    return (boundaries, code_field) if code_field else boundaries


def load_inputs(
    inputs: list[Path] | None,
    store: Path | None,
    format: str | None,
    read: ReadArgs,
    quiet: bool,
) -> InputReports:
    """The reports of the input files (a progress bar over them; detections tracked),
    or of the store."""
    from airwitness.pipeline import read_inputs

    options = read.options()
    tracker = read.tracker()
    if store is not None:
        if inputs:
            raise UsageError("give input files or --store, not both")
        if format or options:
            raise UsageError("--format and read options apply to files, not to --store")
        from airwitness.store import load

        return load(store, tracker=tracker)
    if not inputs:
        raise UsageError("no input files (or give --store FILE)")
    with file_progress(len(inputs), quiet) as progress:
        return read_inputs(
            inputs, format=format, progress=progress, options=options, tracker=tracker
        )
