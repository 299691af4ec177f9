"""report.html: self-contained, deterministic, escaped, and showing what the case found."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import yaml

from airwitness.investigate.casefile import load_case
from airwitness.investigate.run import investigate
from airwitness.report import drawn_tracks
from airwitness.report._svg import num, path_d, ramp, time_ticks
from airwitness.report.case_files import write_case_outputs
from airwitness.report.html import render_html
from airwitness.report.html_map import map_input, views
from airwitness.report.map_view import fit_view
from airwitness.report.svg_map import _track_pieces

from .conftest import TITLE, Verified, write_case

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "caucasus"


# -- the page ----------------------------------------------------------------------


def test_render_is_deterministic(aras: Verified) -> None:
    first = render_html(aras.inv, aras.report)
    assert render_html(aras.inv, aras.report) == first
    assert aras.html == first


def test_same_bytes_from_another_folder(aras: Verified, tmp_path: Path) -> None:
    write_case_outputs(aras.inv, tmp_path / "elsewhere", aras.case_path)
    assert (tmp_path / "elsewhere" / "report.html").read_bytes() == (
        aras.out_dir / "report.html"
    ).read_bytes()


def test_no_external_resources(aras: Verified) -> None:
    html = aras.html
    # The only URIs allowed are the SVG namespace names, which load nothing.
    without_ns = re.sub(r'\sxmlns(:\w+)?="http://www\.w3\.org/[^"]*"', "", html)
    assert "http://" not in without_ns
    assert "https://" not in without_ns
    assert "//" not in without_ns
    for banned in (
        "<script",
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "@import",
        "@font-face",
        " src=",
        " href=",
        "xlink:href",
    ):
        assert banned not in html.lower(), banned
    # url(...) only ever points at a clip path inside the page
    assert set(re.findall(r"url\(([^)]*)\)", html)) <= {f"#m{k}-clip" for k in range(1, 4)}
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_verdict_findings_and_suspect(aras: Verified) -> None:
    html = aras.html
    assert aras.report["verdict"] == "confirmed"
    assert '<span class="badge" style="background:#b3261e">confirmed</span>' in html
    assert esc_text(aras.report["verdict_reason"]) in html
    assert [f["track_id"] for f in aras.report["findings"]] == ["UAV-7"]
    assert [f["track_id"] for f in aras.report["suspect"]] == ["4ca123"]
    for f in aras.report["findings"] + aras.report["suspect"]:
        assert f["track_id"] in html
        assert f["time"] in html
    assert '4ca123 <span class="tag">suspect</span>' in html
    # profiles of the finding's track: altitude and speed charts
    assert 'aria-label="Altitude (m) of track UAV-7"' in html
    assert 'aria-label="Ground speed (m/s) of track UAV-7"' in html


def test_inputs_with_sha256(aras: Verified) -> None:
    data = (aras.case_path.parent / "data" / "tracks.csv").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert [i["sha256"] for i in aras.report["inputs"]] == [digest]
    assert digest in aras.html
    assert aras.report["airspace"]["sha256"] in aras.html
    assert f"airwitness {aras.report['airwitness_version']}" in aras.html


def test_text_is_escaped(aras: Verified) -> None:
    html = aras.html
    assert "<script" not in html
    assert esc_text(TITLE) in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;co&quot;" in html


def test_wording_reachable_never_came_from(aras: Verified) -> None:
    assert "came from" not in aras.html.lower()
    assert "reachable from" in aras.html.lower()


def test_svg_is_well_formed(aras: Verified) -> None:
    blocks = re.findall(r"<svg\b.*?</svg>", aras.html, flags=re.S)
    assert len(blocks) >= 6  # maps, profiles, strip, key swatches
    for block in blocks:
        ET.fromstring(block)  # raises on a broken tag or a bad entity


def test_three_maps_for_a_small_finding(aras: Verified) -> None:
    crossings = drawn_tracks.crossings(aras.inv)
    m = map_input(aras.inv, aras.report, drawn_tracks.tracks(aras.inv, crossings), crossings)
    kinds = [k for k, _ in views(aras.inv, m)]
    assert kinds == ["region", "border", "closeup"]
    region, closeup = views(aras.inv, m)[0][1], views(aras.inv, m)[-1][1]
    assert region.lon0 < 44.8 and region.lon1 > 63.0  # all of Iran and Azerbaijan
    assert closeup.contains(47.40, 39.472) and closeup.contains(47.30, 39.386)
    for k in (1, 2, 3):
        assert f'id="m{k}-clip"' in aras.html


def test_track_split_at_the_crossing_point(aras: Verified) -> None:
    crossings = drawn_tracks.crossings(aras.inv)
    tracks = drawn_tracks.tracks(aras.inv, crossings)
    m = map_input(aras.inv, aras.report, tracks, crossings)
    pieces = _track_pieces(tracks["UAV-7"], m, cap=2000)
    assert [(style, dashed) for style, dashed, _ in pieces] == [("v", False), ("i", False)]
    c = next(c for c in crossings if c.track_id == "UAV-7")
    assert c.role == "finding"
    np.testing.assert_allclose(pieces[0][2][-1], [c.lon, c.lat])
    np.testing.assert_allclose(pieces[1][2][0], [c.lon, c.lat])
    assert len(pieces[0][2]) + len(pieces[1][2]) == 34 + 2


def test_no_shared_border_and_no_findings(tmp_path: Path) -> None:
    """Airspaces that do not touch: no coverage, no findings; the page still renders."""
    case_path = write_case(tmp_path, title="Not neighbours")
    doc = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    doc["allegation"].update(via="ARM", into="SAU")
    case_path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    inv = investigate(load_case(case_path))
    report = write_case_outputs(inv, tmp_path / "out", case_path)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert report["verdict"] == "inconclusive"
    assert "share no border" in html
    assert "No findings, so no profiles." in html
    assert html == render_html(inv, report)


@pytest.mark.skipif(not (EXAMPLES / "opensky_states.csv").is_file(), reason="no bundled example")
def test_bundled_example_is_small(tmp_path: Path) -> None:
    case = {
        "title": "Caucasus example",
        "allegation": {"into": "IRN", "via": "AZE", "since": "2025-06-13", "until": "2025-06-22"},
        "evidence": [
            {"path": str(EXAMPLES / name)}
            for name in ("opensky_states.csv", "drones.gpx", "helicopter.kml")
        ],
    }
    case_path = tmp_path / "case.yaml"
    case_path.write_text(yaml.safe_dump(case), encoding="utf-8")
    inv = investigate(load_case(case_path))
    write_case_outputs(inv, tmp_path / "out", case_path)
    size = (tmp_path / "out" / "report.html").stat().st_size
    assert 20_000 < size < 2_000_000


# -- building blocks -------------------------------------------------------------------


def test_path_d_rounds_once_and_drops_repeats() -> None:
    xy = np.array([[0.0, 0.0], [1.04, 2.06], [1.04, 2.06], [3.0, 3.0]])
    assert path_d(xy) == "M0,0l1,2.1 2,0.9"
    assert path_d(xy[:1]) == "M0,0h0"
    assert path_d(np.array([[0, 0], [10, 0], [10, 10]]), closed=True) == "M0,0l10,0 0,10z"


def test_num_has_no_negative_zero() -> None:
    assert [num(v) for v in (-0.01, 2.0, 2.25, -3.5)] == ["0", "2", "2.2", "-3.5"]


def test_ramp_ends() -> None:
    assert ramp(0.0) == "#e36b5b"
    assert ramp(1.0) == "#1a9850"
    assert ramp(2.0) == ramp(1.0)


def test_time_ticks_are_utc_aligned() -> None:
    hour = 3600 * 10**9
    t0 = 1_749_859_200 * 10**9  # 2025-06-14T00:00Z
    values, step = time_ticks(t0 + 10 * 60 * 10**9, t0 + 5 * hour, 6)
    assert step == hour
    assert values == [t0 + k * hour for k in range(1, 6)]


def test_fit_view_keeps_aspect_and_scale() -> None:
    v = fit_view((47.0, 39.0, 48.0, 39.1), width=960)
    assert v.width == pytest.approx(960)
    assert 0.5 - 1e-9 <= v.height / v.width <= 0.8 + 1e-9
    # one km is the same number of pixels east-west and north-south at the centre
    mid = (v.lat0 + v.lat1) / 2
    x = v.xy([47.5, 47.5 + 1 / (111.195 * np.cos(np.radians(mid)))], [mid, mid])
    y = v.xy([47.5, 47.5], [mid, mid + 1 / 111.195])
    assert abs(x[1, 0] - x[0, 0]) == pytest.approx(abs(y[1, 1] - y[0, 1]))


def esc_text(text: str) -> str:
    from html import escape

    return escape(text, quote=True)
