"""Which figures `rkb compare` sets side by side, and when it says they disagree: one measured
object, unit, scope and owner a group; disagreement only between documents stating one
period; ranges and bounds read as the values they allow."""

from typing import Any

import pytest

from reindustry_kb.ask.grouping import ComparedStatistic, grouped, period_key

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
