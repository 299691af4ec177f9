"""The case file (YAML): an allegation, the evidence, and the options to test it with.

Everything wrong with a case file is found before any evidence is read, and
reported as a :class:`CaseError` naming the key (the CLI exits 2).
"""

from __future__ import annotations

import datetime as dt
import glob
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from airwitness.airspace.boundaries import BUILTIN_SETS, DEFAULT_SET, LEGACY_NAME
from airwitness.errors import UsageError
from airwitness.io.options import ReadOptions
from airwitness.times import parse_utc_ns, utc_offset_text, zone
from airwitness.tracking import TrackerSettings

CLASSES = ("jet", "propeller", "helicopter", "uav", "unknown")

_TOP_KEYS = {"title", "allegation", "evidence", "airspace", "options", "hints", "tracker"}
_ALLEGATION_KEYS = {"into", "via", "since", "until", "timezone", "aircraft", "operator"}
#: ``via: any``: an entry into ``into`` from any other airspace, international included.
ANY_ROUTE = "any"
_EVIDENCE_KEYS = {"path", "sensor", "format", "date", "start_time", "sensors"}
_AIRSPACE_KEYS = {"file", "code_field"}
_OPTION_DEFAULTS: dict[str, float] = {
    "observed_gap_s": 60.0,
    "max_gap_s": 1800.0,
    "coverage_stretch_km": 10.0,
    "coverage_bin_min": 10.0,
    "coverage_radius_km": 30.0,
    "coverage_threshold": 0.9,
    "confidence_threshold": 0.99,
}
#: options without a default of their own: absent means "what the airspace set states"
_OPTIONAL = {"boundary_sigma_m"}


class CaseError(ValueError):
    """The case file is invalid; the message names the key."""


@dataclass(frozen=True)
class Evidence:
    pattern: str  # as written in the case file
    paths: tuple[Path, ...]  # what it expanded to, sorted
    sensor: str | None = None
    format: str | None = None
    #: what these files need to be read (ASTERIX's date, a radar's sensors file, …)
    read_options: ReadOptions | None = None


@dataclass(frozen=True)
class Case:
    title: str
    into: str
    #: the airspaces it allegedly came through, as the case lists them; empty = any
    routes: tuple[str, ...]
    since_ns: int
    until_ns: int  # inclusive
    since_text: str
    until_text: str
    aircraft: tuple[str, ...]  # empty = any
    operator: str | None
    evidence: tuple[Evidence, ...]
    airspace_file: Path | None  # None = a built-in set, named by airspace_set
    code_field: str | None
    options: Mapping[str, float] = field(default_factory=dict)
    base_dir: Path = Path(".")
    #: track_id -> class the analyst asserts (used only where the kinematics fit)
    hints: Mapping[str, str] = field(default_factory=dict)
    #: the built-in set (osm, ne10m) when no file is given
    airspace_set: str = "osm"
    #: the zone the allegation's times are local to (an IANA name or UTC+03:30), if named
    timezone: str | None = None
    #: how radar plots and other detections in the evidence become tracks (None: defaults)
    tracker: TrackerSettings | None = None

    @property
    def via_text(self) -> str:
        """The routes as the report names them: ``AZE``, ``BLR, UKR`` or ``any``."""
        return ", ".join(self.routes) if self.routes else ANY_ROUTE

    @property
    def route_names(self) -> tuple[str, ...]:
        """One name per route, for per-route results: the codes, or ``("any",)``."""
        return self.routes or (ANY_ROUTE,)

    @property
    def local_zone(self) -> str | None:
        """The zone the report shows the window in besides UTC: ``timezone``, else the
        offset ``since`` is written with (when not UTC), else None."""
        if self.timezone is not None:
            return self.timezone
        offset = _offset_text(self.since_text)
        return None if offset in (None, "UTC+00:00") else offset

    def option(self, name: str) -> float:
        return float(self.options.get(name, _OPTION_DEFAULTS[name]))

    @property
    def boundary_sigma_m(self) -> float | None:
        """The boundary error the case states (``options.boundary_sigma_m``), else None:
        the airspace set's own."""
        value = self.options.get("boundary_sigma_m")
        return None if value is None else float(value)

    @property
    def input_paths(self) -> list[Path]:
        """Every file the result depends on: the evidence and its sensors files."""
        sensors = [
            ev.read_options.sensors
            for ev in self.evidence
            if ev.read_options is not None and ev.read_options.sensors is not None
        ]
        return [p for ev in self.evidence for p in ev.paths] + sensors


