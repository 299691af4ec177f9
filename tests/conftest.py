"""Test-wide settings."""

from __future__ import annotations

import os
import tempfile

# Keep the label-index cache of test runs out of the user's home.
os.environ.setdefault("AIRWITNESS_CACHE", tempfile.mkdtemp(prefix="airwitness-test-cache-"))
