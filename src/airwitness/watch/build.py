"""A watch put together from what the command line (or the web app) asks for."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

from airwitness.airspace import Airspace
from airwitness.errors import InputError, UsageError
from airwitness.io.options import ReadOptions
from airwitness.watch.feed import Feed
from airwitness.watch.runner import Watch, WatchOptions
from airwitness.watch.sinks import MqttSink, StdoutSink, WebhookSink
from airwitness.watch.sources import SourceSpec, parse_source
from airwitness.watch.store_sink import StoreSink
from airwitness.watch.tracker import Rules, Tracker


def build_watch(
    sources: Sequence[str],
    airspace: Airspace,
    rules: Rules,
    *,
    file_format: str | None = None,
    read_options: ReadOptions | None = None,
    webhook: str | None = None,
    mqtt: str | None = None,
    topic: str | None = None,
    store: Path | None = None,
    options: WatchOptions | None = None,
    out: IO[str] | None = None,
    stdout: bool = True,
) -> Watch:
    """A watch of ``sources`` (URLs or files, :func:`~.sources.parse_source`) with the
    sinks asked for: stdout (``out``, unless ``stdout`` is False), a webhook, MQTT
    (``mqtt`` URL and ``topic``), a store. UsageError for bad sources or sinks."""
    if not sources:
        raise UsageError("no source to watch: give URLs (sbs://HOST:PORT, ...) or files")
    names = list(sources)
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UsageError(f"a source given twice: {', '.join(dupes)}")
    specs = [parse_source(s, file_format) for s in names]
    if (mqtt is None) != (topic is None):
        raise UsageError("--mqtt and --topic go together")
    sinks: list = [StdoutSink(out)] if stdout else []
    if webhook is not None:
        sinks.append(WebhookSink(webhook))
    if mqtt is not None and topic is not None:
        sinks.append(MqttSink(mqtt, topic))
    feeds = [Feed(spec, read_options) for spec in specs]
    return Watch(
        feeds=feeds,
        tracker=Tracker(airspace, rules, associate=several_sensors(specs)),
        sinks=sinks,
        store=StoreSink(store) if store is not None else None,
        options=options or WatchOptions(),
    )


#: The one sensor of every report a source of these formats gives
SENSOR_OF_FORMAT = {"sbs": "adsb", "beast": "adsb", "avr": "adsb", "remoteid": "remoteid"}


def several_sensors(specs: Sequence[SourceSpec]) -> bool:
    """Whether the sources may give reports of several sensors (then the watch keeps
    the reports that live association needs: docs/watch.md). An ASTERIX source may
    carry several radars and CAT021; a file of undetected format may be any."""
    formats = [_format_of(s) for s in specs]
    kinds = {SENSOR_OF_FORMAT.get(f or "", f) for f in formats}
    return len(kinds) > 1 or any(f in ("asterix", None) for f in formats)


def _format_of(spec: SourceSpec) -> str | None:
    """The source's format; a file's as its content says, if it has any yet."""
    if spec.format is not None or spec.path is None:
        return spec.format
    from airwitness.io import sniff

    try:
        return sniff(spec.path) if spec.path.is_file() and spec.path.stat().st_size else None
    except InputError:  # the feed will say so when it starts
        return None
