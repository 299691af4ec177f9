"""The pages in headless Chromium (Debian's), driven by Playwright.

Open the map, filter the crossings into Iran, open a track and see its
profiles, open the case; no console errors, and no request leaves this server.
Screenshots go to the test's tmp folder, and to $AIRWITNESS_ARTIFACTS if set.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)
uvicorn = pytest.importorskip("uvicorn", reason="uvicorn is not installed")

from airwitness.web import create_app  # noqa: E402
from tests.web._live import running  # noqa: E402

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def base_url(web_app):
    with running(web_app) as url:
        yield url


@pytest.fixture(scope="module")
def browser_page(base_url):
    """A page that records console errors and refuses (and records) off-site requests."""
    problems: list[str] = []
    offsite: list[str] = []
    origins = {urlsplit(base_url).netloc}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 768})

        def guard(route):
            url = route.request.url
            if urlsplit(url).netloc not in origins and not url.startswith("data:"):
                offsite.append(url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
        yield page, problems, offsite, origins
        context.close()
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    target = os.environ.get("AIRWITNESS_ARTIFACTS")
    if target:
        dest = Path(target) / "web"
        dest.mkdir(parents=True, exist_ok=True)
        for png in folder.glob("*.png"):
            shutil.copy2(png, dest / png.name)


def test_map_crossings_track_case(base_url, browser_page, shots):
    page, problems, offsite, _ = browser_page

    # The map: airspace base layer, track lines and crossing markers drawn.
    page.goto(base_url + "/")
    page.wait_for_selector("#map[data-ready='1']")
    page.wait_for_function("document.querySelectorAll('.leaflet-airspace-pane path').length > 20")
    assert page.locator(".leaflet-overlay-pane path").count() >= 20  # runs + markers
    assert "showing 14 tracks, 20 crossings" in page.inner_text("#shown")
    page.fill("#t-from", "0")
    page.eval_on_selector("#t-to", "e => { e.value = 300; e.dispatchEvent(new Event('input')); }")
    assert "20 crossings" not in page.inner_text("#shown")  # the time window hides some
    page.click("#t-reset")
    page.click("#cov-show")  # the case's border, AZE/IRN, stretch by stretch
    sync_api.expect(page.locator("#cov-text")).to_contain_text("AZE/IRN: 608 km of border")
    page.screenshot(path=str(shots / "map.png"))

    # The crossings table, filtered to crossings into Iran.
    page.goto(base_url + "/crossings")
    page.wait_for_selector("#crossings-table[data-ready='1']")
    assert page.inner_text("#count").startswith("20 crossings")
    page.select_option("#filter-into", "IRN")
    page.click("#apply")
    sync_api.expect(page.locator("#count")).to_have_text(re.compile(r"^5 crossings"))
    page.wait_for_selector("#crossings-table[data-ready='1']")
    rows = page.locator("#crossings-table tbody tr")
    assert rows.count() == 5
    assert {rows.nth(i).locator("td").nth(3).inner_text() for i in range(5)} == {"IRN"}
    assert "into=IRN" in page.get_attribute("#dl-csv", "href")
    assert "into=IRN" in page.url
    page.screenshot(path=str(shots / "crossings-into-IRN.png"))

    # One track from the table, with its altitude and speed profiles.
    link = page.locator("#crossings-table tbody tr a", has_text="UAV-1").first
    link.click()
    page.wait_for_url("**/track?id=UAV-1")
    page.wait_for_selector("#track-map[data-ready='1']")
    for box in ("#profile-alt", "#profile-speed"):
        page.wait_for_selector(f"{box} svg path.pl")
    assert "Altitude" in page.inner_text("#profile-alt")
    assert page.locator("#track-crossings tbody tr").count() == 1
    page.screenshot(path=str(shots / "track-UAV-1.png"), full_page=True)

    # The case: verdict and evidence.
    page.goto(base_url + "/cases")
    page.wait_for_selector("#case-body[data-ready='1']")
    assert page.inner_text("#verdict") == "confirmed"
    assert page.locator("#findings tbody tr").count() == 2
    page.screenshot(path=str(shots / "case.png"), full_page=True)

    assert problems == []
    assert offsite == []
    assert sorted(p.name for p in shots.glob("*.png")) == [
        "case.png",
        "crossings-into-IRN.png",
        "map.png",
        "track-UAV-1.png",
    ]


def test_token_given_once_in_the_page_url(caucasus_store, browser_page, shots):
    """Off loopback the API needs the token: the page takes it from its URL, keeps it in
    sessionStorage, drops it from the address bar and sends it with every API call."""
    page, problems, offsite, origins = browser_page
    token = "browser-test-token"
    with running(create_app(caucasus_store, None, token)) as url:
        origins.add(urlsplit(url).netloc)
        page.goto(f"{url}/crossings?into=IRN&token={token}")
        page.wait_for_selector("#crossings-table[data-ready='1']")
        assert page.locator("#crossings-table tbody tr").count() == 5
        assert "token" not in page.url and "into=IRN" in page.url
        assert f"token={token}" in page.get_attribute("#dl-csv", "href")
        assert page.evaluate("sessionStorage.getItem('airwitness-token')") == token
        assert page.context.request.get(f"{url}/api/info").status == 401
    assert problems == []
    assert offsite == []
