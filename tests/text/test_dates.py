import pytest

from reindustry_kb.text.dates import parse_date


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
        ("中華民國一百零五年十二月六日", "2016-12-06"),  # ROC years in Chinese numerals
        ("民國八十九年七月十九日", "2000-07-19"),
        ("民國一百十三年", "2024"),
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


def test_a_day_first_documents_header_is_read_day_first() -> None:
    from reindustry_kb.ingest.sources import parse_header

    day_first = "日期: 06/09/2025\n\n會議於 25/08/2025 召開，結論於 30/08/2025 公布。\n"
    month_first = "Date: 06/09/2025\n\nThe meeting was held on 08/25/2025.\n"
    assert parse_header(day_first).date == "2025-09-06"
    assert parse_header(month_first).date == "2025-06-09"


def test_headers_and_claims_share_one_grammar() -> None:
    from reindustry_kb.claims.base import Context
    from reindustry_kb.claims.temporal import extract_dates
    from reindustry_kb.text.normalize import fold

    for value in ("2025年9月24日", "民國114年3月1日", "July 23, 2025", "23 July 2025", "2025/7/4"):
        claimed = list(extract_dates(fold(value, lower=False).text, Context()))
        assert [c.fields["value"] for c in claimed] == [parse_date(value)]


def test_a_bare_roc_year_in_chinese_numerals_is_read_with_its_month() -> None:
    from reindustry_kb.text.dates import find_dates
    from reindustry_kb.text.normalize import fold

    def read(text: str) -> list[str]:
        return [d.value for d in find_dates(fold(text, lower=False).text)]

    assert read("本法自一百零六年一月一日施行") == ["2017-01-01"]
    # A hundred years, a fiscal year's number, an ordinal: no month, no date.
    assert read("一百年來的變化，共一百二十年的歷史") == []
    assert read("一百零五年度預算，第一百零五年度") == []


def test_a_year_after_for_or_of_unless_it_counts_the_next_word() -> None:
    from reindustry_kb.text.dates import find_dates

    def read(text: str) -> list[str]:
        return sorted(d.value for d in find_dates(text))

    assert read("Lawmakers cut chip subsidies to US$2.9 billion for 2026.") == ["2026"]
    assert read("a reductions target for 2015 or beyond") == ["2015"]
    assert read("the Trade Act of 1974 in 2018") == ["1974", "2018"]
    assert read("the Trade Expansion Act of 1962 (19 U.S.C. 1862)") == ["1962"]
    # A number that counts what follows is no year.
    assert read("housing for 2000 employees and a staff of 1950 people") == []


def test_written_years_reads_digits_of_either_width_and_no_longer_number() -> None:
    from reindustry_kb.text.dates import written_years

    assert written_years("Under the 2017 amendment, ２０２４年起") == {"2017", "2024"}
    assert written_years("code 120245, founded 1799") == frozenset()  # no year of 1800-2099
