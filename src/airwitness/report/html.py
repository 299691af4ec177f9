"""``report.html``: one self-contained page a sceptic can read offline.

Inline CSS and SVG only: no script, no font, no image, no link; a
Content-Security-Policy forbids the browser to fetch anything. Deterministic:
the same investigation gives the same bytes (no clock, fixed number formats,
stable ordering). All text from the case and the data is escaped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airwitness.report import drawn_tracks
from airwitness.report._html import fmt, kv, pct, table
from airwitness.report._svg import esc, iso
from airwitness.report.html_map import map_section
from airwitness.report.html_sections import (
    coverage_section,
    evidence_section,
    inputs_section,
    profiles_section,
    via_words,
)
from airwitness.report.svg_charts import CHART_CSS
from airwitness.report.svg_map import MAP_CSS
from airwitness.times import local_iso, zone

if TYPE_CHECKING:
    from airwitness.investigate.run import Investigation

VERDICT_COLOURS = {
    "confirmed": "#b3261e",
    "indicated": "#d9730d",
    "not_observed": "#1e7b34",
    "inconclusive": "#6b7280",
}

PAGE_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1d2327;font:14px/1.45 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 20px 40px}
h1{font-size:24px;margin:0 0 14px}h2{font-size:18px;margin:34px 0 10px;padding-bottom:4px;
border-bottom:2px solid #d9dde1}h3{font-size:15px;margin:22px 0 6px}
section,header{background:#fff;border:1px solid #dde1e5;border-radius:6px;padding:18px 20px;
margin-bottom:18px}
.verdict{display:flex;gap:18px;align-items:center;flex-wrap:wrap;margin-bottom:14px}
.badge{color:#fff;font-size:34px;font-weight:800;letter-spacing:.06em;padding:6px 18px;
border-radius:6px;text-transform:uppercase}
.reason{font-size:16px;max-width:640px}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:8px 0}
dl.kv dt{color:#5b6670}dl.kv dd{margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(120px,1fr));gap:8px;margin:10px 0}
.card{border:1px solid #e2e5e8;border-radius:5px;padding:6px 10px;background:#fafbfc}
.card b{display:block;font-size:20px}.card span{color:#5b6670;font-size:12px}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:8px 28px}
svg{max-width:100%;height:auto;display:block}
figure{margin:10px 0}figcaption{color:#5b6670;font-size:12.5px;margin-top:4px}
.legend{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:4px 16px;
font-size:12px;color:#333}.legend li{display:flex;align-items:center;gap:5px}
.legend svg{display:inline-block}
.profiles{display:flex;flex-wrap:wrap;gap:6px 14px}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin:6px 0 4px}
th,td{border-bottom:1px solid #e4e7ea;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f2f4;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.suspect td{background:#fff7e6}.tag{font-size:11px;font-weight:700;border-radius:3px;
padding:0 4px;background:#8a5a00;color:#fff}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px;
overflow-wrap:break-word}.hash{word-break:break-all}.sw{display:inline-block;width:10px;height:10px;border-radius:2px;
margin-right:5px;vertical-align:-1px}
.note{color:#5b6670;font-size:12.5px}.empty{color:#6b7280;font-style:italic}
.scroll{max-height:520px;overflow:auto}.nw{white-space:nowrap}
@media print{.scroll{max-height:none;overflow:visible}body{background:#fff}}
footer{color:#6b7280;font-size:12px;text-align:center;margin-top:10px}
@media (max-width:720px){.cols{grid-template-columns:1fr}}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def render_html(inv: Investigation, report: dict[str, Any]) -> str:
    """The whole report page as text."""
    crossings = drawn_tracks.crossings(inv)
    tracks = drawn_tracks.tracks(inv, crossings)
    body = [
        _header(report, inv.case.since_ns, inv.case.until_ns),
        map_section(inv, report, tracks, crossings),
        profiles_section(inv, report, tracks),
        coverage_section(inv, report, crossings),
        evidence_section(report),
        inputs_section(report),
    ]
    title = esc(f"airwitness: {report.get('title', '')}")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{title}</title>\n<style>{PAGE_CSS}{MAP_CSS}{CHART_CSS}</style>\n</head>\n"
        "<body>\n<main>\n" + "\n".join(body) + "\n<footer>airwitness "
        f"{esc(report.get('airwitness_version', ''))} · this page is self-contained and makes"
        " no network requests</footer>\n</main>\n</body>\n</html>\n"
    )


def _header(r: dict[str, Any], since_ns: int, until_ns: int) -> str:
    verdict = str(r.get("verdict", ""))
    colour = VERDICT_COLOURS.get(verdict, "#6b7280")
    a = r.get("allegation", {})
    aircraft = a.get("aircraft", "any")
    aircraft = ", ".join(aircraft) if isinstance(aircraft, list) else aircraft
    n, th, cov = r.get("numbers", {}), r.get("thresholds", {}), r.get("coverage", {})
    cards = [
        (
            n.get("findings"),
            f"findings ({n.get('observed', 0)} observed, {n.get('inferred', 0)} inferred)",
        ),
        (n.get("suspect"), "suspect crossings (not counted)"),
        (pct(n.get("coverage")), "of the border covered"),
        (n.get("crossings_all"), "crossings of any border"),
        (n.get("tracks"), "tracks"),
        (n.get("reports"), "position reports used"),
        (n.get("records"), "input records"),
        (n.get("rejects"), "records rejected"),
    ]
    local = a.get("window_local")
    local_text = ""
    if local:  # the same instants in the case's zone, to the second like the UTC ones
        tz = zone(local["zone"])
        local_text = (
            f'<br><span class="note">({esc(local["zone"])} {esc(local_iso(since_ns, tz))} –'
            f" {esc(local_iso(until_ns, tz))}, inclusive)</span>"
        )
    allegation = kv(
        [
            ("into", esc(a.get("into"))),
            ("via", esc(via_words(a))),
            (
                "window",
                f"{esc(a.get('since'))} – {esc(a.get('until'))} "
                f'<span class="note">(UTC {esc(iso(since_ns))} – {esc(iso(until_ns))},'
                f" inclusive)</span>{local_text}",
            ),
            ("aircraft", esc(aircraft)),
            ("operator", esc(a.get("operator") or "not named")),
        ]
    )
    thresholds = kv(
        [
            ("coverage threshold", esc(pct(th.get("coverage_threshold")))),
            (
                "observed gap",
                f"≤ {esc(fmt(th.get('observed_gap_s'), 0, 's'))} between the reports"
                " around a crossing",
            ),
            ("max gap", f"{esc(fmt(th.get('max_gap_s'), 0, 's'))} (tracks split beyond it)"),
            (
                "coverage cell",
                f"{esc(fmt(cov.get('stretch_km'), 0, 'km'))} of border × "
                f"{esc(fmt(cov.get('bin_min'), 0, 'min'))}, seen when a report lies "
                f"within {esc(fmt(cov.get('radius_km'), 0, 'km'))}",
            ),
        ]
    )
    return (
        f"<header><h1>{esc(r.get('title'))}</h1>"
        f'<div class="verdict"><span class="badge" style="background:{colour}">'
        f"{esc(verdict.replace('_', ' '))}</span>"
        f'<span class="reason">{esc(r.get("verdict_reason"))}</span></div>'
        '<div class="cards">'
        + "".join(
            f'<div class="card"><b>{esc(fmt(v))}</b><span>{esc(lab)}</span></div>'
            for v, lab in cards
        )
        + '</div><div class="cols"><div><h3>Allegation</h3>'
        + allegation
        + "</div><div><h3>Thresholds</h3>"
        + thresholds
        + "</div></div>"
        + _routes_table(r)
        + "</header>"
    )


def _routes_table(r: dict[str, Any]) -> str:
    """Each route's own verdict, when the allegation names more than one (or any)."""
    routes = r.get("routes", [])
    if len(routes) < 2 and r.get("allegation", {}).get("via") != "any":
        return ""
    rows = [
        [
            esc("any airspace" if x["via"] == "any" else x["via"]),
            f'<span class="tag" style="background:{VERDICT_COLOURS.get(x["verdict"], "#6b7280")}">'
            f"{esc(x['verdict'].replace('_', ' '))}</span>",
            esc(x["verdict_reason"]),
            esc(f"{x['findings']} ({x['observed']} observed, {x['inferred']} inferred)"),
            esc(pct(x["coverage"])),
        ]
        for x in routes
    ]
    return (
        "<h3>Routes</h3>"
        '<p class="note">Each route weighed on its own; the verdict above is the strongest'
        " of them (no crossing on any route is not observed only when every route's border"
        " was covered).</p>"
        + table(["via", "verdict", "why", "findings", "border covered"], rows, numeric={3, 4})
    )


__all__ = ["render_html"]
