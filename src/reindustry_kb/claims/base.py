"""What every extractor returns: a span of the folded passage text and the claim's own fields."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Found:
    kind: str  # statistic | date | actor | policy_lever
    start: int  # in the folded text of the passage
    end: int
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What an extractor may know about the document beyond the passage."""

    doc_date: str | None = None  # ISO, for 今年 / next year
    lang: str = "zh-Hant"  # decides what a bare 元 means
    month_first: bool = True  # the document's reading of 06/09/2025


def first_wins(candidates: Iterable[Found | None]) -> Iterator[Found]:
    """Each candidate unless it overlaps one already kept: callers list the most specific
    readings first, so one span gives one claim."""
    taken: list[tuple[int, int]] = []
    for found in candidates:
        if found is None or any(found.start < end and start < found.end for start, end in taken):
            continue
        taken.append((found.start, found.end))
        yield found
