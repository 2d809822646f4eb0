"""What a statistic is about: its measure, scope and period (what a date dates: temporal.py).

Read from the clause structure of the folded passage text, never from another sentence (but
for the year 同年 refers to):

- a statistic's *measure* is the nominal phrase its number attaches to: the counted noun and
  what it governs (350 万个工作的消失), else the clause before the number without its link
  verb, adverbs and time words (全球锂电池产能有 75%, 为国库带来 3000 亿美元), else the noun
  phrase after it (3000 亿美元的投资); in English `X of/in NP` after the number, an attributive
  noun (a 25% tariff on steel), or the subject before a link verb (revenue reached $300
  billion). A number with nothing nameable around it gets no measure.
- *scope*: the country or `global` named in the measure, else in its clause (countries from the
  actor table); *period*: a date in the clause (relative ones already resolved) or in a short
  clause opening its sentence (於 2024 年，...), else the year of the last date before 同年 (the
  same year) in the passage, else a duration (10 年内, over the next decade).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

from reindustry_kb.claims.base import Found
from reindustry_kb.text.normalize import HAN
from reindustry_kb.text.tokenize import pos_tagger

# A full stop ends a sentence, but not after dotted initials (U.S. tariff revenue).
SENTENCE_END = re.compile(r"[。！？；!?;\n]|(?<![A-Z]\.[A-Z])\.(?=\s|$)")
# A comma between digits is a thousands separator (1,200), not a clause break.
CLAUSE_BREAK = re.compile(r"[，：:（）()「」“”]|,(?!\d)|(?<!\d),|\s[-–—]\s")
# Openers that tie a clause to what came before; they are not part of what is measured.
_LEAD_ZH = (
    r"(?:而且|而|但是|但|并且|并|且|其中|此外|另外|同时|因此|所以|不过|然而|如今|目前|现在|当时|"
    r"今年|明年|去年|前年|每年|过去|未来|近年来|近年|最近|根据|据|在|于|将|已|预计|"
    r"(?:我们|他们|我|你|外界|市场)?(?:看到|发现|认为|知道|估计|预估)|可以(?:看到|发现)|"
    r"(?:\d{4}|[零〇一二三四五六七八九]{4})\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?|"
    r"[一二三四五六七八九十\d]+\s*月(?:份)?)"
)
_LEAD_ZH_RE = re.compile(rf"(?:\s*{_LEAD_ZH})+\s*")  # used with match(pos): no ^
# What stands between a measure and its number: link verbs, adverbs, approximations.
_LINKS_ZH = (
    r"达到了?|达|为|是|有|占了?|约为|提高到|提高至|提升至|提升到|降至|降到|降低到|升至|升到|增至|"
    r"增加到|减至|已经|已|将|可能|预计|有望|仍|再|的|共|总共|合计|累计|则|更|亦|也|就|都|"
    r"今年|明年|去年|每年|目前|\d{4}\s*年"
)
# A verb of change is a link only right before the figure: in 经济增长今年达到了 3.3% the
# 增长 is what is measured.
_CHANGES_ZH = r"增加了?|增长了?|减少了?|下降了?|上升了?"
_APPROX_TAIL_ZH = r"约|大约|超过了?|逾|近|将近|接近|高达|多达|至少|不到"
_TAIL_ZH = re.compile(
    rf"(?:\s*(?:{_LINKS_ZH}))*(?:\s*(?:{_CHANGES_ZH}))?(?:\s*(?:{_APPROX_TAIL_ZH}))*\s*$"
)
_NOUN_AFTER_ZH = re.compile(rf"\s*(?:的|之)?\s*(?P<noun>[{HAN}A-Za-z]{{2,12}})")
_OF_NOUN = re.compile(rf"的(?P<noun>[{HAN}]{{1,8}})")
_CONTENT = re.compile(rf"[{HAN}]{{2}}|[A-Za-z]{{3}}")
_MAX_MEASURE = 24  # characters: the nominal phrase nearest the number, not the whole clause
# Between two figures, words that make the second share the first's measure.
# (from $83.8 billion in 2000 to $295.4 billion: the first figure's year between them).
_JOINED = re.compile(
    r"\s*(?:(?:in|by|for)\s+(?:19|20)\d\d|(?:19|20)\d\d\s*年)?\s*[,，、]?\s*"
    r"(?:and|or|to|vs\.?|versus|和|与|及|或|到|至)?\s*",
    re.I,
)
# A clause that opens with a verb of share or comparison has its subject in the clause before
# (产业用地所占面积，不得低于全区土地总面积百分之六十); one that holds such a verb has a subject
# and a base (采购份额应当占……预算总额的百分之三十), longer than the nearest noun phrase.
_SHARE_VERB_ZH = r"占|不得低于|不得超过|不得少于|不低于|不少于|不超过|不高于|低于|高于"
_SUBJECTLESS_ZH = re.compile(rf"(?:应当?|须|得|并)?\s*(?:{_SHARE_VERB_ZH})")
_HAS_SHARE_ZH = re.compile(_SHARE_VERB_ZH)

_EN_STOP = (
    "the|a|an|this|that|these|those|which|who|and|or|but|to|by|with|from|as|at|its|their|his|"
    "her|our|than|more|less|over|under|about|nearly|almost|around|some|up|is|was|were|are|be|"
    "been|has|have|had|will|would|could|may|might|per|each|every|into|since|while|when|in|on|"
    "for|it|they|we|he|she|you|i|last|next|past|year|years|month|months|quarter|week|decade|"
    "today|fiscal|january|february|march|april|may|june|july|august|september|october|november|"
    "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
EN_STOP = frozenset(_EN_STOP.split("|"))  # words that name nothing measured
_EN_WORD = rf"(?!(?i:{_EN_STOP})\b)[A-Za-z][A-Za-z'’-]*"
_EN_NP = (
    rf"(?<![\w'’-]){_EN_WORD}(?:\s+{_EN_WORD}){{0,3}}"
    rf"(?:\s+(?:of|on|for|in|with|from|to)\s+(?:the\s+)?{_EN_WORD}(?:\s+{_EN_WORD}){{0,2}}){{0,2}}"
)
_EN_AFTER = re.compile(rf"^\s*(?:of|in|for|on)\s+(?:(?:the|a|an|its|their)\s+)?(?P<np>{_EN_NP})")
# A past participle after a figure is a verb ($550 billion directed by ...), not what it counts.
_EN_ATTRIBUTIVE = re.compile(rf"^\s+(?![A-Za-z]+ed\b)(?P<np>{_EN_NP})")
# A period between a subject and its verb (revenue in fiscal year 2025 came to ...).
_EN_PERIOD = (
    r"(?:\s+(?:in|for|during|over|through)\s+(?:the\s+)?(?:(?:fiscal|calendar)\s+)?(?:year\s+)?"
    r"(?:FY\s?)?(?:(?:19|20)\d\d|january|february|march|april|may|june|july|august|september|"
    r"october|november|december)(?:\s+(?:19|20)\d\d)?)?"
)
_EN_BEFORE = re.compile(
    rf"(?P<np>{_EN_NP}){_EN_PERIOD}\s+(?:\w+ly\s+)?"
    r"(?:(?:could|would|will|may|might|can|should|to)\s+)?"
    r"(?:(?:reach|hit|rose|rise|fell|fall|grew|grow|increas|decreas|dropp?|climb|jump|total|"
    r"amount|stood|stand|topp?|exceed|surpass|doubl|brought in|bring in|rais|collect|generat|"
    r"earn|cost|spen[dt]|receiv|came|come|soar|surg|plummet|plung|declin|widen|narrow|balloon|"
    r"expand|shr[iau]nk|contract|spik|slid|slump|dipp?)\w*|was|were|is|are|of)"
    r"(?:\s+(?:to|at|by))?\s*(?:\w+\s+){0,2}$"
)
# A change made to something, by the figure (Taiwan raised its minimum wage by 3.2%): the
# verb and its object are what is measured, a change, not a level.
_EN_CHANGED_BY = re.compile(
    r"(?P<np>\b(?:rais|cut|increas|reduc|lower|lift|boost|hik|trimm?|slash|expand|extend|shorten)"
    rf"\w*\s+(?:(?:its|their|the|his|her|our)\s+)?{_EN_NP})\s+by\s+(?:\w+\s+){{0,2}}$",
    re.I,
)
# A change made to something, to the figure (lawmakers cut chip subsidies to $2.9 billion, set
# the minimum wage at NT$28,590): the figure is the object's new level, so the object alone is
# what is measured.
_EN_CHANGED_TO = re.compile(
    r"\b(?:(?:rais|increas|reduc|hik|doubl|halv)(?:e|ed|es|ing)|(?:lower|lift|boost|expand)(?:s|ed|ing)?"
    r"|cut(?:s|ting)?|trim(?:s|med|ming)?|slash(?:es|ed|ing)?|set(?:s|ting)?|fix(?:es|ed|ing)?"
    r"|cap(?:s|ped|ping)?)\s+(?:(?:its|their|the|his|her|our)\s+)?"
    rf"(?P<np>{_EN_NP})\s+(?:to|at)\s+(?:\w+\s+){{0,2}}$",
    re.I,
)
# A relative clause opens the figure's clause: its subject ends the clause before.
_EN_RELATIVE = re.compile(r"\s*(?:which|that)\b", re.I)
_EN_NP_END = re.compile(rf"(?P<np>{_EN_NP})\s*$")
_EN_UNITS = re.compile(r"^(?:percent|per cent|times|dollars|euros|yuan|billion|million)\b", re.I)

GLOBAL = re.compile(r"全球|全世界|世界|global|worldwide|world\b", re.I)
_DURATION = re.compile(
    r"(?:未来|过去|近|最近)?\s*(?:\d+|[一二三四五六七八九十两]+)\s*(?:年|个月)(?:内|间|来|之内)"
    r"|(?:over|in|within|during) (?:the )?(?:(?:next|past|last|coming) )?(?:\w+ )?"
    r"(?:years?|decades?|months?)\b"
    r"|by (?:19|20)\d\d\b",
    re.I,
)
# Words after a figure that turn to another subject (8% while the U.S. ...).
_CONTRAST = re.compile(r"\b(?:while|whereas|but|compared|versus|vs)\b|而|但|相比|相较|对比", re.I)
_OWN_DATE = re.compile(
    r"\s*(?:in|of|for|during|by)?\s*(?:the\s+)?(?:(?:fiscal|calendar)\s+year\s+)?", re.I
)
# A sentence's opening clause this short (In March, / 於 2024 年，) dates its other clauses.
OPENER = 24
# The same year as the date before (同年美国新增……约 50 GW): the one reference to another
# sentence a period may make.
_SAME_YEAR = re.compile(r"同年|\b(?:the same|that) year\b", re.I)
# A table's heading cell that names a year: the period of the figures below it.
_YEAR_HEADING = re.compile(r"(?:fy\s?)?(?P<year>(?:19|20)\d\d)\s*(?:年|年度|财年)?", re.I)
_RULE_ROW = re.compile(r"[\s|:-]*")
_WORDS = re.compile(rf"[{HAN}A-Za-z]{{2}}")
_FISCAL_YEAR = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)\s*(?:财政|会计)?(?:年度|财年)")


def describe(text: str, found: Sequence[Found]) -> None:
    """Add measure/scope/period to the statistics among `found`, all spans of this (folded)
    passage text; actor and date findings are the evidence (what a date dates:
    claims/temporal.py)."""
    actors = [f for f in found if f.kind == "actor"]
    dates = [f for f in found if f.kind == "date"]
    statistics = sorted((f for f in found if f.kind == "statistic"), key=lambda f: f.start)
    numbers = [(f.start, f.end) for f in statistics]
    for number, item in enumerate(statistics):
        _describe_statistic(text, item, actors, dates, numbers)
        joined = number and _JOINED.fullmatch(text, statistics[number - 1].end, item.start)
        if item.fields["measure"] is None and number and (joined or _elided(text, item)):
            # 而经济增长今年达到了 3.3%，……明年可能达到 4%: the second figure's clause leaves its
            # subject out; it is the one before, in the same sentence. So does the second of
            # two figures joined by a conjunction (fell to 77.3% and 75.3%).
            earlier = statistics[number - 1]
            if sentence_of(text, earlier.start, earlier.end) == sentence_of(
                text, item.start, item.end
            ):
                item.fields["measure"] = earlier.fields["measure"]


def _bounds(text: str, start: int, end: int, breaks: re.Pattern[str]) -> tuple[int, int]:
    """The span around [start, end) that no match of `breaks` crosses."""
    left = max((m.end() for m in breaks.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in breaks.finditer(text, end)), len(text))
    return left, right


def sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence that holds [start, end)."""
    return _bounds(text, start, end, SENTENCE_END)


