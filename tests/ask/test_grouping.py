"""Which figures `rkb compare` sets side by side, and when it says they disagree: one measured
object, unit, scope and owner a group; disagreement only between documents stating one
period; ranges and bounds read as the values they allow."""

import shutil
from pathlib import Path
from typing import Any

import pytest

from reindustry_kb.ask.grouping import (
    ComparedStatistic,
    ObjectMatcher,
    bilateral,
    grouped,
    period_key,
)
from reindustry_kb.ask.session import Session
from reindustry_kb.ask.terms import Terms
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings

TOLERANCE = 0.05


def row(value: float, doc: str, **fields: Any) -> ComparedStatistic:
    values: dict[str, Any] = {
        "id": f"{doc}#{value}",
        "value": value,
        "value_max": None,
        "unit": "USD",
        "approx": False,
        "text": str(value),
        "measure": "tariff revenue",
        "object": "tariff revenue",
        "scope": "United States",
        "period": "2025",
        "doc_id": doc,
        "title": None,
        "date": "2025-10-01",
        "citation": f"{doc}:L1-L1",
        "line": 1,
        "match": 1.0,
        "closeness": None,
        "relevance": 1.0,
    }
    return ComparedStatistic(**{**values, **fields})


def test_values_of_one_measure_and_period_from_two_sources_that_differ_are_flagged() -> None:
    (group,) = grouped([row(3e11, "b", date="2025-09"), row(1.95e11, "a")], TOLERANCE)
    assert group.disagree and group.spread == pytest.approx(0.35)
    (disagreement,) = group.disagreements
    assert disagreement.period == "2025" and set(disagreement.ids) == {
        r.id for r in group.statistics
    }
    assert [r.doc_id for r in group.statistics] == ["b", "a"]  # in date order
    (group,) = grouped([row(3e11, "a"), row(3.05e11, "b")], TOLERANCE)
    assert not group.disagree  # within 5 %


def test_different_objects_are_never_one_group_and_never_disagree() -> None:
    batteries = row(75, "a", unit="%", object="鋰電池產能", scope="global", period=None)
    panels = row(80, "a", unit="%", object="太陽能板", scope="global", period=None)
    chargers = row(1e6, "a", unit="count", object="公共電動車充電站", scope=None, period="2024")
    factories = row(150, "b", unit="count", object="鋰電池超級工廠", scope=None, period="2024")
    groups = grouped([batteries, panels, chargers, factories], TOLERANCE)
    assert [len(g.statistics) for g in groups] == [1, 1, 1, 1]
    assert not any(g.disagree for g in groups)


@pytest.mark.parametrize(
    "other",
    [
        {"unit": "CNY"},  # units never mix
        {"scope": "China"},  # another country's figure
        {"owners": ["Apple"]},  # Apple's investment is not the measure itself
        {"object": None},  # a figure with nothing measured named stands alone
    ],
)
def test_one_group_is_one_unit_scope_owner_and_object(other: dict[str, Any]) -> None:
    groups = grouped([row(1.95e11, "a"), row(3e11, "b", **other)], TOLERANCE)
    assert len(groups) == 2 and not any(g.disagree for g in groups)


def test_one_source_never_disagrees_with_itself() -> None:
    (group,) = grouped([row(1.95e11, "a", line=1), row(3e11, "a", line=2)], TOLERANCE)
    assert not group.disagree and group.spread == pytest.approx(0.35)


def test_only_figures_stating_one_period_can_disagree() -> None:
    # A 25 % tariff in February and 50 % in June, neither stating its period: both may be right.
    undated = [row(25, "feb", unit="%", period=None), row(50, "jun", unit="%", period=None)]
    (group,) = grouped(undated, TOLERANCE)
    assert not group.disagree and group.period is None
    # Different periods do not disagree; the same period in two sources does.
    (group,) = grouped([row(1e11, "a", period="2024"), row(2e11, "b", period="2025")], TOLERANCE)
    assert not group.disagree
    three = [row(1e11, "a", period="2024"), row(2e11, "b", period="2025"), row(3e11, "c")]
    (group,) = grouped(three, TOLERANCE)
    assert [d.period for d in group.disagreements] == ["2025"]


