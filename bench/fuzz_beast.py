"""Fuzz the Beast binary reader with mutated real captures (hypothesis).

    python bench/fuzz_beast.py [--seconds 120] [--per-input 5.0] [--seed N]

The seed is the real dump1090 capture of the traffic sample
(tests/data/beast/sample_dump1090.bin, 239 frames, 16 escaped 0x1a bytes),
alone or repeated up to 8 times (so counters run backwards: receiver restarts).
Each input is a byte window of a seed, mutated by hypothesis (bit flips,
inserted 0x1a escapes, frame-type bytes and random bytes, deleted and
duplicated ranges, truncation) and sometimes gzip-compressed (and then possibly
cut). Options vary: start time, start time with a receiver reference, or only a
date (GPS time of day).

For every input the reader must return a ReadResult or raise InputError —
nothing else — within ``--per-input`` seconds, and the result must reconcile:
records are exactly 1..n (every frame and every run of non-frame bytes is one
record), each once as a row or a reject; rows have the canonical schema, times
in the accepted window, lat/lon in range, finite numbers, track ids of 6 hex
digits (``~`` for non-ICAO). Findings (failing inputs after shrinking) are
written to ``--out`` and the run continues. Prints executions, executions/s,
outcomes and findings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.io import beast
from airwitness.io._convert import T_MAX_NS, T_MIN_NS
from airwitness.io.options import ReadOptions
from airwitness.schema import POSITION_SCHEMA, ReadResult

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "beast" / "sample_dump1090.bin"
START_NS = 1_700_000_000 * 10**9
TOKENS = [
    b"\x1a",
    b"\x1a\x1a",
    b"\x1a1",
    b"\x1a2",
    b"\x1a3",
    b"\x1a4",
    b"\x1a9",
    b"\x00" * 6,
    b"\xff" * 6,
]
OPTIONS = [
    ReadOptions(start_time_ns=START_NS),
    ReadOptions(start_time_ns=START_NS, reference=(43.6, 1.4)),
    ReadOptions(date=dt.date(2024, 2, 29)),
]
_TRACK = re.compile(r"^~?[0-9a-f]{6}$")


class Hang(Exception):
    """The reader took longer than the per-input limit."""


MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**9), st.integers(1, 255)),
    st.tuples(st.just("token"), st.integers(0, 10**9), st.sampled_from(TOKENS)),
    st.tuples(st.just("bytes"), st.integers(0, 10**9), st.binary(min_size=1, max_size=24)),
    st.tuples(st.just("delete"), st.integers(0, 10**9), st.integers(1, 64)),
    st.tuples(st.just("dup"), st.integers(0, 10**9), st.integers(1, 400)),
    st.tuples(st.just("truncate"), st.integers(0, 10**9), st.just(0)),
)


def mutate(data: bytes, mutations: list) -> bytes:
    buf = bytearray(data)
    for kind, at, arg in mutations:
        i = at % (len(buf) + 1)
        if kind == "flip" and buf:
            buf[min(i, len(buf) - 1)] ^= arg
        elif kind in ("token", "bytes"):
            buf[i:i] = arg
        elif kind == "delete":
            del buf[i : i + arg]
        elif kind == "dup":
            buf[i:i] = buf[i : i + arg]
        elif kind == "truncate":
            del buf[i:]
    return bytes(buf)


def check(data: bytes, gz_cut: int | None, options: ReadOptions, limit_s: float) -> str:
    """Run the reader on one input; raise on a finding; return the outcome."""
    payload = data
    if gz_cut is not None:
        payload = gzip.compress(data, mtime=0)
        payload = payload[: gz_cut % (len(payload) + 1)] if gz_cut >= 0 else payload
    signal.setitimer(signal.ITIMER_REAL, limit_s)
    try:
        result = beast.read("fuzz.bin", io.BytesIO(payload), options)
    except InputError as e:
        return f"InputError {e.reason.split(':')[0][:60]!r}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert isinstance(result, ReadResult)
    assert result.table.schema == POSITION_SCHEMA
    seen = sorted(result.table["source_record"].to_pylist() + [r.record for r in result.rejects])
    assert seen == list(range(1, result.records + 1)), "records are not 1..n once each"
    offsets = [r.offset for r in result.rejects]
    assert all(o is not None and 0 <= o < max(len(data), 1) for o in offsets)
    _sane(result)
    return "rows" if result.table.num_rows else "no rows"


def _sane(result: ReadResult) -> None:
    t = result.table
    if t.num_rows == 0:
        return
    ns = t["time"].cast("int64").to_numpy()
    assert ((ns >= T_MIN_NS) & (ns < T_MAX_NS)).all()
    lat, lon = t["lat"].to_numpy(), t["lon"].to_numpy()
    assert (np.abs(lat) <= 90).all() and (np.abs(lon) <= 180).all()
    for name in ("alt_m", "ground_speed_mps", "track_deg", "vrate_mps"):
        v = t[name].to_numpy(zero_copy_only=False)
        assert not np.isinf(v).any(), name
    assert all(_TRACK.match(x) for x in t["track_id"].to_pylist())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=120.0)
    p.add_argument("--per-input", type=float, default=5.0, help="time limit per input (s)")
    p.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random)")
    p.add_argument("--out", type=Path, default=Path("fuzz-findings-beast"))
    args = p.parse_args(argv)

    def on_alarm(signum, frame):
        raise Hang(f"reader took > {args.per_input} s")

    raw = SAMPLE.read_bytes()
    beast.read(SAMPLE, options=OPTIONS[0])  # compile the numba kernels before timing inputs
    signal.signal(signal.SIGALRM, on_alarm)
    outcomes: Counter[str] = Counter()
    findings: list[str] = []
    slowest = [0.0]

    @given(
        copies=st.integers(1, 8),
        start=st.integers(0, 10**9),
        length=st.integers(1, 40_000),
        mutations=st.lists(MUTATION, max_size=12),
        gz=st.one_of(st.none(), st.just(-1), st.integers(0, 10**6)),
        which=st.integers(0, len(OPTIONS) - 1),
    )
    def one(copies, start, length, mutations, gz, which):
        seed_bytes = raw * copies
        i = start % len(seed_bytes)
        data = mutate(seed_bytes[i : i + length], mutations)
        t0 = time.perf_counter()
        try:
            outcomes[check(data, gz, OPTIONS[which], args.per_input)] += 1
        except Exception:  # keep the input; after shrinking, the last one kept is minimal
            args.out.mkdir(exist_ok=True)
            (args.out / f"finding-{len(findings) + 1}.bin").write_bytes(data)
            (args.out / f"finding-{len(findings) + 1}.txt").write_text(
                f"gzip cut: {gz!r}\noptions: {OPTIONS[which]!r}\n"
            )
            raise
        slowest[0] = max(slowest[0], time.perf_counter() - t0)

    run = settings(
        max_examples=300,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )(one)
    deadline = time.monotonic() + args.seconds
    start = time.monotonic()
    batch = 0
    while time.monotonic() < deadline:
        batch += 1
        if args.seed is not None:
            run = seed(args.seed + batch)(run)
        try:
            run()
        except Exception as e:  # any failure is a finding: record it, go on
            findings.append(f"{type(e).__name__}: {e}")
            args.out.mkdir(exist_ok=True)
            (args.out / f"finding-{len(findings)}-error.txt").write_text(f"{e!r}\n")
            print(f"finding {len(findings)}: {e!r} (input in {args.out})", flush=True)
    elapsed = time.monotonic() - start
    total = sum(outcomes.values())
    print(f"{'reader':8} {'seconds':>8} {'executions':>11} {'exec/s':>8} {'findings':>9}")
    print(f"{'beast':8} {elapsed:8.1f} {total:11,} {total / elapsed:8.1f} {len(findings):9}")
    print("outcomes:")
    for k, v in outcomes.most_common():
        print(f"  {v:9,}  {k}")
    print(f"slowest input: {slowest[0] * 1000:.1f} ms (limit {args.per_input} s)")
    for f in findings:
        print("FINDING", f[:2000])
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