def clause_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause (between commas, colons, brackets) that holds [start, end)."""
    s_start, s_end = sentence_of(text, start, end)
    c_start, c_end = _bounds(text[s_start:s_end], start - s_start, end - s_start, CLAUSE_BREAK)
    return s_start + c_start, s_start + c_end


def _elided(text: str, item: Found) -> bool:
    """Whether nothing but openers, link verbs and adverbs stands before the figure in its
    clause (a Chinese clause that leaves its subject out)."""
    start, end = clause_of(text, item.start, item.end)[0], item.start
    lead = _LEAD_ZH_RE.match(text, start, end)
    start = lead.end() if lead else start
    tail = _TAIL_ZH.search(text, start, end)
    end = tail.start() if tail else end
    return start < item.start and not text[start:end].strip()


def _describe_statistic(
    text: str,
    item: Found,
    actors: list[Found],
    dates: list[Found],
    numbers: list[tuple[int, int]],
) -> None:
    clause = clause_of(text, item.start, item.end)
    # Another figure in the clause bounds this one's measure: 从 1% 到 3% 转变为 4% is not
    # what 4% measures.
    left = max(
        (end for start, end in numbers if clause[0] <= start and end <= item.start),
        default=clause[0],
    )
    right = min((start for start, _ in numbers if item.end <= start < clause[1]), default=clause[1])
    # In a table, the labels say what a figure measures; else its own cell is its clause (a
    # row's other cells, | 1 | 比亚迪 | 427.2 |, are no measure of 41.9%).
    own = _own_cell(text, item)
    labels = _table_labels(text, item, own) if own is not None else None
    if own is not None:
        left, right = max(left, own[0]), min(right, own[1])
    measure = labels[0] if labels else _measure(text, item, (left, right))
    item.fields["measure"] = measure
    item.fields["scope"] = _scope(text, item, measure, clause, actors)
    item.fields["period"] = (labels[1] if labels else None) or _period(text, item, clause, dates)


def _own_cell(text: str, item: Found) -> tuple[int, int] | None:
    """The table cell a figure stands in, or None outside a table."""
    return next(
        ((a, b) for a, b in _cells(text, item.start) if a <= item.start and item.end <= b), None
    )


def _table_labels(
    text: str, item: Found, own: tuple[int, int]
) -> tuple[tuple[int, int], str | None] | None:
    """A figure in a table row (Markdown's pipes; an HTML table's cells are pipes in the prose
    view), standing in the cell `own`: its measure and period from the table's labels. Under a
    column headed by a year, the row's label (its first cell) is the measure and that year the
    period; in a row labelled by a year, the column's heading is the measure. A table of one
    figure column measures its row's label. None without a label, or where the row's label is
    not the whole measure (a table with columns Budget and Spent would give both one)."""
    row = _cells(text, item.start)
    column = row.index(own)  # `own`: the figure's cell, of this row
    if not column:
        return None
    heading = _heading_row(text, item.start)
    above = heading[column] if heading is not None and len(heading) == len(row) else None
    labelled = _YEAR_HEADING.fullmatch(text, *row[0])
    if labelled and above is not None and _WORDS.search(text, *above):
        return above, labelled["year"]
    if not _WORDS.search(text, *row[0]):
        return None
    named = _YEAR_HEADING.fullmatch(text, *above) if above is not None else None
    if named is None and len(row) != 2:
        return None
    return row[0], named["year"] if named else None


def _cells(text: str, at: int) -> tuple[tuple[int, int], ...]:
    """The cells (stripped spans) of the table row holding `at`; () for a line of no table."""
    return _row_cells(text, text.rfind("\n", 0, at) + 1)


@lru_cache(maxsize=1024)  # each figure of a row reads the same row and heading
def _row_cells(text: str, start: int) -> tuple[tuple[int, int], ...]:
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    if text.count("|", start, end) < 2:
        return ()
    pipes = [start - 1, *(start + m.start() for m in re.finditer(r"\|", text[start:end])), end]
    cells = [_trimmed(text, left + 1, right) for left, right in pairwise(pipes)]
    # The pipes that open and close a row bound no cell.
    if cells and cells[0][0] == cells[0][1] and not text[start : cells[0][0]].strip(" \t"):
        cells = cells[1:]
    if cells and cells[-1][0] == cells[-1][1] and not text[cells[-1][1] : end].strip(" \t"):
        cells = cells[:-1]
    return tuple(cells)


def _heading_row(text: str, at: int) -> tuple[tuple[int, int], ...] | None:
    """The cells of the heading row of the table holding `at`: the row above its rule row
    (|---|), else its first row; None when `at` stands in it. Rows may stand apart by blank
    lines, as the tables of an HTML page's extracted text do."""
    return _heading_above(text, text.rfind("\n", 0, at) + 1)


