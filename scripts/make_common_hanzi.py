"""Regenerate src/reindustry_kb/data/common_hanzi.txt: the most frequent Han characters.

Weights every character of jieba's dictionary by the frequency of the words it occurs in,
keeps the top N, and adds their Traditional and Simplified forms (OpenCC) so the list
serves both scripts. `ingest/decode.py` uses it to tell a Big5 file from a GB18030 one.
"""

from __future__ import annotations

import collections
from pathlib import Path

import jieba
import opencc

TOP_N = 2500
OUT = Path(__file__).resolve().parents[1] / "src/reindustry_kb/data/common_hanzi.txt"


def main() -> None:
    dict_path = Path(jieba.__file__).parent / "dict.txt"
    weights: collections.Counter[str] = collections.Counter()
    for line in dict_path.read_text(encoding="utf-8").splitlines():
        word, freq, *_ = line.split(" ")
        for char in word:
            if "\u4e00" <= char <= "\u9fff":
                weights[char] += int(freq)
    top = "".join(char for char, _ in weights.most_common(TOP_N))
    both = (
        set(top) | set(opencc.OpenCC("s2tw").convert(top)) | set(opencc.OpenCC("t2s").convert(top))
    )
    OUT.write_text("".join(sorted(both)) + "\n", encoding="utf-8")
    print(f"{len(both)} characters -> {OUT}")


if __name__ == "__main__":
    main()
