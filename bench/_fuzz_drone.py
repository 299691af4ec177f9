"""A time-boxed hypothesis fuzzer for one reader, shared by ``bench/fuzz_<format>.py``.

Hypothesis draws a sample (a real-track fixture from ``tests/data/drones``, whole or
its first few KiB, sometimes gzip-compressed) and a list of mutations (set, flip,
insert, delete, duplicate, truncate), and the reader reads the result. Each input
must give a ReadResult whose records reconcile (every record a row or a reject,
once) or raise InputError; anything else is a finding: another exception, a
broken invariant, or an input that takes longer than the per-input limit (a
hang). Findings are saved under ``--out`` to reproduce them. Prints one table.
"""

from __future__ import annotations

import argparse
import gzip
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.schema import POSITION_SCHEMA, ReadResult

ROOT = Path(__file__).resolve().parents[1]
DRONES = ROOT / "tests" / "data" / "drones"


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def mutations(size: int) -> st.SearchStrategy:
    # positions come from a seeded generator: hypothesis favours small integers, and
    # mutations should land anywhere in the sample, not mostly on its first bytes
    pos = st.randoms(use_true_random=True).map(lambda r: r.randrange(max(size, 1)))
    op = st.one_of(
        st.tuples(st.just("set"), pos, st.integers(0, 255)),
        st.tuples(st.just("flip"), pos, st.integers(0, 7)),
        st.tuples(st.just("insert"), pos, st.binary(min_size=1, max_size=32)),
        st.tuples(st.just("delete"), pos, st.integers(1, 64)),
        st.tuples(st.just("duplicate"), pos, st.integers(1, 256)),
        st.tuples(st.just("truncate"), pos, st.just(0)),
    )
    return st.lists(op, min_size=1, max_size=12)


def mutate(data: bytes, ops: list) -> bytes:
    buf = bytearray(data)
    for kind, at, arg in ops:
        at = min(at, len(buf))
        if kind == "set" and at < len(buf):
            buf[at] = arg
        elif kind == "flip" and at < len(buf):
            buf[at] ^= 1 << arg
        elif kind == "insert":
            buf[at:at] = arg
        elif kind == "delete":
            del buf[at : at + arg]
        elif kind == "duplicate":
            buf[at:at] = buf[at : at + arg]
        elif kind == "truncate":
            del buf[at:]
    return bytes(buf)


def check(result: ReadResult) -> str | None:
    """Why a result breaks the reader contract, or None."""
    if not isinstance(result, ReadResult):
        return f"returned {type(result).__name__}"
    if result.table.schema != POSITION_SCHEMA:
        return "schema differs"
    seen = result.table["source_record"].to_pylist() + [r.record for r in result.rejects]
    if len(seen) != len(set(seen)) or result.records != len(seen):
        return "records do not reconcile"
    if any(r < 1 for r in seen):
        return "record below 1"
    return None


def run(
    fmt: str,
    read: Callable[..., ReadResult],
    samples: dict[str, bytes],
    seconds: float,
    limit_s: float,
    out: Path,
) -> int:
    """Fuzz for ``seconds``; print the table; return the number of findings."""
    import io

    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    whole_file: Counter[str] = Counter()
    findings: list[tuple[str, bytes, str]] = []
    names = sorted(samples)
    signal.signal(signal.SIGALRM, _alarm)
    deadline = time.monotonic() + seconds
    start = time.monotonic()

    def one(name: str, ops: list, compress: bool) -> None:
        data = mutate(samples[name], ops)
        if compress:
            data = gzip.compress(data, mtime=0)
        counts["executions"] += 1
        signal.setitimer(signal.ITIMER_REAL, limit_s)
        try:
            result = read(f"fuzz.{fmt}", stream=io.BytesIO(data))
        except InputError as e:
            counts["InputError"] += 1
            whole_file[e.reason.split(" (")[0].split(":")[0]] += 1
            return
        except _Timeout:
            findings.append(("hang", data, f"over {limit_s} s"))
            return
        except Exception:
            findings.append(("exception", data, traceback.format_exc()))
            return
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        problem = check(result)
        if problem:
            findings.append(("invariant", data, problem))
        counts["ReadResult"] += 1
        counts["rows"] += result.table.num_rows
        reasons.update(result.reject_counts())

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def batch(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(names))
        ops = data.draw(mutations(len(samples[name])))
        compress = data.draw(st.integers(0, 9)) == 0  # gzip one input in ten
        if time.monotonic() < deadline:  # after every draw: hypothesis wants them alike
            one(name, ops, compress)

    while time.monotonic() < deadline:
        batch()
    elapsed = time.monotonic() - start
    _report(fmt, counts, reasons, whole_file, findings, elapsed, limit_s, out)
    return len(findings)


def _report(fmt, counts, reasons, whole_file, findings, elapsed, limit_s, out) -> None:
    n = counts["executions"]
    print(f"fuzz {fmt}: {elapsed:.0f} s, per-input limit {limit_s} s")
    print(
        f"| {'executions':>10} | {'exec/s':>7} | {'ReadResult':>10} | {'InputError':>10} "
        f"| {'rows':>9} | {'findings':>8} |"
    )
    print(
        f"| {n:>10} | {n / elapsed:>7.0f} | {counts['ReadResult']:>10} "
        f"| {counts['InputError']:>10} | {counts['rows']:>9} | {len(findings):>8} |"
    )
    top = ", ".join(f"{r} {c}" for r, c in reasons.most_common(8))
    print(f"rejects by reason: {top}")
    print("InputError by reason: " + ", ".join(f"{r} {c}" for r, c in whole_file.most_common()))
    if findings:
        out.mkdir(parents=True, exist_ok=True)
        for i, (kind, data, detail) in enumerate(findings[:50]):
            (out / f"{kind}-{i}.bin").write_bytes(data)
            (out / f"{kind}-{i}.txt").write_text(detail)
        print(f"findings saved in {out}:")
        for kind, _, detail in findings[:5]:
            print(f"- {kind}: {detail.strip().splitlines()[-1]}")


def main(
    fmt: str,
    read: Callable[..., ReadResult],
    files: list[str],
    extra: dict[str, bytes] | None = None,
) -> None:
    """Command line of ``bench/fuzz_<fmt>.py``: fixtures by name, plus other samples."""
    parser = argparse.ArgumentParser(description=f"Fuzz the {fmt} reader with mutated samples.")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--limit", type=float, default=2.0, help="per-input time limit (s)")
    parser.add_argument("--out", type=Path, default=Path(f"/tmp/fuzz_{fmt}"))
    args = parser.parse_args()
    samples = {}
    for name in files:
        data = (DRONES / name).read_bytes()
        samples[name] = data
        samples[f"{name}[:4096]"] = data[:4096]
    samples.update(extra or {})
    found = run(fmt, read, samples, args.seconds, args.limit, args.out)
    raise SystemExit(1 if found else 0)
