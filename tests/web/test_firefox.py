"""The pages in headless Firefox ESR (Debian's), driven over Marionette.

Playwright cannot drive Debian's Firefox and geckodriver is not packaged, so the
test starts `firefox-esr --marionette` on a fresh profile and talks to it with
`marionette_driver`. Same walk as the Chromium test: the map, the crossings
filtered into Iran, a track with its profiles. No script error or CSP violation
reaches the browser console, and no page request leaves this server (Firefox's
own background requests go to a dead proxy). Screenshots go to the test's tmp
folder, and to $AIRWITNESS_ARTIFACTS/web/ if set.

As in the Chromium test, nothing is evaluated in a page under the CSP: waits poll
WebDriver's element search and rendered text from Python, the API answers are held
back so the waits really wait, and the only scripts run in the browser's own chrome
context (the request log, the console) or on the blank start page (the window size).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

FIREFOX = Path("/usr/bin/firefox-esr")
if not FIREFOX.exists():
    pytest.skip(
        "Debian's firefox-esr is not installed at /usr/bin/firefox-esr", allow_module_level=True
    )
marionette = pytest.importorskip(
    "marionette_driver.marionette",
    reason="marionette_driver is not installed (pip install marionette_driver)",
)
pytest.importorskip("uvicorn", reason="uvicorn is not installed")

from marionette_driver.by import By  # noqa: E402
from marionette_driver.wait import Wait  # noqa: E402

from ._live import delayed_api, running  # noqa: E402

TIMEOUT_S = 20
# Nothing in the background: no updates, telemetry, prefetch, safe browsing or
# connectivity probes; anything not for loopback goes to a closed proxy port.
PREFS = {
    "app.update.enabled": False,
    "app.update.auto": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.predictor.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.downloads.remote.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "browser.safebrowsing.provider.google4.updateURL": "",
    "extensions.update.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": 9,
    "network.proxy.allow_hijacking_localhost": False,
}

# Chrome-context scripts: record the URL of every HTTP request a web page makes, and
# read the errors (script errors, CSP violations) web content logged to the console.
WATCH_REQUESTS = """
if (!window.__awRequests) {
  const seen = [];
  const observer = { observe(subject) {
    const channel = subject.QueryInterface(Ci.nsIHttpChannel);
    const info = channel.loadInfo;
    const principal = info && (info.loadingPrincipal || info.triggeringPrincipal);
    if (principal && principal.isContentPrincipal) seen.push(channel.URI.spec);
  } };
  Services.obs.addObserver(observer, "http-on-modify-request");
  window.__awRequests = seen;
  window.__awObserver = observer;
}
"""
CONTENT_ERRORS = """
const out = [];
for (const m of Services.console.getMessageArray() || []) {
  if (!(m instanceof Ci.nsIScriptError) || m.isFromChromeContext) continue;
  if (m.flags & (Ci.nsIScriptError.warningFlag | Ci.nsIScriptError.infoFlag)) continue;
  out.push(`${m.category}: ${m.errorMessage} (${m.sourceName}:${m.lineNumber})`);
}
return out;
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(web_app):
    with running(delayed_api(web_app)) as url:
        yield url


@pytest.fixture(scope="module")
def firefox(tmp_path_factory):
    """A Marionette session on a headless firefox-esr with a fresh profile, 1366×768."""
    root = tmp_path_factory.mktemp("firefox")
    profile = root / "profile"
    profile.mkdir()
    port = _free_port()
    prefs = {**PREFS, "marionette.port": port}
    lines = (f"user_pref({json.dumps(k)}, {json.dumps(v)});" for k, v in prefs.items())
    (profile / "user.js").write_text("\n".join(lines) + "\n")
    log = (root / "firefox.log").open("wb")
    args = [str(FIREFOX), "--headless", "--marionette", "--remote-allow-system-access"]
    args += ["--no-remote", "--profile", str(profile), "--width", "1366", "--height", "768"]
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    client = marionette.Marionette(host="127.0.0.1", port=port, startup_timeout=TIMEOUT_S)
    try:
        client.start_session()
        client.timeout.page_load = TIMEOUT_S
        client.timeout.script = TIMEOUT_S
        # A 1366×768 viewport, as the Chromium test: the window is that much taller.
        client.set_window_rect(width=1366, height=768)
        extra = client.execute_script("return window.outerHeight - window.innerHeight")
        client.set_window_rect(width=1366, height=768 + extra)
        with client.using_context(client.CONTEXT_CHROME):
            client.execute_script(WATCH_REQUESTS, new_sandbox=False)
        yield client
    finally:
        try:
            if client.session is not None:
                client.delete_session()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("firefox-screenshots")
    yield folder
    target = os.environ.get("AIRWITNESS_ARTIFACTS")
    if target:
        dest = Path(target) / "web"
        dest.mkdir(parents=True, exist_ok=True)
        for png in folder.glob("*.png"):
            shutil.copy2(png, dest / png.name)


