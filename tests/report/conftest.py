"""A tiny case at the Aras river (Azerbaijan–Iran), investigated end to end once.

Three hand-written tracks around 47.4° E, where the border runs at about
39.47° N: ``UAV-7`` flies south from Azerbaijan into Iran (a finding),
``HELI-3`` flies east inside Azerbaijan (no crossing), and ``4ca123`` holds a
frozen position with 60 m/s reported, then jumps across the border (a
suspect crossing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from airwitness.investigate.casefile import load_case
from airwitness.investigate.run import Investigation, investigate
from airwitness.report.case_files import write_case_outputs

T0 = dt.datetime(2025, 6, 14, 3, 0, tzinfo=dt.UTC)
TITLE = 'Drones <script>alert("x")</script> & "co" into Iran'


def _row(track: str, sec: float, lat: float, lon: float, alt: float, gs: float | str) -> str:
    when = (T0 + dt.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{track},{when},{lat:.5f},{lon:.5f},{alt:.0f},geo,{gs},,,"


def evidence_csv() -> str:
    rows = ["track_id,time,lat,lon,alt_m,alt_kind,ground_speed_mps,track_deg,vrate_mps,callsign"]
    # UAV-7: south along 47.40 E, one report a minute, ~1 km apart, no reported speed.
    rows += [_row("UAV-7", 60 * k, 39.60 - 0.009 * k, 47.40, 1200, "") for k in range(34)]
    # HELI-3: east along 39.70 N inside Azerbaijan, every 30 s.
    rows += [_row("HELI-3", 600 + 30 * k, 39.70, 47.00 + 0.004 * k, 900, 38.0) for k in range(40)]
    # 4ca123: moving south, then frozen while reporting 60 m/s, then a 25 km jump into Iran.
    lats = [39.60 - 0.0054 * k for k in range(6)]
    lats += [lats[-1]] * 6
    lats += [39.35 - 0.0054 * k for k in range(6)]
    rows += [_row("4ca123", 1200 + 10 * k, lat, 47.30, 3000, 60.0) for k, lat in enumerate(lats)]
    return "\n".join(rows) + "\n"


def write_case(folder: Path, title: str = TITLE) -> Path:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "tracks.csv").write_text(evidence_csv(), encoding="utf-8")
    doc = {
        "title": title,
        "allegation": {
            "into": "IRN",
            "via": "AZE",
            "since": "2025-06-14",
            "until": "2025-06-14",
            "aircraft": "any",
            "operator": "ISR",
        },
        "evidence": [{"path": "data/tracks.csv", "sensor": "hand-written"}],
        "airspace": "countries",
    }
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Verified:
    case_path: Path
    out_dir: Path
    inv: Investigation
    report: dict[str, Any]

    @property
    def html(self) -> str:
        return (self.out_dir / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def aras(tmp_path_factory: pytest.TempPathFactory) -> Verified:
    folder = tmp_path_factory.mktemp("aras")
    case_path = write_case(folder)
    inv = investigate(load_case(case_path))
    out = folder / "out"
    report = write_case_outputs(inv, out, case_path)
    return Verified(case_path, out, inv, report)
