"""What a statistic counts or measures: the object in its measure, without the scope, time and
grammar around it.

A measure (claims/context.py) is the phrase a number attaches to, as written: 全球鋰電池產能,
美國今年有望為國庫帶來, U.S. tariff revenue for fiscal year 2025. Two figures are of one thing only
when their objects are: 全球鋰電池產能 (75 %) and 全球太陽能板 (80 %) are both global shares, of
different things. The object keeps the measure's content words, nouns, verbs and adjectives
(新增 counts an addition, not a stock), and drops what the figure's scope and period already say
(countries and places, 全球, global; years, 今年, annual), the figure itself where the measure
holds it, and grammar: pronouns, prepositions, particles, numerals, conjunctions, adverbs, and
the modal and link verbs that tie a subject to its number (有望, 不得, 达到, reached). Chinese is
read with jieba's part-of-speech tags on the folded text, English word by word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reindustry_kb.claims.context import EN_STOP, GLOBAL
from reindustry_kb.claims.lexicon import actor_lexicon
from reindustry_kb.text.normalize import Folded, fold, is_han
from reindustry_kb.text.tokenize import pos_tagger

# jieba's tags for grammar and for what scope and period say: places (ns), time (t), pronouns
# (r, which jieba gives 每年 too), prepositions (p), numerals (m), particles
# (u*), conjunctions (c), adverbs (d), locatives (f), punctuation and spaces (x, w),
# interjections and modal particles (e, y, o).
_GRAMMAR_TAGS = ("ns", "t", "r", "p", "m", "u", "c", "d", "f", "x", "w", "e", "y", "o")
# Modal, link and comparison verbs: how a clause ties its subject to a number (有望达到,
# 不得低于, 以不超过 ... 为限), in folded (Simplified) form.
_LINK_VERB_ZH = re.compile(
    r"有望|可能|预计|预估|估计|将会?|会|能|可以?|已经?|仍|再|达到|达成?|为|是|有|占|约为|不得|得|应当?|须|需|"
    r"不|不?超过|低于|高于|多于|少于|不足|不到|不少于|不低于|逾|近|将近|接近|高达|多达|至少|约|大约|共|合计|"
    r"累计|总共|则|更|亦|也|就|都|以|作为|来|到|至|成为"
)
# English words of time, scope and linking besides the stop words of claims/context.py.
_NOT_OBJECT_EN = re.compile(
    r"annual|annually|yearly|monthly|quarterly|weekly|daily|calendar|national|nationwide|domestic|"
    r"federal|international|foreign|reach|reached|totaled|totalled|total|came|come|stood|rose|fell|"
    r"grew|hit|topped|exceeded|amounted|were|was|is|are|be|been|alone|so|far|than|"
    # prepositions the stop words lack: what follows them is kept, they are grammar
    r"during|across|through|throughout|within|among|between|against|without|via|toward|towards|"
    r"amid|despite|including|following|after|before|until|upon|onto|into|beyond|behind|along"
)
_EN_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d.,]*")
_SCOPE_ZH = re.compile(rf"{GLOBAL.pattern}|全国|国内|境内|我国|本国", re.I)
# Periods written as nouns (jieba tags them n): the figure's period says them.
_PERIOD_ZH = re.compile(
    r"(?:财政|会计)?年度|财年|全年|半年|上半年|下半年|年底|年初|年末|单月|当月|每月|月份|季度|单季|第?[一二三四]季"
)


@dataclass(frozen=True)
class MeasuredObject:
    label: str  # the measure as written, from its first content word to its last
    words: tuple[str, ...]  # the content words, folded (Simplified, lower case)


def measured_object(measure: str, figure: tuple[int, int] | None = None) -> MeasuredObject | None:
    """The object of a measure (`figure`: the span of the statistic's own text inside it, when
    the measure holds it, as in 中國新增 280 GW太陽能發電量), or None when nothing is left."""
    folded = fold(measure, lower=False)
    text = folded.text
    dropped = [False] * len(text)
    if figure is not None:
        start, end = _folded_span(folded, *figure)
        dropped[start:end] = [True] * (end - start)
    for start, end, (_canonical, kind) in actor_lexicon().find(text):
        if kind == "country":
            dropped[start:end] = [True] * (end - start)
    for match in (*_SCOPE_ZH.finditer(text), *_PERIOD_ZH.finditer(text)):
        dropped[match.start() : match.end()] = [True] * (match.end() - match.start())
    kept = [span for span in _words(text) if not any(dropped[span[0] : span[1]])]
    if not kept:
        return None
    words = tuple(text[start:end].lower() for start, end in kept)
    first, last = folded.span_to_original(kept[0][0], kept[-1][1])
    label = measure[first:last]
    if figure is not None and first <= figure[0] and figure[1] <= last:
        label = label[: figure[0] - first] + label[figure[1] - first :]
    return MeasuredObject(_tidy(label), words)


def _folded_span(folded: Folded, start: int, end: int) -> tuple[int, int]:
    """The folded span covering original [start, end)."""
    starts, ends = folded.starts, folded.ends
    first = next((i for i, s in enumerate(starts) if s >= start), len(starts))
    last = next((i for i in range(len(ends) - 1, -1, -1) if ends[i] <= end), -1)
    return first, max(first, last + 1)


def _words(text: str) -> list[tuple[int, int]]:
    """Spans of the content words of a folded measure: Chinese by jieba's tags, English word
    by word (an English measure never loads the tagger)."""
    if not any(is_han(c) for c in text):
        return _english_words(text, 0)
    spans: list[tuple[int, int]] = []
    position = 0
    previous = ""  # the tag of the last word that is not a space
    for word, flag in pos_tagger().cut(text):
        start, position = position, position + len(word)
        if not any(is_han(c) for c in word):
            spans += _english_words(word, start)
        elif not (
            flag.startswith(_GRAMMAR_TAGS)
            or _LINK_VERB_ZH.fullmatch(word)
            # one character after a numeral is its classifier (前 12 大贸易伙伴, 三 项 措施)
            or (len(word) == 1 and previous.startswith("m"))
        ):
            spans.append((start, position))
        previous = flag if word.strip() else previous
    return spans


def _english_words(text: str, offset: int) -> list[tuple[int, int]]:
    spans = []
    for match in _EN_TOKEN.finditer(text):
        token = match.group().lower()
        plain = token.rstrip("'’s") if token.endswith(("'s", "’s")) else token
        if len(plain) < 2 or token[0].isdigit() or plain in EN_STOP:
            continue
        if not _NOT_OBJECT_EN.fullmatch(plain):
            spans.append((offset + match.start(), offset + match.end()))
    return spans


def _tidy(label: str) -> str:
    """One space where the figure or a line break was, none between Chinese characters."""
    label = re.sub(r"\s+", " ", label).strip(" ,，、:：")
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", label)
