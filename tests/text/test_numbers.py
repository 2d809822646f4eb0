import pytest

from reindustry_kb.text.numbers import parse_english_number, parse_number


@pytest.mark.parametrize(
    ("text", "value", "value_max", "approx"),
    [
        ("一兆", 1e12, None, False),
        ("三千亿", 3e11, None, False),
        ("3000亿", 3e11, None, False),
        ("3000 亿", 3e11, None, False),
        ("2千亿", 2e11, None, False),
        ("1,900万", 1.9e7, None, False),
        ("一千九百万", 1.9e7, None, False),
        ("1.2万", 1.2e4, None, False),
        ("二十五万三千二百", 253200, None, False),
        ("一百零五", 105, None, False),
        ("三点五", 3.5, None, False),
        ("二〇二四", 2024, None, False),
        ("两百", 200, None, False),
        ("壹拾壹", 11, None, False),
        ("3千万亿", 3e15, None, False),
        ("十几", 11, 19, True),
        ("几十", 10, 90, True),
        ("3000多", 3000, None, True),
    ],
)
def test_parse_number(text: str, value: float, value_max: float | None, approx: bool) -> None:
    parsed = parse_number(text)
    assert parsed is not None
    assert parsed.value == pytest.approx(value)
    assert parsed.value_max == (pytest.approx(value_max) if value_max else None)
    assert parsed.approx is approx


@pytest.mark.parametrize("text", ["", "美元", "点", "1.2.3万", "三点"])
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_english_numbers() -> None:
    assert parse_english_number("1.2", "trillion") == pytest.approx(1.2e12)
    assert parse_english_number("195", "billion") == pytest.approx(1.95e11)
    assert parse_english_number("3,500", None) == 3500
    assert parse_english_number("two", None) == 2
    assert parse_english_number("x", None) is None
