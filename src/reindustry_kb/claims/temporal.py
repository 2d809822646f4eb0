"""Date claims: absolute dates (the grammar lives in dates.py, shared with headers) and
relative years.

Relative expressions (今年, 明年, last year) resolve against the document's date and are marked
`relative`; numeric dates whose day and month could swap (06/09/2025) are marked `ambiguous`
and read by the document's convention.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reindustry_kb.claims.base import Context, Found
from reindustry_kb.text.dates import find_dates

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
    for date in find_dates(text, context.month_first):
        fields = {"value": date.value, "precision": date.precision, "ambiguous": date.ambiguous}
        yield Found("date", date.start, date.end, {**fields, "relative": False})
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
