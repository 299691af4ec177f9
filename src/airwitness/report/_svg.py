"""Small, deterministic building blocks for the report's inline SVG.

Every number that reaches the page goes through a fixed format here, so the
same investigation always gives the same bytes.
"""

from __future__ import annotations

import itertools
import math
from html import escape

import numpy as np

from airwitness.times import utc_datetime

SVG_NS = "http://www.w3.org/2000/svg"

#: Covered fraction 0 → 0.5 → 1: red (blind), yellow, green (seen).
_RAMP = ((0.0, (0xE3, 0x6B, 0x5B)), (0.5, (0xFD, 0xDC, 0x86)), (1.0, (0x1A, 0x98, 0x50)))
RAMP_LEVELS = 11  # fractions are shown in steps of 10 %

_MIN_NS = 60 * 10**9
_TIME_STEPS_NS = [
    s * _MIN_NS
    for s in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 7 * 1440, 14 * 1440)
]


def esc(text: object) -> str:
    """HTML-escape any value (quotes too: the same text may sit in an attribute)."""
    return escape("" if text is None else str(text), quote=True)


def num(value: float, digits: int = 1) -> str:
    """Fixed-precision number without a trailing ``.0`` or a negative zero."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _tenths(v: int) -> str:
    sign = "-" if v < 0 else ""
    a = abs(v)
    return f"{sign}{a // 10}.{a % 10}" if a % 10 else f"{sign}{a // 10}"


def path_d(xy: np.ndarray, *, closed: bool = False) -> str:
    """SVG path data of one polyline at 0.1 px: absolute start, relative steps.

    Steps are differences of the rounded coordinates, so no rounding error
    accumulates along the line; repeated points are dropped.
    """
    q = np.rint(np.asarray(xy, dtype=np.float64) * 10).astype(np.int64)
    if len(q) == 0:
        return ""
    d = np.diff(q, axis=0)
    d = d[(d != 0).any(axis=1)]
    head = f"M{_tenths(int(q[0, 0]))},{_tenths(int(q[0, 1]))}"
    if len(d) == 0:
        return head + ("z" if closed else "h0")
    steps = " ".join(f"{_tenths(int(a))},{_tenths(int(b))}" for a, b in d.tolist())
    return f"{head}l{steps}{'z' if closed else ''}"


def ramp(fraction: float) -> str:
    """Hex colour of a covered fraction on the coverage ramp."""
    f = min(1.0, max(0.0, float(fraction)))
    for (f0, c0), (f1, c1) in itertools.pairwise(_RAMP):
        if f <= f1:
            w = (f - f0) / (f1 - f0)
            rgb = [round(a + (b - a) * w) for a, b in zip(c0, c1, strict=True)]
            return "#" + "".join(f"{v:02x}" for v in rgb)
    return "#" + "".join(f"{v:02x}" for v in _RAMP[-1][1])


def ramp_level(fraction: float) -> int:
    """The ramp step (0 … RAMP_LEVELS-1) a fraction is drawn with."""
    return round(min(1.0, max(0.0, float(fraction))) * (RAMP_LEVELS - 1))


def iso(ns: int, *, seconds: bool = True) -> str:
    """A time for a chart or map label: to the second, or to the minute."""
    return utc_datetime(ns).strftime("%Y-%m-%dT%H:%M:%SZ" if seconds else "%Y-%m-%d %H:%MZ")


def nice_step(span: float, target: int) -> float:
    """A 1-2-5 step giving about ``target`` intervals over ``span``."""
    if not span > 0:
        return 1.0
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round-valued ticks within [lo, hi]."""
    step = nice_step(hi - lo, target)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [round(k * step, 10) for k in range(first, last + 1)]


def decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0


def time_ticks(t0_ns: int, t1_ns: int, target: int = 6) -> tuple[list[int], int]:
    """UTC-aligned ticks (whole minutes, hours or days) and the step in ns."""
    span = max(1, t1_ns - t0_ns)
    step = next((s for s in _TIME_STEPS_NS if span / s <= target), _TIME_STEPS_NS[-1])
    while span / step > target:
        step *= 2
    first = -(-t0_ns // step) * step
    return list(range(first, t1_ns + 1, step)), step


def time_labels(values: list[int], step_ns: int) -> list[tuple[str, str]]:
    """(main, sub) text for each tick: the time, and the date where it changes."""
    out = []
    last_day = None
    for ns in values:
        t = utc_datetime(ns)
        day = t.strftime("%Y-%m-%d")
        if step_ns >= 1440 * _MIN_NS:
            out.append((t.strftime("%m-%d"), t.strftime("%Y") if day[:4] != last_day else ""))
            last_day = day[:4]
            continue
        out.append((t.strftime("%H:%M"), day if day != last_day else ""))
        last_day = day
    return out


def svg_open(width: float, height: float, label: str, cls: str = "") -> str:
    """An inline SVG scaled to its container's width."""
    attr = f' class="{cls}"' if cls else ""
    return (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {num(width)} {num(height)}"'
        f' width="{num(width)}" height="{num(height)}" role="img"'
        f' aria-label="{esc(label)}"{attr}>'
    )


def text(x: float, y: float, body: str, cls: str = "", anchor: str = "") -> str:
    a = f' text-anchor="{anchor}"' if anchor else ""
    c = f' class="{cls}"' if cls else ""
    return f'<text x="{num(x)}" y="{num(y)}"{c}{a}>{esc(body)}</text>'
