"""`rkb timeline` over the tiny fixtures and a few documents of its own: which dates are
events, how a relative date is shown, one entry per date and document, the filters."""

import json
from pathlib import Path

from typer.testing import CliRunner

from reindustry_kb.ask.session import open_reader
from reindustry_kb.ask.timeline import timeline
from reindustry_kb.cli import app
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.models import ClaimFilters
from reindustry_kb.settings import Settings

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"RKB_EMBEDDER": "fake"})
    return result.exit_code, result.stdout, result.stderr


def entries(*options: str) -> list[dict[str, object]]:
    code, out, err = run("timeline", "--json", *options)
    assert code == 0, err
    found: list[dict[str, object]] = json.loads(out)
    return found


def test_timeline_lists_events_in_date_order(fake_index: Settings) -> None:
    found = entries()
    dates = [str(e["date"]) for e in found]
    assert dates == sorted(dates) and {"2024", "2025", "2030"} <= set(dates)
    customs = next(e for e in found if "Customs duties" in str(e["text"]))
    assert customs["event"]["lever"] == "tariff"  # type: ignore[index]
    assert customs["citation"] == "brief_en:L8-L8"
    # 今年 in an interview dated 2025-08-12, shown resolved from that date
    (this_year,) = [e for e in found if e["relative"]]
    assert this_year["date"] == "2025" and this_year["resolved_from"] == "2025-08-12"
    assert this_year["written"] == "今年"


def test_a_comparison_point_is_no_event_unless_every_date_is_asked_for(
    fake_index: Settings,
) -> None:
    # 比去年增加了百分之十五: last year is what this year's exports are compared with.
    assert not any("比去年" in str(e["text"]) for e in entries())
    every = entries("--every-date")
    compared = [e for e in every if "比去年" in str(e["text"])]
    assert [(e["date"], e["role"]) for e in compared] == [("2024", "comparison")]
    # 在 2030 年前新增: a deadline, shown as one
    (deadline,) = [e for e in entries() if e["date"] == "2030"]
    assert deadline["role"] == "deadline"


def test_timeline_filters(fake_index: Settings) -> None:
    assert {e["date"] for e in entries("--since", "2025")} >= {"2025", "2030"}
    assert all(str(e["date"]) >= "2025" for e in entries("--since", "2025"))
    assert all(str(e["date"]) <= "2024" for e in entries("--until", "2024"))
    levers = entries("--lever", "tariff")
    assert levers and all(e["event"]["lever"] == "tariff" for e in levers)  # type: ignore[index]
    taiwan = entries("--actor", "臺灣")
    assert taiwan and all("Taiwan" in e["event"]["actors"] for e in taiwan)  # type: ignore[index]
    assert all(e["doc_id"] == "brief_en" for e in entries("--doc", "brief_en"))
    code, out, err = run("timeline", "--lever", "magic")
    assert code == 1 and out == "" and "not a policy lever" in err


def test_timeline_prints_a_table(fake_index: Settings) -> None:
    code, out, _ = run("timeline", "--since", "2030")
    assert code == 0 and "2030" in out and "(deadline)" in out and "1 event\n" in out
    code, out, _ = run("timeline", "--since", "2025", "--until", "2025")
    assert "(今年," in out and "2025-08-12)" in out and "(relative)" not in out


NEWS = """---
title: 輪胎行大火
date: 2016-03-19
---

（記者桃園19日電）桃園市一家輪胎行今天清晨發生大火，7人疏散。消防局說，今天上午 9 時撲滅。
這是該區今年第三起火警，比去年同期多兩起。
Copyright 2016 Example News.
"""
UNDATED = """# 周刊

上周四，存款利率下调。谷歌曾经在2006年推出了代码搜索，在2013年关闭。今年上半年月活最大的小程序。
"""


def test_one_entry_per_date_and_document_and_no_relative_date_without_a_document_date(
    fake_settings: Settings, tmp_path: Path
) -> None:
    seeds = fake_settings.seeds_dir
    for path in seeds.iterdir():
        path.unlink()
    (seeds / "news.md").write_text(NEWS, encoding="utf-8")
    (seeds / "weekly.md").write_text(UNDATED, encoding="utf-8")
    build_index(fake_settings)
    found = timeline(open_reader(fake_settings), ClaimFilters())
    news = [e for e in found if e.doc_id == "news"]
    (fire,) = [e for e in news if e.date == "2016-03-19"]
    assert len(fire.events) == 2 and len(fire.claim_ids) == 2  # 今天 twice: one entry
    assert "發生大火" in fire.text and "撲滅" in fire.text and fire.role == "event"
    assert fire.when == "2016-03-19 (今天, doc of 2016-03-19)"
    assert [e.date for e in news if e.date != "2016-03-19"] == ["2016"]  # 今年第三起火警
    # The undated weekly: its absolute years only, no relative date resolved against nothing.
    assert [(e.date, e.relative) for e in found if e.doc_id == "weekly"] == [
        ("2006", False),
        ("2013", False),
    ]
