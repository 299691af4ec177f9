"""Load test of `airwitness serve`: concurrent clients on the crossings endpoint.

    python bench/serve_load.py [--seconds 60] [--clients 50] [--store FILE]
                               [--query "into=IRN"] [--target-p99-ms 250]

Starts the server in its own process on a free loopback port (over a store of
examples/caucasus/* built in a temporary folder unless --store is given), runs
``--clients`` concurrent clients (asyncio + httpx, one connection each), each
sending GET /api/crossings?<query> back to back for ``--seconds`` after a
2-second warm-up, then stops the server. Client and server share this machine
(2 cores, shared with other jobs: the load average is printed before and after).

Prints requests/s, latency percentiles and errors (any status but 200, or a
transport error), and whether the target (p99 <= 250 ms, zero errors) was met;
exits 1 when it was not. Bounded: it always stops after warm-up + --seconds
(+ a 10 s grace for requests in flight).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CAUCASUS = ROOT / "examples" / "caucasus"
FILES = ("opensky_states.csv", "drones.gpx", "helicopter.kml")
WARMUP_S = 2.0


def build_store(folder: Path) -> Path:
    from airwitness import store

    path = folder / "caucasus.duckdb"
    store.ingest([CAUCASUS / f for f in FILES], path)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int) -> subprocess.Popen:
    code = (
        "from pathlib import Path; from airwitness.web import serve; "
        f"serve(Path({str(store)!r}), None, '127.0.0.1', {port}, None, log_level='warning')"
    )
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL)


def _impl(fast: str, plain: str) -> str:
    """What uvicorn picks by default: the fast implementation when it is installed."""
    try:
        __import__(fast)
    except ImportError:
        return plain
    return fast


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def wait_ready(url: str, proc: subprocess.Popen, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(url + "/api/info", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start in time")


async def client(url: str, stop_at: float, count_from: float, lat: list, errors: list) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(limits=limits, timeout=10.0) as http:
        while (now := time.perf_counter()) < stop_at:
            try:
                r = await http.get(url)
                ok = r.status_code == 200 and r.content.startswith(b'{"items":')
                why = None if ok else f"status {r.status_code}"
            except httpx.HTTPError as exc:
                why = type(exc).__name__
            done = time.perf_counter()
            if now >= count_from:
                lat.append(done - now)
                if why is not None:
                    errors.append(why)


async def run_clients(url: str, clients: int, seconds: float) -> tuple[list, list, float]:
    lat: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    count_from = start + WARMUP_S
    stop_at = count_from + seconds
    tasks = [client(url, stop_at, count_from, lat, errors) for _ in range(clients)]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=WARMUP_S + seconds + 10)
    return lat, errors, time.perf_counter() - count_from


def _run(coro):
    """asyncio.run, on uvloop when it is installed (less client CPU on a shared machine)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--store", type=Path, help="an existing store (default: caucasus)")
    parser.add_argument("--query", default="", help="query string, e.g. into=IRN")
    parser.add_argument("--target-p99-ms", type=float, default=250.0)
    args = parser.parse_args()
    if args.seconds <= 0 or args.clients <= 0:
        parser.error("--seconds and --clients must be > 0")

    with tempfile.TemporaryDirectory(prefix="airwitness-load-") as tmp:
        store = args.store or build_store(Path(tmp))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(store, port)
        try:
            wait_ready(base, proc)
            load_before = os.getloadavg()
            url = f"{base}/api/crossings" + (f"?{args.query}" if args.query else "")
            total = httpx.get(url).json()["total"]
            cpu_before = cpu_seconds(proc.pid)
            t0 = time.process_time()
            lat, errors, elapsed = _run(run_clients(url, args.clients, args.seconds))
            client_cpu = time.process_time() - t0
            cpu_after = cpu_seconds(proc.pid)
            load_after = os.getloadavg()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    ms = np.asarray(lat) * 1000
    p50, p90, p99 = (float(np.percentile(ms, q)) for q in (50, 90, 99)) if ms.size else (0, 0, 0)
    met = ms.size > 0 and p99 <= args.target_p99_ms and not errors
    print(f"GET /api/crossings{'?' + args.query if args.query else ''} ({total} crossings/page)")
    print(f"server: uvicorn (http {_impl('httptools', 'h11')}, loop {_impl('uvloop', 'asyncio')})")
    print(
        f"clients {args.clients}, {args.seconds:g} s after {WARMUP_S:g} s warm-up, "
        f"{os.cpu_count()} CPUs, load average before {load_before[0]:.2f}, "
        f"after {load_after[0]:.2f} (1 min)"
    )
    print(
        f"{'requests':>10} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>7}"
    )
    print(
        f"{ms.size:>10} {ms.size / elapsed:>8.0f} {p50:>8.1f} {p90:>8.1f} {p99:>8.1f} "
        f"{(ms.max() if ms.size else 0):>8.1f} {len(errors):>7}"
    )
    if cpu_before is not None and cpu_after is not None and ms.size:
        server_cpu = cpu_after - cpu_before
        print(
            f"CPU over the run (incl. warm-up): server {server_cpu:.1f} s "
            f"({1000 * server_cpu / ms.size:.2f} ms/request), client {client_cpu:.1f} s"
        )
    if errors:
        kinds = {e: errors.count(e) for e in sorted(set(errors))}
        print("errors:", kinds)
    print(f"target p99 <= {args.target_p99_ms:g} ms and zero errors: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
