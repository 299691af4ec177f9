"""Fuzz the ASTERIX reader with mutated real captures (hypothesis-driven).

Run alone: ``python bench/fuzz_asterix.py --seconds 120``.

Inputs are the asterix-decoder sample captures in tests/data/asterix/ plus two
small hand-encoded streams (CAT021; CAT048 + CAT034), mutated by hypothesis
(bit flips, byte writes, truncation, deletions, duplications, splices). Each
input goes to ``airwitness.io.radar.asterix.read``, which must return a ReadResult
whose counts reconcile (records 1..N each once, offsets inside the file,
positions and times in range) or raise InputError; anything else is a
finding. The fuzzing runs in a child process watched by this one, so that a
crash inside the C decoder (SIGSEGV) or a hang (no progress for
``--input-timeout`` seconds) is caught, the input saved, and a new child
started. Findings are written to ``--out`` (default: a temporary folder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing as mp
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data" / "asterix"
MAX_INPUT = 1 << 16
CAT021 = bytes.fromhex(
    "1500478b11432980010254604010c1481c0313bc4c4b1a2c168005797f60080040004d74b1cb3820891001"
    "025460804b1a2c8b1140010254618010d159e20320feddabcdef00a0"
)
CAT048_034 = bytes.fromhex(
    "30002ed51007090032003200200004b00011d580070900320d3c00400003203c4b5ad4070900321a4600"
    "60000190220013e110070901003280012c2000000b0000"
)


def seeds() -> list[bytes]:
    files = sorted(SAMPLES.glob("*.pcap")) + sorted(SAMPLES.glob("*.raw"))
    return [f.read_bytes() for f in files] + [CAT021, CAT048_034, CAT021 + CAT048_034]


def check(data: bytes, result) -> str | None:
    """Why the result breaks the reader's contract, or None."""
    import numpy as np

    from airwitness.schema import POSITION_SCHEMA

    if result.table.schema != POSITION_SCHEMA:
        return "schema differs"
    seen = result.table["source_record"].to_pylist() + [r.record for r in result.rejects]
    if sorted(seen) != list(range(1, len(seen) + 1)):
        return "records are not 1..N each once"
    if any(r.offset is None or not 0 <= r.offset < max(1, len(data)) for r in result.rejects):
        return "reject offset outside the file"
    lat = result.table["lat"].to_numpy()
    lon = result.table["lon"].to_numpy()
    if not (np.all(np.abs(lat) <= 90) and np.all(np.abs(lon) <= 180)):
        return "position out of range"
    t = result.table["time"].cast("int64").to_numpy()
    if len(t) and (t.min() < 631_152_000 * 10**9 or t.max() >= 4_102_444_800 * 10**9):
        return "time out of range"
    return None


def worker(args, shared, length, executions, started, findings) -> None:
    """Child: run hypothesis batches until the deadline, publishing each input first."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    from airwitness.errors import InputError
    from airwitness.io.options import ReadOptions
    from airwitness.io.radar import asterix

    corpus = seeds()
    sensors = Path(tempfile.mkdtemp()) / "sensors.csv"
    sensors.write_text("sac,sic,lat,lon,alt_m\n25,13,45.1,15.2,300\n7,10,44,16,50\n")

    @st.composite
    def mutated(draw) -> bytes:
        data = bytearray(draw(st.sampled_from(corpus)))
        for _ in range(draw(st.integers(0, 8))):
            if not data:
                break
            op = draw(st.sampled_from(["flip", "flip", "byte", "cut", "drop", "dup", "splice"]))
            i = draw(st.integers(0, len(data) - 1))
            if op == "flip":
                data[i] ^= 1 << draw(st.integers(0, 7))
            elif op == "byte":
                data[i] = draw(st.sampled_from([0, 1, 2, 3, 21, 34, 48, 62, 65, 0x80, 0xFF]))
            elif op == "cut":
                del data[i:]
            elif op == "drop":
                del data[i : i + draw(st.integers(1, 64))]
            elif op == "dup":
                data[i:i] = data[i : i + draw(st.integers(1, 256))]
            else:
                other = draw(st.sampled_from(corpus))
                j = draw(st.integers(0, len(other)))
                data[i:] = other[j:]
        return bytes(data[:MAX_INPUT])

    deadline = args.deadline

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated(), st.booleans(), st.booleans())
    def one(data: bytes, with_date: bool, with_sensors: bool) -> None:
        if time.time() > deadline:
            return
        shared[: len(data)] = data
        length.value = len(data)
        started.value = time.time()
        options = ReadOptions(
            date=dt.date(2016, 5, 5) if with_date else None,
            sensors=sensors if with_sensors else None,
        )
        try:
            result = asterix.read("fuzz.bin", stream=io.BytesIO(data), options=options)
            problem = check(data, result)
        except InputError:
            problem = None
        except Exception:  # a finding: reported with its input, fuzzing goes on
            problem = traceback.format_exc(limit=4)
        started.value = 0.0
        executions.value += 1
        if problem is not None:
            findings.put(("exception", problem, data))

    while time.time() < deadline:
        one()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--input-timeout", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=None, help="folder for findings")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="fuzz_asterix-"))
    out.mkdir(parents=True, exist_ok=True)
    args.deadline = time.time() + args.seconds
    ctx = mp.get_context("fork")
    shared = ctx.RawArray("B", MAX_INPUT)
    length, executions = ctx.RawValue("i", 0), ctx.RawValue("q", 0)
    started = ctx.RawValue("d", 0.0)
    findings: mp.Queue = ctx.Queue()
    kinds: dict[str, int] = {}
    saved = 0
    children = 0

    def save(kind: str, text: str, data: bytes) -> None:
        nonlocal saved
        saved += 1
        kinds[kind] = kinds.get(kind, 0) + 1
        (out / f"{kind}-{saved:03d}.bin").write_bytes(data)
        (out / f"{kind}-{saved:03d}.txt").write_text(text)

    begin = time.time()
    while time.time() < args.deadline:
        child = ctx.Process(
            target=worker, args=(args, shared, length, executions, started, findings)
        )
        child.start()
        children += 1
        while child.is_alive():
            child.join(0.2)
            while not findings.empty():
                save(*findings.get())
            t0 = started.value
            if t0 and time.time() - t0 > args.input_timeout:
                child.kill()
                child.join()
                save(
                    "hang", f"no result after {args.input_timeout} s", bytes(shared[: length.value])
                )
                break
        else:
            if child.exitcode != 0:
                data = bytes(shared[: length.value])
                save("crash", f"child exit code {child.exitcode}", data)
                executions.value += 1
    while not findings.empty():
        save(*findings.get())
    elapsed = time.time() - begin
    n = executions.value
    print(f"{'reader':<10} {'seconds':>8} {'executions':>11} {'exec/s':>8} {'findings':>9}")
    print(f"{'asterix':<10} {elapsed:8.1f} {n:11d} {n / elapsed:8.1f} {saved:9d}")
    print(f"child processes: {children}; findings by kind: {kinds or 'none'}; saved in {out}")
    return 1 if saved else 0


if __name__ == "__main__":
    sys.path.insert(0, os.fspath(ROOT / "src"))
    sys.exit(main())
