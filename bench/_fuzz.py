"""What the hypothesis fuzzers of the ADS-B readers share (``bench/fuzz_<format>.py``).

Each fuzzer builds inputs from its own real samples and checks the reader's
result its own way; this module holds the rest: the byte-level mutations, the
per-input time limit, the plausibility checks on the rows, and the loop that
runs hypothesis in batches until the time is up, keeps every failing input and
prints the one-line result table.
"""

from __future__ import annotations

import argparse
import gzip
import re
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st

from airwitness.io._convert import T_MAX_NS, T_MIN_NS
from airwitness.schema import ReadResult


class Hang(Exception):
    """The reader took longer than the per-input limit."""


def parse_args(doc: str, name: str, per_input: float, argv: list[str] | None) -> argparse.Namespace:
    """The options every fuzzer takes; findings go to ``fuzz-findings-<name>`` by default."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=120.0)
    p.add_argument("--per-input", type=float, default=per_input, help="time limit per input (s)")
    p.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random)")
    p.add_argument("--out", type=Path, default=Path(f"fuzz-findings-{name}"))
    return p.parse_args(argv)


def byte_mutations(
    tokens: list[bytes], *, max_bytes: int = 16, max_delete: int = 200, max_dup: int = 400
) -> st.SearchStrategy:
    """One byte-level edit for :func:`mutate`: (kind, position, argument)."""
    return st.one_of(
        st.tuples(st.just("flip"), st.integers(0, 10**9), st.integers(1, 255)),
        st.tuples(st.just("token"), st.integers(0, 10**9), st.sampled_from(tokens)),
        st.tuples(
            st.just("bytes"), st.integers(0, 10**9), st.binary(min_size=1, max_size=max_bytes)
        ),
        st.tuples(st.just("delete"), st.integers(0, 10**9), st.integers(1, max_delete)),
        st.tuples(st.just("dup"), st.integers(0, 10**9), st.integers(1, max_dup)),
        st.tuples(st.just("truncate"), st.integers(0, 10**9), st.just(0)),
    )


def mutate(data: bytes, edits: list) -> bytes:
    """Apply edits drawn from :func:`byte_mutations`; positions wrap around the current length."""
    buf = bytearray(data)
    for kind, at, arg in edits:
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


def gzipped(data: bytes, gz_cut: int | None) -> bytes:
    """The input as the reader gets it: plain (None), gzip (< 0) or gzip cut at ``gz_cut``."""
    if gz_cut is None:
        return data
    payload = gzip.compress(data, mtime=0)
    return payload[: gz_cut % (len(payload) + 1)] if gz_cut >= 0 else payload


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in the block after ``seconds`` (needs :meth:`Fuzz.run`'s handler)."""
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def sane(result: ReadResult, track_id: re.Pattern[str] | None = None) -> None:
    """Rows in the accepted time window, lat/lon in range, no infinities, track ids set.

    With ``track_id``, every track id must match it (else: none may be null).
    """
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
    if track_id is None:
        assert t["track_id"].null_count == 0
    else:
        assert all(track_id.match(x) for x in t["track_id"].to_pylist())


class Fuzz:
    """Outcome counts, findings and the slowest input of one fuzzing run."""

    def __init__(self, reader: str, args: argparse.Namespace) -> None:
        self.reader = reader
        self.args = args
        self.outcomes: Counter[str] = Counter()
        self.findings: list[str] = []
        self.slowest = 0.0

    def trial(self, data: bytes, note: str, check: Callable[[], str]) -> None:
        """Run ``check`` on one input; on a failure keep the input (and ``note``) and re-raise.

        Hypothesis shrinks a failure, so the input kept last for a finding is the minimal one.
        """
        t0 = time.perf_counter()
        try:
            self.outcomes[check()] += 1
        except Exception:
            n = len(self.findings) + 1
            self.args.out.mkdir(exist_ok=True)
            (self.args.out / f"finding-{n}.bin").write_bytes(data)
            (self.args.out / f"finding-{n}.txt").write_text(note)
            raise
        self.slowest = max(self.slowest, time.perf_counter() - t0)

    def run(self, one: Callable[[], None]) -> int:
        """Run the ``@given`` test ``one`` in batches of 300 until ``--seconds``; 1 on findings."""
        args = self.args

        def on_alarm(signum, frame):
            raise Hang(f"reader took > {args.per_input} s")

        signal.signal(signal.SIGALRM, on_alarm)
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
                self.findings.append(f"{type(e).__name__}: {e}")
                args.out.mkdir(exist_ok=True)
                (args.out / f"finding-{len(self.findings)}-error.txt").write_text(f"{e!r}\n")
                print(f"finding {len(self.findings)}: {e!r} (input in {args.out})", flush=True)
        self.report(time.monotonic() - begin)
        return 1 if self.findings else 0

    def report(self, elapsed: float) -> None:
        total = sum(self.outcomes.values())
        w = max(8, len(self.reader) + 1)
        print(f"{'reader':{w}} {'seconds':>8} {'executions':>11} {'exec/s':>8} {'findings':>9}")
        print(
            f"{self.reader:{w}} {elapsed:8.1f} {total:11,} {total / elapsed:8.1f} "
            f"{len(self.findings):9}"
        )
        print("outcomes:")
        for k, v in self.outcomes.most_common():
            print(f"  {v:9,}  {k}")
        print(f"slowest input: {self.slowest * 1000:.1f} ms (limit {self.args.per_input} s)")
        for f in self.findings:
            print("FINDING", f[:2000])
