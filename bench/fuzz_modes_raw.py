"""Fuzz the timestamped raw-message reader (modes_raw) with mutated real data (hypothesis).

    python bench/fuzz_modes_raw.py [--seconds 120] [--per-input 5.0] [--seed N]

Seeds are the pyModeS 2.22.0 sample (tests/data/modes_raw/sample_data_adsb.csv,
2,000 real DF 17 messages of 406b90) in the containers the reader takes: the
header-less CSV as shipped, OpenSky-style CSV (``mintime,rawmsg``), JSON Lines
(``timestamp``/``frame``, ISO times) and a JSON array. Each input is a window
of 1–400 lines (records) of a seed, mutated by hypothesis (byte flips, tokens
such as quotes, commas, ``*``/``;``, hex digits, huge and non-finite numbers;
random bytes, deleted and duplicated ranges, truncation) and sometimes
gzip-compressed (and then possibly cut).

For every input the reader must return a ReadResult or raise InputError —
nothing else — within ``--per-input`` seconds; each record appears once as a
row or a reject, and for plain CSV (no quotes, no CR) the records are exactly
the non-blank lines (minus the header line when there is one); rows have the
canonical schema, times in the accepted window, lat/lon in range, finite
numbers, track ids of 6 hex digits. Findings (failing inputs after shrinking)
are written to ``--out`` and the run continues. Prints executions, executions/s,
outcomes and findings.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
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
from airwitness.io import modes_raw
from airwitness.io._convert import T_MAX_NS, T_MIN_NS
from airwitness.io._tabular import container
from airwitness.schema import POSITION_SCHEMA, ReadResult

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "modes_raw" / "sample_data_adsb.csv"
TOKENS = [
    b",", b"\n", b'"', b"*", b";", b"{", b"}", b"[", b"]", b":", b"0", b"f", b"F", b"8D",
    b"nan", b"inf", b"-1", b"1e999", b"99999999999999999999", b"2016-02-30T25:61:61Z",
    b"\x00", b"\xff\xfe", b" ", b"", b"0" * 28,
]  # fmt: skip
_TRACK = re.compile(r"^~?[0-9a-f]{6}$")


class Hang(Exception):
    """The reader took longer than the per-input limit."""


def seeds() -> list[tuple[bytes, list[bytes]]]:
    """(header, record lines) per container; a JSON array is framed in :func:`assemble`."""
    lines = SAMPLE.read_bytes().splitlines()
    pairs = [(int(x.split(b",")[0]), x.split(b",")[1].strip(b'"').decode()) for x in lines]
    opensky = [f"{t}.25,{m.lower()},406b90".encode() for t, m in pairs]
    jsonl = [
        json.dumps({"timestamp": f"{np.datetime64(t, 's')}.5Z", "frame": m}).encode()
        for t, m in pairs
    ]
    array = [json.dumps({"ts": t, "hex": f"*{m};"}).encode() for t, m in pairs]
    return [(b"", lines), (b"mintime,rawmsg,icao24", opensky), (b"", jsonl), (b"[", array)]


def assemble(header: bytes, lines: list[bytes]) -> bytes:
    if header == b"[":
        return b"[" + b",\n".join(lines) + b"]"
    body = b"\n".join(lines) + b"\n"
    return header + b"\n" + body if header else body


MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**9), st.integers(1, 255)),
    st.tuples(st.just("token"), st.integers(0, 10**9), st.sampled_from(TOKENS)),
    st.tuples(st.just("bytes"), st.integers(0, 10**9), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.integers(0, 10**9), st.integers(1, 200)),
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


def check(data: bytes, gz_cut: int | None, limit_s: float) -> str:
    """Run the reader on one input; raise on a finding; return the outcome."""
    payload = data
    if gz_cut is not None:
        payload = gzip.compress(data, mtime=0)
        payload = payload[: gz_cut % (len(payload) + 1)] if gz_cut >= 0 else payload
    signal.setitimer(signal.ITIMER_REAL, limit_s)
    try:
        result = modes_raw.read("fuzz.csv", io.BytesIO(payload))
    except InputError as e:
        return f"InputError {e.reason.split(':')[0][:60]!r}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert isinstance(result, ReadResult)
    assert result.table.schema == POSITION_SCHEMA
    seen = sorted(result.table["source_record"].to_pylist() + [r.record for r in result.rejects])
    assert len(seen) == len(set(seen)) == result.records, "a record counted twice"
    assert not seen or seen[0] >= 1
    if gz_cut is None or gz_cut < 0:
        _plain_csv_lines(data, seen)
    _sane(result)
    return "rows" if result.table.num_rows else "no rows"


def _plain_csv_lines(data: bytes, seen: list[int]) -> None:
    """For CSV without quotes or CRs, records are exactly the data lines."""
    if container(data[: 1 << 16]) != "csv" or b'"' in data or b"\r" in data:
        return
    numbered = [(i, ln) for i, ln in enumerate(data.split(b"\n"), start=1) if ln.strip()]
    if modes_raw._headerless(data[: 1 << 16]) is None:
        numbered = numbered[1:]
    assert seen == [i for i, _ in numbered], "records are not the data lines"


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
    p.add_argument("--out", type=Path, default=Path("fuzz-findings-modes_raw"))
    args = p.parse_args(argv)

    def on_alarm(signum, frame):
        raise Hang(f"reader took > {args.per_input} s")

    logs = seeds()
    modes_raw.read(SAMPLE)  # compile the numba kernels before timing inputs
    signal.signal(signal.SIGALRM, on_alarm)
    outcomes: Counter[str] = Counter()
    findings: list[str] = []
    slowest = [0.0]

    @given(
        which=st.integers(0, len(logs) - 1),
        start=st.integers(0, 10**9),
        length=st.integers(1, 400),
        mutations=st.lists(MUTATION, max_size=12),
        gz=st.one_of(st.none(), st.just(-1), st.integers(0, 10**6)),
    )
    def one(which, start, length, mutations, gz):
        header, lines = logs[which]
        i = start % len(lines)
        data = mutate(assemble(header, lines[i : i + length]), mutations)
        t0 = time.perf_counter()
        try:
            outcomes[check(data, gz, args.per_input)] += 1
        except Exception:  # keep the input; after shrinking, the last one kept is minimal
            args.out.mkdir(exist_ok=True)
            (args.out / f"finding-{len(findings) + 1}.bin").write_bytes(data)
            (args.out / f"finding-{len(findings) + 1}.txt").write_text(f"gzip cut: {gz!r}\n")
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
    print(f"{'reader':10} {'seconds':>8} {'executions':>11} {'exec/s':>8} {'findings':>9}")
    print(f"{'modes_raw':10} {elapsed:8.1f} {total:11,} {total / elapsed:8.1f} {len(findings):9}")
    print("outcomes:")
    for k, v in outcomes.most_common():
        print(f"  {v:9,}  {k}")
    print(f"slowest input: {slowest[0] * 1000:.1f} ms (limit {args.per_input} s)")
    for f in findings:
        print("FINDING", f[:2000])
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
