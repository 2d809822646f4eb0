"""The Mermaid charts of the export, read back by Mermaid's own parser (tests/mermaid: the
pinned `mermaid` under node with jsdom; scripts/test.sh runs `npm ci` there)."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reindustry_kb.ask.compare import ComparedStatistic, Comparison, StatisticGroup
from reindustry_kb.ask.session import open_reader
from reindustry_kb.ask.timeline import TimelineEntry, timeline
from reindustry_kb.models import ClaimFilters, Event, StatisticClaim
from reindustry_kb.out import mermaid
from reindustry_kb.out.export import export_compare, export_timeline, verify
from reindustry_kb.out.mermaid import Chart, Timeline, escape, group_chart, timeline_chart
from reindustry_kb.settings import Settings

CHECKER = Path(__file__).parents[1] / "mermaid"
# Labels that break a naive chart: quotes, colons (a timeline's separator), brackets,
# semicolons, #, HTML, backticks, CJK punctuation, a line break.
HOSTILE = [
    'He said "stop": no; #1 [draft] <b>bold</b> & `code` 50%',
    "「引號」：逗號，句號。；？！（括號）【方】《書名》",
    "a: b :c\n d ::  e; f#58; g #quot;",
    "style x:#f00; classDef y:#fff;",
]
SHORT = '"Q": [x]; #1 <b>&`「引」'  # a measure short enough for a chart's title


def parse(charts: list[str]) -> list[dict[str, Any]]:
    """What Mermaid's parser reads in each chart (tests/mermaid/parse.mjs)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the Mermaid round-trip needs node and npm")
    if not (CHECKER / "node_modules" / "mermaid").is_dir():
        pytest.fail("Mermaid is not installed for the tests: run `npm ci` in tests/mermaid")
    done = subprocess.run(
        ["node", str(CHECKER / "parse.mjs")],
        input=json.dumps(charts),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    assert len(results) == len(charts)
    return results


def drawn(chart: Timeline | Chart) -> dict[str, Any]:
    """What Mermaid should read in a chart: its labels as given, on one line."""

    def line(text: str) -> str:
        return " ".join(text.split())

    if isinstance(chart, Timeline):
        periods = [[line(p), [line(e) for e in events]] for p, events in chart.periods]
        return {"ok": True, "type": "timeline", "title": line(chart.title), "periods": periods}
    return {
        "ok": True,
        "type": "xychart",
        "title": line(chart.title),
        "labels": [line(label) for label in chart.labels],
        "axis": line(chart.axis),
        "range": [chart.low, chart.high],
        "series": [[kind, values] for kind, values in chart.series],
        "colors": chart.colors(),
        "orientation": "horizontal" if chart.horizontal else "vertical",
    }


def _entry(number: int, date: str, text: str, citation: str, relative: bool = False) -> Any:
    return TimelineEntry(
        date=date,
        precision={4: "year", 7: "month"}.get(len(date), "day"),
        relative=relative,
        ambiguous=False,
        event=Event(text=text, start=0, end=len(text), actors=["美國"]),
        doc_id=citation.rsplit(":L", 1)[0],
        title=None,
        citation=citation,
        line_start=number,
        line_end=number,
        claim_id=f"c{number}",
        # a relative date: last month in a document of April 2025
        resolved_from="2025-04-01" if relative else None,
        written="上個月" if relative else None,
    )


def _figure(number: int, value: float, unit: str, measure: str, **more: Any) -> Any:
    fields: dict[str, Any] = {
        "id": f"s{number}",
        "value": value,
        "value_max": None,
        "unit": unit,
        "approx": False,
        "text": str(value),
        "measure": measure,
        "scope": None,
        "period": None,
        "doc_id": f"laws/cn/對外貿易法「{number}」",
        "title": None,
        "date": f"202{number}-01-0{number}",
        "citation": f"laws/cn/對外貿易法「{number}」:L{number}-L{number}",
        "line": number,
        "match": 1.0,
        "closeness": None,
    }
    return ComparedStatistic(**(fields | more))


def _group(figures: list[Any], period: str | None = None) -> StatisticGroup:
    values = [v for f in figures for v in (f.value, f.value_max) if v is not None]
    return StatisticGroup(
        unit=figures[0].unit,
        scope="United States",
        period=period,
        low=min(values),
        high=max(values),
        spread=0.0,
        disagree=False,
        statistics=figures,
    )


def hostile_charts() -> list[Timeline | Chart]:
    entries = [
        _entry(1, "2024", HOSTILE[0], "brief:en:L1-L1"),
        _entry(2, "2025-03", HOSTILE[1], "資料/報告「一」:p3:L2-L4", relative=True),
        _entry(3, "2025-03-14", HOSTILE[2], "x;y#z:L3-L3"),
        _entry(4, "2026", HOSTILE[3], "[a]:L4-L4"),
    ]
    figures = [_figure(n, 1.5e11 * n, "USD", SHORT) for n in (1, 2, 3)]
    ranged = [
        _figure(1, 75, "%", "share 「a」", value_max=80.0),
        _figure(2, 12.5, "%", "share: b"),
        _figure(3, 3, "%", 'share "c"'),
    ]
    growth = [_figure(n, v, "%", "growth; 「成長率」") for n, v in ((1, 2.5), (2, -1.25), (3, 3))]
    charts = [
        timeline_chart(f"Events where actor={HOSTILE[0]}", entries),
        group_chart(_group(figures)),  # over time: a line
        group_chart(_group(figures, period="2025 Q1: 「一」")),  # one period: bars
        group_chart(_group(ranged, period="FY2025")),  # ranges: their high ends too
        group_chart(_group(growth)),  # a line over time may fall below zero
    ]
    assert all(chart is not None for chart in charts)
    return [chart for chart in charts if chart is not None]


def test_hostile_labels_reach_the_picture_as_written() -> None:
    charts = hostile_charts()
    kinds = [chart.text().split("\n")[0 if isinstance(chart, Timeline) else 1] for chart in charts]
    bars = "xychart-beta horizontal"
    assert kinds == ["timeline", "xychart-beta", bars, bars, "xychart-beta"]
    results = parse([chart.text() for chart in charts])
    for chart, result in zip(charts, results, strict=True):
        assert result == drawn(chart)
    events = [event for _, events in results[0]["periods"] for event in events]
    assert events[0].startswith('He said "stop": no; #1 [draft] <b>bold</b>')
    assert results[1]["title"] == f"{SHORT} · United States"
    assert events[1].startswith("2025-03 (上個月, doc of 2025-04-01) 「引號」：逗號，")
    assert events[1].endswith("— 報告「一」:p3:L2-L4")
    assert events[2].endswith("— x;y#z:L3")
    assert results[3]["labels"][0] == "2021-01-01 對外貿易法「1」:L1"
    assert results[3]["series"] == [["bar", [80, 12.5, 3]], ["bar", [75, 12.5, 3]]]
    assert (
        results[4]["range"] == [-1.25, 3]
        and results[4]["title"] == "growth; 「成長率」 · United States"
    )


def test_the_exports_charts_parse_as_written(fake_index: Settings, tmp_path: Path) -> None:
    """The charts of the timeline and compare exports of the fixtures, through the export;
    the tables and charts leave the quotes to verify."""
    reader = open_reader(fake_index)
    entries = timeline(reader, ClaimFilters())
    expected: list[Timeline | Chart] = []
    found = timeline_chart("All events", entries)
    assert found is not None and found.points() == len(entries) >= 3
    expected.append(found)
    markdown = export_timeline(reader, ClaimFilters())
    claims = reader.find_claims(ClaimFilters(kind="statistic", unit="USD"))
    comparison = Comparison(query="USD", groups=[_group([_stated(c) for c in claims])])
    chart = group_chart(comparison.groups[0])
    assert chart is not None and chart.points() == len(claims) >= 3
    expected.append(chart)
    markdown += export_compare(reader, comparison)
    blocks = re.findall(r"^```mermaid\n(.*?)\n```$", markdown, re.M | re.S)
    assert blocks == [chart.text() for chart in expected]
    for chart, result in zip(expected, parse(blocks), strict=True):
        assert result == drawn(chart)
    brief = tmp_path / "brief.md"
    brief.write_text(markdown, encoding="utf-8")
    report = verify(brief, fake_index.seeds_dir)
    assert report.problems == [] and report.quotes == len(entries) + len(claims)


def _stated(claim: Any) -> ComparedStatistic:
    """A statistic of the index as `rkb compare` lists it."""
    assert isinstance(claim, StatisticClaim)
    return ComparedStatistic(
        **{name: getattr(claim, name) for name in ("id", "value", "value_max", "unit", "text")},
        approx=claim.approx,
        measure=claim.measure,
        scope=None,
        period=None,
        doc_id=claim.doc_id,
        title=None,
        date=None,
        citation=f"{claim.doc_id}:L{claim.line}-L{claim.line}",
        line=claim.line,
        match=1.0,
        closeness=None,
    )


def test_escape_leaves_no_character_mermaid_reads_as_syntax() -> None:
    for label in HOSTILE:
        escaped = escape(label)
        assert "\n" not in escaped
        assert not re.search(r'[":;\[\]<>&`]', re.sub(r"#\w+;", "", escaped))
        assert "#" not in re.sub(r"#\w+;", "", escaped)


def test_labels_are_short_and_cut_between_words() -> None:
    assert mermaid.shorten("Customs duties brought in a record sum", 20) == "Customs duties…"
    assert mermaid.shorten("美國白宮根據川普總統於二零二五年簽署", 12) == "美國白宮根…"
    assert mermaid.shorten("short", 20) == "short"
    assert mermaid.source("laws/cn/外贸法:L5-L5") == "外贸法:L5"
    assert mermaid.source("report:p3:L5-L9") == "report:p3:L5-L9"


def test_numbers_are_written_without_exponents() -> None:
    assert [mermaid.number(v) for v in (195.00000000000003, 4000.0, -12.5, 0.000001, -0.0)] == [
        "195",
        "4000",
        "-12.5",
        "0.000001",
        "0",
    ]


def test_no_chart_of_one_point_nor_bars_below_zero() -> None:
    one = _figure(1, 5.0, "GW", "capacity")
    assert group_chart(_group([one])) is None
    assert group_chart(_group([one, one])) is None  # the same figure twice is one point
    two = [one, _figure(2, -5.0, "GW", "capacity")]
    assert group_chart(_group(two)) is None  # Mermaid would draw the bars from -5


def test_a_long_chart_says_what_it_leaves_out() -> None:
    entries = [_entry(n, f"{1900 + n}", f"event {n}", f"d:L{n}-L{n}") for n in range(1, 46)]
    chart = timeline_chart("All events", entries)
    assert chart is not None and chart.points() == mermaid.MOST_POINTS
    assert mermaid.markdown(chart).endswith(
        "*The chart shows the first 40 of 45; the table lists them all.*"
    )


def test_a_charts_title_names_the_groups_measure_or_the_one_most_figures_name() -> None:
    named = [_figure(n, 10.0 * n, "GW", "solar capacity") for n in (1, 2)]
    chart = group_chart(_group([*named, _figure(3, 5.0, "GW", None)], period="2025"))
    assert chart is not None and chart.title == "solar capacity · United States · 2025"
    alone = [named[0], _figure(2, 5.0, "GW", None), _figure(3, 6.0, "GW", None)]
    chart = group_chart(_group(alone, period="2025"))
    assert chart is not None and chart.title == "figures · United States · 2025"
    # compare's measured object names the group, in whatever language each figure is worded
    both = [
        _figure(1, 277.0, "GW", "新增太陽能裝機容量"),
        _figure(2, 230.0, "GW", "new solar capacity"),
    ]
    group = _group(both, period="2024").model_copy(update={"measure": "新增太陽能裝機容量"})
    chart = group_chart(group)
    assert chart is not None and chart.title.startswith("新增太陽能裝機容量 · United States")


def test_a_timeline_event_cites_a_long_file_name_short_enough_for_its_box() -> None:
    entry = _entry(1, "2024", "新增 280 GW", "000_21b4db651bf1e798:L11-L11")
    chart = timeline_chart("Events", [entry])
    assert chart is not None
    (label,) = chart.periods[0][1]
    assert label == "新增 280 GW — 000_21b4db651bf…:L11"  # escaped when written out
