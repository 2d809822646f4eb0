"""The date grammar: every written form of a date the project reads, for document headers
and date claims alike, so a header and a claim never read the same date two ways.

Patterns run on folded text (NFKC, Simplified). Numeric dates whose day and month could swap
(06/09/2025) are read by the document's own convention (`document_month_first`) and marked
ambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from reindustry_kb.text.numbers import parse_number

# A year written in digits (1800-2099), not inside a longer number.
_WRITTEN_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def written_years(text: str) -> frozenset[str]:
    """The years a text writes in digits, full-width ones too (２０１７)."""
    return frozenset(_WRITTEN_YEAR.findall(unicodedata.normalize("NFKC", text)))


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))

_CN_YEAR_DIGITS = "零〇○一二三四五六七八九"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"  # 十二月, 二十四日
# An ROC year in Chinese numerals, as Taiwan's laws write it: 八十九, 一百零五, 一百十三.
_CN_UNIT = "[一二三四五六七八九]"
_CN_AFTER_HUNDRED = rf"(?:零{_CN_UNIT}|{_CN_UNIT}?十{_CN_UNIT}?)"
_CN_ROC_YEAR = rf"(?:一百{_CN_AFTER_HUNDRED}?|[二三四五六七八九]?十{_CN_UNIT}?|{_CN_UNIT})"
_DAY = rf"(?:\s*(?P<day>\d{{1,2}}|{_CN_SMALL})\s*[日号])?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 2025年9月24日, 2025 年 7 月, 二〇二四年, 民国114年3月1日, 中华民国一百零五年十二月六日
    (
        "cjk",
        re.compile(
            rf"(?<!\d)(?P<roc>(?:中华)?民国\s*)?(?P<year>\d{{4}}|[{_CN_YEAR_DIGITS}]{{4}}|(?<=民国)\s*\d{{2,3}}|"
            rf"(?<=民国)\s*{_CN_ROC_YEAR}|"
            rf"(?<![\d.])1[0-4]\d(?=\s*年\s*\d{{1,2}}\s*月)|"
            # 自一百零六年一月一日施行: a year of a hundred and more with its month is ROC too
            rf"(?<![{_CN_YEAR_DIGITS}十百千万])一百{_CN_AFTER_HUNDRED}?(?=\s*年\s*{_CN_SMALL}\s*月))\s*年"
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
        NUMERIC := re.compile(
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
            r"\b(?:in|since|by|from|until|till|through|before|after|during|"
            r"fiscal(?: year)?|FY)\s+"
            r"(?P<year>(?:19|20)\d\d)\b(?!\s*(?:%|percent))",
            re.I,
        ),
    ),
    # After `for` or `of` a number as often counts what follows it (for 2000 employees, a
    # staff of 1950 people): a year only where no word it could count follows (subsidies for
    # 2026, the Trade Act of 1974 in 2018, for 2015 or beyond).
    (
        "en_year",
        re.compile(
            r"\b(?:for|of)\s+(?P<year>(?:19|20)\d\d)\b(?!\s*(?:%|percent))"
            r"(?!\s+(?!(?:and|or|to|in|on|at|by|for|from|through|until|with|when|while|"
            r"alone|only|onwards?|as|compared|versus|vs|than|was|were|is|are|will|would|had|has|"
            r"came|rose|fell|grew|stood|reached|totall?ed|amounted|remained)\b)(?-i:[a-z]))",
            re.I,
        ),
    ),
]


def iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """ISO string at the precision given, or None when the fields are out of range."""
    if not 1 <= (month or 1) <= 12 or not 1 <= (day or 1) <= 31 or not 1000 <= year <= 2999:
        return None
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    value: str  # YYYY-MM-DD, YYYY-MM or YYYY
    precision: str  # day | month | year
    ambiguous: bool


def find_dates(folded: str, month_first: bool = True) -> Iterator[DateMatch]:
    """Absolute dates in folded text; where two readings overlap, the earlier pattern wins."""
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            found = _read(kind, m, month_first)
            if found and not any(found.start < end and start < found.end for start, end in taken):
                taken.append((found.start, found.end))
                yield found


_ROC_YEAR_ONLY = re.compile(r"(?:民国)?\s*(\d{2,3})\s*年")


def parse_date(value: str, month_first: bool = True) -> str | None:
    """ISO date of a whole header value such as 2025年9月24日, 2025-07-14, 06/09/2025,
    July 23, 2025, 民國114年; None when the value is not just a date."""
    from reindustry_kb.text.normalize import fold

    text = fold(value, lower=False).text.strip()
    for found in find_dates(text, month_first):
        if found.start == 0 and found.end == len(text):
            return found.value
    # A header may give a bare ROC year (114年); in running text that could be a duration.
    if m := _ROC_YEAR_ONLY.fullmatch(text):
        return iso(int(m[1]) + 1911)
    return None


def _read(kind: str, m: re.Match[str], month_first: bool) -> DateMatch | None:
    ambiguous = False
    month: int | None
    day: int | None
    if kind == "numeric":
        first, second = int(m["first"]), int(m["second"])
        ambiguous = first <= 12 and second <= 12 and first != second
        first_is_month = month_first if ambiguous else first <= 12
        month, day = (first, second) if first_is_month else (second, first)
        year = int(m["year"])
    else:
        parsed_year = _year(m["year"], bool(m.groupdict().get("roc")))
        if parsed_year is None:
            return None
        year = parsed_year
        month_text = m.groupdict().get("month")
        month = small_number(month_text) if month_text else None
        day = small_number(m["day"]) if m.groupdict().get("day") else None
        if kind == "cjk" and year < 1000:
            year += 1911  # ROC calendar: 114 -> 2025 (only the ROC forms read a year < 1000)
    value = iso(year, month, day)
    if value is None:
        return None
    precision = "day" if day else "month" if month else "year"
    start = m.start("year") if kind == "en_year" else m.start()
    return DateMatch(start, m.end(), value, precision, ambiguous)


def small_number(text: str) -> int | None:
    """A month or day: 7, 十二, 二十一, or an English month name."""
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
    for m in NUMERIC.finditer(text):
        first, second = int(m["first"]), int(m["second"])
        if first > 12 >= second:
            votes -= 1
        elif second > 12 >= first:
            votes += 1
    return votes >= 0
