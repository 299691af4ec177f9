"""The server's state: the data snapshot, the case, caches, and what an upload changes.

Requests read :attr:`WebState.snapshot` (immutable); an upload ingests into the
store, builds the next snapshot and swaps it in, one upload at a time.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import shapely
from fastapi import HTTPException

from airwitness import io as readers
from airwitness import store as store_api
from airwitness.airspace import INTL, Airspace
from airwitness.errors import InputError, UsageError
from airwitness.investigate.casefile import CaseError, load_case
from airwitness.investigate.coverage import measure_coverage, shared_border
from airwitness.investigate.evidence import relative_name
from airwitness.investigate.run import Investigation, investigate, open_airspace
from airwitness.io.options import ReadOptions
from airwitness.pipeline import Inputs
from airwitness.report.case_report import build_report
from airwitness.schema import POSITION_SCHEMA, TIME_TYPE
from airwitness.times import iso_times
from airwitness.tracking import TrackerSettings
from airwitness.web import models
from airwitness.web.airspace_geo import AirspaceGeoJSON
from airwitness.web.data import Snapshot, build_snapshot

DEFAULT_MAX_UPLOAD_BYTES = 200 * 2**20
_COPY_CHUNK = 1 << 20
_CACHE_ENTRIES = 32
_EXT_RE = re.compile(r"^(\.[a-z0-9]{1,10}){1,2}$")


def slugify(text: str, max_len: int = 48) -> str:
    """``Drones into Iran, June 2025`` -> ``drones-into-iran-june-2025`` (whole words)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > max_len:
            break
        slug = f"{slug}-{word}" if slug else word[:max_len]
    return slug


def safe_extension(client_name: str | None) -> str:
    """The file extension of an uploaded file's name, if harmless (``.csv``, ``.json.gz``).

    The name itself is never used: only its last component's last one or two
    suffixes, lower case, letters and digits only. The readers use them for
    ``.gz`` and for GPX/KML detection.
    """
    base = re.split(r"[\\/]", client_name or "")[-1].lower()
    suffixes = PurePosixPath(base).suffixes if base not in ("", ".", "..") else []
    for ext in ("".join(suffixes[-2:]), "".join(suffixes[-1:])):
        if _EXT_RE.match(ext):
            return ext
    return ""


class CaseHolder:
    """One case file: checked at start-up, investigated on first use, then cached."""

    def __init__(self, path: Path) -> None:
        try:
            self.case = load_case(path)
        except CaseError as exc:
            raise UsageError(str(exc)) from None
        self.path = path
        self.id = slugify(self.case.title) or slugify(path.stem) or "case"
        self._lock = threading.Lock()
        self._inv: Investigation | None = None
        self._report: dict[str, Any] | None = None
        self._html: str | None = None

    def investigation(self) -> Investigation:
        with self._lock:
            if self._inv is None:
                self._inv = investigate(self.case)
            return self._inv

    def report(self) -> dict[str, Any]:
        inv = self.investigation()
        with self._lock:
            if self._report is None:
                from airwitness.report.manifest import file_entry

                report = build_report(inv)
                base = self.case.base_dir
                sha = {
                    e["path"]: e["sha256"]
                    for e in (
                        file_entry(p, relative_name(p, base))
                        for p in sorted(set(self.case.input_paths))
                    )
                }
                for item in report["inputs"]:
                    item["sha256"] = sha.get(item["path"])
                self._report = report
            return self._report

    def html(self) -> str:
        report = self.report()
        inv = self.investigation()
        with self._lock:
            if self._html is None:
                from airwitness.report.html import render_html

                self._html = render_html(inv, report)
            return self._html


@dataclass(frozen=True)
class Reading:
    """What ``serve`` was told about reading: the read options uploads are read with,
    and the tracker settings the store's radar plots and other detections are tracked
    with (docs/tracking.md)."""

    options: ReadOptions | None = None
    tracker: TrackerSettings | None = None


