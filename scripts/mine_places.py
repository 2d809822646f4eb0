"""Write the bilingual place-name table (src/reindustry_kb/data/places.tsv) from Unicode CLDR.

A small multilingual embedder matches a place's name across languages poorly (波多黎各 finds
no `Puerto Rico`), and BM25 not at all: the glossary and the actor table hold 17 countries.
CLDR names every country and territory in English, Simplified and Traditional Chinese (Babel
ships its data; Unicode License). Each line: the English name, then the Chinese names (|
separated), as data/glossary.tsv writes them. A name's special-region form also stands short
(Hong Kong SAR China, 中国香港特别行政区 -> Hong Kong, 香港). Names that are also a common
English word or another place's name are left out (AMBIGUOUS).

    python scripts/mine_places.py [-o src/reindustry_kb/data/places.tsv]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from babel import Locale

OUT = Path(__file__).parents[1] / "src" / "reindustry_kb" / "data" / "places.tsv"
# English names that mostly mean something else in a policy text: a US state (Georgia), a
# common noun (turkey, chad, guinea, jersey), a person's name (Jordan), a region's part.
AMBIGUOUS = {"Georgia", "Turkey", "Türkiye", "Chad", "Guinea", "Jersey", "Jordan", "Niger"}
_SPECIAL = re.compile(r"^(?P<short>.+?) SAR China$")
_SPECIAL_ZH = re.compile(r"^中[国國](?P<short>.+?)特[别別](?:行政)?[区區]$")


def places() -> list[tuple[str, list[str]]]:
    """(English name, Chinese names) for every two-letter CLDR territory, and the EU and UN."""
    english = Locale("en").territories
    chinese = [Locale.parse(tag).territories for tag in ("zh_Hans", "zh_Hant", "zh_Hant_HK")]
    rows = []
    for code in sorted(english):
        if not (len(code) == 2 and code.isalpha()) or code in {"ZZ", "XA", "XB"}:
            continue
        name = english[code]
        if name in AMBIGUOUS:
            continue
        names = list(dict.fromkeys(table[code] for table in chinese if code in table))
        special = _SPECIAL.match(name)
        if special:
            rows.append((special["short"], _short(names)))
        rows += [(english_name, names) for english_name in _written(name)]
    return rows


def _written(name: str) -> list[str]:
    """How a text writes the name: `and` for CLDR's `&`, each of `Myanmar (Burma)`."""
    name = name.replace(" & ", " and ")
    aside = re.fullmatch(r"(?P<name>[^()]+) \((?P<other>[^()]+)\)", name)
    return [aside["name"], aside["other"]] if aside and " " not in aside["other"] else [name]


def _short(names: list[str]) -> list[str]:
    """香港 for 中国香港特别行政区."""
    shorts = [m["short"] for m in map(_SPECIAL_ZH.match, names) if m]
    return list(dict.fromkeys(shorts or names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    lines = [
        "# Places: English name<TAB>Chinese names (| separated), from Unicode CLDR via Babel",
        "# (Unicode License). Written by scripts/mine_places.py; do not edit by hand.",
        *(f"{english}\t{' | '.join(names)}" for english, names in places()),
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 2} places -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
