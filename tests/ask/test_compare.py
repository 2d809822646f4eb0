"""`rkb compare` and `rkb timeline` over the tiny fixtures: what they find, their filters, their
JSON and CSV, and the verdict on values that disagree."""

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reindustry_kb.ask.compare import ComparedStatistic, _grouped
from reindustry_kb.cli import app
from reindustry_kb.settings import Settings

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


def _row(value: float, doc: str, date: str, value_max: float | None = None) -> ComparedStatistic:
    return ComparedStatistic(
        id=f"{doc}#{value}",
        value=value,
        value_max=value_max,
        unit="USD",
        approx=False,
        text=str(value),
        measure="tariff revenue",
        scope="United States",
        period="2025",
        doc_id=doc,
        title=None,
        date=date,
        citation=f"{doc}:L1-L1",
        line=1,
        match=1.0,
        closeness=None,
    )


def test_values_of_one_measure_that_differ_beyond_the_tolerance_are_flagged() -> None:
    (group,) = _grouped([_row(3e11, "b", "2025-09"), _row(1.95e11, "a", "2025-10")], 0.05)
    assert group.disagree and group.spread == pytest.approx(0.35)
    assert [r.doc_id for r in group.statistics] == ["b", "a"]  # in date order
    (group,) = _grouped([_row(3e11, "a", "2025-09"), _row(3.05e11, "b", "2025-10")], 0.05)
    assert not group.disagree  # within 5 %
    (group,) = _grouped([_row(2e11, "a", "2025"), _row(2.5e11, "b", "2025", 3.5e11)], 0.05)
    assert group.disagree  # a range that does not reach the other figure
    (group,) = _grouped([_row(3e11, "a", "2025"), _row(2.5e11, "b", "2025", 3.5e11)], 0.05)
    assert not group.disagree  # the range holds it


def timeline(*options: str) -> list[dict[str, object]]:
    code, out, err = run("timeline", "--json", *options)
    assert code == 0, err
    entries: list[dict[str, object]] = json.loads(out)
    return entries


def test_timeline_lists_events_in_date_order(fake_index: Settings) -> None:
    entries = timeline()
    dates = [str(e["date"]) for e in entries]
    assert dates == sorted(dates) and {"2024", "2025", "2030"} <= set(dates)
    customs = next(e for e in entries if "Customs duties" in e["event"]["text"])  # type: ignore[index]
    assert customs["event"]["lever"] == "tariff"  # type: ignore[index]
    assert customs["citation"] == "brief_en:L8-L8"
    relative = [e for e in entries if e["relative"]]
    assert relative and all(e["date"] in ("2024", "2025") for e in relative)


def test_timeline_filters(fake_index: Settings) -> None:
    assert {e["date"] for e in timeline("--since", "2025")} >= {"2025", "2030"}
    assert all(str(e["date"]) >= "2025" for e in timeline("--since", "2025"))
    assert all(str(e["date"]) <= "2024" for e in timeline("--until", "2024"))
    levers = timeline("--lever", "tariff")
    assert levers and all(e["event"]["lever"] == "tariff" for e in levers)  # type: ignore[index]
    taiwan = timeline("--actor", "臺灣")
    assert taiwan and all("Taiwan" in e["event"]["actors"] for e in taiwan)  # type: ignore[index]
    assert all(e["doc_id"] == "brief_en" for e in timeline("--doc", "brief_en"))
    code, out, err = run("timeline", "--lever", "magic")
    assert code == 1 and out == "" and "not a policy lever" in err


def test_timeline_prints_a_table(fake_index: Settings, tmp_path: Path) -> None:
    code, out, _ = run("timeline", "--since", "2030")
    assert code == 0 and "2030" in out and "離岸風電" in out and "1 event\n" in out
