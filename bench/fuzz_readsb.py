"""Fuzz the readsb / tar1090 trace reader with mutated real traces (hypothesis).

    python bench/fuzz_readsb.py [--seconds 120] [--per-input 2.0] [--seed N]

The seed is the real trace of the traffic sample
(tests/data/readsb/trace_full_ac671b.json.gz, 2,500 points). Each input is a
trace of 1–120 consecutive points of it, built in one of three layouts
(readsb's own: one point per line; compact ``json.dumps``; pretty-printed
with ``indent=1``), with some points or header values replaced by arbitrary
JSON values, then mutated at the byte level by hypothesis (byte flips,
inserted tokens and random bytes, deleted and duplicated ranges, truncation),
and sometimes gzip-compressed (and then possibly truncated).

For every input the reader must return a ReadResult or raise InputError —
nothing else — within ``--per-input`` seconds, and the result must reconcile:
records are exactly 1..n, each once (rows and rejects together); an input
that is valid JSON reads every point of its trace; rows have the canonical
schema, times in the accepted window, lat/lon in range, no infinities.
Findings are written to ``--out`` and the run continues.
Prints executions, executions/s and findings.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.io import readsb
from airwitness.io._convert import T_MAX_NS, T_MIN_NS
from airwitness.schema import POSITION_SCHEMA, ReadResult

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "readsb" / "trace_full_ac671b.json.gz"
TOKENS = [
    b",", b"[", b"]", b"{", b"}", b'"', b":", b"\n", b"\n    [", b"null", b"true", b"NaN",
    b"Infinity", b"-Infinity", b"1e999", b"-0", b"9" * 400, b'"ground"', b"\\u0000",
    b"\x00", b"\xff\xfe", b"\xc3", b" ", b"[" * 50, b'"trace":[', b'"timestamp":',
]  # fmt: skip

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["ground", "", "adsb_icao", "~abc123"])
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=16) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)


class Hang(Exception):
    """The reader took longer than the per-input limit."""


def build(doc: dict, points: list, layout: int) -> bytes:
    """Serialise like readsb (one point per line), compactly, or pretty-printed."""
    if layout == 1:
        return json.dumps({**doc, "trace": points}).encode()
    if layout == 2:
        return json.dumps({**doc, "trace": points}, indent=1).encode()
    head = json.dumps(doc)[:-1]  # without the closing brace
    body = ",".join("\n    " + json.dumps(p, separators=(",", ":")) for p in points)
    return f'{head},\n  "trace":[{body} ]\n}}\n'.encode()


MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**9), st.integers(1, 255)),
    st.tuples(st.just("token"), st.integers(0, 10**9), st.sampled_from(TOKENS)),
    st.tuples(st.just("bytes"), st.integers(0, 10**9), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.integers(0, 10**9), st.integers(1, 300)),
    st.tuples(st.just("dup"), st.integers(0, 10**9), st.integers(1, 600)),
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


def check(data: bytes, gz_cut: int | None, limit_s: float) -> str:
    """Run the reader on one input; raise AssertionError/Hang on a finding; return an outcome."""
    payload = data
    if gz_cut is not None:
        payload = gzip.compress(data, mtime=0)
        payload = payload[: gz_cut % (len(payload) + 1)] if gz_cut >= 0 else payload
    signal.setitimer(signal.ITIMER_REAL, limit_s)
    try:
        result = readsb.read("trace_full_fuzz.json", io.BytesIO(payload))
    except InputError as e:
        return f"InputError {e.reason.split(' (')[0]!r}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert isinstance(result, ReadResult)
    assert result.table.schema == POSITION_SCHEMA
    seen = sorted(result.table["source_record"].to_pylist() + [r.record for r in result.rejects])
    assert seen == list(range(1, len(seen) + 1)), "records are not 1..n once each"
    assert result.records == len(seen)
    if gz_cut is None or gz_cut < 0:
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            doc = None
        if isinstance(doc, dict) and isinstance(doc.get("trace"), list):
            assert len(seen) == len(doc["trace"]), "a valid trace must be read point for point"
    _sane(result)
    return "read" if not result.rejects else "rejects"


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
    assert t["track_id"].null_count == 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=120.0)
    p.add_argument("--per-input", type=float, default=2.0, help="time limit per input (s)")
    p.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random)")
    p.add_argument("--out", type=Path, default=Path("fuzz-findings-readsb"))
    args = p.parse_args(argv)

    def on_alarm(signum, frame):
        raise Hang(f"reader took > {args.per_input} s")

    signal.signal(signal.SIGALRM, on_alarm)
    sample = json.loads(gzip.decompress(SAMPLE.read_bytes()))
    header = {k: v for k, v in sample.items() if k != "trace"}
    trace = sample["trace"]
    outcomes: Counter[str] = Counter()
    findings: list[str] = []
    slowest = [0.0]

    @given(
        start=st.integers(0, len(trace) - 1),
        length=st.integers(1, 120),
        layout=st.integers(0, 2),
        replace_points=st.lists(st.tuples(st.integers(0, 299), JSON), max_size=2),
        replace_fields=st.lists(
            st.tuples(st.integers(0, 299), st.integers(0, 13), JSON), max_size=4
        ),
        replace_header=st.lists(st.tuples(st.sampled_from(sorted(header)), JSON), max_size=2),
        mutations=st.lists(MUTATION, max_size=10),
        gz=st.one_of(st.none(), st.just(-1), st.integers(0, 10**6)),
    )
    def one(start, length, layout, replace_points, replace_fields, replace_header, mutations, gz):
        points = [list(p) for p in trace[start : start + length]]
        for i, value in replace_points:
            points[i % len(points)] = value
        for i, j, value in replace_fields:
            point = points[i % len(points)]
            if isinstance(point, list) and point:
                point[j % len(point)] = value
        doc = dict(header)
        for key, value in replace_header:
            doc[key] = value
        data = mutate(build(doc, points, layout), mutations)
        t0 = time.perf_counter()
        try:
            outcomes[check(data, gz, args.per_input)] += 1
        except Exception:  # keep the input; after shrinking, the last one kept is minimal
            args.out.mkdir(exist_ok=True)
            (args.out / f"finding-{len(findings) + 1}.bin").write_bytes(data)
            (args.out / f"finding-{len(findings) + 1}.gzip.txt").write_text(f"gzip cut: {gz!r}\n")
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
    begin = time.monotonic()
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
            (args.out / f"finding-{len(findings)}.txt").write_text(f"{e!r}\n")
            print(f"finding {len(findings)}: {e!r} (input in {args.out})", flush=True)
    elapsed = time.monotonic() - begin
    total = sum(outcomes.values())
    print(f"{'reader':8} {'seconds':>8} {'executions':>11} {'exec/s':>8} {'findings':>9}")
    print(f"{'readsb':8} {elapsed:8.1f} {total:11,} {total / elapsed:8.1f} {len(findings):9}")
    print("outcomes:")
    for k, v in outcomes.most_common():
        print(f"  {v:9,}  {k}")
    print(f"slowest input: {slowest[0] * 1000:.1f} ms (limit {args.per_input} s)")
    for f in findings:
        print("FINDING", f[:2000])
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
