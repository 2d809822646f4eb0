import pytest

from reindustry_kb.claims.base import Context
from reindustry_kb.claims.temporal import extract_dates
from reindustry_kb.text.dates import document_month_first
from reindustry_kb.text.normalize import fold


def dates(text: str, **context: object) -> list[tuple[str, str, str, bool, bool]]:
    folded = fold(text, lower=False)
    out = []
    for found in extract_dates(folded.text, Context(**context)):  # type: ignore[arg-type]
        start, end = folded.span_to_original(found.start, found.end)
        f = found.fields
        out.append((text[start:end], f["value"], f["precision"], f["ambiguous"], f["relative"]))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("於2025年9月24日舉行", ("2025年9月24日", "2025-09-24", "day", False, False)),
        ("美國在2025年1月明顯轉折", ("2025年1月", "2025-01", "month", False, False)),
        ("在 2018 年", ("2018 年", "2018", "year", False, False)),
        ("发布于2025年7月14日", ("2025年7月14日", "2025-07-14", "day", False, False)),
        ("二〇二四年", ("二〇二四年", "2024", "year", False, False)),
        ("民國114年3月1日公布", ("民國114年3月1日", "2025-03-01", "day", False, False)),
        ("民国113年", ("民国113年", "2024", "year", False, False)),
        ("114年5月", ("114年5月", "2025-05", "month", False, False)),
        ("published 2025-07-14", ("2025-07-14", "2025-07-14", "day", False, False)),
        ("signed on July 23, 2025", ("July 23, 2025", "2025-07-23", "day", False, False)),
        ("on 23 July 2025", ("23 July 2025", "2025-07-23", "day", False, False)),
        ("since Jan. 2025", ("Jan. 2025", "2025-01", "month", False, False)),
        ("in fiscal year 2025", ("2025", "2025", "year", False, False)),
        ("Date: 06/09/2025", ("06/09/2025", "2025-06-09", "day", True, False)),
        ("Date: 25/09/2025", ("25/09/2025", "2025-09-25", "day", False, False)),
    ],
)
def test_absolute_dates(text: str, expected: tuple[str, str, str, bool, bool]) -> None:
    assert dates(text) == [expected]


def test_relative_years_resolve_against_the_document_date() -> None:
    found = dates("今年投資大增，明年可能更多，去年則持平。Next year too.", doc_date="2025-09-24")
    assert [(f[0], f[1], f[4]) for f in found] == [
        ("今年", "2025", True),
        ("明年", "2026", True),
        ("去年", "2024", True),
        ("Next year", "2026", True),
    ]
    assert dates("今年投資大增") == []  # no document date, nothing to resolve against


def test_ambiguous_dates_follow_the_documents_convention() -> None:
    assert dates("06/09/2025", month_first=False) == [
        ("06/09/2025", "2025-09-06", "day", True, False)
    ]
    assert document_month_first("on 25/12/2024 and 06/09/2025") is False
    assert document_month_first("on 12/25/2024 and 06/09/2025") is True
    assert document_month_first("no numeric dates") is True


@pytest.mark.parametrize(
    "text", ["10 年內", "80 年代", "三十年的高速工業化", "第 2025 號", "價格 2,025 元"]
)
def test_not_dates(text: str) -> None:
    assert dates(text) == []
