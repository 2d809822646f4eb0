"""`rkb compare` over the tiny fixtures and eleven short news items
(tests/data/compare_docs, two of which disagree at times): what they find, in what order, in
which groups, their filters, their JSON and CSV, and the verdict on values that disagree."""

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reindustry_kb.cli import app
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings

NEWS = Path(__file__).parents[1] / "data" / "compare_docs"

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"RKB_EMBEDDER": "fake"})
    return result.exit_code, result.stdout, result.stderr


def compared(query: str, *options: str) -> list[dict[str, object]]:
    code, out, err = run("compare", query, "--json", *options)
    assert code == 0, err
    payload = json.loads(out)
    assert payload["query"] == query
    return [dict(row, group=group) for group in payload["groups"] for row in group["statistics"]]


def test_a_measure_is_found_in_any_language(fake_index: Settings) -> None:
    for query in ("tariff revenue", "關稅收入", "关税收入"):
        found = {row["text"]: row for row in compared(query)}
        assert {"$195 billion", "$4 trillion"} <= found.keys(), query
        assert found["$195 billion"]["measure"] == "Customs duties"
        assert found["$195 billion"]["citation"] == "brief_en:L8-L8"
        assert found["$4 trillion"]["period"] == "over ten years"
    # The export total and its growth share a sentence that names chips and exports.
    statistics = {row["text"]: row for row in compared("晶片出口")}
    assert {"約為 1,200 億美元", "百分之十五"} <= statistics.keys()
    assert "離岸風電" not in {row["measure"] for row in statistics.values()}
    assert statistics["約為 1,200 億美元"]["scope"] == "Taiwan"
    assert statistics["約為 1,200 億美元"]["date"] == "2025-08-12"


@pytest.fixture
def news_index(tmp_path: Path) -> Settings:
    """The news items indexed with the fake embedder, where the CLI looks (conftest)."""
    seeds = tmp_path / "news"
    shutil.copytree(NEWS, seeds)
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "indexes", embedder="fake")
    build_index(settings)
    return settings


def groups(query: str) -> list[dict[str, Any]]:
    code, out, err = run("compare", query, "--json")
    assert code == 0, err
    found: list[dict[str, Any]] = json.loads(out)["groups"]
    return found


def texts(group: dict[str, Any]) -> set[str]:
    return {row["text"] for row in group["statistics"]}


def test_figures_of_one_measure_and_period_from_two_sources_are_flagged(
    news_index: Settings,
) -> None:
    first, *rest = groups("新增公共充电桩")
    assert first["measure"] == "新增公共充电桩" and texts(first) == {"85.3 万个", "42.2 万个"}
    assert first["disagree"] and [d["period"] for d in first["disagreements"]] == ["2024"]
    # The stock is another measure than what was added: its own group, where two sources agree.
    (stock,) = [g for g in rest if "357.9 万个" in texts(g)]
    assert stock["measure"] == "公共充电桩总量" and not stock["disagree"]
    assert len(stock["statistics"]) == 2


def test_the_group_matching_the_query_comes_first(news_index: Settings) -> None:
    assert groups("公共充电桩总量")[0]["measure"] == "公共充电桩总量"
    assert groups("新增公共充电桩")[0]["measure"] == "新增公共充电桩"


def test_a_measure_in_one_language_meets_its_figures_in_the_other(news_index: Settings) -> None:
    for query in ("tariff revenue", "關稅收入", "关税收入"):
        found = groups(query)
        assert found[0]["measure"] in ("tariff revenue", "Tariff revenue", "關稅收入"), query
        # The Treasury's $195 billion and the Taiwanese paper's 2,150 億美元: one measure, one
        # scope, one fiscal year, and values 9 % apart.
        (both,) = [g for g in found if {"$195 billion", "2,150 億美元"} <= texts(g)]
        assert both["scope"] == "United States" and both["disagree"], query
        assert both["disagreements"][0]["period"] == "2025"


def test_different_things_and_different_places_never_disagree(news_index: Settings) -> None:
    for query in ("solar capacity", "太陽能裝機容量", "太陽能板"):
        for group in groups(query):
            rows = group["statistics"]
            assert len({(row["unit"], row["scope"]) for row in rows}) == 1, query
            if group["disagree"]:  # only ever between sources stating one period
                for d in group["disagreements"]:
                    stated = {row["doc_id"] for row in rows if row["id"] in d["ids"]}
                    assert len(stated) > 1 and d["period"]


def test_a_group_header_counts_its_figures_in_good_english(news_index: Settings) -> None:
    code, out, _ = run("compare", "公共充电桩总量")
    assert code == 0 and "2 figures" in out and "1 figures" not in out
    code, out, _ = run("compare", "effective tariff rate")
    assert code == 0 and "1 figure" in out and "1 figures" not in out


