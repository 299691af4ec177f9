"""The pages: server-rendered shells with no data in them; their scripts fetch the API.

Keeping data out of the HTML means a page can load without the token (it is
given once as ``?token=`` and kept in the tab's sessionStorage) while the data
itself is only ever served to requests that carry it.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from airwitness.report.svg_charts import CHART_CSS

router = APIRouter(include_in_schema=False)

_NAV = (
    ("map", "/", "Map"),
    ("crossings", "/crossings", "Crossings"),
    ("cases", "/cases", "Case"),
    ("upload", "/upload", "Upload"),
    ("live", "/live", "Live"),
)


def _page(page: str, title: str, main: str, *, leaflet: bool = False) -> HTMLResponse:
    nav = "".join(
        f'<a href="{href}"{" aria-current=page" if key == page else ""}>{label}</a>'
        for key, href, label in _NAV
    )
    css = '<link rel="stylesheet" href="/static/leaflet/leaflet.css">' if leaflet else ""
    js = '<script src="/static/leaflet/leaflet.js"></script>' if leaflet else ""
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · airwitness</title>
<link rel="icon" href="/static/app/favicon.svg" type="image/svg+xml">
{css}<link rel="stylesheet" href="/static/app/app.css">
<link rel="stylesheet" href="/assets/charts.css">
</head><body data-page="{page}">
<header class="top"><span class="brand">airwitness</span><nav>{nav}</nav>
<span id="status" class="status"></span></header>
<div id="banner" class="banner" role="alert" hidden></div>
{main}
{js}<script src="/static/app/common.js"></script>
<script src="/static/app/{page}.js"></script>
</body></html>
"""
    return HTMLResponse(html)


@router.get("/")
def map_page() -> HTMLResponse:
    main = """<main class="mapview">
<aside class="panel">
<section><h2>Data</h2><dl id="summary" class="summary"></dl></section>
<section><h2>Time window</h2>
<label class="range">from <input id="t-from" type="range" min="0" max="1000" value="0"></label>
<output id="t-from-text" class="when"></output>
<label class="range">to <input id="t-to" type="range" min="0" max="1000" value="1000"></label>
<output id="t-to-text" class="when"></output>
<button id="t-reset" type="button">Whole span</button></section>
<section><h2>Show</h2>
<label><input id="show-tracks" type="checkbox" checked> tracks</label>
<label><input id="show-crossings" type="checkbox" checked> crossings</label>
<label>crossings into <select id="map-into"><option value="">any airspace</option></select></label>
<p id="shown" class="note"></p></section>
<section><h2>Coverage</h2>
<label>border <select id="cov-via"></select> / <select id="cov-into"></select></label>
<button id="cov-show" type="button">Show</button> <button id="cov-hide" type="button">Hide</button>
<p id="cov-text" class="note"></p></section>
<section><h2>Airspaces</h2><ul id="legend" class="legend"></ul>
<p class="note">Filled crossing markers: observed; hollow: inferred.</p></section>
</aside>
<div id="map" class="map" role="region" aria-label="map"></div>
</main>"""
    return _page("map", "Map", main, leaflet=True)


@router.get("/live")
def live_page() -> HTMLResponse:
    main = """<main class="mapview">
<aside class="panel">
<section><h2>Live</h2><dl id="live-summary" class="summary"></dl></section>
<section><h2>Crossings</h2><p id="live-none" class="note">none yet</p>
<ol id="live-alerts" class="live-alerts"></ol></section>
<section><p class="note">Filled markers: provisional or confirmed; grey: withdrawn.</p></section>
</aside>
<div id="map" class="map" role="region" aria-label="live map"></div>
</main>"""
    return _page("live", "Live", main, leaflet=True)


