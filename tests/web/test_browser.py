"""The pages in headless Chromium (Debian's), driven by Playwright.

Open the map, filter the crossings into Iran, open a track and see its
profiles, open the case; no console errors, and no request leaves this server.
Screenshots go to the test's tmp folder, and to $AIRWITNESS_ARTIFACTS if set.

Every wait is a locator or an `expect` assertion: nothing here asks the page to
evaluate a string. The page's CSP (`script-src 'self'`) forbids `eval`, and Chromium
applies it to the driver's string predicates (`wait_for_function("...")`) whenever
they must be polled, so such a test passes or fails by timing. The server holds every
API answer back (`API_DELAY_S`), so each wait here really waits.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
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
from tests.web._live import delayed_api, running  # noqa: E402

expect = sync_api.expect
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000


@dataclass
class Watched:
    """A page, with what went wrong on it and every off-site request it tried."""

    page: object
    origins: set[str]
    problems: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def base_url(web_app):
    with running(delayed_api(web_app)) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def watched(chromium, base_url):
    """A fresh page that records console errors and refuses (and records) off-site requests."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    w = Watched(page, {urlsplit(base_url).netloc})

    def guard(route):
        url = route.request.url
        if urlsplit(url).netloc not in w.origins and not url.startswith("data:"):
            w.offsite.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page.on("console", lambda m: w.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: w.problems.append(f"failed: {r.url} {r.failure}"))
    yield w
    context.close()


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


def test_map_crossings_track_case(base_url, watched, shots):
    page = watched.page

    # The map: airspace base layer, track lines and crossing markers drawn.
    page.goto(base_url + "/")
    page.locator("#map[data-ready='1']").wait_for()
    page.locator(".leaflet-airspace-pane path").nth(20).wait_for(state="attached")
    assert page.locator(".leaflet-overlay-pane path").count() >= 20  # runs + markers
    expect(page.locator("#shown")).to_contain_text("showing 14 tracks, 32 crossings")
    expect(page.locator(".leaflet-control-attribution")).to_contain_text(
        "© OpenStreetMap contributors, licensed under the Open Database License (ODbL) 1.0"
    )
    page.fill("#t-from", "0")
    page.fill("#t-to", "300")
    expect(page.locator("#shown")).not_to_contain_text("32 crossings")  # the window hides some
    page.click("#t-reset")
    expect(page.locator("#shown")).to_contain_text("showing 14 tracks, 32 crossings")
    page.click("#cov-show")  # the case's border, AZE/IRN, stretch by stretch
    expect(page.locator("#cov-text")).to_contain_text("AZE/IRN: 755 km of border")
    page.screenshot(path=str(shots / "map.png"))
    page.wait_for_load_state("networkidle")  # leaving a page mid-request aborts the request

    # The crossings table, filtered to crossings into Iran.
    page.goto(base_url + "/crossings")
    page.locator("#crossings-table[data-ready='1']").wait_for()
    expect(page.locator("#count")).to_have_text(re.compile(r"^32 crossings"))
    page.select_option("#filter-into", "IRN")
    page.click("#apply")
    expect(page.locator("#count")).to_have_text(re.compile(r"^7 crossings"))
    page.locator("#crossings-table[data-ready='1']").wait_for()
    rows = page.locator("#crossings-table tbody tr")
    expect(rows).to_have_count(7)
    expect(rows.locator("td:nth-child(4)")).to_have_text(["IRN"] * 7)
    expect(page.locator("#dl-csv")).to_have_attribute("href", re.compile(r"into=IRN"))
    expect(page).to_have_url(re.compile(r"into=IRN"))
    page.screenshot(path=str(shots / "crossings-into-IRN.png"))
    page.wait_for_load_state("networkidle")

    # One track from the table, with its altitude and speed profiles.
    rows.locator("a", has_text="UAV-1").first.click()
    page.wait_for_url("**/track?id=UAV-1")
    page.locator("#track-map[data-ready='1']").wait_for()
    for box in ("#profile-alt", "#profile-speed"):
        page.locator(f"{box} svg path.pl").first.wait_for(state="attached")
    expect(page.locator("#profile-alt")).to_contain_text("Altitude")
    expect(page.locator("#track-crossings tbody tr")).to_have_count(1)
    page.locator(".leaflet-airspace-pane path").first.wait_for(state="attached")
    page.screenshot(path=str(shots / "track-UAV-1.png"), full_page=True)
    page.wait_for_load_state("networkidle")

    # The case: verdict and evidence.
    page.goto(base_url + "/cases")
    page.locator("#case-body[data-ready='1']").wait_for()
    expect(page.locator("#verdict")).to_have_text("confirmed")
    expect(page.locator("#findings tbody tr")).to_have_count(2)
    page.screenshot(path=str(shots / "case.png"), full_page=True)

    assert watched.problems == []
    assert watched.offsite == []
    assert sorted(p.name for p in shots.glob("*.png")) == [
        "case.png",
        "crossings-into-IRN.png",
        "map.png",
        "track-UAV-1.png",
    ]


def test_token_given_once_in_the_page_url(caucasus_store, chromium, watched):
    """Off loopback the API needs the token: the page takes it from its URL, keeps it for
    this tab (sessionStorage), drops it from the address bar and sends it with every API
    call; another tab without it is refused."""
    page = watched.page
    token = "browser-test-token"
    with running(delayed_api(create_app(caucasus_store, None, token))) as url:
        watched.origins.add(urlsplit(url).netloc)
        page.goto(f"{url}/crossings?into=IRN&token={token}")
        page.locator("#crossings-table[data-ready='1']").wait_for()
        expect(page.locator("#crossings-table tbody tr")).to_have_count(7)
        assert "token" not in page.url and "into=IRN" in page.url
        expect(page.locator("#dl-csv")).to_have_attribute("href", re.compile(f"token={token}"))
        page.wait_for_load_state("networkidle")

        # The same tab, the token no longer in any URL: still let in.
        page.goto(f"{url}/crossings")
        page.locator("#crossings-table[data-ready='1']").wait_for()
        expect(page.locator("#count")).to_have_text(re.compile(r"^32 crossings"))

        # A new tab of a new context never got the token: the page says what to do.
        other = chromium.new_context().new_page()
        other.goto(f"{url}/crossings")
        expect(other.locator("#banner")).to_contain_text("needs a token", timeout=TIMEOUT_MS)
        other.context.close()
        assert page.context.request.get(f"{url}/api/info").status == 401
    assert watched.problems == []
    assert watched.offsite == []