def test_the_json_keeps_every_field_it_had(news_index: Settings) -> None:
    (group, *_) = groups("新增公共充电桩")
    assert {"unit", "scope", "period", "low", "high", "spread", "disagree", "statistics"} <= (
        group.keys()
    )
    assert {
        "id", "value", "value_max", "unit", "approx", "text", "measure", "scope", "period",
        "doc_id", "title", "date", "citation", "line", "match", "closeness",
    } <= group["statistics"][0].keys()  # fmt: skip


def test_a_query_naming_nothing_measured_finds_nothing(fake_index: Settings) -> None:
    assert compared("quantum entanglement") == []


def test_compare_filters_by_unit_and_date(fake_index: Settings) -> None:
    assert {row["unit"] for row in compared("tariff revenue", "--unit", "USD")} == {"USD"}
    assert compared("tariff revenue", "--unit", "CNY") == []
    assert compared("tariff revenue", "--since", "2026") == []
    assert compared("tariff revenue", "--until", "2025-10")  # the brief is of 2025-10-02


def test_compare_csv_has_a_row_per_figure_with_its_group(fake_index: Settings) -> None:
    code, out, _ = run("compare", "tariff revenue", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["text"] for row in rows} >= {"$195 billion", "$4 trillion"}
    assert {"unit", "scope", "period", "disagree", "citation", "measure"} <= rows[0].keys()


def test_compare_rejects_bad_input_in_one_line(fake_index: Settings) -> None:
    for args in (["compare", "  "], ["compare", "x", "--since", "yesterday"]):
        code, out, err = run(*args)
        assert code == 1 and out == "" and len(err.strip().splitlines()) == 1


def test_real_disagreements_across_languages_scripts_and_places_are_flagged(
    news_index: Settings,
) -> None:
    # new solar capacity (230 GW) and 新增太陽能裝機容量 (277 GW): China, 2024, two sources.
    (solar,) = [g for g in groups("China solar capacity added in 2024") if "230 GW" in texts(g)]
    assert texts(solar) == {"230 GW", "277 GW"} and solar["disagree"]
    # 出口的晶片總額 (scoped Taiwan) and 台湾对美国的芯片出口额 (scoped to the US): one measure.
    (chips,) = [g for g in groups("台湾对美芯片出口额") if "約為 1,200 億美元" in texts(g)]
    assert "约为 1,050 亿美元" in texts(chips) and chips["disagree"]


def test_a_months_figure_is_compared_with_months_only(news_index: Settings) -> None:
    found = groups("tariff revenue in September")
    (month,) = [g for g in found if "$30 billion" in texts(g)]
    assert texts(month) == {"$30 billion", "約 300 億美元"} and not month["disagree"]
    assert {row["compared_at"] for row in month["statistics"]} == {"2025-09"}
    # The fiscal year's figures, one of them naming no place, meet and disagree.
    (year,) = [g for g in found if "$195 billion" in texts(g)]
    assert {"$215 billion", "2,150 億美元"} <= texts(year) and year["disagree"]


def test_figures_a_verb_makes_one_measure_are_flagged(news_index: Settings) -> None:
    # `Taiwan's economy grew 4.59% in 2024` is a growth, as 台灣 2024 年經濟成長率為 4.3%.
    (growth,) = [g for g in groups("台灣經濟成長率") if "4.3%" in texts(g)]
    assert texts(growth) == {"4.3%", "4.59%"} and growth["disagree"]
    # `The United States added 38 GW of solar capacity in 2024` against 同年美國新增太陽能裝機
    # 容量約 50 GW, whose year is the year of the sentence before.
    (solar,) = [g for g in groups("US solar capacity added in 2024") if "38 GW" in texts(g)]
    assert texts(solar) == {"38 GW", "約 50 GW"} and solar["disagree"]


def one_document(tmp_path: Path, text: str) -> None:
    """A library of one Markdown file, indexed with the fake embedder where the CLI looks."""
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "document.md").write_text(text, encoding="utf-8")
    build_index(Settings(seeds_dir=folder, index_dir=tmp_path / "indexes", embedder="fake"))


def test_money_brought_in_is_revenue(tmp_path: Path) -> None:
    one_document(
        tmp_path,
        "# 關稅與財政\n\n美國對進口商品加徵關稅。美國每年的貿易逆差高達 1 兆美元。"
        "美國今年有望為國庫帶來 3000 億美元，用來償還赤字。\n",
    )
    for query in ("關稅收入", "tariff revenue"):
        first = groups(query)[0]
        assert texts(first) == {"3000 億美元"}, query


def test_a_short_opener_dates_the_sentence(tmp_path: Path) -> None:
    one_document(
        tmp_path,
        "---\ntitle: Jobs report\ndate: 2025-04-04\n---\n\n"
        "In March, the U.S. added 228,000 jobs, above expectations.\n",
    )
    (row,) = [r for g in groups("jobs added") for r in g["statistics"]]
    assert (row["text"], row["compared_at"], row["object"]) == (
        "228,000 jobs",
        "2025-03",
        "added jobs",
    )
