import pytest

from reindustry_kb.text.normalize import fold_text
from reindustry_kb.text.quantities import quantities


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("once an investor's stake reaches 5% of the shares", {(5.0, "%")}),
        ("達到已發行股份的百分之五時，應於三日內報告", {(5.0, "%"), (3.0, "day")}),
        ("a worker with three years of service", {(3.0, "year")}),
        ("繼續工作三年以上者，於三十日前預告之", {(3.0, "year"), (30.0, "day")}),
        ("within thirty (30) days", {(30.0, "day")}),
        ("a 90-day review", {(90.0, "day")}),
        ("3 business days", {(3.0, "day")}),
        ("二倍至十倍", {(2.0, "times"), (10.0, "times")}),
        ("試用期不得超過六個月", {(6.0, "month")}),
        ("a fine of 3 percent", {(3.0, "%")}),
        # Dates are no quantities: a calendar year, a day of a month.
        ("本法自2018年1月1日起施行", set()),
        # Article numbers and list items hold no unit.
        ("第三條 第十二条 一、二、三、", set()),
        # A question word or an ordinal before the number: no quantity.
        ("忽里台大會在哪一年再次召開？上一年呢？", set()),
    ],
)
def test_quantities_are_read_with_their_unit_in_any_language(
    text: str, found: set[tuple[float, str]]
) -> None:
    assert quantities(fold_text(text)) == found
