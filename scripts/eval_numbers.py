"""Score rkb's numeral, money and date parsers on other projects' test tables.

    python scripts/eval_numbers.py [../shared/external]

Tables (read in place, never copied into the project): cn2an's numeral cases (Chinese numerals to
numbers, and strings that must be refused) and JioNLP's money- and time-parser cases (mostly
Simplified Chinese). Each section reports the cases in scope for rkb and, separately, all of
them, so what is out of scope is visible rather than hidden.
"""

from __future__ import annotations

import calendar
import json
import re
import sys
from pathlib import Path

from reindustry_kb.claims.base import Context
from reindustry_kb.claims.statistics import extract_statistics
from reindustry_kb.claims.temporal import extract_dates
from reindustry_kb.text.normalize import fold
from reindustry_kb.text.numbers import parse_number

# Currencies rkb normalises; colloquial 块/毛/角/分 and other currencies are out of scope.
CURRENCY_UNITS = {
    "元": "CNY",
    "人民币": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "日元": "JPY",
    "港元": "HKD",
    "新台币": "TWD",
    "台币": "TWD",
}
OUT_OF_SCOPE_MONEY = re.compile(r"[块毛角分]|泰铢|卢布|韩元|澳元|日币|以上|以下|小于|不到|含")


def main() -> None:
    root = Path(
        sys.argv[1]
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[2] / "shared/external"
    )
    cn2an = json.loads((root / "cn2an/cn2an_cases.json").read_text(encoding="utf-8"))["cases"]
    money = json.loads((root / "jionlp/money_parser_cases.json").read_text(encoding="utf-8"))
    times = json.loads((root / "jionlp/time_parser_cases.json").read_text(encoding="utf-8"))
    numerals(cn2an)
    money_cases(money["lists"]["money_string_list"])
    time_cases(times["lists"]["time_string_list"])


def report(name: str, good: int, total: int, misses: list[str]) -> None:
    share = good / total if total else 0.0
    print(f"{name:<58} {good:>4}/{total:<4} {share:6.1%}")
    for miss in misses[:6]:
        print(f"    miss: {miss}")


def numerals(cases: dict[str, object]) -> None:
    for table in (
        "cn2an_test.py:strict_data_dict",
        "cn2an_test.py:normal_data_dict",
        "cn2an_test.py:smart_data_dict",
    ):
        data = cases[table]
        assert isinstance(data, dict)
        good, misses = 0, []
        for text, expected in data.items():
            parsed = parse_number(fold(text).text)
            if parsed is not None and abs(parsed.value - float(expected)) < 1e-6:
                good += 1
            else:
                misses.append(f"{text} -> {parsed.value if parsed else None}, expected {expected}")
        report(f"cn2an {table.split(':')[1]} (numeral -> number)", good, len(data), misses)
    refused = [
        text
        for table in ("cn2an_test.py:error_strict_datas", "cn2an_test.py:error_normal_datas")
        for text in cases[table]
    ]  # type: ignore[attr-defined]
    kept = [
        text
        for text in refused
        if isinstance(text, str) and parse_number(fold(text).text) is not None
    ]
    report(
        "cn2an error_*_datas (must be refused)",
        len(refused) - len(kept),
        len(refused),
        [f"{text} was accepted" for text in kept],
    )


def money_cases(cases: list[list[object]]) -> None:
    good_in = total_in = good_all = 0
    misses: list[str] = []
    for text, expected in cases:
        assert isinstance(text, str) and isinstance(expected, dict)
        want = expected["num"]
        low, high = (
            (float(want[0]), float(want[1])) if isinstance(want, list) else (float(want), None)
        )
        folded = fold(text, lower=False).text
        found = list(extract_statistics(folded, Context(lang="zh-Hans")))
        unit = CURRENCY_UNITS.get(expected["case"])
        ok = (
            bool(found)
            and abs(found[0].fields["value"] - low) < 0.01
            and (high is None or (found[0].fields["value_max"] or 0) == high)
            and (unit is None or found[0].fields["unit"] == unit)
        )
        good_all += ok
        # In scope: an exact amount that names a currency rkb normalises (a statistic needs a unit).
        names_currency = any(word in text for word in (*CURRENCY_UNITS, "圆", "港币"))
        in_scope = (
            unit is not None
            and names_currency
            and not OUT_OF_SCOPE_MONEY.search(text)
            and expected["definition"] == "accurate"
        )
        if in_scope:
            total_in += 1
            good_in += ok
            if not ok:
                got = found[0].fields if found else None
                misses.append(f"{text} -> {got}, expected {want} {unit}")
    report("JioNLP money, in scope (accurate amounts, rkb currencies)", good_in, total_in, misses)
    report("JioNLP money, all cases", good_all, len(cases), [])


def _whole_period(start: str, end: str) -> str | None:
    """The ISO value when [start, end] is exactly one calendar day, month or year."""
    if not (start.endswith("00:00:00") and end.endswith("23:59:59")):
        return None
    s, e = start[:10], end[:10]
    if s == e:
        return s
    year, month = int(s[:4]), int(s[5:7])
    if s[5:] == "01-01" and e[5:] == "12-31" and s[:4] == e[:4]:
        return s[:4]
    if s[8:] == "01" and s[:7] == e[:7] and int(e[8:]) == calendar.monthrange(year, month)[1]:
        return s[:7]
    return None


def time_cases(cases: list[list[object]]) -> None:
    good = total = 0
    misses: list[str] = []
    for case in cases:
        text, expected = case[0], case[-1]  # [text, time base, (limit,) expected]
        assert isinstance(text, str) and isinstance(expected, dict)
        times = expected["time"]
        if expected["type"] != "time_point" or not isinstance(times, list):
            continue
        value = _whole_period(str(times[0]), str(times[1]))
        # In scope: absolute calendar dates that name their year (not relative or clock times).
        if value is None or not re.search(r"\d{4}|[〇零一二三四五六七八九]{4}年|\d{2}年", text):
            continue
        total += 1
        found = list(extract_dates(fold(text, lower=False).text, Context()))
        got = found[0].fields["value"] if found else None
        if got == value:
            good += 1
        else:
            misses.append(f"{text} -> {got}, expected {value}")
    report("JioNLP time, in scope (absolute dates naming a year)", good, total, misses)


if __name__ == "__main__":
    main()
