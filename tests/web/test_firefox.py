"""The pages in headless Firefox ESR (Debian's), driven over Marionette.

Playwright cannot drive Debian's Firefox and geckodriver is not packaged, so the
test starts `firefox-esr --marionette` on a fresh profile and talks to it with
`marionette_driver`. Same walk as the Chromium test: the map, the crossings
filtered into Iran, a track with its profiles. No script error or CSP violation
reaches the browser console, and no page request leaves this server (Firefox's
own background requests go to a dead proxy). Screenshots go to the test's tmp
folder, and to $AIRWITNESS_ARTIFACTS/web/ if set.
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

from ._live import running  # noqa: E402

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
    with running(web_app) as url:
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


def _until(client, script: str, what: str):
    """Poll a page expression until it is truthy; its value."""
    return Wait(client, timeout=TIMEOUT_S, interval=0.1).until(
        lambda m: m.execute_script(script), message=f"timed out waiting for {what}"
    )


def _text(client, selector: str) -> str:
    return client.execute_script(
        "return document.querySelector(arguments[0]).textContent", script_args=(selector,)
    )


def _no_banner(client) -> None:
    banner = client.execute_script(
        "const b = document.getElementById('banner'); return b.hidden ? '' : b.textContent"
    )
    assert banner == "", f"the page shows an error: {banner}"


def test_map_crossings_track_in_firefox(base_url, firefox, shots):
    m = firefox

    # The map: airspace base layer, track lines and crossing markers, the data panel.
    m.navigate(base_url + "/")
    _until(m, "return document.getElementById('map').dataset.ready === '1'", "the map")
    _until(
        m,
        "return document.querySelectorAll('.leaflet-airspace-pane path').length > 20",
        "the airspace layer",
    )
    assert (
        m.execute_script("return document.querySelectorAll('.leaflet-overlay-pane path').length")
        >= 20
    )
    assert _text(m, "#shown") == "showing 14 tracks, 20 crossings"
    summary = m.execute_script(
        "return Array.from(document.querySelectorAll('#summary dt'), dt =>"
        " [dt.textContent, dt.nextElementSibling.textContent])"
    )
    assert dict(summary)["tracks"] == "14"
    assert dict(summary)["crossings"] == "20"
    m.find_element(By.ID, "cov-show").click()
    _until(m, "return document.getElementById('cov-text').textContent.includes('km')", "coverage")
    assert _text(m, "#cov-text").startswith("AZE/IRN: 608 km of border")
    _no_banner(m)
    (shots / "firefox-map.png").write_bytes(m.screenshot(format="binary", full=False))

    # The crossings table, filtered to crossings into Iran with the form.
    m.navigate(base_url + "/crossings")
    ready = "return document.getElementById('crossings-table').dataset.ready === '1'"
    _until(m, ready, "the crossings table")
    assert _text(m, "#count").startswith("20 crossings")
    m.find_element(By.CSS_SELECTOR, "#filter-into option[value='IRN']").click()
    m.find_element(By.ID, "apply").click()
    _until(m, "return document.getElementById('count').textContent.startsWith('5 crossings')", "5")
    _until(m, ready, "the filtered table")
    into = m.execute_script(
        "return Array.from(document.querySelectorAll('#crossings-table tbody tr'),"
        " tr => tr.cells[3].textContent)"
    )
    assert into == ["IRN"] * 5
    assert "into=IRN" in m.get_url()
    assert "into=IRN" in m.find_element(By.ID, "dl-csv").get_attribute("href")
    _no_banner(m)
    (shots / "firefox-crossings-into-IRN.png").write_bytes(m.screenshot(format="binary"))

    # One track from the table, with its altitude and speed profiles (server SVG).
    m.find_element(By.CSS_SELECTOR, "#crossings-table tbody tr a[href='/track?id=UAV-1']").click()
    _until(m, "return document.getElementById('track-map').dataset.ready === '1'", "the track")
    assert m.get_url() == base_url + "/track?id=UAV-1"
    for box in ("#profile-alt", "#profile-speed"):
        _until(m, f"return document.querySelector('{box} svg path.pl') !== null", box)
        svg = m.execute_script(
            "const s = document.querySelector(arguments[0] + ' svg');"
            " return [s.namespaceURI, s.getBoundingClientRect().width]",
            script_args=(box,),
        )
        assert svg[0] == "http://www.w3.org/2000/svg" and svg[1] > 100  # laid out, not empty
    assert "Altitude" in _text(m, "#profile-alt")
    assert (
        m.execute_script("return document.querySelectorAll('#track-crossings tbody tr').length")
        == 1
    )
    _no_banner(m)
    (shots / "firefox-track-UAV-1.png").write_bytes(m.screenshot(format="binary"))

    # Every resource the pages loaded came from this server ...
    resources = m.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(u.startswith(base_url + "/") for u in resources), resources
    with m.using_context(m.CONTEXT_CHROME):
        requested = m.execute_script("return window.__awRequests.slice()", new_sandbox=False)
        errors = m.execute_script(CONTENT_ERRORS)
    # ... and so did every request any page made; no script error or CSP violation.
    offsite = [u for u in requested if not u.startswith(base_url + "/")]
    assert len(requested) > 10 and offsite == []
    assert errors == []
    assert sorted(p.name for p in shots.glob("*.png")) == [
        "firefox-crossings-into-IRN.png",
        "firefox-map.png",
        "firefox-track-UAV-1.png",
    ]