@router.get("/track")
def track_page() -> HTMLResponse:
    main = """<main class="page">
<h1 id="track-title">Track</h1>
<dl id="track-summary" class="summary wide"></dl>
<div class="charts"><figure id="profile-alt" class="chart-box"></figure>
<figure id="profile-speed" class="chart-box"></figure></div>
<div id="track-map" class="map small" role="region" aria-label="map of the track"></div>
<h2>Crossings</h2>
<table id="track-crossings" class="grid"><thead><tr><th>time (UTC)</th><th>from</th><th>to</th>
<th>kind</th><th>gap (s)</th><th>lon</th><th>lat</th><th>alt (m)</th><th>before</th><th>after</th>
</tr></thead><tbody></tbody></table>
<p id="track-reports" class="note"></p>
</main>"""
    return _page("track", "Track", main, leaflet=True)


@router.get("/crossings")
def crossings_page() -> HTMLResponse:
    main = """<main class="page">
<h1>Crossings</h1>
<form id="filters" class="filters">
<label>from <select name="from" id="filter-from"><option value="">any</option></select></label>
<label>into <select name="into" id="filter-into"><option value="">any</option></select></label>
<label>since <input name="since" id="filter-since" placeholder="2025-06-13"></label>
<label>until <input name="until" id="filter-until" placeholder="2025-06-24T12:00Z"></label>
<label>kind <select name="kind" id="filter-kind"><option value="">any</option>
<option>observed</option><option>inferred</option></select></label>
<label>bbox <input name="bbox" id="filter-bbox" placeholder="min_lon,min_lat,max_lon,max_lat">
</label>
<button id="apply" type="submit">Apply</button>
</form>
<p><span id="count" class="count"></span>
Download: <a id="dl-csv" href="/api/crossings.csv">CSV</a> ·
<a id="dl-geojson" href="/api/crossings.geojson">GeoJSON</a></p>
<table id="crossings-table" class="grid"><thead><tr><th>time (UTC)</th><th>track</th>
<th>from</th><th>to</th><th>kind</th><th>gap (s)</th><th>lon</th><th>lat</th><th>alt (m)</th>
<th>before</th><th>after</th><th title="a guarantee: among tracks that never entered, at
most 1 - c show a crossing this sure">confidence</th></tr></thead><tbody></tbody></table>
<button id="more" type="button" hidden>More</button>
</main>"""
    return _page("crossings", "Crossings", main)


@router.get("/cases")
def cases_page() -> HTMLResponse:
    main = """<main class="page">
<h1 id="case-title">Case</h1>
<div id="case-list"></div>
<div id="case-body" hidden>
<p id="verdict" class="verdict"></p>
<p id="verdict-reason"></p>
<p><a id="report-link" href="#">Full report (HTML)</a> · <a id="json-link" href="#">JSON</a></p>
<h2>Allegation</h2><dl id="allegation" class="summary wide"></dl>
<h2>Numbers</h2><dl id="numbers" class="summary wide"></dl>
<h2>Findings</h2>
<table id="findings" class="grid"><thead><tr><th>time (UTC)</th><th>track</th><th>class</th>
<th>from</th><th>to</th><th>kind</th><th>gap (s)</th><th>lon</th><th>lat</th><th>alt (m)</th>
<th>before</th><th>after</th></tr></thead><tbody></tbody></table>
<h2>Suspect crossings (not counted)</h2>
<table id="suspect" class="grid"><thead><tr><th>time (UTC)</th><th>track</th><th>from</th>
<th>to</th><th>kind</th></tr></thead><tbody></tbody></table>
<h2>Coverage of the border</h2><p id="coverage"></p>
<h2>Evidence</h2>
<table id="inputs" class="grid"><thead><tr><th>file</th><th>format</th><th>records</th>
<th>accepted</th><th>SHA-256</th></tr></thead><tbody></tbody></table>
</div>
</main>"""
    return _page("cases", "Case", main)


@router.get("/upload")
def upload_page() -> HTMLResponse:
    main = """<main class="page">
<h1>Upload evidence</h1>
<p class="note" id="upload-note"></p>
<form id="upload-form"><input id="upload-file" name="file" type="file" required>
<button type="submit">Upload and ingest</button></form>
<pre id="upload-result" class="result"></pre>
</main>"""
    return _page("upload", "Upload", main)


@router.get("/assets/charts.css")
def charts_css() -> Response:
    """The profile charts' styles, the same as in the HTML report."""
    return Response(CHART_CSS, media_type="text/css")
