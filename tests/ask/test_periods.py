"""The parts of a year a figure is stated for (quarters, halves, months named beside it), the
period it is compared at, and how long a period is."""

import pytest

from reindustry_kb.ask.periods import part_period, span_months, year_part


@pytest.mark.parametrize(
    ("text", "figure", "part"),
    [
        ("Second-quarter GDP was revised up to 3.8%", "3.8%", "Q2"),
        ("the economy grew at a 3.0% annual rate in the second quarter", "3.0%", "Q2"),
        ("Q3 2025 revenue of $5 billion", "$5 billion", "Q3"),
        ("第三季經濟成長率為 4%", "4%", "Q3"),
        ("一季度出口增长 5%", "5%", "Q1"),
        ("2025年上半年出口增長 10%", "10%", "H1"),
        ("下半年營收 300 億元", "300 億元", "H2"),
        ("H2 sales rose 4%", "4%", "H2"),
        ("Tariff revenue reached $30 billion in September alone", "$30 billion", "09"),
        ("其中 9 月單月關稅收入約 300 億美元", "300 億美元", "09"),
        ("In May, exports rose 2%", "2%", "05"),
        ("prices may rise 3%", "3%", None),  # a verb, not the month
        ("2025年9月5日 公布 3%", "3%", None),  # a date: left to the date claims
        ("未來 12 個月內投資 5 億", "5 億", None),  # a duration
        ("exports rose 5% in 2024", "5%", None),
    ],
)
def test_a_part_of_a_year_is_read_in_any_language(text: str, figure: str, part: str | None) -> None:
    start = text.index(figure)
    assert year_part(text, start, start + len(figure)) == part


def test_the_part_nearest_the_figure_is_its_own() -> None:
    text = "income rose 3.0% in Q2 after a 2.5% increase in the first quarter"
    assert year_part(text, text.index("3.0%"), text.index("3.0%") + 4) == "Q2"
    assert year_part(text, text.index("2.5%"), text.index("2.5%") + 4) == "Q1"


def test_the_period_compared_takes_the_stated_year_else_the_documents() -> None:
    assert part_period("2025", "Q2", "2026-01-10") == "2025-Q2"
    assert part_period(None, "Q2", "2025-09-25") == "2025-Q2"
    assert part_period("2025-09", "Q3", None) == "2025-09"  # finer already
    assert part_period("P10Y", "Q2", "2025-01-01") == "P10Y"  # a duration stands
    assert part_period(None, "Q2", None) is None  # no year to place it in
    assert part_period("2024", None, "2025-01-01") == "2024"


def test_a_period_is_as_long_as_it_says() -> None:
    assert [span_months(p) for p in ("2025", "2025-H1", "2025-Q2", "2025-09", "P10Y", "P3M")] == [
        12, 6, 3, 1, 120, 3
    ]  # fmt: skip
    assert span_months("2025-09-05") is None and span_months(None) is None
