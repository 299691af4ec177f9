"""`airwitness serve`: what it refuses before listening."""

from __future__ import annotations

from tests.cli._cli import run


def test_serve_refuses_to_listen_off_loopback_without_a_token(monkeypatch):
    monkeypatch.delenv("AIRWITNESS_TOKEN", raising=False)
    result = run("serve", "--host", "0.0.0.0")
    assert result.exit_code == 2 and "without a token" in result.stderr
