"""The JSON the API returns: one pydantic model per response, so OpenAPI documents it.

Times are ISO-8601 UTC with milliseconds (``2025-06-13T04:40:29.218Z``), as in
every text output of airwitness; coordinates are WGS-84 degrees; units SI.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorMessage(BaseModel):
    """Every error that is not a parameter error: ``{"detail": "one line"}``."""

    detail: str


class BBox(BaseModel):
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


class TimeSpan(BaseModel):
    first: str
    last: str


class TrackSummary(BaseModel):
    track_id: str
    callsign: str | None
    first_seen: str
    last_seen: str
    reports: int = Field(description="accepted reports (after de-duplication and outliers)")
    segments: int
    rejects: int = Field(description="reports of this track removed as duplicates or outliers")
    airspaces: list[str] = Field(description="airspace codes in the order flown")
    crossings: int
    bbox: BBox
    sensor: str | None = Field(
        default=None, description="who made its reports: adsb, asterix:<SAC>/<SIC>, … (fusion.md)"
    )
    associated_with: list[str] = Field(
        default_factory=list, description="the other tracks judged the same object"
    )


class TrackPage(BaseModel):
    items: list[TrackSummary]
    total: int
    next: str | None = Field(description="cursor of the next page, or null on the last")


class Report(BaseModel):
    time: str
    lon: float
    lat: float
    alt_m: float | None
    alt_kind: str | None
    ground_speed_mps: float | None
    track_deg: float | None
    vrate_mps: float | None
    callsign: str | None
    segment: int
    airspace: str
    source_file: str
    source_record: int


class ReportPage(BaseModel):
    items: list[Report]
    total: int
    next: str | None


class Crossing(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    track_id: str
    segment: int
    time: str
    lon: float
    lat: float
    alt_m: float | None
    from_: str = Field(alias="from")
    to: str
    kind: Literal["observed", "inferred"]
    gap_s: float
    before: str = Field(description="file:record of the report before the crossing")
    after: str = Field(description="file:record of the report after the crossing")
    confidence: float = Field(
        description="0-1, a guarantee: among tracks that never entered `to`, at most "
        "1 - confidence show a crossing this sure (docs/uncertainty.md)"
    )
    time_min: str = Field(description="95 % interval of the crossing's time: start")
    time_max: str = Field(description="95 % interval of the crossing's time: end")
    along_min_m: float = Field(description="95 % interval along the path from the point (m)")
    along_max_m: float
    evidence: str | None = Field(description="file:record of the report the confidence rests on")
    depth_m: float | None = Field(description="that report's distance inside `to` (m)")
    sigma_m: float | None = Field(description="that report's 1-sigma position error (m)")
    boundary_sigma_m: float = Field(description="the boundaries' 1-sigma error assumed (m)")
    sensors: int = Field(
        default=1, description="independent sensors whose tracks show it (docs/fusion.md)"
    )
    corroborated_by: list[str] = Field(
        default_factory=list, description="the other tracks (other sensors) that show it"
    )
    suspect: bool = Field(
        default=False, description="a sensor's measurement contradicts the reports making it"
    )
    suspect_reason: str | None = None


class CrossingPage(BaseModel):
    items: list[Crossing]
    total: int
    next: str | None


class TrackDetail(BaseModel):
    summary: TrackSummary
    crossings: list[Crossing]
    reports: ReportPage


class FeatureGeometry(BaseModel):
    type: Literal["Polygon", "MultiPolygon", "LineString", "MultiLineString", "Point"]
    coordinates: list[Any]


class AirspaceProperties(BaseModel):
    code: str
    zone: str


class AirspaceFeature(BaseModel):
    type: Literal["Feature"]
    geometry: FeatureGeometry
    properties: AirspaceProperties


class AirspaceCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[AirspaceFeature]
    zoom: int = Field(description="zoom level the simplification used")
    tolerance_deg: float
    dataset: str


class TrackRunProperties(BaseModel):
    track_id: str
    segment: int
    airspace: str
    callsign: str | None
    t0: str
    t1: str
    t0_ms: int = Field(description="start, milliseconds since the epoch (for time sliders)")
    t1_ms: int


class TrackRunFeature(BaseModel):
    type: Literal["Feature"]
    geometry: FeatureGeometry
    properties: TrackRunProperties


class TrackRunCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[TrackRunFeature]
    truncated: bool = Field(description="true when more tracks matched than were drawn")


class CoverageStretch(BaseModel):
    index: int
    coordinates: list[list[float]]
    length_m: float
    covered_fraction: float
    lowest_alt_m: float | None
    reports_near: int


class Coverage(BaseModel):
    via: str
    into: str
    since: str
    until: str
    fraction: float = Field(description="covered (stretch, bin) cells / all cells")
    bins: int
    bin_s: float
    radius_m: float
    stretch_m: float
    border_length_m: float
    stretches: list[CoverageStretch]


class WindowLocal(BaseModel):
    """The case's window in the zone it names (or writes ``since`` in)."""

    zone: str = Field(description="an IANA name (Asia/Tehran) or a fixed offset (UTC+03:30)")
    window: list[str] = Field(description="first and last instant, ISO-8601 with the offset")


