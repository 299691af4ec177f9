"""watch.runner end to end on loopback: a replayed SBS feed gives, at the end, exactly
the crossings batch ``crossings`` finds in the same messages; a dropped connection is
reconnected and counted; a source that is down never stops the others."""

from __future__ import annotations

import io
import json

from airwitness.airspace import Airspace
from airwitness.pipeline import run_crossings
from airwitness.watch.alerts import CONFIRMED, PROVISIONAL
from airwitness.watch.build import build_watch
from airwitness.watch.runner import WatchOptions
from airwitness.watch.tracker import Rules
from bench._replay import ReplayServer, beast_frames, sbs_lines

from .helpers import alerts_of, crossing_key, flights, run_until

RULES = Rules(max_gap_s=1800.0, observed_gap_s=60.0)
QUIET = WatchOptions(quiet=True)


def _batch(lines: list[bytes], tmp_path, url: str, sky: Airspace) -> list[str]:
    """Batch crossings of the same lines as a file, cited as the watch cites them."""
    path = tmp_path / "feed.sbs"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    run = run_crossings([path], sky)
    out = io.StringIO()
    from airwitness.report.tables import write_jsonl

    write_jsonl(run.crossings, out)
    return sorted(crossing_key(a) for a in alerts_of(out.getvalue().replace(f"{path}:", f"{url}:")))


def _identity(alert: dict) -> tuple:
    return tuple(alert[k] for k in ("track_id", "before", "after", "from", "to"))


def test_replayed_sbs_with_drops_ends_with_exactly_the_batch_crossings(tmp_path):
    table = flights("border_control", "alto_adige")
    lines = sbs_lines(table)
    sky = Airspace.builtin("ne10m")
    out = io.StringIO()
    with ReplayServer(lines, drop_every=1000) as server:
        url = f"sbs://127.0.0.1:{server.port}"
        watch = build_watch([url], sky, RULES, options=QUIET, out=out)
        (feed,) = watch.feeds
        run_until(watch, lambda: feed.stats.records == len(lines))
    alerts = alerts_of(out.getvalue())
    want = _batch(lines, tmp_path, url, sky)
    assert len(want) >= 5
    assert sorted(crossing_key(a) for a in alerts if a["status"] == CONFIRMED) == want
    # each was announced first (its confidence then from the reports so far)
    announced = {_identity(a) for a in alerts if a["status"] == PROVISIONAL}
    assert announced >= {_identity(json.loads(w)) for w in want}
    # 3,574 lines, dropped after every 1,000: four connections, three of them lost,
    # every line counted once, numbered across the reconnections
    assert len(lines) == 3574
    s = feed.stats
    assert (s.connects, s.drops, s.records, s.positions) == (4, 3, 3574, 3574)
    assert server.connections == 4


def test_a_source_that_is_down_is_retried_and_never_stops_the_others():
    table = flights("border_control")
    lines = sbs_lines(table)
    sky = Airspace.builtin("ne10m")
    out = io.StringIO()
    with ReplayServer(lines) as server, ReplayServer([]) as closed:
        closed.close()  # nothing listens on its port any more
        good = f"sbs://127.0.0.1:{server.port}"
        dead = f"beast://127.0.0.1:{closed.port}"
        watch = build_watch([good, dead], sky, RULES, options=QUIET, out=out)
        live, down = watch.feeds
        run_until(watch, lambda: live.stats.records == len(lines) and down.stats.failures >= 2)
    assert live.stats.positions == len(lines)
    assert down.stats.connects == 0 and down.stats.records == 0
    assert any(a["status"] == CONFIRMED for a in alerts_of(out.getvalue()))


