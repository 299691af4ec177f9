"""Sections of the report below the map: profiles, coverage, evidence, inputs.

Text comes from ``report.json``'s document (already rounded and formatted
there), geometry and time series from the investigation itself.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from airwitness.report._html import fmt, kv, pct, table
from airwitness.report._svg import esc, ramp
from airwitness.report.svg_charts import MAX_STRIP_COLUMNS, coverage_strip, profile_chart

if TYPE_CHECKING:
    from airwitness.investigate.run import Investigation

MAX_PROFILE_TRACKS = 40


def profiles_section(inv: Investigation, r: dict[str, Any], tracks: dict) -> str:
    ids = list(dict.fromkeys(f["track_id"] for f in r.get("findings", [])))
    out = ["<section><h2>Profiles of the findings' tracks</h2>"]
    if not ids:
        out.append('<p class="empty">No findings, so no profiles.</p></section>')
        return "".join(out)
    out.append(
        '<p class="note">Altitude as reported; ground speed as reported, or implied from'
        " consecutive positions where none was reported. The coloured strip under each"
        " chart shows the airspace; vertical lines mark crossings (solid: finding).</p>"
    )
    classes = {t["track_id"]: t for t in r.get("tracks", [])}
    for tid in ids[:MAX_PROFILE_TRACKS]:
        t = tracks.get(tid)
        if t is None or len(t.time_ns) == 0:
            continue
        info = classes.get(tid, {})
        implied = int((~t.speed_reported & np.isfinite(t.speed_mps)).sum())
        out.append(
            f'<h3>{esc(tid)} <span class="note">· {esc(info.get("class", "unknown"))}'
            f" · registry {esc(info.get('registry') or 'unknown')} · {len(t.time_ns):,} reports"
            f" · {implied:,} speeds implied</span></h3>"
            '<div class="profiles">'
            + profile_chart(t, "alt", inv.case.routes, inv.case.into)
            + profile_chart(t, "speed", inv.case.routes, inv.case.into)
            + "</div>"
        )
    if len(ids) > MAX_PROFILE_TRACKS:
        out.append(f'<p class="note">First {MAX_PROFILE_TRACKS} of {len(ids)} tracks shown.</p>')
    out.append("</section>")
    return "".join(out)


def via_words(allegation: dict[str, Any]) -> str:
    """The routes in a sentence: ``AZE``, ``BLR or UKR``, ``anywhere`` (via: any)."""
    via = allegation.get("via")
    if isinstance(via, list):
        return " or ".join(str(v) for v in via)
    return "anywhere" if via == "any" else str(via)


def _borders(r: dict[str, Any], into: str) -> str:
    """The borders coverage was measured on: one route's, or each route's with its length."""
    routes = r.get("routes", [])
    if len(routes) == 1 and routes[0]["via"] != "any":
        km = (r.get("coverage", {}).get("border_length_m") or 0) / 1000
        return f"The {esc(routes[0]['via'])}–{esc(into)} border ({esc(fmt(km, 0))} km)"
    parts = [
        f"the whole border of {esc(into)}"
        if x["via"] == "any"
        else f"the {esc(x['via'])}–{esc(into)} border"
        for x in routes
    ]
    lengths = [esc(fmt((x.get("border_length_m") or 0) / 1000, 0)) for x in routes]
    listed = ", ".join(f"{p} ({km} km)" for p, km in zip(parts, lengths, strict=True))
    return listed[0].upper() + listed[1:]


def coverage_section(inv: Investigation, r: dict[str, Any], crossings: list) -> str:
    cov = r.get("coverage", {})
    stretches = cov.get("stretches", [])
    via, into = via_words(r.get("allegation", {})), inv.case.into
    several = len(r.get("routes", [])) > 1
    out = ["<section><h2>Coverage of the border</h2>"]
    if not stretches:
        out.append(
            f'<p class="empty">{esc(via)} and {esc(into)} share no border in this'
            " airspace set, so no coverage is measured.</p></section>"
        )
        return "".join(out)
    grid = inv.coverage
    factor = max(1, -(-grid.covered.shape[1] // MAX_STRIP_COLUMNS))
    out.append(
        f"<p>{_borders(r, into)} {'are' if several else 'is'} cut into"
        f" {len(stretches)} stretches of about {esc(fmt(cov.get('stretch_km')))} km and the"
        f" window into {esc(fmt(cov.get('bins')))} bins of {esc(fmt(cov.get('bin_min')))}"
        f" min. A cell is covered when a report lies within {esc(fmt(cov.get('radius_km')))} km"
        f" of the stretch during the bin. Overall: <b>{esc(pct(cov.get('fraction')))}</b>"
        f" covered (threshold {esc(pct(r.get('thresholds', {}).get('coverage_threshold')))})"
        + (
            "; each route's own: "
            + ", ".join(f"{esc(x['via'])} {esc(pct(x['coverage']))}" for x in r["routes"])
            if several
            else ""
        )
        + ".</p>"
    )
    findings = [c for c in crossings if c.role == "finding"]
    out.append(
        "<figure>" + coverage_strip(grid, findings) + "<figcaption>Rows: stretches in"
        " border order (distance along the border); columns: time (UTC)"
        + (f", each column {factor} bins, coloured by the fraction covered" if factor > 1 else "")
        + ". Black dots: findings, at the stretch nearest to where they"
        " crossed.</figcaption></figure>"
    )
    rows = []
    for s in stretches:
        f = s.get("covered_fraction") or 0.0
        rows.append(
            [
                esc(s["index"]),
                *([esc(s.get("route"))] if several else []),
                esc(f"{s['start'][0]:.4f}, {s['start'][1]:.4f}"),
                esc(f"{s['end'][0]:.4f}, {s['end'][1]:.4f}"),
                esc(fmt((s.get("length_m") or 0) / 1000, 1)),
                f'<span class="sw" style="background:{ramp(f)}"></span>{esc(pct(f))}',
                esc(fmt(s.get("lowest_alt_m"), 0)),
                esc(fmt(s.get("reports_near"))),
            ]
        )
    out.append(
        '<h3>Per stretch</h3><div class="scroll">'
        + table(
            [
                "#",
                *(["route"] if several else []),
                "start (lon, lat)",
                "end (lon, lat)",
                "length km",
                "covered",
                "lowest alt m",
                "reports near",
            ],
            rows,
            numeric={0, *(k + several for k in (3, 4, 5, 6))},
        )
        + "</div></section>"
    )
    return "".join(out)


def _holds(f: dict[str, Any]) -> str:
    """Whether a finding holds against the other boundary set, and by how much it moved."""
    check = f.get("other_set")
    if not check:
        return "—"
    name = esc(check.get("boundary_set"))
    if check.get("holds") is None:
        return f"{name}: not comparable"
    if not check.get("holds"):
        return f'<span class="tag">not with {name}</span>'
    shift = f"{fmt(check.get('distance_m'), 0)} m, {fmt(check.get('time_shift_s'), 1)} s"
    return f"yes with {name} ({esc(shift)})"


def _sure(f: dict[str, Any]) -> str:
    """A finding's confidence and what it rests on."""
    c = f.get("confidence")
    if c is None:
        return "—"
    if not f.get("evidence"):
        return f'{c:.4f}<br><span class="note">no report inside</span>'
    basis = (
        f"{esc(f['evidence'])}: {fmt(f.get('depth_m'), 0)} m in, "
        f"σ {fmt(f.get('sigma_m'), 0)} m, border σ {fmt(f.get('boundary_sigma_m'), 0)} m"
    )
    return f'{c:.4f}<br><span class="note mono">{basis}</span>'


