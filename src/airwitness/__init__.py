"""airwitness: sovereign-airspace crossings from surveillance data and flight logs."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Airspace", "__version__"]


def __getattr__(name: str):  # lazy: keep `import airwitness` cheap for the CLI
    if name == "Airspace":
        from airwitness.airspace import Airspace

        return Airspace
    raise AttributeError(name)
