"""Which language a text is in: English, Chinese (and which script), or mixed.

By counting scripts rather than with a trained detector: the three languages this tool reads
differ by script, and a question of four characters is as decidable as a page."""

from __future__ import annotations

import re

from reindustry_kb.text.normalize import is_han


def detect_lang(text: str) -> str:
    """zh-Hant, zh-Hans, en, or mixed (both scripts carry at least a quarter of the text)."""
    language = detect_language(text)
    return chinese_script(text) if language == "zh" else language


def detect_language(text: str) -> str:
    """en, zh or mixed, as detect_lang says but without telling the Chinese scripts apart
    (which loads an OpenCC table: a question's language needs none)."""
    han = sum(is_han(char) for char in text)
    latin = len(re.findall(r"[A-Za-z]", text))
    # A Han character carries about as much as 2.5 Latin letters.
    han_weight, latin_weight = han * 2.5, latin
    total = han_weight + latin_weight
    if total == 0:
        return "en"
    if han_weight / total < 0.15:
        return "en"
    if latin_weight / total >= 0.25 and _english_lines_share(text) >= 0.25:
        return "mixed"
    return "zh"


def _english_lines_share(text: str) -> float:
    """Share of letters that stand in lines written (almost) wholly in English."""
    english = total = 0.0
    for line in text.splitlines():
        han = sum(is_han(char) for char in line)
        latin = len(re.findall(r"[A-Za-z]", line))
        total += han * 2.5 + latin
        if latin and han * 2.5 < 0.1 * latin:
            english += latin
    return english / total if total else 0.0


def chinese_script(text: str) -> str:
    """zh-Hans when Simplified-only characters outnumber Traditional-only ones."""
    from reindustry_kb.text.normalize import script_counts

    traditional, simplified = script_counts(text)
    return "zh-Hans" if simplified > traditional else "zh-Hant"