class WebState:
    """Everything the endpoints share."""

    def __init__(
        self,
        store: Path | None,
        case: Path | None,
        *,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        reading: Reading | None = None,
    ) -> None:
        #: how uploads are read (ASTERIX's date, the sensors file) and the store's
        #: detections tracked
        self.reading = reading or Reading()
        self.store = Path(store) if store is not None else None
        self.case = CaseHolder(Path(case)) if case is not None else None
        self.airspace = open_airspace(self.case.case) if self.case else Airspace.builtin()
        self.max_upload_bytes = int(max_upload_bytes)
        self.uploads_dir = (
            self.store.parent / f"{self.store.stem}-uploads" if self.store is not None else None
        )
        self._write_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._coverage: OrderedDict[tuple, bytes] = OrderedDict()
        self._borders: dict[tuple[str, str], shapely.Geometry] = {}
        self.snapshot: Snapshot = self._build(1)
        self.geo = AirspaceGeoJSON(self.airspace)

    # ------------------------------------------------------------ data

    def _inputs(self) -> tuple[Inputs, Path | None]:
        if self.store is not None:
            if not self.store.exists():
                store_api.ingest([], self.store)  # an empty store, to upload into
            return store_api.load(self.store, tracker=self.reading.tracker), self.store.parent
        if self.case is not None:
            return self.case.investigation().inputs, self.case.case.base_dir
        return Inputs(POSITION_SCHEMA.empty_table(), [], []), None

    def _build(self, generation: int) -> Snapshot:
        inputs, base = self._inputs()
        options: dict[str, float] = {}
        if self.case is not None:
            options = {
                "max_gap_s": self.case.case.option("max_gap_s"),
                "observed_gap_s": self.case.case.option("observed_gap_s"),
            }
        return build_snapshot(inputs, self.airspace, generation=generation, base=base, **options)

    @property
    def store_name(self) -> str | None:
        return self.store.name if self.store is not None else None

    # ------------------------------------------------------------ coverage

    def code_geometry(self, code: str) -> shapely.Geometry:
        b = self.airspace.boundaries
        return shapely.union_all([g for c, g in zip(b.codes, b.geoms, strict=True) if c == code])

    def border(self, via: str, into: str) -> shapely.Geometry:
        key = (via, into)
        with self._cache_lock:
            cached = self._borders.get(key)
        if cached is None:
            cached = shared_border(self.code_geometry(via), self.code_geometry(into))
            with self._cache_lock:
                self._borders[key] = cached
        return cached

    def coverage(
        self,
        via: str,
        into: str,
        since_ns: int,
        until_ns: int,
        *,
        stretch_m: float,
        bin_s: float,
        radius_m: float,
    ) -> bytes:
        snap = self.snapshot
        key = (snap.generation, via, into, since_ns, until_ns, stretch_m, bin_s, radius_m)
        with self._cache_lock:
            cached = self._coverage.get(key)
            if cached is not None:
                self._coverage.move_to_end(key)
                return cached
        grid = measure_coverage(
            snap.prepared,
            self.border(via, into),
            since_ns=since_ns,
            until_ns=until_ns,
            stretch_m=stretch_m,
            bin_s=bin_s,
            radius_m=radius_m,
        )
        per = grid.fraction_per_stretch()
        stretches = [
            models.CoverageStretch(
                index=k,
                coordinates=np.round(shapely.get_coordinates(line), 6).tolist(),
                length_m=round(float(grid.stretch_length_m[k]), 1),
                covered_fraction=round(float(per[k]), 4),
                lowest_alt_m=None
                if np.isnan(grid.lowest_alt_m[k])
                else round(float(grid.lowest_alt_m[k]), 1),
                reports_near=int(grid.reports_near[k]),
            )
            for k, line in enumerate(grid.stretches)
        ]
        bounds = iso_times(pa.array([since_ns, until_ns], pa.int64()).cast(TIME_TYPE))
        body = models.Coverage(
            via=via,
            into=into,
            since=bounds[0],
            until=bounds[1],
            fraction=round(grid.fraction, 4),
            bins=int(grid.covered.shape[1]),
            bin_s=bin_s,
            radius_m=radius_m,
            stretch_m=stretch_m,
            border_length_m=round(float(grid.stretch_length_m.sum()), 1),
            stretches=stretches,
        )
        data = body.model_dump_json().encode()
        with self._cache_lock:
            self._coverage[key] = data
            while len(self._coverage) > _CACHE_ENTRIES:
                self._coverage.popitem(last=False)
        return data

    # ------------------------------------------------------------ upload

    def upload(self, stream: BinaryIO, client_name: str | None) -> models.UploadResult:
        """Store an uploaded file under a server-chosen name and ingest it.

        The name is the first 16 hex digits of the content's SHA-256 plus a
        harmless extension (:func:`safe_extension`), in the uploads folder next
        to the store. Nothing the client sent becomes a path.
        """
        if self.store is None or self.uploads_dir is None:
            raise HTTPException(409, "uploads need a store: start the server with --store FILE")
        self.uploads_dir.mkdir(exist_ok=True)
        incoming = self.uploads_dir / f".incoming-{uuid.uuid4().hex}"
        try:
            digest, size = self._copy(stream, incoming)
            final = self.uploads_dir / f"{digest[:16]}{safe_extension(client_name)}"
            existed = final.exists()
            os.replace(incoming, final)
        finally:
            incoming.unlink(missing_ok=True)
        try:
            if size == 0:
                raise HTTPException(422, "the file is empty")
            try:
                readers.sniff(final)
            except InputError as exc:
                raise HTTPException(422, f"not a supported input: {exc.reason}") from None
            with self._write_lock:
                result = store_api.ingest([final], self.store, options=self.reading.options)[0]
                if result.status == "stored":
                    self.snapshot = self._build(self.snapshot.generation + 1)
                    with self._cache_lock:
                        self._coverage.clear()
        except BaseException:
            if not existed:
                final.unlink(missing_ok=True)
            raise
        if result.status == "failed":
            if not existed:
                final.unlink(missing_ok=True)
            reason = result.error.reason if result.error is not None else "unreadable"
            raise HTTPException(422, f"not stored: {reason}")
        snap = self.snapshot
        return models.UploadResult(
            status=result.status,
            name=final.name,
            sha256=digest,
            size=size,
            format=result.format,
            reports=result.reports,
            rejects=result.rejects,
            note=None if result.note is None else _strip_paths(result.note),
            tracks=len(snap.tracks.ids),
            crossings=len(snap.crossings.items),
        )

    def _copy(self, stream: BinaryIO, dest: Path) -> tuple[str, int]:
        h = hashlib.sha256()
        size = 0
        with open(dest, "xb") as out:
            while chunk := stream.read(_COPY_CHUNK):
                size += len(chunk)
                if size > self.max_upload_bytes:
                    raise HTTPException(
                        413, f"upload larger than the limit of {self.max_upload_bytes} bytes"
                    )
                h.update(chunk)
                out.write(chunk)
        return h.hexdigest(), size

    def known_codes(self) -> set[str]:
        return {*self.airspace.code_names, INTL}


def _strip_paths(text: str) -> str:
    """Store notes name files by path; keep only file names."""
    return re.sub(r"(/[^\s,;()]+)", lambda m: Path(m.group(1)).name, text)
