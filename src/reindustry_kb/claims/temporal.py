"""Date claims: absolute dates in Chinese and English forms, ROC years, relative years.

Relative expressions (今年, 明年, last year) resolve against the document's date and are marked
`relative`; numeric dates whose day and month could swap (06/09/2025) are marked `ambiguous`
and read by the document's convention.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reindustry_kb.claims.base import Context, Found
from reindustry_kb.dates import _MONTH_RE, MONTHS, iso
from reindustry_kb.numbers import parse_number

_CN_YEAR_DIGITS = "零〇○一二三四五六七八九"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"  # 十二月, 二十四日
_DAY = rf"(?:\s*(?P<day>\d{{1,2}}|{_CN_SMALL})\s*[日号])?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 2025年9月24日, 2025 年 7 月, 二〇二四年, 民国114年3月1日
    (
        "cjk",
        re.compile(
            rf"(?<!\d)(?P<roc>民国\s*)?(?P<year>\d{{4}}|[{_CN_YEAR_DIGITS}]{{4}}|(?<=民国)\s*\d{{2,3}}|"
            rf"(?<![\d.])1[0-4]\d(?=\s*年\s*\d{{1,2}}\s*月))\s*年"
            rf"(?:\s*(?P<month>\d{{1,2}}|{_CN_SMALL})\s*月{_DAY})?"
        ),
    ),
    (
        "iso",
        re.compile(
            r"(?<![\d/.-])(?P<year>(?:19|20)\d\d)[-/.](?P<month>\d{1,2})(?:[-/.](?P<day>\d{1,2}))?(?![\d/.-])"
        ),
    ),
    (
        "numeric",
        _NUMERIC := re.compile(
            r"(?<![\d/])(?P<first>\d{1,2})[/.-](?P<second>\d{1,2})[/.-](?P<year>(?:19|20)\d\d)(?!\d)"
        ),
    ),
    (
        "day_first",
        re.compile(
            rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH_RE})\.?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I
        ),
    ),
    (
        "month_first",
        re.compile(
            rf"\b(?P<month>{_MONTH_RE})\.?\s+(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?(?P<year>(?:19|20)\d\d)\b",
            re.I,
        ),
    ),
    (
        "en_year",
        re.compile(
            r"\b(?:in|since|by|from|until|till|through|before|after|during|of|"
            r"fiscal(?: year)?|FY)\s+"
            r"(?P<year>(?:19|20)\d\d)\b(?!\s*(?:%|percent))",
            re.I,
        ),
    ),
]
_RELATIVE = re.compile(r"今年|明年|去年|前年|后年|本年度|(?P<en>this|next|last)\s+year\b", re.I)
_RELATIVE_OFFSET = {
    "今年": 0,
    "本年度": 0,
    "明年": 1,
    "去年": -1,
    "前年": -2,
    "后年": 2,
    "this": 0,
    "next": 1,
    "last": -1,
}


def extract_dates(text: str, context: Context) -> Iterator[Found]:
    """Dates in folded text, absolute and relative, with their precision."""
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            found = _absolute(kind, m, context)
            if found and not any(found.start < end and start < found.end for start, end in taken):
                taken.append((found.start, found.end))
                yield found
    if context.doc_date:
        year = int(context.doc_date[:4])
        for m in _RELATIVE.finditer(text):
            offset = _RELATIVE_OFFSET[(m["en"] or m.group()).lower()]
            yield Found(
                "date",
                m.start(),
                m.end(),
                {
                    "value": f"{year + offset:04d}",
                    "precision": "year",
                    "ambiguous": False,
                    "relative": True,
                },
            )


def _absolute(kind: str, m: re.Match[str], context: Context) -> Found | None:
    ambiguous = False
    month: int | None
    day: int | None
    if kind == "numeric":
        first, second = int(m["first"]), int(m["second"])
        ambiguous = first <= 12 and second <= 12 and first != second
        month_first = context.month_first if ambiguous else first <= 12
        month, day = (first, second) if month_first else (second, first)
        year = int(m["year"])
    else:
        parsed_year = _year(m["year"], bool(m.groupdict().get("roc")))
        if parsed_year is None:
            return None
        year = parsed_year
        month_text = m.groupdict().get("month")
        month = _small_number(month_text) if month_text else None
        day = _small_number(m["day"]) if m.groupdict().get("day") else None
        if kind == "cjk" and len(m["year"].strip()) <= 3:
            year = year if year > 1911 else year + 1911  # ROC calendar: 114 -> 2025
    value = iso(year, month, day)
    if value is None:
        return None
    precision = "day" if day else "month" if month else "year"
    start = m.start("year") if kind == "en_year" else m.start()
    return Found(
        "date",
        start,
        m.end(),
        {
            "value": value,
            "precision": precision,
            "ambiguous": ambiguous,
            "relative": False,
        },
    )


def _small_number(text: str) -> int | None:
    """A month or day: 7, 十二, or an English month name."""
    if text.isdigit():
        return int(text)
    if text.lower().rstrip(".") in MONTHS:
        return MONTHS[text.lower().rstrip(".")]
    parsed = parse_number(text)
    return int(parsed.value) if parsed else None


def _year(text: str, roc: bool) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text) + (1911 if roc else 0)
    parsed = parse_number(text)  # 二〇二四, digit by digit
    return int(parsed.value) if parsed else None


def document_month_first(text: str) -> bool:
    """Whether the document writes numeric dates month first: decided by its unambiguous ones
    (a first field over 12 means day first); US-style month first when none decide."""
    votes = 0
    for m in _NUMERIC.finditer(text):
        first, second = int(m["first"]), int(m["second"])
        if first > 12 >= second:
            votes -= 1
        elif second > 12 >= first:
            votes += 1
    return votes >= 0