def load_case(path: str | Path) -> Case:
    """Parse and check a case file; raises :class:`CaseError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"{path}: cannot read the case file ({exc.__class__.__name__})") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise CaseError(f"{path}:{where}: not valid YAML") from None
    return parse_case(doc, base_dir=path.parent, name=str(path))


def parse_case(doc: Any, *, base_dir: Path, name: str = "case") -> Case:
    if not isinstance(doc, dict):
        raise CaseError(f"{name}: the case file must be a mapping with keys {sorted(_TOP_KEYS)}")
    _no_unknown(doc, _TOP_KEYS, "")
    alleg = doc.get("allegation")
    if not isinstance(alleg, dict):
        raise CaseError("allegation: required, a mapping with into, via, since, until")
    _no_unknown(alleg, _ALLEGATION_KEYS, "allegation.")
    into = _code(alleg, "into")
    routes = _routes(alleg.get("via"), into)
    timezone = _timezone(alleg.get("timezone"))
    since_text, since_ns = _when(alleg, "since", end_of_day=False)
    until_text, until_ns = _when(alleg, "until", end_of_day=True)
    if until_ns < since_ns:
        raise CaseError(f"allegation.until: {until_text} is before allegation.since {since_text}")
    aircraft = _aircraft(alleg.get("aircraft", "any"))
    operator = alleg.get("operator")
    if operator is not None and not isinstance(operator, str):
        raise CaseError("allegation.operator: must be text, e.g. ISR")

    evidence = _evidence(doc.get("evidence"), base_dir)
    airspace_set, airspace_file, code_field = _airspace(doc.get("airspace"), base_dir)
    options = _options(doc.get("options") or {})
    hints = _hints(doc.get("hints") or {})
    tracker = _tracker(doc.get("tracker"))
    title = doc.get("title") or "Untitled case"
    if not isinstance(title, str):
        raise CaseError("title: must be text")
    return Case(
        title=title,
        into=into,
        routes=routes,
        since_ns=since_ns,
        until_ns=until_ns,
        since_text=since_text,
        until_text=until_text,
        aircraft=aircraft,
        operator=operator,
        evidence=evidence,
        airspace_file=airspace_file,
        code_field=code_field,
        options=options,
        base_dir=base_dir,
        hints=hints,
        airspace_set=airspace_set,
        timezone=timezone,
        tracker=tracker,
    )


def _no_unknown(mapping: dict, known: set[str], prefix: str) -> None:
    unknown = sorted(str(k) for k in mapping if k not in known)
    if unknown:
        raise CaseError(
            f"{prefix}{unknown[0]}: unknown key (expected one of {', '.join(sorted(known))})"
        )


def _code(alleg: dict, key: str) -> str:
    value = alleg.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CaseError(f"allegation.{key}: required, an airspace code such as IRN")
    return value.strip().upper()


def _routes(value: Any, into: str) -> tuple[str, ...]:
    """``via``: one code, a list of codes (several routes), or ``any`` (empty tuple)."""
    if isinstance(value, str) and value.strip().lower() == ANY_ROUTE:
        return ()
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(v, str) and v.strip() for v in items)
    ):
        raise CaseError(
            "allegation.via: required, an airspace code such as AZE, a list of them"
            " ([BLR, UKR]) or any"
        )
    codes = [v.strip().upper() for v in items]
    if ANY_ROUTE.upper() in codes:
        raise CaseError("allegation.via: any stands alone (it includes every airspace)")
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise CaseError(f"allegation.via: {twice[0]} is listed twice")
    if into in codes:
        raise CaseError(f"allegation.via: the same airspace as allegation.into ({into})")
    return tuple(codes)


def _timezone(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CaseError("allegation.timezone: an IANA time zone such as Asia/Tehran, or UTC+03:30")
    try:
        zone(value.strip())
    except ValueError as exc:
        raise CaseError(f"allegation.timezone: {exc}") from None
    return value.strip()


def _offset_text(text: str) -> str | None:
    """``UTC+03:30`` for a datetime written with that offset; None for a date or no offset."""
    s = text.strip()
    try:
        when = dt.datetime.fromisoformat(s.replace("z", "Z"))
    except ValueError:
        return None
    if len(s) <= 10 or when.tzinfo is None:
        return None
    return utc_offset_text(parse_utc_ns(s), when.tzinfo)


def _when(alleg: dict, key: str, *, end_of_day: bool) -> tuple[str, int]:
    value = alleg.get(key)
    if value is None:
        raise CaseError(
            f"allegation.{key}: required, a date (2025-06-13) or datetime"
            " (2025-06-13T04:00Z, 2025-06-13T00:00+03:30)"
        )
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        text = value.isoformat()
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    try:
        return text, parse_utc_ns(text, end_of_day=end_of_day)
    except ValueError as exc:
        raise CaseError(f"allegation.{key}: {exc}") from None


def _aircraft(value: Any) -> tuple[str, ...]:
    if value in (None, "any"):
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise CaseError(f"allegation.aircraft: 'any' or a list of {', '.join(CLASSES)}")
    bad = [v for v in items if v not in CLASSES]
    if bad:
        raise CaseError(
            f"allegation.aircraft: unknown class {bad[0]!r} (expected any or {', '.join(CLASSES)})"
        )
    return tuple(sorted(set(items)))


def _evidence(value: Any, base_dir: Path) -> tuple[Evidence, ...]:
    if not isinstance(value, list) or not value:
        raise CaseError("evidence: required, a list of {path: FILE} entries")
    out = []
    for i, item in enumerate(value):
        key = f"evidence[{i}]"
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, dict) or "path" not in item:
            raise CaseError(f"{key}.path: required")
        _no_unknown(item, _EVIDENCE_KEYS, f"{key}.")
        pattern = str(item["path"])
        full = base_dir / pattern
        if glob.has_magic(pattern):
            paths = sorted(Path(p) for p in glob.glob(str(full), recursive=True))
            paths = [p for p in paths if p.is_file()]
        else:
            paths = [full] if full.is_file() else []
        if not paths:
            raise CaseError(f"{key}.path: no file matches {pattern!r} (relative to {base_dir})")
        read_options = _read_options(item, base_dir, key)
        out.append(
            Evidence(pattern, tuple(paths), item.get("sensor"), item.get("format"), read_options)
        )
    return tuple(out)


def _read_options(item: dict, base_dir: Path, key: str) -> ReadOptions | None:
    """An evidence entry's ``date`` (ASTERIX), ``start_time`` (relative clocks) and
    ``sensors`` (the sensors file, relative to the case file)."""
    date, start_ns, sensors = item.get("date"), item.get("start_time"), item.get("sensors")
    if date is None and start_ns is None and sensors is None:
        return None
    if date is not None and not isinstance(date, dt.date):
        try:
            date = dt.date.fromisoformat(str(date))
        except ValueError:
            raise CaseError(f"{key}.date: a date such as 2025-06-16, not {date!r}") from None
    if isinstance(date, dt.datetime):
        raise CaseError(f"{key}.date: a date such as 2025-06-16, without a time")
    if start_ns is not None:
        try:
            start_ns = parse_utc_ns(
                start_ns.isoformat() if isinstance(start_ns, dt.date) else str(start_ns)
            )
        except ValueError as exc:
            raise CaseError(f"{key}.start_time: {exc}") from None
    if sensors is not None:
        sensors = base_dir / str(sensors)
        if not sensors.is_file():
            raise CaseError(f"{key}.sensors: no such file {item['sensors']!r}")
    return ReadOptions(start_time_ns=start_ns, date=date, sensors=sensors)


def _tracker(value: Any) -> TrackerSettings | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise CaseError("tracker: a mapping of tracker settings (docs/tracking.md)")
    try:
        return TrackerSettings.from_mapping(value, "tracker")
    except UsageError as exc:
        raise CaseError(str(exc)) from None


def _airspace(value: Any, base_dir: Path) -> tuple[str, Path | None, str | None]:
    """(built-in set, boundary file, code field): a set's name, or a file and its field."""
    if value is None or value == LEGACY_NAME:
        return DEFAULT_SET, None, None
    if isinstance(value, str) and value in BUILTIN_SETS:
        return value, None, None
    if not isinstance(value, dict):
        names = " | ".join([*BUILTIN_SETS, LEGACY_NAME])
        raise CaseError(f"airspace: {names} or {{file: PATH, code_field: FIELD}}")
    _no_unknown(value, _AIRSPACE_KEYS, "airspace.")
    if "file" not in value or "code_field" not in value:
        raise CaseError("airspace.file and airspace.code_field: both required for a boundary file")
    path = base_dir / str(value["file"])
    if not path.is_file():
        raise CaseError(f"airspace.file: no such file {value['file']!r}")
    return DEFAULT_SET, path, str(value["code_field"])