def _css(client, selector: str) -> list:
    return client.find_elements(By.CSS_SELECTOR, selector)


def _until_found(client, selector: str, at_least: int = 1) -> list:
    """Poll with WebDriver's element search (no script runs in the page) until `selector`
    matches at least `at_least` elements; those elements."""
    return Wait(client, timeout=TIMEOUT_S, interval=0.1).until(
        lambda m: len(found := _css(m, selector)) >= at_least and found,
        message=f"timed out waiting for {at_least} of {selector}",
    )


def _until_text(client, selector: str, test, what: str) -> str:
    """Poll an element's rendered text until `test(text)` holds; the text."""
    return Wait(client, timeout=TIMEOUT_S, interval=0.1).until(
        lambda m: (found := _css(m, selector)) and test(text := found[0].text) and text,
        message=f"timed out waiting for {what}",
    )


def _text(client, selector: str) -> str:
    return client.find_element(By.CSS_SELECTOR, selector).text


def _no_banner(client) -> None:
    banner = client.find_element(By.ID, "banner")
    assert not banner.is_displayed(), f"the page shows an error: {banner.text}"


def test_map_crossings_track_in_firefox(base_url, firefox, shots):
    m = firefox

    # The map: airspace base layer, track lines and crossing markers, the data panel.
    m.navigate(base_url + "/")
    _until_found(m, "#map[data-ready='1']")
    _until_found(m, ".leaflet-airspace-pane path", at_least=21)
    assert len(_css(m, ".leaflet-overlay-pane path")) >= 20
    assert _text(m, "#shown") == "showing 14 tracks, 32 crossings"
    summary = {
        dt.text: dt.find_element(By.XPATH, "following-sibling::dd[1]").text
        for dt in _css(m, "#summary dt")
    }
    assert summary["tracks"] == "14"
    assert summary["crossings"] == "32"
    m.find_element(By.ID, "cov-show").click()
    cov = _until_text(m, "#cov-text", lambda t: "km" in t, "coverage")
    assert cov.startswith("AZE/IRN: 755 km of border")
    _no_banner(m)
    (shots / "firefox-map.png").write_bytes(m.screenshot(format="binary", full=False))

    # The crossings table, filtered to crossings into Iran with the form.
    m.navigate(base_url + "/crossings")
    ready = "#crossings-table[data-ready='1']"
    _until_found(m, ready)
    assert _text(m, "#count").startswith("32 crossings")
    m.find_element(By.CSS_SELECTOR, "#filter-into option[value='IRN']").click()
    m.find_element(By.ID, "apply").click()
    _until_text(m, "#count", lambda t: t.startswith("7 crossings"), "7 crossings")
    _until_found(m, ready)
    into = [td.text for td in _css(m, "#crossings-table tbody tr td:nth-child(4)")]
    assert into == ["IRN"] * 7
    assert "into=IRN" in m.get_url()
    assert "into=IRN" in m.find_element(By.ID, "dl-csv").get_attribute("href")
    _no_banner(m)
    (shots / "firefox-crossings-into-IRN.png").write_bytes(m.screenshot(format="binary"))

    # One track from the table, with its altitude and speed profiles (server SVG).
    m.find_element(By.CSS_SELECTOR, "#crossings-table tbody tr a[href='/track?id=UAV-1']").click()
    _until_found(m, "#track-map[data-ready='1']")
    assert m.get_url() == base_url + "/track?id=UAV-1"
    for box in ("#profile-alt", "#profile-speed"):
        _until_found(m, f"{box} svg path.pl")
        svg = m.find_element(By.CSS_SELECTOR, f"{box} svg")
        assert svg.get_property("namespaceURI") == "http://www.w3.org/2000/svg"
        assert svg.rect["width"] > 100  # laid out, not empty
    assert "Altitude" in _text(m, "#profile-alt")
    assert len(_css(m, "#track-crossings tbody tr")) == 1
    _until_found(m, ".leaflet-airspace-pane path")
    _no_banner(m)
    (shots / "firefox-track-UAV-1.png").write_bytes(m.screenshot(format="binary"))

    # Every request any page made went to this server; no script error or CSP violation.
    with m.using_context(m.CONTEXT_CHROME):
        requested = m.execute_script("return window.__awRequests.slice()", new_sandbox=False)
        errors = m.execute_script(CONTENT_ERRORS)
    offsite = [u for u in requested if not u.startswith(base_url + "/")]
    assert len(requested) > 10 and offsite == []
    assert any("/api/airspace" in u for u in requested)
    assert errors == []
    assert sorted(p.name for p in shots.glob("*.png")) == [
        "firefox-crossings-into-IRN.png",
        "firefox-map.png",
        "firefox-track-UAV-1.png",
    ]