@lru_cache(maxsize=1024)
def _heading_above(text: str, line: int) -> tuple[tuple[int, int], ...] | None:
    first = None
    ruled = False
    while line > 0:
        above = text.rfind("\n", 0, line - 1) + 1
        end = text.find("\n", above)
        line = above
        if not text[above:end].strip():
            continue
        if not _cells(text, above):
            break
        if _RULE_ROW.fullmatch(text, above, end):
            ruled = True
            continue
        first = above
        if ruled:
            break
    return _cells(text, first) if first is not None else None


def _measure(text: str, item: Found, clause: tuple[int, int]) -> tuple[int, int] | None:
    quantity = item.fields.get("quantity")
    if item.fields["unit"] == "count" and quantity:
        start, end = quantity
        governed = _OF_NOUN.match(text, end, clause[1])  # 工作的消失: what happens to them
        return (start, governed.end()) if governed else (start, end)
    if _han(text[item.start : item.end]) or _han(text[clause[0] : clause[1]]):
        return _measure_zh(text, item, clause)
    return _measure_en(text, item, clause)


def _han(text: str) -> bool:
    return re.search(f"[{HAN}]", text) is not None


def _measure_zh(text: str, item: Found, clause: tuple[int, int]) -> tuple[int, int] | None:
    after = _NOUN_AFTER_ZH.match(text, item.end, clause[1])
    noun = _nominal_run(text, after.start("noun"), clause[1]) if after else None
    before = _before_zh(text, item, clause)
    between = text[item.end : noun[0]].strip() if noun else None
    if noun and item.fields["unit"] in PHYSICAL_UNITS and between == "":
        return (before[0] if before else noun[0]), noun[1]  # 新增 280 GW 太阳能发电量
    if noun and between in ("的", "之"):
        if before and text[before[1] : item.start].strip().endswith("有"):
            return before[0], noun[1]  # 美国重工业领域有超过一兆美元的投资: X has N of Y
        return noun  # 投入 500 亿元的研发经费: the amount is of what follows
    return before or noun