def test_a_followed_file_is_read_as_it_grows_and_again_when_replaced(tmp_path):
    lines = sbs_lines(flights("border_control"))
    path = tmp_path / "live.sbs"
    path.write_bytes(b"".join(x + b"\n" for x in lines[:100]))
    sky = Airspace.builtin("ne10m")
    watch = build_watch([str(path)], sky, RULES, options=QUIET, out=io.StringIO())
    (feed,) = watch.feeds
    steps = iter(
        [
            # appended, with its last line written in two parts
            lambda: path.open("ab").write(b"".join(x + b"\n" for x in lines[100:200]) + b"MSG"),
            lambda: path.open("ab").write(lines[200][3:] + b"\n"),
            # replaced by a shorter file: read again from its start, numbered on
            lambda: path.write_bytes(lines[201] + b"\n"),
        ]
    )
    wanted = iter([100, 200, 201, 202])
    target = [next(wanted)]

    def advance() -> bool:
        if feed.stats.records < target[0]:
            return False
        step = next(steps, None)
        if step is None:
            return True
        step()
        target[0] = next(wanted)
        return False

    run_until(watch, advance)
    s = feed.stats
    assert (s.records, s.positions, s.connects, s.drops) == (202, 202, 2, 1)
    assert feed.format == "sbs"


def test_without_follow_a_file_is_read_to_its_end_and_the_watch_stops(tmp_path):
    lines = sbs_lines(flights("border_control"))
    path = tmp_path / "done.sbs"
    path.write_bytes(b"".join(x + b"\n" for x in lines) + b"garbage")
    out = io.StringIO()
    options = WatchOptions(follow_files=False, quiet=True)
    watch = build_watch([str(path)], Airspace.builtin("ne10m"), RULES, options=options, out=out)
    run_until(watch, lambda: False)  # stops by itself
    (feed,) = watch.feeds
    assert feed.ended
    assert (feed.stats.records, feed.stats.positions) == (len(lines) + 1, len(lines))
    assert dict(feed.stats.rejects) == {"not an SBS message": 1}


def test_replayed_beast_into_a_store_ends_with_the_batch_crossings_of_the_store(tmp_path):
    """Beast frames (CPR-encoded positions, a 12 MHz counter) of two real flights: what
    the watch confirms is what ``crossings`` finds in the reports it stored."""
    from airwitness.io.modes import beast
    from airwitness.io.options import ReadOptions
    from airwitness.pipeline import crossings_of_inputs
    from airwitness.report.tables import text_columns
    from airwitness.store import load

    frames = beast_frames(flights("rega_sg", "alto_adige"))  # one day: one receiver clock
    sky = Airspace.builtin("ne10m")
    store = tmp_path / "beast.duckdb"
    out = io.StringIO()
    with ReplayServer(frames, separator=b"", drop_every=1500) as server:
        url = f"beast://127.0.0.1:{server.port}"
        watch = build_watch([url], sky, RULES, options=QUIET, out=out, store=store)
        (feed,) = watch.feeds
        run_until(watch, lambda: feed.stats.records == len(frames))
    s = feed.stats
    assert (s.connects, s.drops, s.records) == (3, 2, 3189)
    # a frame without an even/odd pair to decide it (an aircraft's first, or after a
    # gap) is CPR unresolved, as when the frames are read as a capture
    capture = tmp_path / "frames.bin"
    capture.write_bytes(b"".join(frames))
    batch_read = beast.read(capture, options=ReadOptions(start_time_ns=0))
    assert dict(s.rejects) == dict(batch_read.reject_counts()) == {"CPR unresolved": 41}
    inputs = load(store)
    assert inputs.table.num_rows == s.positions == batch_read.table.num_rows == 3148
    columns = text_columns(crossings_of_inputs(inputs, sky).crossings)
    batch = [dict(zip(columns, v, strict=True)) for v in zip(*columns.values(), strict=True)]
    assert len(batch) == 2  # the glider into Austria and back
    confirmed = [a for a in alerts_of(out.getvalue()) if a["status"] == CONFIRMED]
    assert sorted(map(crossing_key, confirmed)) == sorted(map(crossing_key, batch))
    assert confirmed[0]["before"].startswith(f"{url}:")