def test_a_duration_is_one_period_whatever_its_language() -> None:
    assert period_key("10 年內") == period_key("over ten years") == "P10Y"
    assert period_key("over the next decade") == "P10Y"
    assert period_key("未来三个月内") == "P3M"
    assert period_key("2025") == "2025" and period_key(None) is None
    (group,) = grouped(
        [row(4e12, "a", period="10 年內"), row(3e12, "b", period="over ten years")], TOLERANCE
    )
    assert group.disagree and group.disagreements[0].period == "P10Y"


@pytest.mark.parametrize(
    ("first", "second", "disagree"),
    [
        # over $1 trillion allows $1.2 trillion, not $0.8 trillion
        ({"value": 1e12, "bound": "at least"}, {"value": 1.2e12}, False),
        ({"value": 1e12, "bound": "at least"}, {"value": 0.8e12}, True),
        # up to 40 allows 38; a range holds what lies in it
        ({"value": 40, "bound": "at most"}, {"value": 38}, False),
        ({"value": 2.5e11, "value_max": 3.5e11}, {"value": 3e11}, False),
        ({"value": 2.5e11, "value_max": 3.5e11}, {"value": 2e11}, True),
    ],
)
def test_bounds_and_ranges_allow_the_values_they_say(
    first: dict[str, Any], second: dict[str, Any], disagree: bool
) -> None:
    a = row(first.pop("value"), "a", **first)
    b = row(second.pop("value"), "b", **second)
    (group,) = grouped([a, b], TOLERANCE)
    assert group.disagree is disagree


def test_groups_come_best_match_first_and_name_their_measure() -> None:
    weak = row(1e12, "a", object="trade deficit", relevance=0.4)
    strong = row(3e11, "b", object="tariff revenue", relevance=0.9)
    groups = grouped([weak, strong], TOLERANCE)
    assert [g.measure for g in groups] == ["tariff revenue", "trade deficit"]
    assert [g.score for g in groups] == [0.9, 0.4]


def test_a_month_and_a_year_are_two_measures_and_a_quarter_compares_with_its_own() -> None:
    month = row(3e10, "a", compared_at="2025-09", period=None)
    year = row(1.95e11, "b")
    assert len(grouped([month, year], TOLERANCE)) == 2
    # Two sources' second quarter disagree; another quarter is another period.
    q2 = [row(3.0, "a", unit="%", compared_at="2025-Q2"), row(3.8, "b", unit="%", period=None)]
    q2[1] = q2[1].model_copy(update={"compared_at": "2025-Q2"})
    (group,) = grouped(q2, TOLERANCE)
    assert [d.period for d in group.disagreements] == ["2025-Q2"]
    other = [q2[0], row(3.8, "b", unit="%", compared_at="2025-Q1")]
    (group,) = grouped(other, TOLERANCE)
    assert not group.disagree


def test_a_figure_naming_no_place_joins_its_measures_one_scoped_group_only() -> None:
    scoped, unscoped = row(1.95e11, "a"), row(2.15e11, "b", scope=None)
    (group,) = grouped([scoped, unscoped], TOLERANCE)
    assert group.scope == "United States" and group.disagree
    # With two places to choose from, it stays alone: it may be of either.
    china = row(2.0e11, "c", scope="China")
    groups = grouped([scoped, china, unscoped], TOLERANCE)
    assert len(groups) == 3 and not any(g.disagree for g in groups)


def test_a_total_never_joins_a_partners_group() -> None:
    deficit = {"measure": "trade deficit in goods", "object": "trade deficit in goods"}
    total = row(1.2e12, "a", scope=None, period="2024", **deficit)
    china = row(
        2.954e11,
        "b",
        scope="China",
        period="2024",
        **{**deficit, "measure": "trade deficit with China"},
    )
    groups = grouped([total, china], TOLERANCE)
    assert len(groups) == 2 and not any(g.disagree for g in groups)


