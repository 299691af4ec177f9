"""Fuzz the SBS-1 / BaseStation reader with mutated real logs (hypothesis).

    python bench/fuzz_sbs.py [--seconds 120] [--per-input 2.0] [--seed N]

Seeds are port-30003 logs written from the real readsb trace of the traffic
sample (tests/data/readsb/trace_full_ac671b.json.gz): MSG types 1–8 with CLK,
SEL, ID, AIR and STA lines, as real feeds interleave them. Each input is a
window of 1–400 lines of a seed, mutated by hypothesis (byte flips, inserted
tokens and random bytes, deleted and duplicated ranges, spliced lines, CRLF,
truncation) and sometimes gzip-compressed (and then possibly truncated).

For every input the reader must return a ReadResult or raise InputError —
nothing else — within ``--per-input`` seconds, and the result must reconcile:
every non-blank line is exactly one row or one reject (for a damaged gzip
stream: records 1..n once each), rows have the canonical schema, times in the
accepted window, lat/lon in range and finite numbers. Findings (failing inputs
after shrinking) are written to ``--out`` and the run continues.
Prints executions, executions/s and findings.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import given
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.io.modes import readsb, sbs
from airwitness.schema import FT_TO_M, KT_TO_MPS, POSITION_SCHEMA, ReadResult
from bench._fuzz import Fuzz, byte_mutations, gzipped, mutate, parse_args, sane, time_limit

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "readsb" / "trace_full_ac671b.json.gz"
TOKENS = [
    b",", b"\n", b"\r\n", b"\r", b"MSG,", b"MSG,3,", b"MSG,4,", b"SEL,", b"~", b"-", b".",
    b"nan", b"inf", b"1e999", b"-0", b"99999999999999999999", b"2015/02/30", b"24:00:00",
    b"23:59:60.5", b".1234567891", b"\x00", b"\xff\xfe", b'"', b" ", b"", b"0" * 64,
]  # fmt: skip


def seeds() -> list[list[bytes]]:
    """Port-30003 logs (as lists of lines) written from the real readsb trace."""
    rows = readsb.read(SAMPLE).table.to_pylist()
    lines: list[bytes] = []
    for r in rows:
        t = r["time"]
        ns = int(t.timestamp()) * 10**9 + t.microsecond * 1000
        lines.extend(_messages(r, ns))
    # a second seed: the same aircraft under another address, in local-time-like hours
    other = [ln.replace(b"AC671B", b"~4CA2D6").replace(b",21:", b",05:") for ln in lines[:4000]]
    return [lines, other]


def _messages(r: dict, ns: int) -> list[bytes]:
    def stamp(at: int) -> str:
        t = dt.datetime.fromtimestamp(at // 10**9, tz=dt.UTC)
        day = t.strftime("%Y/%m/%d")
        tod = t.strftime("%H:%M:%S") + f".{at % 10**9 // 10**6:03d}"
        return f"{day},{tod},{day},{tod}"

    def msg(typ: int, at: int, cs="", alt="", gs="", trk="", lat="", lon="", vr="") -> bytes:
        return (
            f"MSG,{typ},111,11111,AC671B,111111,{stamp(at)},{cs},{alt},{gs},{trk},"
            f"{lat},{lon},{vr},,0,0,0,0"
        ).encode()

    def num(v: float | None, scale: float) -> str:
        return "" if v is None else repr(round(v / scale, 6))

    ground = r["alt_kind"] == "agl"
    alt = "" if ground else num(r["alt_m"], FT_TO_M)
    out = []
    if r["callsign"]:
        out.append(msg(1, ns - 10**9, cs=f"{r['callsign']:<8}"))
        out.append(f"ID,111,11111,AC671B,111111,{stamp(ns)},{r['callsign']}".encode())
    out.append(msg(8, ns - 8 * 10**8))
    gs, trk = num(r["ground_speed_mps"], KT_TO_MPS), num(r["track_deg"], 1.0)
    out.append(msg(4, ns - 5 * 10**8, gs=gs, trk=trk, vr=num(r["vrate_mps"], 0.3048 / 60)))
    out.append(msg(2 if ground else 3, ns, alt=alt, lat=repr(r["lat"]), lon=repr(r["lon"])))
    out.append(msg(5, ns + 2 * 10**8, alt=alt))
    if r["source_record"] % 50 == 0:
        out += [f"STA,111,11111,AC671B,111111,{stamp(ns)},OK".encode(), b"AIR,111,11111,AC671B"]
        out.append(f"CLK,,,,,,{stamp(ns)}".encode())
    return out


MUTATION = byte_mutations(TOKENS)


def check(data: bytes, gz_cut: int | None, limit_s: float) -> str:
    """Run the reader on one input; raise AssertionError/Hang on a finding; return an outcome."""
    payload = gzipped(data, gz_cut)
    with time_limit(limit_s):
        try:
            result = sbs.read("fuzz.sbs", io.BytesIO(payload))
        except InputError as e:
            return f"InputError {e.reason.split(' (')[0]!r}"
    assert isinstance(result, ReadResult)
    assert result.table.schema == POSITION_SCHEMA
    seen = sorted(result.table["source_record"].to_pylist() + [r.record for r in result.rejects])
    assert result.records == len(seen)
    damaged = bool(result.rejects) and result.rejects[-1].reason.endswith("gzip data")
    expected = _nonblank(data)
    if damaged:  # the reader saw lines 1..m completely; m + 1 is where the stream broke
        end = result.rejects[-1].record
        expected = [n for n in expected if n < end] + [end]
    assert seen == expected, "records do not reconcile"
    sane(result)
    return "damaged" if damaged else "read"


def _nonblank(data: bytes) -> list[int]:
    return [i for i, ln in enumerate(data.split(b"\n"), start=1) if ln and not ln.isspace()]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, "sbs", 2.0, argv)

    logs = seeds()
    fuzz = Fuzz("sbs", args)

    @given(
        which=st.integers(0, len(logs) - 1),
        start=st.integers(0, 10**9),
        length=st.integers(1, 400),
        crlf=st.booleans(),
        mutations=st.lists(MUTATION, max_size=12),
        gz=st.one_of(st.none(), st.just(-1), st.integers(0, 10**6)),
    )
    def one(which, start, length, crlf, mutations, gz):
        lines = logs[which]
        i = start % len(lines)
        data = b"\n".join(lines[i : i + length]) + b"\n"
        if crlf:
            data = data.replace(b"\n", b"\r\n")
        data = mutate(data, mutations)
        note = f"gzip cut: {gz!r}\n"
        fuzz.trial(data, note, lambda: check(data, gz, args.per_input))

    return fuzz.run(one)


if __name__ == "__main__":
    sys.exit(main())
