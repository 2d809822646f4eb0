"""Parse a single date expression (as found in document headers) to ISO form."""

from __future__ import annotations

import re
import unicodedata

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

# Each pattern is anchored to the whole value; the first that matches wins.
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?")
_CJK = re.compile(
    r"(?:民國|民国)?\s*(\d{2,4})\s*年\s*(?:(\d{1,2})\s*月\s*(?:(\d{1,2})\s*[日號号])?)?"
)
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")  # 06/09/2025: order unknown
_MONTH_FIRST = re.compile(
    rf"({_MONTH_RE})\.?\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?(\d{{4}})", re.I
)
_DAY_FIRST = re.compile(rf"(\d{{1,2}})\s+({_MONTH_RE})\.?,?\s+(\d{{4}})", re.I)


def iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """ISO string at the precision given, or None when the fields are out of range."""
    if not 1 <= (month or 1) <= 12 or not 1 <= (day or 1) <= 31 or not 1000 <= year <= 2999:
        return None
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(value: str, month_first: bool = True) -> str | None:
    """ISO date of a header value such as 2025年9月24日, 2025-07-14, 06/09/2025, July 23, 2025.

    `month_first` decides numeric dates whose day and month could swap (06/09/2025).
    """
    text = unicodedata.normalize("NFKC", value).strip()
    if m := _ISO.fullmatch(text):
        return iso(int(m[1]), int(m[2]), int(m[3]) if m[3] else None)
    if m := _CJK.fullmatch(text):
        year = int(m[1])
        if year < 1000:  # ROC calendar: 民國 114 年 is 2025
            year += 1911
        return iso(year, int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)
    if m := _NUMERIC.fullmatch(text):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        if first > 12 or (not month_first and second <= 12):
            first, second = second, first
        return iso(year, first, second)
    if m := _MONTH_FIRST.fullmatch(text):
        return iso(int(m[3]), MONTHS[m[1].lower()], int(m[2]) if m[2] else None)
    if m := _DAY_FIRST.fullmatch(text):
        return iso(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    return None
