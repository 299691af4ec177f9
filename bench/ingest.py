"""Ingest throughput: raw Mode S decoding (and, later, the store) against the packages themselves.

    python bench/ingest.py [--messages 1000000] [--peer-messages 100000] [--dir DIR] [--keep]

Section ``decode``: a large file of timestamped raw messages is made by
repeating the real pyModeS 2.22.0 sample (tests/data/modes_raw/sample_data_adsb.csv,
2,000 DF 17 messages of 406b90) with shifted times, each copy as another
aircraft (address changed, parity recomputed; copies start 2 s apart, so
about 400 aircraft are in the air at once), merged in time order, in the
sample's own header-less CSV layout. Then, on the same messages:

- airwitness: ``airwitness.io.modes.modes_raw.read(path)`` — CSV parsing, checks,
  rs1090 decoding, CPR resolution, velocity/callsign attachment and the
  canonical table with every reject;
- rs1090, file to positions: the same file read with pyarrow.csv and handed
  to ``rs1090.decode(messages, timestamps)``, which also resolves CPR
  positions — what calling the decoder package directly costs;
- rs1090, decode only: ``rs1090.decode`` on messages already in memory;
- pyModeS ``PipeDecoder`` (stateful, pure Python) on the first
  ``--peer-messages`` messages (throughput compared, not totals).

Prints one table: time, messages/s, positions found, and airwitness's
throughput ratio to each peer (the target is ≥ 0.8 against rs1090). Every
tool runs on this machine in the same run; figures vary by ±20 % on a shared
machine. Sections are listed in ``SECTIONS``; a store-ingest section can be
added there.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyModeS
import rs1090

from airwitness.io.modes import _messages, modes_raw
from bench._common import machine

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "modes_raw" / "sample_data_adsb.csv"
SPREAD_S = 2  # start of each copy after the previous one


@dataclass
class Row:
    section: str
    tool: str
    messages: int
    seconds: float
    found: int  # positions decoded
    note: str = ""

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


def rs1090_version() -> str:
    from importlib.metadata import version

    return version("rs1090")


# --- section: decode -------------------------------------------------------


def make_raw_file(path: Path, messages: int) -> int:
    """The sample repeated as many aircraft, interleaved in time order; returns the count.

    Copy k is the same flight by another aircraft (address 406b90 + 271·k, parity
    recomputed) starting ``SPREAD_S``·k seconds later, so about 400 aircraft
    are received at once, as a busy receiver sees them. Within a copy the
    real repetitions remain (identical identification and velocity frames).
    """
    lines = SAMPLE.read_text().splitlines()
    t = np.array([int(x.split(",")[0]) for x in lines], dtype=np.int64)
    tc = [x.split(",")[3] for x in lines]
    frames, _ = _messages.hex_frames(pa.array([x.split(",")[1].strip('"') for x in lines]))
    copies = -(-messages // len(lines))
    all_t, all_frames, all_tc = [], [], []
    for k in range(copies):
        f = frames.copy()
        icao = (0x406B90 + 271 * k) & 0xFFFFFF
        f[:, 1:4] = np.frombuffer(icao.to_bytes(3, "big"), dtype=np.uint8)
        f[:, 11:14] = 0
        parity = _messages.crc_residual(f, 14)
        f[:, 11] = parity >> 16
        f[:, 12] = (parity >> 8) & 0xFF
        f[:, 13] = parity & 0xFF
        all_t.append(t + k * SPREAD_S)
        all_frames.append(f)
        all_tc += tc
    times = np.concatenate(all_t)
    order = np.argsort(times, kind="stable")[:messages]
    stacked = np.concatenate(all_frames)[order]
    hexes = stacked.tobytes().hex().upper()
    with open(path, "w") as out:
        for j, i in enumerate(order.tolist()):
            h = hexes[28 * j : 28 * j + 28]
            out.write(f'{times[i]},"{h}","{h[2:8]}",{all_tc[i]}\n')
    return len(order)


def _rs1090_file(path: Path) -> tuple[int, int]:
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=["t", "msg", "icao", "tc"]),
        convert_options=pacsv.ConvertOptions(
            column_types={"t": pa.float64(), "msg": pa.string()}, include_columns=["t", "msg"]
        ),
    )
    msgs = table["msg"].to_pylist()
    ts = table["t"].to_pylist()
    out = rs1090.decode(msgs, ts)
    return len(msgs), sum(1 for d in out if "latitude" in d)


def decode_section(args: argparse.Namespace, workdir: Path) -> list[Row]:
    path = workdir / "raw_messages.csv"
    n = make_raw_file(path, args.messages)
    size_mb = path.stat().st_size / 1e6
    modes_raw.read(SAMPLE)  # compile/load numba kernels, import everything before timing
    rows: list[Row] = []

    t0 = time.perf_counter()
    result = modes_raw.read(path)
    rows.append(
        Row("decode", "airwitness modes_raw.read", n, time.perf_counter() - t0,
            result.table.num_rows, f"file {size_mb:.0f} MB, {len(result.rejects):,} rejects")
    )  # fmt: skip
    del result

    t0 = time.perf_counter()
    count, found = _rs1090_file(path)
    rows.append(
        Row("decode", "rs1090: pyarrow.csv + decode(msgs, ts)", count,
            time.perf_counter() - t0, found, "file to positions")
    )  # fmt: skip

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=["t", "msg", "icao", "tc"]),
        convert_options=pacsv.ConvertOptions(
            column_types={"t": pa.float64(), "msg": pa.string()}, include_columns=["t", "msg"]
        ),
    )
    msgs, ts = table["msg"].to_pylist(), table["t"].to_pylist()
    del table
    t0 = time.perf_counter()
    out = rs1090.decode(msgs, ts)
    rows.append(
        Row("decode", "rs1090: decode(msgs, ts) only", n, time.perf_counter() - t0,
            sum(1 for d in out if "latitude" in d), "messages already in memory")
    )  # fmt: skip
    del out

    m = min(args.peer_messages, n)
    pipe = pyModeS.PipeDecoder()
    t0 = time.perf_counter()
    found = sum(
        1
        for msg, t in zip(msgs[:m], ts[:m], strict=True)
        if pipe.decode(msg, timestamp=t).get("latitude") is not None
    )
    rows.append(
        Row("decode", "pyModeS PipeDecoder", m, time.perf_counter() - t0, found,
            f"first {m:,} messages")
    )  # fmt: skip
    return rows


#: (name, function) of every section, run in order.
SECTIONS: list[tuple[str, Callable[[argparse.Namespace, Path], list[Row]]]] = [
    ("decode", decode_section),
]


def print_table(rows: list[Row]) -> None:
    ours = {r.section: r for r in rows if r.tool.startswith("airwitness")}
    print(
        f"{'section':8} {'tool':40} {'messages':>10} {'seconds':>8} {'msg/s':>10} "
        f"{'positions':>10} {'aw ratio':>9}  note"
    )
    for r in rows:
        base = ours.get(r.section)
        ratio = "" if base is None or base is r else f"{base.rate / r.rate:8.2f}x"
        print(
            f"{r.section:8} {r.tool:40} {r.messages:10,} {r.seconds:8.2f} {r.rate:10,.0f} "
            f"{r.found:10,} {ratio:>9}  {r.note}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--peer-messages", type=int, default=100_000)
    p.add_argument("--dir", type=Path, default=None, help="work directory (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the generated files")
    p.add_argument("--sections", default=",".join(name for name, _ in SECTIONS))
    args = p.parse_args(argv)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="airwitness-ingest-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(machine(f"rs1090 {rs1090_version()}", f"pyModeS {pyModeS.__version__}"))
    rows: list[Row] = []
    try:
        wanted = set(args.sections.split(","))
        for name, section in SECTIONS:
            if name in wanted:
                rows += section(args, workdir)
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
