"""The API's case models hold every allegation a case can write: one route, several,
any, and a window in a named zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from airwitness.investigate.casefile import load_case
from airwitness.investigate.run import investigate
from airwitness.report.case_report import build_report
from airwitness.web.models import CaseDetail
from tests.investigate.scenarios import write_routes_scenario


def _detail(report: dict) -> CaseDetail:
    return CaseDetail.model_validate(
        {**report, "id": "case", "report_html": "/api/cases/case/report.html"}
    )


@pytest.mark.parametrize(
    ("via", "written", "routes"),
    [
        ("AAA", "AAA", [("AAA", "confirmed")]),
        ("[AAA, CCC]", ["AAA", "CCC"], [("AAA", "confirmed"), ("CCC", "inconclusive")]),
        ("any", "any", [("any", "confirmed")]),
    ],
)
def test_routes_and_local_window(tmp_path: Path, via: str, written, routes) -> None:
    case_path = write_routes_scenario(tmp_path, via)
    text = case_path.read_text(encoding="utf-8").replace(
        "  aircraft: any", "  timezone: Europe/Rome\n  aircraft: any"
    )
    case_path.write_text(text, encoding="utf-8")
    detail = _detail(build_report(investigate(load_case(case_path))))
    assert detail.allegation.via == written
    assert [(r.via, r.verdict) for r in detail.routes] == routes
    assert detail.allegation.timezone == "Europe/Rome"
    assert detail.allegation.window_local is not None
    assert detail.allegation.window_local.model_dump() == {
        "zone": "Europe/Rome",
        "window": ["2025-06-13T02:00:00.000+02:00", "2025-06-13T02:59:59.000+02:00"],
    }
