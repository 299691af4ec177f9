"""``python -m airwitness.cli``: the same as the ``airwitness`` command."""

from airwitness.cli.main import app

app()
