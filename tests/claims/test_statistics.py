"""Table-driven statistics cases in zh-Hant, zh-Hans and English, and what must not be one."""

import pytest

from reindustry_kb.claims.base import Context
from reindustry_kb.claims.statistics import extract_statistics
from reindustry_kb.text.normalize import fold


def stats(
    text: str, lang: str = "zh-Hant"
) -> list[tuple[str, float, float | None, str, str | None, bool]]:
    folded = fold(text, lower=False)
    result = []
    for found in extract_statistics(folded.text, Context(lang=lang)):
        start, end = folded.span_to_original(found.start, found.end)
        quantity = found.fields["quantity"]
        if quantity:
            quantity = text[slice(*folded.span_to_original(*quantity))]
        f = found.fields
        result.append(
            (text[start:end], f["value"], f["value_max"], f["unit"], quantity, f["approx"])
        )
    return result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # zh-Hant
        ("美國今年有望為國庫帶來 3000 億美元。", ("3000 億美元", 3e11, None, "USD", None, False)),
        ("十年內可能帶來高達 4 兆美元", ("高達 4 兆美元", 4e12, None, "USD", None, True)),
        ("超過 1900 萬個工作的創造", ("超過 1900 萬個工作", 1.9e7, None, "count", "工作", True)),
        ("達成十幾個貿易協議", ("十幾個貿易協議", 11, 19, "count", "貿易協議", True)),
        ("參與百億至千億美元規模的投資", ("百億至千億美元", 1e10, 1e11, "USD", None, False)),
        ("發債規模已超過2千億美元", ("超過2千億美元", 2e11, None, "USD", "發債規模", True)),
        ("全球鋰電池產能有75% 在中國", ("75%", 75, None, "%", "全球鋰電池產能", False)),
        ("增長區間從 1% 到 3%", ("1% 到 3%", 1, 3, "%", None, False)),
        ("中國新增 280 GW太陽能發電量", ("280 GW", 280, None, "GW", None, False)),
        ("規劃 500 兆瓦的電廠", ("500 兆瓦", 500, None, "MW", None, False)),
        ("設備達二千瓩以上者", ("二千瓩以上", 2000, None, "kW", None, True)),
        ("人均產出是中國的 65 倍", ("65 倍", 65, None, "x", None, False)),
        (
            "建立超過 100 萬座公共電動車充電站",
            ("超過 100 萬座公共電動車充電站", 1e6, None, "count", "公共電動車充電站", True),
        ),
        ("新台幣 177.1 億元", ("新台幣 177.1 億元", 1.771e10, None, "TWD", None, False)),
        ("補助金額為 50 億元", ("50 億元", 5e9, None, "TWD", "補助金額", False)),
        ("貢獻超過了三分之一", ("三分之一", 33.33, None, "%", None, False)),
        ("市佔率達百分之八", ("百分之八", 8, None, "%", "市佔率", False)),
        # zh-Hans
        ("总投资约为四千亿元人民币", ("约为四千亿元人民币", 4e11, None, "CNY", "总投资", True)),
        ("新增公共充电桩超过八十万个", ("超过八十万个", 8e5, None, "count", None, True)),
        ("投资 300 亿元建设", ("300 亿元", 3e10, None, "CNY", None, False)),
        ("电池产能占全球的七成以上", ("七成", 70, None, "%", None, False)),
        ("他们占人口的三成", ("三成", 30, None, "%", None, False)),
        ("欧盟拨款 20 亿欧元", ("20 亿欧元", 2e9, None, "EUR", None, False)),
        # English
        (
            "Customs duties brought in a record $195 billion.",
            ("$195 billion", 1.95e11, None, "USD", None, False),
        ),
        ("could raise $4 trillion over ten years", ("$4 trillion", 4e12, None, "USD", None, False)),
        (
            "more than 19 million jobs were created",
            ("more than 19 million jobs", 1.9e7, None, "count", "jobs", True),
        ),
        ("growth of about 3.5%", ("about 3.5%", 3.5, None, "%", None, True)),
        ("a 25 percent tariff", ("25 percent", 25, None, "%", None, False)),
        ("US$1.2 trillion in investment", ("US$1.2 trillion", 1.2e12, None, "USD", None, False)),
        ("nearly 30 GW of new capacity", ("nearly 30 GW", 30, None, "GW", None, True)),
    ],
)
def test_statistic(
    text: str, expected: tuple[str, float, float | None, str, str | None, bool]
) -> None:
    lang = "zh-Hans" if "元人民币" in text or "亿元建设" in text else "zh-Hant"
    (found,) = stats(text, lang)
    span, value, value_max, unit, quantity, approx = found
    assert (span, unit, quantity, approx) == expected[:1] + expected[3:]
    assert value == pytest.approx(expected[1], rel=1e-3)
    assert value_max == (pytest.approx(expected[2]) if expected[2] is not None else None)


def test_a_value_is_the_number_as_written_not_its_binary_product() -> None:
    # 4.1 x 1e9 is 4099999999.9999995 in floating point.
    assert [s[1] for s in stats("US$4.1 billion and $0.7 trillion", "en")] == [4.1e9, 0.7e12]


def test_a_figure_after_a_comma_is_read_whole() -> None:
    # NFKC folds ， to ",", which after a digit would continue a number (1,900).
    found = stats("處新臺幣三百元以上，一千五百元以下罰鍰")
    assert [(f[0], f[1]) for f in found] == [("新臺幣三百元以上", 300), ("一千五百元", 1500)]


def test_several_figures_in_one_sentence() -> None:
    found = stats("從 1% 到 3% 轉變為可能 4% 和 5%")
    assert [(f[0], f[1]) for f in found] == [("1% 到 3%", 1), ("4%", 4), ("5%", 5)]


@pytest.mark.parametrize(
    "text",
    [
        "在5G 電信網路轉換的技術競賽中",  # 5G is a technology, not a figure
        "第一次工業革命期間",  # ordinal
        "1. 美國應加強運用其戰略投資工具",  # list numbering
        "在 2018 年，1940 年根本不存在",  # years are dates
        "有兩個層次的意義",  # structural count
        "被包含在「一個美麗大法案」中",  # 一個 is the article "a"
        "三大策略支柱",
        "GPT-4 and H20 chips",  # model names
        "零件供應商",  # 零件 is a part
        "the 2025 budget",
        "十年內",
        # references to parts of a law are ordinals, however the number is written
        "第 9 條 公司、商號經登記者",
        "第 6-1 條 公務員",
        "依第一千一百二十三條規定辦理",
        "第十三屆全國人民代表大會常務委員會第二十次會議通過",
        "違反前兩款規定者",
        "前二項成果報告及改善措施",
        "Article 2 of this Act",
        "(a) within 30 days of this order",
        "Article 48-2 who turns himself in",
        "pursuant to subparagraph 3 of paragraph 1",
    ],
)
def test_not_statistics(text: str) -> None:
    assert stats(text) == []
