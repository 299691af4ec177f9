"""The web app of ``airwitness serve``: a map, tracks, crossings, coverage and cases.

>>> from pathlib import Path
>>> from airwitness.web import create_app, serve  # doctest: +SKIP
>>> app = create_app(Path("case.duckdb"), None, None)  # doctest: +SKIP
>>> serve(Path("case.duckdb"), None, "127.0.0.1", 8750, None)  # doctest: +SKIP

See docs/web.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["create_app", "serve"]

if TYPE_CHECKING:
    from airwitness.web.app import create_app
    from airwitness.web.server import serve


def __getattr__(name: str) -> Any:
    # FastAPI and uvicorn load only when the web app is used, not on `import airwitness`.
    if name == "create_app":
        from airwitness.web.app import create_app

        return create_app
    if name == "serve":
        from airwitness.web.server import serve

        return serve
    raise AttributeError(name)