def _options(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise CaseError("options: a mapping")
    _no_unknown(value, set(_OPTION_DEFAULTS) | _OPTIONAL, "options.")
    out = {}
    for key, v in value.items():
        if not isinstance(v, int | float) or isinstance(v, bool) or v < 0:
            raise CaseError(f"options.{key}: a non-negative number")
        out[key] = float(v)
    for key in ("coverage_threshold", "confidence_threshold"):
        if key in out and out[key] > 1:
            raise CaseError(f"options.{key}: a fraction between 0 and 1")
    for key in ("coverage_stretch_km", "coverage_bin_min", "coverage_radius_km", "max_gap_s"):
        if key in out and out[key] == 0:
            raise CaseError(f"options.{key}: must be > 0")
    return out


def _hints(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise CaseError("hints: a mapping of track_id to class, e.g. {UAV-7: uav}")
    out = {}
    for track, cls in value.items():
        if cls not in CLASSES:
            raise CaseError(f"hints.{track}: unknown class {cls!r} (expected {', '.join(CLASSES)})")
        out[str(track)] = cls
    return dict(sorted(out.items()))


def check_codes(case: Case, known: set[str]) -> None:
    """Raise :class:`CaseError` if into or a route is not a code of the airspace set."""
    for key, code in (("into", case.into), *(("via", r) for r in case.routes)):
        if code != "INTL" and code not in known:
            raise CaseError(f"allegation.{key}: {code} is not a code of the airspace set")
