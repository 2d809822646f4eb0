"""Mermaid charts for the Markdown export: a `timeline` of dated events, and an `xychart-beta`
per group of compared figures (bars; a line when the figures are one measure over time).

GitHub, GitLab and Obsidian draw a ```mermaid block as a picture. Labels are escaped with
Mermaid's entity codes (#quot;, #58;), which its renderer turns back into the characters, so
quotes, colons (in every citation, and the timeline's separator), brackets, semicolons and #
reach the picture as written; they are shortened to a few words. tests/out/test_mermaid.py
parses every chart with Mermaid's own parser (the version pinned in tests/mermaid/).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from reindustry_kb.out.charts import charted, scale_for, span
from reindustry_kb.out.render import break_offsets

if TYPE_CHECKING:
    from reindustry_kb.ask.compare import ComparedStatistic, StatisticGroup
    from reindustry_kb.ask.timeline import TimelineEntry

# Characters the Mermaid grammars read as syntax (":" ends a timeline event, '"' a quoted
# label, ";" a statement, "#" a comment or an entity, brackets a list), or as HTML.
_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    ":": "#58;",
    ";": "#59;",
    "[": "#91;",
    "]": "#93;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
}
_SYNTAX = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")
# How long a label may be, in terminal cells (a CJK character is two); a timeline event's text
# may break into lines of LINE_CELLS, its box being narrow.
TEXT_CELLS = 44
LINE_CELLS = 22
SOURCE_CELLS = 28
EVENT_SOURCE_CELLS = 16  # a timeline box holds about 20 cells of a word without spaces
TITLE_CELLS = 72  # a timeline's (an xychart clips its title at the chart's edges: 40)
CHART_TITLE_CELLS = 40
# More than this many points make a chart no one reads: the first ones are drawn, and the
# export says so (the table above the chart holds them all).
MOST_POINTS = 40
_CITATION = re.compile(r"^(?P<doc>.+?):(?P<where>(?:p\d+:)?L\d+-L\d+)$")


def escape(label: str) -> str:
    """A label Mermaid shows as written: syntax characters as entity codes, on one line."""
    return _SYNTAX.sub(lambda m: _ENTITIES[m.group()], " ".join(label.split()))


def shorten(text: str, cells: int) -> str:
    """`text` on one line, cut to `cells` terminal cells at a word or CJK character, with …."""
    text = " ".join(text.split())
    if cell_len(text) <= cells:
        return text
    kept = ""
    for char in text:
        if cell_len(kept + char) > cells - 1:
            break
        kept += char
    if " " in kept and kept.isascii():  # a Latin text is cut between words
        kept = kept[: kept.rfind(" ")]
    return kept.rstrip(" ,;:，、；：") + "…"


def source(citation: str, cells: int = SOURCE_CELLS) -> str:
    """A citation shortened for a label: the file's name without its folders, cut to `cells`,
    a line once (laws/cn/外贸法:L5-L5 -> 外贸法:L5); the table beside the chart cites in full."""
    found = _CITATION.match(citation)
    if found is None:
        return shorten(citation, cells)
    where = re.sub(r"L(\d+)-L\1$", r"L\1", found["where"])
    return f"{shorten(found['doc'].rsplit('/', 1)[-1], cells)}:{where}"


def breakable(text: str, cells: int) -> str:
    """`text` with a space at least every `cells` terminal cells: Mermaid breaks a timeline's
    labels only at spaces, and Chinese has none."""
    offsets = [0, *break_offsets(text, cells), len(text)]
    return " ".join(text[a:b].strip() for a, b in itertools.pairwise(offsets) if a < b)


@dataclass
class Timeline:
    """A Mermaid `timeline`: periods (years) in order, each with its events' labels."""

    title: str
    periods: list[tuple[str, list[str]]] = field(default_factory=list)
    left_out: int = 0  # events past MOST_POINTS

    def points(self) -> int:
        return sum(len(events) for _, events in self.periods)

    def text(self) -> str:
        lines = ["timeline", f"    title {escape(self.title)}"]
        for period, events in self.periods:
            lines.append(f"    {escape(period)} : {escape(events[0])}")
            lines += [f"        : {escape(event)}" for event in events[1:]]
        return "\n".join(lines)


