"""What every extractor returns: a span of the folded passage text and the claim's own fields."""

from __future__ import annotations

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