def _crossing_rows(items: list[dict[str, Any]], suspect: bool) -> list[list[str]]:
    rows = []
    for f in items:
        tag = ' <span class="tag">suspect</span>' if suspect else ""
        if suspect and f.get("suspect_reason"):
            tag += f'<br><span class="note">{esc(f["suspect_reason"])}</span>'
        dispute = f.get("dispute")
        if dispute:
            tag = f' <span class="tag">disputed: {esc(" + ".join(dispute["claimants"]))}</span>'
        rows.append(
            [
                esc(f.get("track_id")) + tag,
                f'<span class="nw">{esc(f.get("time"))}</span>',
                esc(f"{fmt(f.get('lon'), 5)}, {fmt(f.get('lat'), 5)}"),
                esc(fmt(f.get("alt_m"), 0)),
                esc(f"{f.get('from')} → {f.get('to')}"),
                esc(f.get("kind")),
                esc(fmt(f.get("gap_s"), 1)),
                esc(f.get("class")),
                esc(f.get("registry") or "—"),
                f'<span class="mono">{esc(f.get("before"))}<br>{esc(f.get("after"))}</span>',
                _sure(f),
                _sensors(f),
                _holds(f),
            ]
        )
    return rows


def _sensors(f: dict[str, Any]) -> str:
    """How many independent sensors show the crossing, and which tracks besides."""
    n = f.get("sensors")
    if n is None:
        return "—"
    by = f.get("corroborated_by")
    if not by:
        return esc(n)
    return f'{esc(n)}<br><span class="note mono">{esc(by.replace(",", ", "))}</span>'


