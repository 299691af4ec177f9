"""What every benchmark prints about the machine it ran on (figures mean little without it)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine(*extras: str) -> str:
    """CPU model, logical cores, Python and OS; ``extras`` (library versions) are appended."""
    text = (
        f"{_cpu_model()}, {os.cpu_count()} logical cores; Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    return "; ".join([text, *extras])


def _cpu_model() -> str:
    fallback = platform.processor() or "unknown CPU"
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:  # not Linux: platform's answer is the best there is
        return fallback
    for line in lines:
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return fallback