@pytest.mark.parametrize(
    ("measure", "partner"),
    [
        ("trade deficit in goods with China", True),
        ("exports to the United States", True),
        ("台湾对美国的芯片出口额", True),
        ("U.S. tariff revenue", False),
        ("美國 2025 財政年度的關稅收入", False),
        (None, False),
    ],
)
def test_a_place_after_with_or_to_is_a_partner(measure: str | None, partner: bool) -> None:
    assert bilateral(measure) is partner


def test_a_figure_between_two_places_is_of_either() -> None:
    # 台灣對美出口 (scoped Taiwan) and 台湾对美国的出口 (scoped to the US, naming Taiwan)
    hant = row(1.2e11, "a", scope="Taiwan", measure="台灣對美出口的晶片總額", object="晶片出口")
    hans = row(
        1.05e11, "b", scope="United States", measure="台湾对美国的芯片出口额", object="晶片出口"
    )
    (group,) = grouped([hant, hans], TOLERANCE)
    assert group.disagree
    japan = row(1.05e11, "b", scope="Japan", measure="日本的晶片出口", object="晶片出口")
    assert len(grouped([hant, japan], TOLERANCE)) == 2


@pytest.fixture(scope="module")
def news_terms(tmp_path_factory: pytest.TempPathFactory) -> Terms:
    """What BM25 knows of the eleven news items (tests/data/compare_docs), built once with the
    hashing embedder (the fake one is registered per test)."""
    root = tmp_path_factory.mktemp("news")
    shutil.copytree(Path(__file__).parents[1] / "data" / "compare_docs", root / "news")
    settings = Settings(seeds_dir=root / "news", index_dir=root / "indexes", embedder="hashing")
    build_index(settings)
    return Session.open(settings).terms


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("new solar capacity", "新增太陽能裝機容量", True),  # across languages
        ("出口的晶片總額", "芯片出口额", True),  # across scripts; a total is the amount
        ("solar capacity", "太陽能裝機容量", True),
        ("new solar capacity", "新增太陽能發電量", False),  # generation is another measure
        ("新增公共充电桩", "公共充电桩总量", False),  # what was added is not the stock
        ("goods trade deficit", "trade deficit", False),  # a word more, another measure
        ("tariff revenue", "effective tariff rate", False),
    ],
)
def test_objects_are_one_in_any_language_and_script(
    news_terms: Terms, first: str, second: str, same: bool
) -> None:
    matcher = ObjectMatcher(news_terms)
    a, b = row(1, "a", object=first), row(2, "b", object=second)
    assert matcher(a, b) is same and matcher(b, a) is same


def test_how_much_of_an_object_the_query_names(news_terms: Terms) -> None:
    matcher = ObjectMatcher(news_terms)
    query = "China solar capacity added in 2024"
    assert matcher.covered("新增太陽能裝機容量", query) == pytest.approx(1.0)
    assert matcher.covered("新增太陽能發電量", query) < 0.8
    assert matcher.covered("total", query) == 0.0  # nothing measured named


def test_only_figures_two_sources_give_for_one_period_are_said_to_agree() -> None:
    from reindustry_kb.out.render import group_title

    (checked,) = grouped([row(195e9, "a"), row(196e9, "b")], TOLERANCE)
    assert checked.cross_checked() and group_title(checked).endswith("2 figures, consistent")
    # One source's two years, or two sources' different years: nothing was checked.
    (table,) = grouped([row(3.2e9, "a", period="2025"), row(4.1e9, "a", period="2026")], TOLERANCE)
    (apart,) = grouped([row(3.2e9, "a", period="2025"), row(4.1e9, "b", period="2026")], TOLERANCE)
    for group in (table, apart):
        assert not group.cross_checked() and group_title(group).endswith("— 2 figures")