def evidence_section(r: dict[str, Any]) -> str:
    findings, suspect = r.get("findings", []), r.get("suspect", [])
    disputed = r.get("disputed_findings", [])
    a = r.get("allegation", {})
    via, into = esc(via_words(a)), esc(a.get("into"))
    rows = (
        _crossing_rows(findings, False)
        + _crossing_rows(suspect, True)
        + _crossing_rows(disputed, False)
    )
    out = [
        f"<section><h2>Evidence</h2><h3>Crossings from {via} into {into} in the window</h3>",
        '<p class="note">Findings first, then suspect crossings (made by a physically'
        " implausible segment, or by self-reported positions a sensor's measurement"
        " contradicts: docs/fusion.md), then disputed ones (into or out of an area several"
        " states claim): the last two are listed but never counted for the verdict. The"
        " sensors column counts the independent sensors whose tracks of the object show the"
        " crossing, and names those tracks. The last column"
        " says whether the crossing is also found against the other boundary set, and how"
        " far and how much later (negative: earlier) it lies there. The confidence is a"
        " guarantee: among tracks that never entered, at most 1 − c show a crossing this"
        " sure (docs/uncertainty.md); it rests on the report shown, its depth inside, its"
        " position error and the boundary's.</p>",
        table(
            [
                "track",
                "time (UTC)",
                "lon, lat",
                "alt m",
                "from → to",
                "kind",
                "gap s",
                "class",
                "registry",
                "between records",
                "confidence, resting on",
                "sensors",
                "other boundary set",
            ],
            rows,
            numeric={3, 6},
            row_class=[""] * len(findings) + ["suspect"] * (len(suspect) + len(disputed)),
            empty=f"No crossing from {via_words(a)} into {a.get('into')} in the window.",
        ),
    ]
    origins = []
    for o in r.get("origins", []):
        dist = ", ".join(f"{c} {d / 1000:,.0f} km" for c, d in sorted(o["distance_m"].items()))
        origins.append(
            [
                esc(o["track_id"]),
                f'<span class="nw">{esc(o["first_seen"])}</span>',
                esc(f"{o['lon']:.5f}, {o['lat']:.5f}"),
                esc(o["class"]),
                esc(", ".join(o["reachable_from"]) or "none"),
                esc(dist),
            ]
        )
    out.append(
        "<h3>Tracks first seen inside, without an observed entry</h3>"
        '<p class="note">Reachable from: a neighbouring airspace within the range of the'
        " track's class (performance table). This says what was possible, not where the"
        " track started.</p>"
    )
    out.append(
        table(
            [
                "track",
                "first seen (UTC)",
                "lon, lat",
                "class",
                "reachable from",
                "shortest distance to",
            ],
            origins,
            empty="none",
        )
    )
    flags = r.get("integrity", [])
    out.append(
        "<h3>Integrity flags</h3>"
        + table(
            ["track", "segment", "flag", "first record", "last record", "detail"],
            [
                [
                    esc(f.get("track_id")),
                    esc(f.get("segment")),
                    esc(f.get("flag")),
                    f'<span class="mono">{esc(f.get("first_record"))}</span>',
                    f'<span class="mono">{esc(f.get("last_record"))}</span>',
                    esc(f.get("detail")),
                ]
                for f in flags
            ],
            numeric={1},
            empty="No segment was flagged as implausible.",
        )
    )
    classes = [
        [
            esc(t.get("track_id")),
            esc(t.get("class")),
            esc(t.get("registry") or "—"),
            esc(fmt(t.get("max_speed_mps"), 0)),
            esc(fmt(t.get("median_speed_mps"), 0)),
            esc(fmt(t.get("max_alt_m"), 0)),
            esc(fmt(t.get("reports"))),
            esc(t.get("reason")),
        ]
        for t in r.get("tracks", [])
    ]
    out.append(
        '<h3>Track classes</h3><div class="scroll">'
        + table(
            ["track", "class", "registry", "max m/s", "median m/s", "max alt m", "reports", "why"],
            classes,
            numeric={3, 4, 5, 6},
        )
        + "</div></section>"
    )
    return "".join(out)


def _provenance(value: Any) -> str:
    if isinstance(value, dict):
        return kv([(str(k), _provenance(v)) for k, v in sorted(value.items())])
    if isinstance(value, list):
        return esc(
            ", ".join(
                json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in value
            )
        )
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return f'<span class="mono hash">{esc(value)}</span>'
    return esc(fmt(value, 6) if isinstance(value, float) else value)


def inputs_section(r: dict[str, Any]) -> str:
    rows = []
    for f in r.get("inputs", []):
        rej = f.get("rejects") or {}
        rej_text = ", ".join(f"{k}: {v}" for k, v in sorted(rej.items())) if rej else "none"
        rows.append(
            [
                f'<span class="mono">{esc(f.get("path"))}</span>',
                esc(f.get("format")),
                esc(fmt(f.get("records"))),
                esc(fmt(f.get("accepted"))),
                esc(rej_text),
                f'<span class="mono hash">{esc(f.get("sha256") or "—")}</span>',
            ]
        )
    return (
        "<section><h2>Inputs and provenance</h2><h3>Evidence files</h3>"
        + table(
            ["path", "format", "records", "accepted", "rejects", "SHA-256"],
            rows,
            numeric={2, 3},
            empty="no input files",
        )
        + "<h3>Airspace set</h3>"
        + _provenance(r.get("airspace", {}))
        + "<h3>Software</h3>"
        + kv([("airwitness", esc(r.get("airwitness_version")))])
        + "</section>"
    )
