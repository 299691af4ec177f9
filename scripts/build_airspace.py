"""Build the built-in boundary sets shipped in ``src/airwitness/data/``.

Usage::

    python scripts/build_airspace.py [--set osm|ne10m|all] [options of each set]

- ``osm`` (the default set at run time): OpenStreetMap borders with maritime limits,
  from the npm package ``@osm_borders/maritime_10m`` (ODbL): ``osm.parquet`` and the
  list of every overlap and gap found, ``docs/airspace-osm.md``
  (:mod:`scripts.airspace_osm`);
- ``ne10m``: Natural Earth 5.1.1 1:10m countries (public domain) plus a computed 12 NM
  territorial sea: ``ne10m.parquet`` (:mod:`scripts.airspace_ne10m`).

Each source is fetched (npm pack, pip download) unless given as a file, and checked
against the hashes pinned in its module. Every output is byte-identical on every run
with the same library versions, and records its provenance in its own metadata.
Build-time only: needs pyproj and pyshp (``pip install pyshp``) and, for ``osm``
without ``--tarball``, npm.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import airspace_ne10m
import airspace_osm

BUILDERS = {"osm": airspace_osm, "ne10m": airspace_ne10m}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=[*BUILDERS, "all"], default="all", dest="which")
    for builder in BUILDERS.values():
        builder.add_arguments(parser)
    args = parser.parse_args(argv)
    airspace_ne10m.check_arguments(parser, args)
    for name, builder in BUILDERS.items():
        if args.which in (name, "all"):
            builder.build(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
