"""Test-wide settings."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Keep the label-index cache of test runs out of the user's home, and remove it
# at the end (spawned worker processes inherit the variable, not the folder's fate).
if "AIRWITNESS_CACHE" not in os.environ:
    _cache = tempfile.mkdtemp(prefix="airwitness-test-cache-")
    os.environ["AIRWITNESS_CACHE"] = _cache
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)
