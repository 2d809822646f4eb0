"""What a chart of compared figures or dated events shows, and its compact terminal form.

Shared with the Mermaid charts of the export (out/mermaid.py): which figures of a `rkb compare`
group are charted (each once, two at least: a chart of one point says nothing) and the scale
their axis reads in. For the terminal: bars scaled within a group, and a time axis that shows
where the events of `rkb timeline` fall. The lines are plain text; out/render.py draws them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len

if TYPE_CHECKING:
    from reindustry_kb.ask.compare import ComparedStatistic, StatisticGroup

# Units read as they are (a share, a multiple); the others in thousands, millions, ...
UNSCALED = {"%", "x"}
_SCALES = ((1e12, "trillions"), (1e9, "billions"), (1e6, "millions"), (1e3, "thousands"))
# Eighths of a cell, for bars finer than a whole block.
_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPARK = "▁▂▃▄▅▆▇█"
# The room a bar may have, in cells: narrower, the bars are left out; wider is not compact.
NARROWEST_BAR = 10
WIDEST_BAR = 40


@dataclass(frozen=True)
class Scale:
    """Values divided by `factor` read in `name` (thousands, billions) of the unit."""

    factor: float = 1.0
    name: str = ""

    def axis(self, unit: str) -> str:
        return f"{unit}, {self.name}" if self.name else unit

    def of(self, value: float) -> float:
        return value / self.factor


def scale_for(values: Sequence[float], unit: str) -> Scale:
    """The largest scale that leaves the largest value at 1 or more."""
    top = max((abs(value) for value in values), default=0.0)
    if unit in UNSCALED:
        return Scale()
    for factor, name in _SCALES:
        if top >= factor:
            return Scale(factor, name)
    return Scale()


def charted(group: StatisticGroup) -> list[ComparedStatistic]:
    """The figures of a group a chart shows, each once; none when fewer than two."""
    seen: dict[str, ComparedStatistic] = {}
    for row in group.statistics:
        seen.setdefault(row.id, row)
    return list(seen.values()) if len(seen) > 1 else []


def span(row: ComparedStatistic) -> tuple[float, float]:
    """A figure's low and high ends (equal unless it is a range)."""
    return row.value, row.value_max if row.value_max is not None else row.value


# --- the terminal ------------------------------------------------------------------------


def bars(rows: Sequence[tuple[str, float, float, str]], width: int) -> list[str]:
    """A bar per (label, low, high, value text), scaled to the largest value: solid to the low
    end, shaded to the high end of a range. None when fewer than two rows, when a value is
    negative (a bar from zero would hide the sign), or when `width` leaves too little room."""
    if len(rows) < 2 or any(low < 0 for _, low, _, _ in rows):
        return []
    label_width = max(cell_len(label) for label, _, _, _ in rows)
    value_width = max(cell_len(text) for _, _, _, text in rows)
    room = min(width - label_width - value_width - 4, WIDEST_BAR)
    top = max(high for _, _, high, _ in rows)
    if room < NARROWEST_BAR or top <= 0:
        return []
    lines = []
    for label, low, high, text in rows:
        solid = _bar(low / top * room)
        shaded = "░" * (round(high / top * room) - cell_len(solid)) if high > low else ""
        bar = (solid + shaded).ljust(room)
        lines.append(f"{_pad(label, label_width)}  {bar}  {text}")
    return lines


def _bar(cells: float) -> str:
    whole = int(cells)
    part = _EIGHTHS[int((cells - whole) * 8)]
    return "█" * whole + (part if part != " " else "")


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def time_axis(dates: Sequence[str], width: int) -> list[str]:
    """Four lines: a caption; how many events fall at each point of time (a taller mark, more
    events); an axis from the first date to the last, with ticks at round years (or months,
    over two years or less); the dates at its ends and the ticks'. None for fewer than two
    distinct dates, or narrower than 30 cells."""
    if len(set(dates)) < 2 or width < 30:
        return []
    ordered = sorted(dates, key=_year_fraction)
    low, high = _year_fraction(ordered[0]), _year_fraction(ordered[-1])
    if high == low:  # 2025 and 2025-01 fall on one point
        return []

    def column(when: float) -> int:
        return round((when - low) / (high - low) * (width - 1))

    counts = Counter(column(_year_fraction(date)) for date in dates)
    marks = [" "] * width
    for at, count in counts.items():
        marks[at] = _SPARK[math.ceil(count / max(counts.values()) * len(_SPARK)) - 1]
    axis, labels = ["─"] * width, [" "] * width
    ends = [(low, ordered[0]), (high, ordered[-1])]
    for when, label in [*ends, *_ticks(low, high, width)]:
        axis[column(when)] = "┬"
        at = min(column(when), width - len(label))
        if all(cell == " " for cell in labels[max(at - 1, 0) : at + len(label) + 1]):
            labels[at : at + len(label)] = label
    caption = f"From {ordered[0]} to {ordered[-1]}; a taller mark, more events:"
    return [caption, "".join(marks).rstrip(), "".join(axis), "".join(labels).rstrip()]


def _year_fraction(date: str) -> float:
    """2025 -> 2025.0, 2025-07 -> 2025.5, 2025-07-01 -> about 2025.5."""
    parts = [int(part) for part in date.split("-")]
    month = parts[1] if len(parts) > 1 else 1
    day = parts[2] if len(parts) > 2 else 1
    return parts[0] + (month - 1) / 12 + (day - 1) / 366


def _ticks(low: float, high: float, width: int) -> list[tuple[float, str]]:
    """Ticks at round years (or months, over two years or less) far enough apart for their
    labels, strictly between `low` and `high`."""
    years = high - low
    if years <= 2:
        step = next((m for m in (1, 2, 3, 6) if width * m / (12 * years) >= 9), 12)
        months = range(math.floor(low * 12) + 1, math.ceil(high * 12))
        return [(m / 12, f"{m // 12}-{m % 12 + 1:02d}") for m in months if m % step == 0]
    steps = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500)
    step = next((s for s in steps if width * s / years >= 6), 1000)
    first = math.floor(low / step) * step + step
    return [(float(year), str(year)) for year in range(first, math.ceil(high), step)]
