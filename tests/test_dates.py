import pytest

from reindustry_kb.dates import parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025年9月24日", "2025-09-24"),
        ("2025 年 7 月", "2025-07"),
        ("2025-07-14", "2025-07-14"),
        ("2025/7/4", "2025-07-04"),
        ("July 23, 2025", "2025-07-23"),
        ("23 July 2025", "2025-07-23"),
        ("Jan. 2025", "2025-01"),
        ("民國114年3月1日", "2025-03-01"),
        ("114年", "2025"),
        ("２０２５年１０月２日", "2025-10-02"),  # full-width digits
        ("06/09/2025", "2025-06-09"),
        ("25/09/2025", "2025-09-25"),  # day first: 25 cannot be a month
    ],
)
def test_parse_date(value: str, expected: str) -> None:
    assert parse_date(value) == expected


def test_day_first_reading() -> None:
    assert parse_date("06/09/2025", month_first=False) == "2025-09-06"


@pytest.mark.parametrize("value", ["", "next week", "2025-13-01", "32/13/2025", "第一次"])
def test_not_a_date(value: str) -> None:
    assert parse_date(value) is None
