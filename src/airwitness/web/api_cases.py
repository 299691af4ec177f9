"""The case given at start-up: its verdict report and the self-contained HTML report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import HTMLResponse

from airwitness.web import models
from airwitness.web.deps import BUSY, NOT_FOUND, State
from airwitness.web.security import REPORT_CSP
from airwitness.web.state import CaseHolder, WebState

router = APIRouter(tags=["cases"])


def _holder(state: WebState, case_id: str) -> CaseHolder:
    if state.case is None or state.case.id != case_id:
        raise HTTPException(404, "no case with this id")
    return state.case


def _summary(holder: CaseHolder, report: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": holder.id,
        "title": report["title"],
        "verdict": report["verdict"],
        "verdict_reason": report["verdict_reason"],
        "allegation": report["allegation"],
        "report_html": f"/api/cases/{holder.id}/report.html",
    }


@router.get("/api/cases", response_model=models.CasePage, responses=BUSY)
def list_cases(state: State):
    """The case the server was started with (``--case``), if any, with its verdict."""
    if state.case is None:
        return {"items": [], "total": 0, "next": None}
    return {"items": [_summary(state.case, state.case.report())], "total": 1, "next": None}


@router.get(
    "/api/cases/{case_id}", response_model=models.CaseDetail, responses={**NOT_FOUND, **BUSY}
)
def get_case(state: State, case_id: str):
    """The verdict report of `airwitness verify` (report.json): verdict, findings,
    coverage, tracks, integrity flags, origins and inputs with their SHA-256."""
    holder = _holder(state, case_id)
    report = holder.report()
    return {**report, **_summary(holder, report)}


@router.get(
    "/api/cases/{case_id}/report.html",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}}},
        **NOT_FOUND,
        **BUSY,
    },
)
def case_report_html(state: State, case_id: str):
    """The self-contained HTML report of `airwitness verify` (no network requests)."""
    holder = _holder(state, case_id)
    return HTMLResponse(holder.html(), headers={"content-security-policy": REPORT_CSP})
