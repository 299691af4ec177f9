"""report.html in headless Chromium: a non-blank map, no console error, no network request.

Needs Debian's ``chromium`` (``apt-get install chromium``); skipped without it.
Driven over the DevTools protocol through a pipe (``tests/report/_cdp.py``),
so no browser-automation package is needed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from ._cdp import Browser
from ._png import decode
from .conftest import Verified

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)"
)

VIA_FILL = (0xFB, 0xE0, 0xB8)  # AZE land, .map .a-v
INTO_FILL = (0xDD, 0xD7, 0xF3)  # IRN land, .map .a-i


def _share(img: np.ndarray, rgb: tuple[int, int, int]) -> float:
    return float((img[:, :, :3] == np.asarray(rgb, dtype=np.uint8)).all(axis=2).mean())


@pytest.fixture(scope="module")
def page(aras: Verified, tmp_path_factory: pytest.TempPathFactory):
    assert CHROMIUM is not None
    profile = tmp_path_factory.mktemp("chromium-profile")
    url = (aras.out_dir / "report.html").resolve().as_uri()
    with Browser(CHROMIUM, profile) as browser:
        browser.open(url)
        shots = {
            "full": browser.screenshot(browser.box("main"), scale=0.2),  # small: fast to decode
            "map": browser.screenshot(browser.box("svg.map"), scale=0.5),
        }
        yield url, browser.requests(), browser.errors(), shots


def test_no_network_request(page) -> None:
    url, requests, _, _ = page
    assert requests == [url]  # the page itself, nothing else


def test_no_console_error(page) -> None:
    _, _, errors, _ = page
    assert errors == []


def test_map_is_drawn(page, tmp_path: Path) -> None:
    _, _, _, shots = page
    (tmp_path / "map.png").write_bytes(shots["map"])  # kept by pytest for a look
    img = decode(shots["map"])
    assert img.shape[0] > 200 and img.shape[1] > 300
    colours = np.unique(img[:, :, :3].reshape(-1, 3), axis=0)
    assert len(colours) > 50  # polygons, tracks, labels, antialiasing: not a blank box
    assert _share(img, VIA_FILL) > 0.01  # Azerbaijan is there
    assert _share(img, INTO_FILL) > 0.10  # and Iran fills much of the region


def test_whole_page_renders(page) -> None:
    _, _, _, shots = page
    img = decode(shots["full"])
    assert img.shape[0] > 2000 * 0.2  # header, maps, charts, tables: a long page
    assert len(np.unique(img[:, :, :3].reshape(-1, 3), axis=0)) > 100


def test_the_checks_catch_a_bad_page(tmp_path: Path) -> None:
    """Control: a page that loads an image and logs an error is caught by both checks."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><body><img src="http://example.invalid/x.png">'
        '<script>console.error("boom")</script></body></html>',
        encoding="utf-8",
    )
    assert CHROMIUM is not None
    with Browser(CHROMIUM, tmp_path / "profile") as browser:
        browser.open(bad.as_uri())
        assert "http://example.invalid/x.png" in browser.requests()
        assert any("boom" in e for e in browser.errors())
