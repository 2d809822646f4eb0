"""The object a measure counts or measures: content words kept, scope, period, the figure itself
and grammar dropped, in zh-Hant, zh-Hans and English."""

import pytest

from reindustry_kb.claims.measured import measured_object


@pytest.mark.parametrize(
    ("measure", "label", "words"),
    [
        # places and 全球 are the scope; the link verb and time words are grammar
        ("全球鋰電池產能", "鋰電池產能", ("锂电池", "产能")),
        ("全球太陽能板", "太陽能板", ("太阳能", "板")),
        ("美國今年有望為國庫帶來", "國庫帶來", ("国库", "带来")),
        ("美國 2025 財政年度的關稅收入", "關稅收入", ("关税", "收入")),
        ("全国公共充电桩总量", "公共充电桩总量", ("公共", "充电", "桩", "总量")),
        ("不得低於全區土地總面積", "全區土地總面積", ("全区", "土地", "总面积")),
        ("U.S. tariff revenue", "tariff revenue", ("tariff", "revenue")),
        ("Taiwan's GDP growth", "GDP growth", ("gdp", "growth")),
        ("annual tariff revenue during the year", "tariff revenue", ("tariff", "revenue")),
        # one character after a numeral is its classifier: 前 12 大 is the top twelve
        (
            "美國每年與我們前 12 大貿易夥伴的貿易逆差",
            "貿易夥伴的貿易逆差",
            ("贸易", "伙伴", "贸易逆差"),
        ),
        ("大型企業投資", "大型企業投資", ("大型", "企业", "投资")),
    ],
)
def test_the_object_keeps_what_is_measured(
    measure: str, label: str, words: tuple[str, ...]
) -> None:
    found = measured_object(measure)
    assert found is not None and (found.label, found.words) == (label, words)


def test_the_figure_inside_its_measure_is_no_part_of_the_object() -> None:
    measure = "中國新增 280 GW太陽能發電量"
    start = measure.index("280 GW")
    found = measured_object(measure, (start, start + len("280 GW")))
    assert found is not None and found.label == "新增太陽能發電量"
    assert found.words == ("添加", "太阳能", "发电量")  # folded: 新增 reads as 添加


def test_two_scripts_give_one_object() -> None:
    hant, hans = measured_object("全球鋰電池產能"), measured_object("全球锂电池产能")
    assert hant is not None and hans is not None and hant.words == hans.words


@pytest.mark.parametrize("measure", ["其中", "美國", "the total", "global"])
def test_a_measure_naming_only_grammar_or_scope_has_no_object(measure: str) -> None:
    assert measured_object(measure) is None