@dataclass
class Chart:
    """A Mermaid `xychart-beta`: labelled points on the x axis, bar or line series over them.
    Bars lie horizontal, so that their labels (date and source) have room."""

    title: str
    labels: list[str]
    axis: str  # the y axis: unit and scale
    series: list[tuple[str, list[float]]]  # ("bar" or "line", a value per label)
    low: float = 0.0  # the y axis' range
    high: float = 1.0
    left_out: int = 0  # figures past MOST_POINTS

    def points(self) -> int:
        return len(self.labels)

    def colors(self) -> list[str]:
        """A colour per series (Mermaid's own first colours are pale): the high ends of
        ranges light, the values dark."""
        return [_LIGHT, _DARK] if len(self.series) > 1 else [_DARK]

    @property
    def horizontal(self) -> bool:
        return all(kind == "bar" for kind, _ in self.series)

    def text(self) -> str:
        theme: dict[str, Any] = {
            "themeVariables": {"xyChart": {"plotColorPalette": ", ".join(self.colors())}}
        }
        if len(self.series) == 1:  # each bar says its value (ranges' two overlaid would clash)
            theme["xyChart"] = {"showDataLabel": True}
            theme["themeVariables"]["xyChart"]["dataLabelColor"] = "#ffffff"
        labels = ", ".join(f'"{escape(label)}"' for label in self.labels)
        lines = [
            f"%%{{init: {json.dumps(theme)}}}%%",
            "xychart-beta horizontal" if self.horizontal else "xychart-beta",
            f'    title "{escape(self.title)}"',
            f"    x-axis [{labels}]",
            f'    y-axis "{escape(self.axis)}" {number(self.low)} --> {number(self.high)}',
        ]
        lines += [f"    {kind} [{', '.join(map(number, values))}]" for kind, values in self.series]
        return "\n".join(lines)


_DARK, _LIGHT = "#4e79a7", "#a0cbe8"


def number(value: float) -> str:
    """A value as Mermaid reads it: no exponent, no trailing zeros."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def markdown(chart: Timeline | Chart) -> str:
    """The chart as a ```mermaid block, and what it leaves out, if anything."""
    block = f"```mermaid\n{chart.text()}\n```"
    if not chart.left_out:
        return block
    shown = chart.points()
    total = shown + chart.left_out
    return f"{block}\n\n*The chart shows the first {shown} of {total}; the table lists them all.*"


def timeline_chart(title: str, entries: Sequence[TimelineEntry]) -> Timeline | None:
    """Events by year, each labelled with its date (when finer than the year), its clause
    shortened, and its source; None without events."""
    if not entries:
        return None
    chart = Timeline(title, left_out=max(len(entries) - MOST_POINTS, 0))
    for entry in entries[:MOST_POINTS]:
        year = entry.date[:4]
        # The year heads the period; a finer date, and what the reader should know, lead.
        when = entry.when[4:].strip() if entry.date == year else entry.when
        text = breakable(shorten(entry.text or entry.event.text, TEXT_CELLS), LINE_CELLS)
        label = f"{when} {text} — {source(entry.citation, EVENT_SOURCE_CELLS)}".strip()
        if chart.periods and chart.periods[-1][0] == year:
            chart.periods[-1][1].append(label)
        else:
            chart.periods.append((year, [label]))
    return chart


def group_chart(group: StatisticGroup) -> Chart | None:
    """The figures of one group (one unit, one measure) as bars in the table's order, each
    labelled with its date and source; a line over time when the group names no period and
    every figure has a date of its own (three at least). None for fewer than two figures, and
    for bars of a negative value (Mermaid draws bars from the axis' end, not from zero)."""
    figures = charted(group)
    if not figures:
        return None
    rows = figures[:MOST_POINTS]
    lows, highs = [span(row)[0] for row in rows], [span(row)[1] for row in rows]
    scale = scale_for(highs + lows, group.unit)
    dates = [row.date for row in rows]
    over_time = group.period is None and len(rows) > 2 and None not in dates
    over_time = over_time and len(set(dates)) == len(dates)
    if not over_time and min(lows) < 0:
        return None
    kind = "line" if over_time else "bar"
    labels = [row.date or "undated" for row in rows]
    if not over_time:  # bars: whose figure each is, and of which period where they differ
        periods = group.several_periods()
        labels = [
            f"{label} {source(row.citation)}" + (f" ({row.period or 'any'})" if periods else "")
            for label, row in zip(labels, rows, strict=True)
        ]
    series = [(kind, [scale.of(value) for value in lows])]
    if highs != lows:  # a range: its high ends too (drawn first, the low ends over them)
        series.insert(0, (kind, [scale.of(value) for value in highs]))
    values = [value for _, points in series for value in points]
    return Chart(
        title=shorten(_title(group, rows), CHART_TITLE_CELLS),
        labels=_unique(labels),
        axis=scale.axis(group.unit),
        series=series,
        low=min(0.0, *values),
        high=max(0.0, *values) or 1.0,
        left_out=len(figures) - len(rows),
    )


def _unique(labels: list[str]) -> list[str]:
    """Labels told apart (a chart draws one point per label): a repeated one numbered."""
    seen: Counter[str] = Counter()
    unique = []
    for label in labels:
        seen[label] += 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


def _title(group: StatisticGroup, rows: Sequence[ComparedStatistic]) -> str:
    """The group's measured object (compare names one per group, whatever language each
    figure is worded in), else the measure most figures name (more than half of them; else
    "figures"), then the scope and period the group shares."""
    measure = group.measure
    if not measure:
        measures = Counter(row.measure for row in rows if row.measure).most_common(1)
        measure = measures[0][0] if measures and measures[0][1] * 2 > len(rows) else "figures"
    return " · ".join(part for part in (measure, group.scope, group.period) if part)