def _before_zh(text: str, item: Found, clause: tuple[int, int]) -> tuple[int, int] | None:
    """The nominal phrase before the number, without openers, link verbs and adverbs."""
    before_start, before_end = clause[0], item.start
    lead = _LEAD_ZH_RE.match(text, before_start, before_end)
    if lead:
        before_start = lead.end()
    tail = _TAIL_ZH.search(text, before_start, before_end)
    if tail:
        before_end = tail.start()
    longest = _MAX_MEASURE * (2 if _HAS_SHARE_ZH.search(text, before_start, before_end) else 1)
    start, before_end = _trimmed(text, max(before_start, before_end - longest), before_end)
    if not _nominal(text[start:before_end]):
        return None
    if _SUBJECTLESS_ZH.match(text, start, before_end) and _after_break(text, clause[0]):
        subject = clause_of(text, clause[0] - 1, clause[0] - 1)
        first, last = _trimmed(text, *subject)
        sentence = sentence_of(text, item.start, item.end)
        nominal = _nominal(text[first:last]) and not re.search(r"\d", text[first:last])
        if sentence[0] <= first and last - first <= _MAX_MEASURE and nominal:
            return first, before_end
    return start, before_end


def _after_break(text: str, position: int) -> bool:
    """Whether a clause break (not another figure) ends right before `position`."""
    return position > 0 and CLAUSE_BREAK.match(text, position - 1) is not None


