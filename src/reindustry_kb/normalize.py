"""Normalise text for matching only: NFKC, lower case, and Traditional/Simplified folding.

Citations always quote the original text; `fold` returns the matching form together with an
offset map, so a span found in folded text maps back to exact original offsets.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

# tw2sp folds Taiwan vocabulary too (晶片 -> 芯片, 人工智慧 -> 人工智能), so zh-Hant and zh-Hans
# wordings of one term meet; plain t2s (character by character) keeps lengths for alignment.
FOLD_CONFIG = "tw2sp"


@cache
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


@dataclass(frozen=True)
class Folded:
    """Folded text and, for each of its characters, the index of the original character."""

    text: str
    offsets: tuple[int, ...]  # len(text) + 1 entries; the last is len(original)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering folded [start, end)."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


def fold(text: str) -> Folded:
    """Matching form of `text` with an exact offset map back to it."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        for out in unicodedata.normalize("NFKC", char).lower():
            chars.append(out)
            offsets.append(index)
    nfkc = "".join(chars)
    folded_parts: list[str] = []
    folded_offsets: list[int] = []
    position = 0
    for line in nfkc.split("\n"):
        part, part_offsets = _fold_line(line, offsets[position : position + len(line)])
        folded_parts.append(part)
        folded_offsets.extend(part_offsets)
        position += len(line)
        if position < len(nfkc):  # the newline itself
            folded_offsets.append(offsets[position])
            position += 1
    return Folded("\n".join(folded_parts), (*folded_offsets, len(text)))


def fold_text(text: str) -> str:
    """Matching form only (queries, tokens): no offset map needed."""
    return _converter(FOLD_CONFIG).convert(unicodedata.normalize("NFKC", text).lower())  # type: ignore[no-any-return]


def _fold_line(line: str, offsets: list[int]) -> tuple[str, list[int]]:
    converted: str = _converter(FOLD_CONFIG).convert(line)
    if len(converted) == len(line):
        return converted, offsets
    # A phrase changed length (網際網路 -> 互联网): align against the per-character form.
    per_char: str = _converter("t2s").convert(line)
    if len(per_char) != len(line):
        per_char = line
    mapped: list[int] = []
    matcher = difflib.SequenceMatcher(None, per_char, converted, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            mapped.extend(offsets[i1:i2])
        elif j2 > j1:  # replaced or inserted: spread the new characters over the old span
            source = offsets[i1:i2] or [offsets[min(i1, len(offsets) - 1)]]
            mapped.extend(source[(k * len(source)) // (j2 - j1)] for k in range(j2 - j1))
    return converted, mapped


def script_counts(text: str) -> tuple[int, int]:
    """(Traditional-only, Simplified-only) character counts."""
    to_simplified: str = _converter("t2s").convert(text)
    to_traditional: str = _converter("s2t").convert(text)
    traditional = simplified = 0
    if len(to_simplified) == len(text):
        traditional = sum(a != b for a, b in zip(text, to_simplified, strict=True))
    if len(to_traditional) == len(text):
        simplified = sum(a != b for a, b in zip(text, to_traditional, strict=True))
    return traditional, simplified


def to_traditional(text: str) -> str:
    """Taiwan-standard Traditional form, for showing a folded term in the reader's script."""
    return _converter("s2twp").convert(text)  # type: ignore[no-any-return]
