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

# Han characters: CJK unified ideographs, extension A and the compatibility block, as the body
# of a regex character class; the one definition every module uses.
HAN = "\u3400-\u9fff\uf900-\ufaff"


def is_han(char: str) -> bool:
    """True for one Han character."""
    return len(char) == 1 and ("\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff")


# tw2sp folds Taiwan vocabulary too (晶片 -> 芯片, 人工智慧 -> 人工智能), so zh-Hant and zh-Hans
# wordings of one term meet; plain t2s (character by character) keeps lengths for alignment.
FOLD_CONFIG = "tw2sp"


@cache
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


@dataclass(frozen=True)
class Folded:
    """Folded text and, per folded character, the original span [start, end) it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering folded [start, end)."""
        if end <= start:
            position = self.starts[start] if start < len(self.starts) else (self.ends or (0,))[-1]
            return position, position
        return self.starts[start], self.ends[end - 1]


def fold(text: str, lower: bool = True) -> Folded:
    """Matching form of `text` with an exact offset map back to it (`lower=False` keeps case,
    for extractors that read capitalised English names)."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        normal = unicodedata.normalize("NFKC", char)
        for out in normal.lower() if lower else normal:
            chars.append(out)
            origin.append(index)
    nfkc = "".join(chars)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for line in nfkc.split("\n"):
        line_origin = origin[position : position + len(line)]
        part, part_starts, part_ends = _fold_line(line, line_origin)
        parts.append(part)
        starts.extend(part_starts)
        ends.extend(part_ends)
        position += len(line)
        if position < len(nfkc):  # the newline itself
            starts.append(origin[position])
            ends.append(origin[position] + 1)
            position += 1
    return Folded("\n".join(parts), tuple(starts), tuple(ends))


def fold_text(text: str, lower: bool = True) -> str:
    """Matching form only (queries, tokens, lexicon entries): no offset map needed."""
    normal = unicodedata.normalize("NFKC", text)
    folded: str = _converter(FOLD_CONFIG).convert(normal.lower() if lower else normal)
    return folded


def _fold_line(line: str, origin: list[int]) -> tuple[str, list[int], list[int]]:
    starts = origin
    ends = [index + 1 for index in origin]
    converted: str = _converter(FOLD_CONFIG).convert(line)
    if len(converted) == len(line):
        return converted, starts, ends
    # A phrase changed length (網際網路 -> 互联网). Align with the per-character form and map
    # each changed block as a whole; a one-character "match" between two changes is absorbed
    # (the 网 of 互联网 is not the 網 of 網際網路 it happens to equal), one beside a single
    # change is kept (the 從 of 從輝達 -> 从英伟达 stays the 从).
    per_char: str = _converter("t2s").convert(line)
    if len(per_char) != len(line):
        per_char = line
    opcodes = difflib.SequenceMatcher(None, per_char, converted, autojunk=False).get_opcodes()
    changed = [tag != "equal" for tag, *_ in opcodes]
    blocks: list[tuple[bool, int, int, int, int]] = []  # (kept as equal, i1, i2, j1, j2)
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between = 0 < k < len(opcodes) - 1 and changed[k - 1] and changed[k + 1]
        equal = tag == "equal" and (i2 - i1 >= 2 or not between)
        if not equal and blocks and not blocks[-1][0]:
            _, b1, _, c1, _ = blocks.pop()
            blocks.append((False, b1, i2, c1, j2))  # grow the change block
        else:
            blocks.append((equal, i1, i2, j1, j2))
    new_starts: list[int] = []
    new_ends: list[int] = []
    for is_equal, i1, i2, j1, j2 in blocks:
        if is_equal:
            new_starts.extend(starts[i1:i2])
            new_ends.extend(ends[i1:i2])
            continue
        block_start = starts[i1] if i1 < len(starts) else ends[-1]
        block_end = ends[i2 - 1] if i2 > i1 else block_start
        new_starts.extend([block_start] * (j2 - j1))
        new_ends.extend([block_end] * (j2 - j1))
    return converted, new_starts, new_ends


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