def _nominal_run(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The nouns from `start` on, joined by 的 (规模的基础建设投资), up to the first other word:
    工作在 1940 年 gives 工作."""
    position, last = start, None
    words = list(pos_tagger().cut(text[start:end]))
    for i, (word, flag) in enumerate(words):
        nominal = _is_noun(flag)
        joins = word in ("的", "之") and i + 1 < len(words) and _is_noun(words[i + 1].flag)
        if not (nominal or joins):
            break
        position += len(word)
        if nominal:
            last = position
    return (start, last) if last is not None and _CONTENT.search(text, start, last) else None


def _is_noun(flag: str) -> bool:
    return flag[0] == "n" or flag in NOUN_FLAGS


def _nominal(phrase: str) -> bool:
    """Whether a Chinese phrase names something: jieba tags a noun in it (都参与 does not)."""
    if not _CONTENT.search(phrase):
        return False
    return any(_is_noun(flag) for _, flag in pos_tagger().cut(phrase))


NOUN_FLAGS = {"vn", "an", "eng", "j"}
# Units after which a noun names what is measured without 的 (280 GW 太阳能发电量).
PHYSICAL_UNITS = {"GW", "MW", "kW", "GWh", "MWh", "TWh", "kWh", "t"}


def _measure_en(text: str, item: Found, clause: tuple[int, int]) -> tuple[int, int] | None:
    after = text[item.end : clause[1]]
    for pattern in (_EN_AFTER, _EN_ATTRIBUTIVE):
        m = pattern.match(after)
        if m and not _EN_UNITS.match(m["np"]):
            return item.end + m.start("np"), item.end + m.end("np")
    m = (
        _EN_CHANGED_BY.search(text, clause[0], item.start)
        or _EN_CHANGED_TO.search(text, clause[0], item.start)
        or _EN_BEFORE.search(text, clause[0], item.start)
    )
    if m:
        return m.span("np")
    if _EN_RELATIVE.match(text, clause[0], item.start) and _after_break(text, clause[0]):
        # the trade deficit in goods, which soared to $1.2 trillion: the clause before ends
        # with what the figure measures.
        previous = clause_of(text, clause[0] - 1, clause[0] - 1)
        m = _EN_NP_END.search(text, previous[0], clause[0] - 1)
        if m:
            return m.span("np")
    return None


def _scope(
    text: str,
    item: Found,
    measure: tuple[int, int] | None,
    clause: tuple[int, int],
    actors: list[Found],
) -> str | None:
    places = [a for a in actors if a.fields.get("actor_type") == "country"]
    spans = [span for span in (measure, clause) if span]
    for start, end in spans:
        inside = [a for a in places if start <= a.start and a.end <= end]
        if inside:
            # The place before the figure owns it (Indonesia's tariff was 8% while the U.S.
            # ...): one after it starts the next comparison.
            before = [a for a in inside if a.end <= item.start]
            after = [a for a in inside if not _CONTRAST.search(text, item.end, a.start)]
            nearest = (
                max(before, key=lambda a: a.start)
                if before
                else min(after, key=lambda a: a.start, default=None)
            )
            if nearest is not None:
                return str(nearest.fields["canonical"])
        if GLOBAL.search(text, start, end):
            return "global"
    return None


def _period(text: str, item: Found, clause: tuple[int, int], dates: list[Found]) -> Any:
    inside = [d for d in dates if clause[0] <= d.start and d.end <= clause[1]]
    opens = sentence_of(text, item.start, item.end)[0]
    if not inside and 0 < clause[0] - opens <= OPENER:
        # A short opening clause dates the sentence (於 2024 年，中國新增 280 GW; In 2024, ...).
        inside = [d for d in dates if opens <= d.start and d.end <= clause[0]]
    # A date right after the figure is its own ($83.8 billion in 2000 to $295.4 billion in
    # 2024), else the nearest.
    own = [d for d in inside if _OWN_DATE.fullmatch(text, item.end, d.start)]
    if own or inside:
        nearest = own[0] if own else min(inside, key=lambda d: abs(d.start - item.start))
        return str(nearest.fields["value"])
    fiscal = _FISCAL_YEAR.search(text, clause[0], clause[1])
    if fiscal:  # 2025 财政年度: a year no date claim holds
        return fiscal["year"]
    # 同年 (the same year, opening the sentence or in the clause): the last date's year before it
    same = _SAME_YEAR.search(text, sentence_of(text, item.start, item.end)[0], clause[1])
    earlier = [d for d in dates if same and d.end <= same.start()]
    if earlier:
        return str(max(earlier, key=lambda d: d.end).fields["value"])[:4]
    duration = _DURATION.search(text, clause[0], clause[1])
    return _trimmed(text, *duration.span()) if duration else None


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].strip():
        start += 1
    while end > start and not text[end - 1].strip():
        end -= 1
    return start, end
