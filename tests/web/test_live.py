"""web.live: the hub keeps a watch's recent state and numbered events; in headless
Chromium the live page shows a crossing appear, without a reload, as a replayed SBS
feed brings it. Every wait is a locator or an `expect` (the page's CSP forbids eval)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pytest

from airwitness.airspace import Airspace
from airwitness.watch.alerts import PROVISIONAL, Alert
from airwitness.watch.build import build_watch
from airwitness.watch.runner import WatchOptions
from airwitness.watch.tracker import Rules
from airwitness.web.live import KEEP_POINTS, LiveHub, LiveWatch
from bench._replay import ReplayServer, sbs_lines
from tests.helpers import reports

from ..watch.helpers import flights

CHROMIUM = Path("/usr/bin/chromium")


def test_the_hub_keeps_recent_positions_and_alerts_and_numbers_its_events():
    hub = LiveHub(["sbs://127.0.0.1:1"])
    rows = reports([(t, 1.0 + t / 1000, 0.0) for t in range(KEEP_POINTS + 5)])
    hub.listener(rows, [])
    alert = Alert(PROVISIONAL, {"track_id": "t1", "lon": 1.5, "lat": 0.0}, 0)
    hub.listener(pa.table({}), [alert])
    seq, state = hub.state()
    assert seq == 2
    assert len(state["tracks"]["t1"]) == KEEP_POINTS  # the oldest dropped
    assert state["tracks"]["t1"][-1] == [1_750_000_000_000 + 204_000, 1.204, 0.0]
    assert [a["status"] for a in state["alerts"]] == [PROVISIONAL]
    assert [(n, kind) for n, kind, _ in hub.since(0)] == [(1, "positions"), (2, "alert")]
    assert hub.since(2) == []


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_the_live_page_shows_a_crossing_appear_without_a_reload(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    from airwitness.web import create_app
    from tests.web._live import running

    lines = sbs_lines(flights("border_control"))  # out of England into France and back
    sky = Airspace.builtin("osm")
    hub = LiveHub()
    app = create_app(None, None, None, live_hub=hub)
    replay = ReplayServer(lines, rate=3000)  # listening; sends once started
    watch = build_watch(
        [f"sbs://127.0.0.1:{replay.port}"],
        sky,
        Rules(1800.0, 60.0),
        store=tmp_path / "live.duckdb",
        options=WatchOptions(quiet=True),
        stdout=False,
    )
    hub.sources = [f.name for f in watch.feeds]
    live = LiveWatch(watch, hub)
    live.start()
    try:
        with running(app) as base, sync_api.sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            problems: list[str] = []
            offsite: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("response", lambda r: problems.append(r.url) if r.status >= 500 else None)
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if urlsplit(route.request.url).netloc == urlsplit(base).netloc
                    else (offsite.append(route.request.url), route.abort())
                ),
            )
            expect = sync_api.expect
            expect.set_options(timeout=30_000)
            page.goto(base + "/live")
            page.locator("body[data-ready='1']").wait_for(timeout=30_000)
            # nothing has come yet: no crossing listed
            expect(page.locator("#live-none")).to_be_visible()
            expect(page.locator("#live-alerts li")).to_have_count(0)
            replay.__enter__()  # now the feed flows
            into_france = page.locator("#live-alerts li", has_text="407918: GBR → FRA")
            expect(into_france.first).to_be_visible()
            expect(page.locator("#live-none")).to_be_hidden()
            expect(page.locator("#live-summary")).to_contain_text(hub.sources[0])
            assert page.locator(".leaflet-overlay-pane path").count() >= 2  # track + marker
            page.screenshot(path=str(tmp_path / "live.png"))
            browser.close()
    finally:
        live.stop()
        replay.close()
    assert problems == [] and offsite == []
