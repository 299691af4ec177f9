"""watch.sinks: stdout, a webhook that hangs or fails (it never holds up stdout; drops
and retries are counted), MQTT without a broker (counted, never blocking)."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import shapely

from airwitness.errors import UsageError
from airwitness.watch.alerts import CONFIRMED, PROVISIONAL, Alert
from airwitness.watch.feed import Feed
from airwitness.watch.runner import Watch, WatchOptions
from airwitness.watch.sinks import MqttSink, StdoutSink, WebhookSink
from airwitness.watch.sources import parse_source
from airwitness.watch.tracker import Rules, Tracker
from bench._replay import sbs_lines
from tests.helpers import hand_airspace, reports

SKY = hand_airspace({"AAA": shapely.box(0, -1, 2, 1), "BBB": shapely.box(2, -1, 4, 1)})
LINES = sbs_lines(reports([(0, 1.985, 0.0), (10, 1.995, 0.0), (20, 2.005, 0.0)]))


class _Endpoint:
    """An HTTP endpoint on 127.0.0.1 that answers ``status``, after ``release`` is set
    when ``hang``; it keeps the bodies it got."""

    def __init__(self, status: int = 200, hang: bool = False) -> None:
        self.bodies: list[dict] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        if not hang:
            self.release.set()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.arrived.set()
                endpoint.release.wait(10)
                endpoint.bodies.append(json.loads(body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Endpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_stdout_is_one_json_line_per_alert():
    out = io.StringIO()
    sink = StdoutSink(out)
    alert = Alert(PROVISIONAL, {"track_id": "t", "lon": 1.5}, 1_800_000_000 * 10**9)
    sink.emit([alert, alert])
    sink.emit([])
    line = '{"track_id": "t", "lon": 1.5, "status": "provisional", '
    line += '"received": "2027-01-15T08:00:00.000Z"}\n'
    assert out.getvalue() == line * 2
    assert sink.stats.sent == 2


def test_a_webhook_that_hangs_does_not_delay_stdout_alerts():
    out = io.StringIO()
    with _Endpoint(hang=True) as endpoint:
        webhook = WebhookSink(endpoint.url, timeout_s=20)
        feed = Feed(parse_source("sbs://127.0.0.1:30003"))
        # the webhook first: were it waited for, stdout would wait too
        watch = Watch(
            [feed], Tracker(SKY, Rules(1800.0, 60.0)), [webhook, StdoutSink(out)],
            options=WatchOptions(quiet=True),
        )  # fmt: skip
        feed.feed(b"".join(x + b"\n" for x in LINES), 0)
        assert [a.status for a in watch.step()] == [PROVISIONAL]
        assert endpoint.arrived.wait(10)  # the POST is in, and held there
        watch.close()  # the track is decided: confirmed
        statuses = [json.loads(x)["status"] for x in out.getvalue().splitlines()]
        assert statuses == [PROVISIONAL, CONFIRMED]
        assert not endpoint.release.is_set() and endpoint.bodies == []
        endpoint.release.set()
    # the webhook got the first alert once released; stop gave it 3 s for the second
    assert [b["status"] for b in endpoint.bodies][:1] == [PROVISIONAL]
    assert webhook.stats.sent + webhook.stats.dropped == 2


def test_a_failing_webhook_is_retried_with_back_off_then_counted_dropped():
    with _Endpoint(status=500) as endpoint:
        webhook = WebhookSink(endpoint.url, backoff_s=(0.01, 0.02))
        webhook.emit([Alert(CONFIRMED, {"track_id": "t"}, 0)])
        webhook.close()
    assert len(endpoint.bodies) == 5  # five tries
    assert (webhook.stats.sent, webhook.stats.retries, webhook.stats.dropped) == (0, 4, 1)


def test_a_webhook_delivers_each_alert_as_json():
    with _Endpoint() as endpoint:
        webhook = WebhookSink(endpoint.url)
        webhook.emit([Alert(CONFIRMED, {"track_id": "t", "n": k}, 0) for k in range(3)])
        webhook.close()
    assert [b["n"] for b in endpoint.bodies] == [0, 1, 2]
    assert endpoint.bodies[0]["status"] == CONFIRMED
    assert (webhook.stats.sent, webhook.stats.dropped) == (3, 0)


@pytest.mark.parametrize("url", ["ftp://x/y", "127.0.0.1:80", "http://"])
def test_a_webhook_needs_an_http_url(url):
    with pytest.raises(UsageError, match="an http:// or https:// URL"):
        WebhookSink(url)


def test_mqtt_without_a_broker_never_blocks_and_counts_what_it_could_not_send():
    pytest.importorskip("paho.mqtt")
    from bench._replay import ReplayServer

    with ReplayServer([]) as gone:
        gone.close()  # a port nothing listens on
        sink = MqttSink(f"mqtt://127.0.0.1:{gone.port}", "airwitness/alerts")
        sink.emit([Alert(CONFIRMED, {"track_id": "t"}, 0)] * 3)
        sink.close()
    assert (sink.stats.sent, sink.stats.dropped) == (0, 3)


@pytest.mark.parametrize(
    ("url", "topic", "message"),
    [("http://x", "t", "an mqtt://HOST"), ("mqtt://x", "", "--mqtt needs --topic")],
)
def test_mqtt_usage_errors(url, topic, message):
    pytest.importorskip("paho.mqtt")
    with pytest.raises(UsageError, match=message):
        MqttSink(url, topic)
