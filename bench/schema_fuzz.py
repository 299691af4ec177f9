"""The long schemathesis run against the web API's OpenAPI schema.

    python bench/schema_fuzz.py [--examples 500]

`make test` runs the same property tests (tests/web/test_schema.py) with a few
examples per operation; this runs them with many, which takes minutes. Every
GET operation is exercised; failures are printed by pytest with the request
that caused them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="examples per operation")
    args = parser.parse_args()
    env = dict(os.environ, AIRWITNESS_SCHEMA_EXAMPLES=str(args.examples))
    test = ROOT / "tests" / "web" / "test_schema.py"
    return subprocess.call([sys.executable, "-m", "pytest", "-q", str(test)], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
