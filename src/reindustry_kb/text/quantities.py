"""Quantities a text writes with their unit, in any language: 5% and 百分之五, three years and
三年, 30 days and 三十日, two times and 二倍, each read as (value, unit).

A question naming one (`an employee with three years of service`, `once a stake reaches 5%`)
names the condition its answer is set under, and the article holding the same quantity is that
condition's, whichever language either is written in. Calendar years (2024年) are dates, not
spans (text/dates.py); a day of a month (1月1日) is a date too.
"""

from __future__ import annotations

import re

from reindustry_kb.text.numbers import ENGLISH_WORDS, parse_number

_CN = "零〇一二两三四五六七八九十百千"
_NUMBER = rf"(\d+(?:\.\d+)?|[{_CN}]+)"
_WORD = r"(\d+(?:\.\d+)?|" + "|".join(ENGLISH_WORDS) + r")"

# Units, as written after a number (folded text: lower case, Simplified).
_CHINESE_UNITS = {
    "%": "%",
    "年": "year",
    "个月": "month",
    "日": "day",
    "天": "day",
    "工作日": "day",
    "小时": "hour",
    "周": "week",
    "星期": "week",
    "倍": "times",
}
_ENGLISH_UNITS = {
    "percent": "%",
    "per cent": "%",
    "year": "year",
    "month": "month",
    "day": "day",
    "business day": "day",
    "working day": "day",
    "calendar day": "day",
    "hour": "hour",
    "week": "week",
    "time": "times",
}
_CHINESE = re.compile(
    rf"百分之{_NUMBER}|(?<![第哪几每这那同上下前后该本当{_CN}\d.]){_NUMBER}\s*"
    rf"(%|{'|'.join(sorted((u for u in _CHINESE_UNITS if u != '%'), key=len, reverse=True))})"
)
_ENGLISH = re.compile(
    rf"\b{_WORD}(?:\s*\(\d+\))?[\s-]*(%|"
    + "|".join(sorted(_ENGLISH_UNITS, key=len, reverse=True))
    + r")s?\b"
)
# A day after a month is a date (1月1日), as a year of four digits is (2024年). A number after
# 第, 哪, 几, 每, 上, 前 … is an ordinal or a question word (第三條, 哪一年, 上一年).
_DATE_DAY = re.compile(r"月\s*$")


def quantities(folded: str) -> frozenset[tuple[float, str]]:
    """The (value, unit) of each quantity a folded text writes (unit: %, year, month, day,
    hour, week or times)."""
    found: set[tuple[float, str]] = set()
    for match in _CHINESE.finditer(folded):
        if match.group(1) is not None:  # 百分之五
            _add(found, match.group(1), "%")
            continue
        unit = _CHINESE_UNITS[match.group(3)]
        if unit == "day" and _DATE_DAY.search(folded[: match.start()]):
            continue
        _add(found, match.group(2), unit)
    for match in _ENGLISH.finditer(folded):
        _add(found, match.group(1), _ENGLISH_UNITS.get(match.group(2), "%"))
    return frozenset(found)


def _add(found: set[tuple[float, str]], numeral: str, unit: str) -> None:
    if numeral in ENGLISH_WORDS:
        value = float(ENGLISH_WORDS[numeral])
    else:
        parsed = parse_number(numeral)
        if parsed is None:
            return
        value = float(parsed.value)
    if unit != "%" and value >= 1000:  # 2024年: a calendar year, not a span
        return
    found.add((value, unit))