class Allegation(BaseModel):
    into: str
    via: str | list[str] = Field(description="a code, a list of codes (several routes), or any")
    since: str = Field(description="as the case writes it: a date, or a datetime with Z or offset")
    until: str
    timezone: str | None = Field(default=None, description="the zone the case's times are in")
    window_utc: list[str]
    window_local: WindowLocal | None = Field(
        default=None, description="the window in the case's zone; null when it names none"
    )
    aircraft: list[str] | str
    operator: str | None


class RouteVerdict(BaseModel):
    """One route of the allegation, weighed on its own."""

    via: str = Field(description="an airspace code, or any")
    verdict: Literal["confirmed", "indicated", "not_observed", "inconclusive"]
    verdict_reason: str
    findings: int
    observed: int
    inferred: int
    suspect: int
    disputed: int
    coverage: float | None = Field(description="covered fraction of this route's border")
    border_length_m: float | None


class CaseSummary(BaseModel):
    id: str
    title: str
    verdict: Literal["confirmed", "indicated", "not_observed", "inconclusive"]
    verdict_reason: str
    allegation: Allegation
    report_html: str = Field(description="URL of the self-contained HTML report")


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    next: str | None


class CaseDetail(CaseSummary):
    """The verdict report (``report.json`` of ``airwitness verify``) plus links."""

    airwitness_version: str
    thresholds: dict[str, float]
    numbers: dict[str, float | int | None]
    routes: list[RouteVerdict] = Field(
        default_factory=list, description="each route of the allegation with its own verdict"
    )
    findings: list[dict[str, Any]]
    suspect: list[dict[str, Any]]
    coverage: dict[str, Any]
    tracks: list[dict[str, Any]]
    integrity: list[dict[str, Any]]
    origins: list[dict[str, Any]]
    inputs: list[dict[str, Any]]
    airspace: dict[str, Any]


class UploadResult(BaseModel):
    status: Literal["stored", "skipped"]
    name: str = Field(description="the server-chosen file name in the uploads folder")
    sha256: str
    size: int
    format: str | None
    reports: int
    rejects: dict[str, int]
    note: str | None
    tracks: int = Field(description="tracks in the store after the upload")
    crossings: int = Field(description="crossings in the store after the upload")


class Info(BaseModel):
    """What the server holds, for the pages: extent, codes and their colours."""

    store: str | None = Field(description="the store's file name (no folder)")
    files: int
    records: int
    reports: int
    rejects: dict[str, int]
    tracks: int
    crossings: int
    time_span: TimeSpan | None
    time_span_ms: list[int] | None
    bbox: BBox | None
    codes: list[str] = Field(description="airspace codes the tracks visit")
    colours: dict[str, str]
    dataset: str
    cases: list[str]
    upload: bool
    max_upload_bytes: int
    generation: int
