"""The progress bars of the commands: on a terminal only."""

from __future__ import annotations

import sys

from airwitness.cli.progress import stages


def test_engine_stages_show_on_a_terminal_only(monkeypatch, capsys):
    """--engine local/dask runs tell their stages to a progress bar on stderr
    when it is a terminal; never when quiet or redirected."""
    with stages(quiet=False) as update:  # pytest's stderr is no terminal
        assert update is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with stages(quiet=True) as update:
        assert update is None
    with stages(quiet=False) as update:
        assert update is not None
        for done in range(4):
            update("reading", done, 3)
        update("crossing", 2, 126)
    err = capsys.readouterr().err
    assert "reading" in err and "crossing" in err  # one bar per stage was drawn
