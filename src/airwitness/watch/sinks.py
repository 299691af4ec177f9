"""Where alerts go: stdout, a webhook, an MQTT broker (the store is :mod:`.store_sink`).

Only stdout is written from the watch's own loop. The webhook and MQTT sinks
hand each alert over without waiting: to a bounded queue that a thread of their
own works off (webhook) or to paho-mqtt's own queue and thread (MQTT). When the
queue is full the alert is dropped and counted; a slow or failing endpoint
never holds up the feed, the other sinks or stdout.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

from airwitness.errors import UsageError
from airwitness.watch.alerts import Alert

#: alerts waiting for a webhook or the broker, at most
QUEUE_SIZE = 10_000
#: a webhook POST gives up after this long
WEBHOOK_TIMEOUT_S = 5.0
#: tries per alert, with back-off between them
WEBHOOK_TRIES = 5
WEBHOOK_BACKOFF_S: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
#: on stop, the sinks get this long to deliver what they hold
CLOSE_GRACE_S = 3.0


@dataclass
class SinkStats:
    sent: int = 0
    dropped: int = 0  # the queue was full, every try failed, or the watch stopped first
    retries: int = 0


class StdoutSink:
    """One JSON line per alert on stdout, flushed after each batch."""

    name = "stdout"

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out if out is not None else sys.stdout
        self.stats = SinkStats()

    def emit(self, alerts: Sequence[Alert]) -> None:
        if not alerts:
            return
        self.out.write("".join(a.json() + "\n" for a in alerts))
        self.out.flush()
        self.stats.sent += len(alerts)

    def close(self) -> None:
        self.out.flush()


class WebhookSink:
    """POST each alert as JSON to ``url``, from a thread, with retries and back-off
    (``backoff_s``: the waits between tries)."""

    def __init__(
        self,
        url: str,
        *,
        backoff_s: Sequence[float] = WEBHOOK_BACKOFF_S,
        timeout_s: float = WEBHOOK_TIMEOUT_S,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--webhook {url}: an http:// or https:// URL")
        self.name = f"webhook {url}"
        self.url = url
        self.backoff_s = tuple(backoff_s)
        self.timeout_s = timeout_s
        self.stats = SinkStats()
        self._queue: queue.Queue[Alert | None] = queue.Queue(QUEUE_SIZE)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sending = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="airwitness-webhook", daemon=True)
        self._thread.start()

    def emit(self, alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            try:
                self._queue.put_nowait(alert)
            except queue.Full:
                self.stats.dropped += 1

    def close(self) -> None:
        """Deliver what is queued (retries included) for up to :data:`CLOSE_GRACE_S`;
        count the rest, and an alert still being sent then, dropped."""
        deadline = time.monotonic() + CLOSE_GRACE_S
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        with self._lock:
            self._closed = True
            if self._sending:
                self.stats.dropped += 1  # still in flight: given up, whatever comes of it
        self._stop.set()
        self._put_stop()
        self._thread.join(timeout=0.5)
        while True:
            try:
                if self._queue.get_nowait() is not None:
                    self.stats.dropped += 1
            except queue.Empty:
                break

    def _put_stop(self) -> None:
        # a full queue: the thread sees _stop after its current alert instead
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)

    def _run(self) -> None:
        while not self._stop.is_set():
            alert = self._queue.get()
            if alert is None:
                return
            self._sending = True
            delivered = self._deliver(alert.json().encode())
            with self._lock:
                self._sending = False
                if not self._closed:  # else close() has counted it
                    if delivered:
                        self.stats.sent += 1
                    else:
                        self.stats.dropped += 1
            self._queue.task_done()

    def _deliver(self, body: bytes) -> bool:
        for attempt in range(WEBHOOK_TRIES):
            if attempt:
                self.stats.retries += 1
                if self._stop.wait(self.backoff_s[min(attempt - 1, len(self.backoff_s) - 1)]):
                    return False
            request = urllib.request.Request(
                self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    if 200 <= response.status < 300:
                        return True
            except (urllib.error.URLError, OSError, ValueError):
                continue
        return False


class MqttSink:
    """Publish each alert as JSON to ``topic`` on the broker at ``url``
    (``mqtt://[user:password@]host[:port]``), QoS 1, through paho-mqtt."""

    def __init__(self, url: str, topic: str) -> None:
        try:
            import paho.mqtt.client as mqtt
        except ImportError:
            raise UsageError(
                "--mqtt needs paho-mqtt: pip install 'airwitness[mqtt]' (or paho-mqtt)"
            ) from None
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise UsageError(f"--mqtt {url}: an mqtt://HOST[:PORT] URL")
        if not topic:
            raise UsageError("--mqtt needs --topic")
        self.name = f"mqtt {parts.hostname}:{parts.port or 1883} {topic}"
        self.topic = topic
        self.stats = SinkStats()
        self._queued = 0
        self._mqtt = mqtt
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="", clean_session=True)
        if parts.username:
            client.username_pw_set(parts.username, parts.password)
        client.max_queued_messages_set(QUEUE_SIZE)
        client.reconnect_delay_set(min_delay=1, max_delay=4)
        client.on_publish = self._published
        self._client = client
        client.connect_async(parts.hostname, parts.port or 1883, keepalive=30)
        client.loop_start()

    def _published(self, client: Any, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        self.stats.sent += 1

    def emit(self, alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            info = self._client.publish(self.topic, alert.json(), qos=1)
            if info.rc in (self._mqtt.MQTT_ERR_SUCCESS, self._mqtt.MQTT_ERR_NO_CONN):
                self._queued += 1  # without a connection paho keeps it for the reconnect
            else:
                self.stats.dropped += 1

    def close(self) -> None:
        """Wait up to :data:`CLOSE_GRACE_S` for the broker to take what is queued; the
        rest is counted dropped."""
        deadline = time.monotonic() + CLOSE_GRACE_S
        while self.stats.sent < self._queued and time.monotonic() < deadline:
            time.sleep(0.02)
        self._client.disconnect()
        self._client.loop_stop()
        self.stats.dropped += max(0, self._queued - self.stats.sent)
