"""Parts of a year a figure is stated for: a quarter, a half or a month named beside it.

A statistic's period (claims/context.py) is a date claim of its clause, a fiscal year or a
duration: `2025`, `2025-09`, `P10Y`. Quarters and halves are no dates (Q3 2025, 第三季,
2025年上半年, the second quarter), and a month without a day is often written as a noun (9 月
單月, in September alone). Two sources' figures for the second quarter compare; a figure for
the second quarter and one for the year, or for another quarter, do not. The year is the
stated period's when it gives one, else the document's (a briefing on "the second quarter"
speaks of its own year).
"""

from __future__ import annotations

import re

from reindustry_kb.text.dates import MONTHS
from reindustry_kb.text.normalize import fold_text

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
    "一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
# In folded text (Simplified, lower case). A month with a day is a date, and a day is no part
# of a year the way a month is: 9 月 5 日 is left to the date claims.
_PART = re.compile(
    r"(?P<quarter>"
    r"\bq(?P<q1>[1-4])\b"
    r"|\b(?P<q2>[1-4])q(?:\d\d)?\b"
    r"|\b(?P<q3>first|second|third|fourth|1st|2nd|3rd|4th)[ -]quarter"
    r"|第\s*(?P<q4>[一二三四1-4])\s*季(?:度)?"
    r"|(?P<q5>[一二三四])\s*季度"
    r")"
    r"|(?P<half>"
    r"\bh(?P<h1>[12])\b"
    r"|\b(?P<h2>first|second)[ -]half"
    r"|(?P<h3>上|下)半年"
    r")"
    r"|(?P<month>"
    rf"\b(?P<m1>{_MONTH_NAMES})\b\.?(?!\s*\d{{1,2}}\b)"
    r"|(?<![\d.])(?P<m2>1[0-2]|0?[1-9])\s*月(?!\s*\d{1,2}\s*[日号])(?!份?\s*[以之]?[前后内])"
    r")"
)
# Other figures of the clause (years aside: 2025 is the period, not a figure).
_NUMBER = re.compile(r"(?<![\d.,])(?!(?:19|20)\d\d(?![\d.,]))\d[\d.,]*")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def year_part(text: str, start: int, end: int | None = None) -> str | None:
    """The quarter (Q2), half (H1) or month (09) named in `text` (a figure's clause) for the
    figure at [start, end): the part nearest it, unless another figure stands nearer that part
    (3.0% in Q2 after 2.5% in the first quarter: Q1 is the 2.5 %'s)."""
    end = start if end is None else end
    folded = fold_text(text)
    aligned = len(folded) == len(text)
    parts = []
    for match in _PART.finditer(folded):
        # may and mar are words too: an English month counts written as a name (May)
        if match["m1"] and aligned and not text[match.start("m1")].isupper():
            continue
        part = _part(match)
        if part is not None:
            parts.append((match.start(), match.end(), part))
    numbers = [
        (m.start(), m.end())
        for m in _NUMBER.finditer(folded)
        if not any(s <= m.start() < e for s, e, _ in parts)
    ]
    found = []
    for p_start, p_end, part in parts:
        distance = _gap((p_start, p_end), (start, end))
        if any(
            _gap((p_start, p_end), n) < distance
            for n in numbers
            if not start <= n[0] < max(end, start + 1)
        ):
            continue
        found.append((distance, part))
    return min(found)[1] if found else None


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


def _part(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    if match["quarter"]:
        word = next(groups[k] for k in ("q1", "q2", "q3", "q4", "q5") if groups[k])
        return f"Q{_ORDINALS[word]}"
    if match["half"]:
        word = next(groups[k] for k in ("h1", "h2", "h3") if groups[k])
        return "H1" if word in ("1", "first", "上") else "H2"
    if match["m1"]:
        return f"{MONTHS[match['m1']]:02d}"
    if match["m2"]:
        return f"{int(match['m2']):02d}"
    return None


def part_period(period: str | None, part: str | None, document_date: str | None) -> str | None:
    """The period a figure is compared at: `period` (a year, a date, a duration) refined by
    the part of a year named beside it (2025-Q2), the year the document's when the period
    gives none. A period finer than a year already (2025-09) stands."""
    if part is None:
        return period
    if period and re.fullmatch(r"\d{4}-\d\d(?:-\d\d)?", period):
        return period
    year = None
    if period and re.fullmatch(r"\d{4}", period):
        year = period
    elif period is None and document_date:
        found = _YEAR.search(document_date)
        year = found.group(1) if found else None
    if year is None:
        return period
    return f"{year}-{part}"


def span_months(period: str | None) -> int | None:
    """How many months a period covers: a year 12, a half 6, a quarter 3, a month 1, a
    duration its length; None for a day or what is not read (a stock at a date, say)."""
    if not period:
        return None
    if re.fullmatch(r"\d{4}", period):
        return 12
    if re.fullmatch(r"\d{4}-H[12]", period):
        return 6
    if re.fullmatch(r"\d{4}-Q[1-4]", period):
        return 3
    if re.fullmatch(r"\d{4}-\d\d", period):
        return 1
    duration = re.fullmatch(r"P(\d+)([YM])", period)
    if duration:
        return int(duration[1]) * (12 if duration[2] == "Y" else 1)
    return None
