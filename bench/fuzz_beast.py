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

import datetime as dt
import io
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import given
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.io.modes import beast
from airwitness.io.options import ReadOptions
from airwitness.schema import POSITION_SCHEMA, ReadResult
from bench._fuzz import Fuzz, byte_mutations, gzipped, mutate, parse_args, sane, time_limit

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


MUTATION = byte_mutations(TOKENS, max_bytes=24, max_delete=64)


def check(data: bytes, gz_cut: int | None, options: ReadOptions, limit_s: float) -> str:
    """Run the reader on one input; raise on a finding; return the outcome."""
    payload = gzipped(data, gz_cut)
    with time_limit(limit_s):
        try:
            result = beast.read("fuzz.bin", io.BytesIO(payload), options)
        except InputError as e:
            return f"InputError {e.reason.split(':')[0][:60]!r}"
    assert isinstance(result, ReadResult)
    assert result.table.schema == POSITION_SCHEMA
    seen = sorted(result.table["source_record"].to_pylist() + [r.record for r in result.rejects])
    assert seen == list(range(1, result.records + 1)), "records are not 1..n once each"
    offsets = [r.offset for r in result.rejects]
    assert all(o is not None and 0 <= o < max(len(data), 1) for o in offsets)
    sane(result, _TRACK)
    return "rows" if result.table.num_rows else "no rows"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, "beast", 5.0, argv)

    raw = SAMPLE.read_bytes()
    beast.read(SAMPLE, options=OPTIONS[0])  # compile the numba kernels before timing inputs
    fuzz = Fuzz("beast", args)

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
        note = f"gzip cut: {gz!r}\noptions: {OPTIONS[which]!r}\n"
        fuzz.trial(data, note, lambda: check(data, gz, OPTIONS[which], args.per_input))

    return fuzz.run(one)


if __name__ == "__main__":
    sys.exit(main())
